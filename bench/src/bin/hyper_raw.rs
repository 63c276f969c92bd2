//! The baseline: bare hyper 1 with hyper's defaults, one task per connection,
//! HTTP/1 only, routed by hand with a `match` (`carafe_bench::bare_hyper`).

use std::net::Ipv4Addr;
use std::sync::Arc;

use carafe_bench::{bare_hyper, Store};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn main() {
    let port = carafe_bench::port();
    carafe_bench::tokio_runtime().block_on(serve(port));
}

async fn serve(port: u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:{port}: {e}"));
    let store = Arc::new(Store::seeded());
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Such errors (a connection reset before it was accepted, too
            // many open files) concern one connection: keep serving.
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        if let Err(e) = stream.set_nodelay(true) {
            eprintln!("TCP_NODELAY: {e}");
        }
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let service = service_fn(move |req| bare_hyper::route(Arc::clone(&store), req));
            // An error here is the client's (a reset, a malformed request)
            // and ends only its own connection.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
