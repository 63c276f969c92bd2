//! The development server over a real socket, as a developer uses it: `cargo run -- dev` on a
//! copy of the items example, a handler's text edited, and the next answer shows it, with no
//! request refused while it rebuilds; a build error shown in the browser until the code
//! compiles again; Ctrl-C stops it all.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A package of its own holding a copy of the items example, built into a target folder
/// of its own (kept between runs, so only the first builds carafe's dependencies).
fn copy_of_the_items_example() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let package = std::env::temp_dir().join(format!("carafe-dev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(package.join("src")).unwrap();
    std::fs::write(
        package.join("Cargo.toml"),
        format!(
            "[package]\nname = \"items-copy\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[workspace]\n\n[dependencies]\ncarafe = {{ path = {:?} }}\n\
             serde_json = \"1\"\n",
            root.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root.join("examples/items.rs"), package.join("src/main.rs")).unwrap();
    package
}

/// `cargo run -- dev` and the app it runs, a process group of their own (the terminal's
/// Ctrl-C reaches a whole group): killed when dropped, so a failing test leaves none behind.
struct Dev(Child);

impl Dev {
    fn signal(&self, signal: &str) {
        Command::new("kill")
            .args(["-s", signal, "--", &format!("-{}", self.0.id())])
            .status()
            .unwrap();
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            self.signal("KILL");
            let _ = self.0.wait();
        }
    }
}

/// `cargo run -- dev` in `package`, and the address it announces.
fn start_dev(package: &Path) -> (Dev, SocketAddr) {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dev-server-test");
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--", "dev"])
        .current_dir(package)
        .env("CARGO_TARGET_DIR", target)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env_remove("CARGO_MANIFEST_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The first build of a fresh target folder compiles carafe and its dependencies.
    while !line.contains(" * Running on http://") {
        line.clear();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "dev ended before announcing its address"
        );
    }
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    // What it says next (rebuilds, restarts) goes nowhere, without blocking it.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (Dev(child), addr)
}

/// One request, on a connection of its own: the status and body. A refused connection
/// fails the test: while the server rebuilds, a request must wait, not be refused.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("the connection is never refused");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// Asks every 50 ms until an answer satisfies `done`, each answer on the way checked by
/// `meanwhile`; gives up after two minutes.
fn until(
    addr: SocketAddr,
    path: &str,
    meanwhile: impl Fn(u16, &str),
    done: impl Fn(u16, &str) -> bool,
) -> (u16, String) {
    let start = Instant::now();
    loop {
        let (status, body) = get(addr, path);
        if done(status, &body) {
            return (status, body);
        }
        meanwhile(status, &body);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no such answer in two minutes; the last: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{from} in {}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}

#[test]
fn an_edited_handler_answers_after_a_rebuild_with_no_request_refused() {
    let package = copy_of_the_items_example();
    let main = package.join("src/main.rs");
    let (mut dev, addr) = start_dev(&package);
    let (status, body) = get(addr, "/items/9");
    assert_eq!(status, 404);
    assert!(body.contains("Item not found"), "{body}");

    // A handler's text edited: the answers go on (the old build's) until the new one's.
    edit(&main, "Item not found", "No such item");
    until(
        addr,
        "/items/9",
        |status, body| assert!(status == 404 && body.contains("Item not found"), "{body}"),
        |_, body| body.contains("No such item"),
    );

    // Code that does not compile: the page shows the compiler's message.
    edit(
        &main,
        "No such item\" })), 404)",
        "No such item\" })), 404) oops",
    );
    let (_, page) = until(
        addr,
        "/items/9",
        |status, _| assert_eq!(status, 404),
        |status, _| status == 500,
    );
    assert!(page.contains("Build failed"), "{page}");
    assert!(page.contains("error: expected"), "{page}");
    assert!(page.contains("src/main.rs"), "{page}");

    // Fixed: the app answers again.
    edit(&main, " oops", "");
    until(
        addr,
        "/items/9",
        |status, _| assert_eq!(status, 500),
        |status, body| status == 404 && body.contains("No such item"),
    );

    // Ctrl-C, as the terminal sends it to the whole group: everything stops.
    dev.signal("INT");
    let deadline = Instant::now() + Duration::from_secs(20);
    while dev.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "dev did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens once it stopped"
    );
    let _ = std::fs::remove_dir_all(&package);
}
