//! The password hashes Werkzeug writes, checked as its `check_password_hash` checks them.
//!
//! Flask's own flaskr stores `generate_password_hash(password)`, a `method$salt$hash` string:
//! `pbkdf2:<digest>:<iterations>$<salt>$<hex>` (the tutorial's test data, and Werkzeug's
//! default before 2.3) or `scrypt:<n>:<r>:<p>$<salt>$<hex>` (its default since). Reading them
//! lets a database made by that flaskr work with this one, its users logging in with the
//! passwords they have.

use pbkdf2::pbkdf2_hmac;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512, Sha512_224, Sha512_256};
use subtle::ConstantTimeEq;

/// The iterations of a `pbkdf2` method that names none, as Werkzeug 3.1 and later count them.
const DEFAULT_PBKDF2_ITERATIONS: u64 = 1_000_000;

/// C's `INT_MAX`, where `hashlib` bounds PBKDF2's iterations and scrypt's memory.
const INT_MAX: u64 = 0x7fff_ffff;

/// Whether `password` is the one Werkzeug hashed into `pwhash`. The hash is computed as
/// Python's `hashlib` computes it (PBKDF2 with the digest's own length, scrypt's 64 bytes)
/// and its hex compared in constant time with the stored one, which is lowercase as Werkzeug
/// writes it.
///
/// Whatever Werkzeug refuses (another method, a digest unknown here, numbers out of
/// `hashlib`'s or OpenSSL's bounds, no `$` twice) matches nothing, where Werkzeug would
/// raise. Of the digests `hashlib` knows, these are SHA-1 and SHA-2, by the names Python
/// and OpenSSL give them.
pub fn check_password_hash(pwhash: &str, password: &str) -> bool {
    let mut parts = pwhash.splitn(3, '$');
    let (Some(method), Some(salt), Some(hashval)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(derived) = derive(method, password.as_bytes(), salt.as_bytes()) else {
        return false;
    };
    hex(&derived).as_bytes().ct_eq(hashval.as_bytes()).into()
}

/// The key `method` derives from `password` and `salt`; `None` if Werkzeug would refuse
/// the method.
fn derive(method: &str, password: &[u8], salt: &[u8]) -> Option<Vec<u8>> {
    let mut fields = method.split(':');
    let name = fields.next()?;
    let args: Vec<&str> = fields.collect();
    match (name, args.as_slice()) {
        ("pbkdf2", []) => pbkdf2("sha256", DEFAULT_PBKDF2_ITERATIONS, password, salt),
        ("pbkdf2", [digest]) => pbkdf2(digest, DEFAULT_PBKDF2_ITERATIONS, password, salt),
        ("pbkdf2", [digest, iterations]) => pbkdf2(digest, number(iterations)?, password, salt),
        ("scrypt", []) => scrypt(1 << 15, 8, 1, password, salt),
        ("scrypt", [n, r, p]) => scrypt(number(n)?, number(r)?, number(p)?, password, salt),
        _ => None,
    }
}

/// A parameter of the method, in decimal as Werkzeug writes it. (Python's `int()` would also
/// take spaces around it and `_` between digits, which Werkzeug never writes.)
fn number(text: &str) -> Option<u64> {
    text.parse().ok()
}

/// `hashlib.pbkdf2_hmac(digest, password, salt, iterations)`.
fn pbkdf2(digest: &str, iterations: u64, password: &[u8], salt: &[u8]) -> Option<Vec<u8>> {
    type Pbkdf2 = fn(&[u8], &[u8], u32, &mut [u8]);
    // Names as OpenSSL reads them, whatever their case: Python's (`sha512_256`) and its own.
    let (function, length): (Pbkdf2, usize) = match digest.to_ascii_lowercase().as_str() {
        "sha1" | "sha-1" => (pbkdf2_hmac::<Sha1>, Sha1::output_size()),
        "sha224" | "sha-224" | "sha2-224" => (pbkdf2_hmac::<Sha224>, Sha224::output_size()),
        "sha256" | "sha-256" | "sha2-256" => (pbkdf2_hmac::<Sha256>, Sha256::output_size()),
        "sha384" | "sha-384" | "sha2-384" => (pbkdf2_hmac::<Sha384>, Sha384::output_size()),
        "sha512" | "sha-512" | "sha2-512" => (pbkdf2_hmac::<Sha512>, Sha512::output_size()),
        "sha512_224" | "sha512-224" | "sha-512/224" | "sha2-512/224" => {
            (pbkdf2_hmac::<Sha512_224>, Sha512_224::output_size())
        }
        "sha512_256" | "sha512-256" | "sha-512/256" | "sha2-512/256" => {
            (pbkdf2_hmac::<Sha512_256>, Sha512_256::output_size())
        }
        _ => return None,
    };
    if !(1..=INT_MAX).contains(&iterations) {
        return None;
    }
    let rounds = u32::try_from(iterations).ok()?;
    let mut key = vec![0; length];
    function(password, salt, rounds, &mut key);
    Some(key)
}

/// `hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=132 * n * r * p)`, 64 bytes.
fn scrypt(n: u64, r: u64, p: u64, password: &[u8], salt: &[u8]) -> Option<Vec<u8>> {
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return None;
    }
    // Werkzeug's `maxmem`, which hashlib bounds by `INT_MAX` and OpenSSL checks against what
    // the parameters need (`n + 2` and `p` blocks of `128 r` bytes): so no stored hash asks
    // for more than 2 GiB, and a few small ones are refused.
    let maxmem = 132u64.checked_mul(n)?.checked_mul(r)?.checked_mul(p)?;
    if maxmem > INT_MAX || 128 * r * (n + 2 + p) > maxmem {
        return None;
    }
    // OpenSSL's other checks (`n` below 2^(16 r), `r p` below 2^30) are also the crate's.
    let log_n = u8::try_from(n.trailing_zeros()).ok()?;
    let params = scrypt::Params::new(log_n, r.try_into().ok()?, p.try_into().ok()?, 64).ok()?;
    let mut key = vec![0; 64];
    scrypt::scrypt(password, salt, &params, &mut key).ok()?;
    Some(key)
}

/// `bytes` in lowercase hex, as Python's `bytes.hex()`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|byte| {
            [
                DIGITS[usize::from(byte >> 4)],
                DIGITS[usize::from(byte & 15)],
            ]
        })
        .map(char::from)
        .collect()
}
