//! The routes of `blocking.sh` beside `GET /cheap` ([`PLAINTEXT`](crate::PLAINTEXT)): plain
//! handlers that block a thread, as a Flask user writes them, one waiting (a slow query) and one
//! computing (a password hash). The carafe and axum servers share these, so that they do the
//! same work; `flask/blocking_app.py` repeats the numbers, and the script's preflight checks
//! that every server answers the same bytes, the hash's included.

use std::time::Duration;

use pbkdf2::pbkdf2_hmac;
use sha2::Sha256;

/// How long `GET /sleep` blocks its thread.
pub const SLEEP: Duration = Duration::from_millis(50);

/// Body of `GET /sleep`.
pub const SLEPT: &str = "Slept 50 ms";

/// PBKDF2-HMAC-SHA256 rounds of `GET /hash`: 20 ms of CPU in this crate's release build on the
/// machine of BENCHMARKS.md's "Plain handlers that block". The same rounds take Python's
/// `hashlib` (OpenSSL 3.0) about 45 ms there: the servers do the same work, not for as long.
pub const HASH_ROUNDS: u32 = 200_000;

/// The password `GET /hash` derives its key from.
pub const PASSWORD: &[u8] = b"password";
/// The salt `GET /hash` derives its key with.
pub const SALT: &[u8] = b"salt";

/// Body of `GET /hash`: the 32-byte key, in lowercase hex as Python's `bytes.hex()` writes it.
pub fn hash() -> String {
    let mut key = [0; 32];
    pbkdf2_hmac::<Sha256>(PASSWORD, SALT, HASH_ROUNDS, &mut key);
    key.iter().map(|byte| format!("{byte:02x}")).collect()
}
