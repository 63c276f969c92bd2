//! What `App::run` says when it cannot start, as Flask's `flask run` does: the variable, the
//! value and what it may be, or the address taken and what to do about it.

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

/// Runs the items example with `PORT` set, and gives it a few seconds to exit.
fn run_items(port: &str) -> Output {
    let mut child = Command::new(common::example_binary("items"))
        .env("PORT", port)
        .env("HOST", "127.0.0.1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    panic!(
        "the server started instead of refusing: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_port_that_is_no_number_names_the_variable_the_value_and_the_range() {
    for port in ["abc", "70000", "-1", "50 00"] {
        let output = run_items(port);
        assert_eq!(output.status.code(), Some(1), "PORT={port}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("error: PORT={port:?} is not a port number"))
                && stderr.contains("0..=65535"),
            "PORT={port}: {stderr}"
        );
        assert!(
            output.stdout.is_empty(),
            "nothing announced for PORT={port}"
        );
    }
}

#[test]
fn a_port_in_use_names_the_address_and_says_what_to_do() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = run_items(&port.to_string());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && stderr.contains("Address already in use")
            && stderr.contains(&format!("port {port} is in use by another program"))
            && stderr.contains("stop that program, or set PORT to another port"),
        "{stderr}"
    );
    drop(taken);
}
