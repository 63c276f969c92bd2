//! Under `panic = "abort"` an unwinding ends the process, so `abort` could not answer a
//! request: carafe refuses a call to it at compile time, with an error that says to return
//! `Err(HttpError)` instead, and everything else builds. Checked by building the app in
//! `tests/fixtures/panic_abort` with that profile (`cargo check`, in a target directory of its
//! own, since the whole dependency tree is built again with `-C panic=abort`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture, copied under `target/` with its path dependency on this checkout, and the
/// workspace's lock file so the same versions resolve offline.
fn fixture() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("tests/fixtures/panic_abort");
    let copy = root.join("target/panic-abort-fixture");
    std::fs::create_dir_all(copy.join("src/bin")).unwrap();
    let manifest = std::fs::read_to_string(source.join("Cargo.toml"))
        .unwrap()
        .replace("CARAFE_PATH", root.to_str().unwrap());
    std::fs::write(copy.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), copy.join("Cargo.lock")).unwrap();
    for bin in ["returns_error.rs", "uses_abort.rs"] {
        let path = Path::new("src/bin").join(bin);
        std::fs::copy(source.join(&path), copy.join(&path)).unwrap();
    }
    copy
}

fn check(fixture: &Path, bin: &str) -> Output {
    Command::new(env!("CARGO"))
        .args([
            "check",
            "--offline",
            "--quiet",
            "--color",
            "never",
            "--bin",
            bin,
        ])
        .current_dir(fixture)
        .env("CARGO_TARGET_DIR", fixture.join("target"))
        // The outer build's flags (coverage, `-D warnings`) are not the fixture's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap()
}

#[test]
fn abort_is_refused_at_compile_time_under_panic_abort() {
    let fixture = fixture();

    // The same app, returning its error as a value, builds: the refusal is `abort`'s alone.
    let returns_error = check(&fixture, "returns_error");
    assert!(
        returns_error.status.success(),
        "{}",
        String::from_utf8_lossy(&returns_error.stderr)
    );

    let uses_abort = check(&fixture, "uses_abort");
    let stderr = String::from_utf8_lossy(&uses_abort.stderr);
    assert!(!uses_abort.status.success(), "{stderr}");
    for expected in [
        "`abort` and `abort_with` need panics to unwind, and this build sets `panic = \"abort\"`",
        "src/bin/uses_abort.rs:6:",
        "return Err(HttpError::new(404))",
        "remove `panic = \"abort\"` from the profile",
    ] {
        assert!(stderr.contains(expected), "no {expected:?} in:\n{stderr}");
    }
}
