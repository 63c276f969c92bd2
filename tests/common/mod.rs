//! Serving an app on an ephemeral loopback port and talking to it over a real socket.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::net::SocketAddr;

use bytes::Bytes;
use carafe::App;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper::{HeaderMap, Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};

/// Serves `app` on 127.0.0.1 on a port the OS picks, for the rest of the test.
pub async fn serve(app: App) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app.serve_with_shutdown(listener, std::future::pending()));
    addr
}

/// A response as the client saw it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

/// One HTTP/1.1 connection, kept alive across requests.
pub struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        Connection { sender }
    }

    /// Sends `method path` with these headers and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        self.sender.ready().await.unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        read_answer(response).await
    }
}

/// Sends one request on a new connection.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    Connection::open(addr)
        .await
        .send(method, path, headers, body)
        .await
}

/// `curl -X POST URL -H "Content-Type: application/x-www-form-urlencoded" -d BODY`
pub async fn post_form(addr: SocketAddr, path: &str, body: &str) -> Answer {
    let content_type = [("content-type", "application/x-www-form-urlencoded")];
    send(addr, "POST", path, &content_type, body).await
}

/// `curl -X POST URL -H "Content-Type: application/json" -d BODY`
pub async fn post_json(addr: SocketAddr, path: &str, body: &str) -> Answer {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// One GET over HTTP/2 with prior knowledge.
pub async fn get_http2(addr: SocketAddr, path: &str) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::builder()
        .uri(format!("http://{addr}{path}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    read_answer(response).await
}

async fn read_answer(response: hyper::Response<hyper::body::Incoming>) -> Answer {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}
