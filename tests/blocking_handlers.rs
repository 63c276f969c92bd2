//! Plain handlers that block (a synchronous query, a password hash) hold up no other request:
//! more of them run at once than the server has workers, and a cheap request is answered while
//! they do. The blocking handlers here wait at a gate the test opens, so nothing is timed: on a
//! server whose workers they held, the cheap request would never be answered, and the test
//! fails after its patience runs out instead of hanging.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use carafe::prelude::*;
use tokio::net::TcpListener;

/// The server's worker threads: fewer than the handlers that block at once.
const WORKERS: usize = 2;
/// The handlers that block at once.
const BLOCKED: usize = 8;
/// How long the test waits for what should happen at once, before it fails.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long a handler waits at a gate that never opens (a failed test) before it answers 503,
/// so the server it held can stop.
const GATE_PATIENCE: Duration = Duration::from_secs(30);

/// Where the blocking handlers wait until the test lets them through.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    waiting: usize,
    open: bool,
}

impl Gate {
    /// Blocks the calling thread until the gate opens; whether it did in time.
    fn pass(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        state.waiting += 1;
        self.changed.notify_all();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, GATE_PATIENCE, |state| !state.open)
            .unwrap();
        state.open
    }

    fn waiting(&self) -> usize {
        self.state.lock().unwrap().waiting
    }

    fn open(&self) {
        self.state.lock().unwrap().open = true;
        self.changed.notify_all();
    }
}

fn through(gate: &Gate) -> (&'static str, u16) {
    if gate.pass() {
        ("through", 200)
    } else {
        ("the gate never opened", 503)
    }
}

/// A plain handler that blocks, reading the head alone.
#[route("/wait")]
fn wait(gate: State<Arc<Gate>>) -> (&'static str, u16) {
    through(&gate)
}

/// A plain handler that blocks once its form body has been read.
#[route("/wait", POST)]
fn wait_with_form(gate: State<Arc<Gate>>, form: Form<HashMap<String, String>>) -> String {
    let (answer, _) = through(&gate);
    format!("{answer} {}", form.get("name").map_or("", String::as_str))
}

/// Whether `/sometimes` blocks: a handler quick for long enough to run in place, that then
/// turns slow (a query that one day waits on a lock).
#[derive(Default)]
struct TurnedSlow(AtomicBool);

#[route("/sometimes")]
fn sometimes(gate: State<Arc<Gate>>, turned: State<Arc<TurnedSlow>>) -> (&'static str, u16) {
    if turned.0.load(Ordering::SeqCst) {
        through(&gate)
    } else {
        ("quick", 200)
    }
}

#[route("/cheap")]
fn cheap() -> &'static str {
    "cheap"
}

/// Serves the app on a runtime of its own, with [`WORKERS`] worker threads, so that what its
/// handlers block is the server's workers and never the test's.
fn serve_on_own_runtime(gate: Arc<Gate>) -> SocketAddr {
    serve_app_on_own_runtime(move || {
        App::new()
            .state(gate)
            .mount(routes![wait, wait_with_form, cheap])
    })
}

/// Serves the app `make` builds as [`serve_on_own_runtime`] does.
fn serve_app_on_own_runtime(make: impl FnOnce() -> App + Send + 'static) -> SocketAddr {
    let (bound, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            bound.send(listener.local_addr().unwrap()).unwrap();
            make()
                .serve_with_shutdown(listener, std::future::pending())
                .await
                .unwrap();
        });
    });
    address.recv().unwrap()
}

/// Waits until `count` handlers wait at the gate; fails, naming how many did, if they do not.
async fn until_waiting(gate: &Gate, count: usize) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while gate.waiting() < count {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "only {} of {count} plain handlers that block ran at once on {WORKERS} workers",
        gate.waiting()
    );
}

async fn cheap_answer(addr: SocketAddr) -> common::Answer {
    tokio::time::timeout(PATIENCE, common::send(addr, "GET", "/cheap", &[], ""))
        .await
        .expect("the cheap request is answered while plain handlers block")
}

/// Once every blocked handler waits at the gate: a cheap request is answered, then the gate
/// opens and blocked request `n` answers 200 with `through(n)`.
async fn a_cheap_request_passes_then_the_gate_opens(
    addr: SocketAddr,
    gate: &Gate,
    blocked: Vec<tokio::task::JoinHandle<common::Answer>>,
    through: impl Fn(usize) -> String,
) {
    until_waiting(gate, BLOCKED).await;
    let answer = cheap_answer(addr).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "cheap")
    );
    gate.open();
    for (index, answer) in blocked.into_iter().enumerate() {
        let answer = answer.await.unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, through(index));
    }
}

#[tokio::test]
async fn more_plain_handlers_block_at_once_than_there_are_workers_and_a_cheap_request_passes() {
    let gate = Arc::new(Gate::default());
    let addr = serve_on_own_runtime(Arc::clone(&gate));
    let blocked: Vec<_> = (0..BLOCKED)
        .map(|_| tokio::spawn(common::send(addr, "GET", "/wait", &[], "")))
        .collect();
    a_cheap_request_passes_then_the_gate_opens(addr, &gate, blocked, |_| "through".to_owned())
        .await;
}

#[tokio::test]
async fn plain_handlers_that_read_a_body_block_without_holding_up_others() {
    let gate = Arc::new(Gate::default());
    let addr = serve_on_own_runtime(Arc::clone(&gate));
    let blocked: Vec<_> = (0..BLOCKED)
        .map(|index| {
            let body = format!("name=user{index}");
            tokio::spawn(async move { common::post_form(addr, "/wait", &body).await })
        })
        .collect();
    a_cheap_request_passes_then_the_gate_opens(addr, &gate, blocked, |index| {
        format!("through user{index}")
    })
    .await;
}

#[tokio::test]
async fn a_quick_handler_that_turns_slow_sends_its_next_calls_to_the_pool_while_it_blocks() {
    let gate = Arc::new(Gate::default());
    let turned = Arc::new(TurnedSlow::default());
    let addr = {
        let (gate, turned) = (Arc::clone(&gate), Arc::clone(&turned));
        serve_app_on_own_runtime(move || {
            App::new()
                .state(gate)
                .state(turned)
                .mount(routes![sometimes, cheap])
        })
    };
    let mut connection = common::Connection::open(addr).await;
    // Past its trial on the pool: it now runs in place, on a worker.
    for _ in 0..64 {
        let answer = connection.send("GET", "/sometimes", &[], "").await;
        assert_eq!(answer.body, "quick");
    }
    turned.0.store(true, Ordering::SeqCst);
    let first = tokio::spawn(common::send(addr, "GET", "/sometimes", &[], ""));
    until_waiting(&gate, 1).await;
    // The call in place now holds one of the two workers; the watcher sees it pass the
    // threshold within milliseconds. Given far longer, so that a busy machine cannot fail the
    // test; without the watcher the next call would run in place on the other worker.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut blocked = vec![first];
    blocked.extend(
        (1..BLOCKED).map(|_| tokio::spawn(common::send(addr, "GET", "/sometimes", &[], ""))),
    );
    a_cheap_request_passes_then_the_gate_opens(addr, &gate, blocked, |_| "through".to_owned())
        .await;
}
