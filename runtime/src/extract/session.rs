//! Flask's session: values kept in a cookie the app signs, so the client can read it but not
//! change it.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie::{Cookie, CookieJar, Key, SameSite};
use http::header::{HeaderValue, COOKIE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha512};
use smallvec::SmallVec;

use crate::extract::app_data::AppData;
use crate::extract::cookies::Cookies;
use crate::response::Response;

/// The cookie the session lives in, Flask's name for it.
const COOKIE_NAME: &str = "session";

/// The session of a request, like Flask's `session`: a map of serde values kept in a cookie
/// signed with [`App::secret_key`](crate::App::secret_key). A forged, cut or expired cookie
/// reads as an empty session, never an error. Changed, it is saved in the response (an
/// `HttpOnly`, `SameSite=Lax` cookie that lasts [`App::session_lifetime`](crate::App::session_lifetime));
/// unchanged, nothing is sent. An app whose handlers take `Session` without a secret key
/// refuses to start, saying so.
///
/// Handlers take it as an argument; hooks get it from [`RequestContext::session`]. Every copy
/// of a request's session is the same session.
///
/// ```
/// use carafe_runtime::{Response, Session};
///
/// fn login(session: Session) -> &'static str {
///     session.insert("user_id", 7);
///     "signed in"
/// }
/// fn whoami(session: Session) -> String {
///     match session.get::<u32>("user_id") {
///         Some(id) => format!("user {id}"),
///         None => "nobody".to_owned(),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Session(Arc<Mutex<Values>>);

#[derive(Default)]
struct Values {
    map: Map<String, Value>,
    changed: bool,
}

impl Session {
    /// The value under `key`, if there is one of that type.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let values = self.values();
        serde_json::from_value(values.map.get(key)?.clone()).ok()
    }

    /// Whether the session holds `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.values().map.contains_key(key)
    }

    /// Stores `value` under `key`. A value that does not serialize (a map with non-text keys)
    /// is not stored.
    pub fn insert<T: Serialize>(&self, key: &str, value: T) {
        if let Ok(value) = serde_json::to_value(value) {
            let mut values = self.values();
            values.map.insert(key.to_owned(), value);
            values.changed = true;
        }
    }

    /// Removes `key`, returning its value if it had one of that type.
    pub fn remove<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let mut values = self.values();
        let removed = values.map.remove(key)?;
        values.changed = true;
        serde_json::from_value(removed).ok()
    }

    /// The session's values, for templates.
    #[cfg(feature = "templates")]
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        self.values().map.clone()
    }

    /// Empties the session, like Flask's `session.clear()` at logout.
    pub fn clear(&self) {
        let mut values = self.values();
        values.changed |= !values.map.is_empty();
        values.map.clear();
    }

    fn values(&self) -> std::sync::MutexGuard<'_, Values> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The session of a request with these cookies, read from its cookie if it is signed and
    /// fresh.
    fn load(cookies: &[HeaderValue], key: &Key, lifetime: Duration) -> Session {
        let map = Cookies::from_values(cookies)
            .jar()
            .signed(key)
            .get(COOKIE_NAME)
            .and_then(|cookie| saved_values(cookie.value(), lifetime))
            .unwrap_or_default();
        Session(Arc::new(Mutex::new(Values {
            map,
            changed: false,
        })))
    }
}

/// The values of a session cookie's text, `{"at": <seconds>, "values": {..}}`, if it was saved
/// within `lifetime`.
fn saved_values(text: &str, lifetime: Duration) -> Option<Map<String, Value>> {
    let mut saved: Value = serde_json::from_str(text).ok()?;
    let at = saved.get("at")?.as_u64()?;
    if now().saturating_sub(at) > lifetime.as_secs() {
        return None;
    }
    match saved.get_mut("values")?.take() {
        Value::Object(values) => Some(values),
        _ => None,
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The signing key for a secret of any length: 64 bytes of SHA-512 of it, the length the
/// cookie crate's `Key` takes.
pub(crate) fn signing_key(secret: &[u8]) -> Key {
    Key::from(&Sha512::digest(secret))
}

/// A request's session, loaded once: the first `Session` argument, hook or `flash` that asks
/// loads it, and the app saves it after the response if it changed. It keeps the request's
/// `Cookie` headers to load it from (their values are shared, not copied), so that it loads
/// wherever it is first asked for, even once the handler owns the request.
#[derive(Clone)]
pub(crate) struct SessionSlot(Arc<Slot>);

struct Slot {
    cookies: SmallVec<[HeaderValue; 1]>,
    /// The client came over HTTPS (as the app's trusted proxies say): the cookie is then
    /// marked `Secure`, and the browser never sends it over plain HTTP.
    https: bool,
    session: OnceLock<Session>,
    /// The flashed messages this request took from the session, Flask's `request_ctx.flashes`:
    /// taken at the first `get_flashed_messages`, the same for every later call.
    flashes: OnceLock<Vec<(String, String)>>,
}

/// The session key messages are flashed under, Flask's.
const FLASHES: &str = "_flashes";

impl SessionSlot {
    /// A slot for the session of a request with these headers, which came over HTTPS or not.
    pub(crate) fn new(headers: &http::HeaderMap, https: bool) -> SessionSlot {
        SessionSlot(Arc::new(Slot {
            cookies: headers.get_all(COOKIE).iter().cloned().collect(),
            https,
            session: OnceLock::new(),
            flashes: OnceLock::new(),
        }))
    }

    /// The session, loaded from the request the first time; `None` without a secret key.
    pub(crate) fn session(&self, data: &AppData) -> Option<Session> {
        let key = data.session_key.as_ref()?;
        let session = self
            .0
            .session
            .get_or_init(|| Session::load(&self.0.cookies, key, data.session_lifetime));
        Some(session.clone())
    }

    /// Adds a message to the session's flashed ones, as Flask's `flash` does.
    pub(crate) fn flash(&self, data: &AppData, category: &str, message: &str) -> Option<()> {
        let session = self.session(data)?;
        let mut values = session.values();
        let flashes = values
            .map
            .entry(FLASHES)
            .or_insert_with(|| Value::Array(Vec::new()));
        if !flashes.is_array() {
            *flashes = Value::Array(Vec::new());
        }
        if let Value::Array(flashes) = flashes {
            flashes.push(serde_json::json!([category, message]));
        }
        values.changed = true;
        Some(())
    }

    /// The messages flashed to this request, `(category, message)`: taken from the session at
    /// the first call, as Flask's `get_flashed_messages` does, and the same at every later one.
    pub(crate) fn flashes(&self, data: &AppData) -> &[(String, String)] {
        self.0.flashes.get_or_init(|| {
            let Some(session) = self.session(data) else {
                return Vec::new();
            };
            if !session.contains(FLASHES) {
                return Vec::new();
            }
            session
                .remove::<Vec<(String, String)>>(FLASHES)
                .unwrap_or_default()
        })
    }

    /// Saves the session in `response` if a handler or hook changed it.
    pub(crate) fn save(&self, response: &mut Response, data: &AppData) {
        let Some(key) = &data.session_key else {
            return;
        };
        let Some(session) = self.0.session.get() else {
            return;
        };
        let values = session.values();
        if !values.changed {
            return;
        }
        if values.map.is_empty() {
            // Emptied: the client's cookie is removed, if it sent one (a forged one too).
            if Cookies::from_values(&self.0.cookies)
                .get(COOKIE_NAME)
                .is_some()
            {
                response.remove_cookie(COOKIE_NAME);
            }
            return;
        }
        let text = serde_json::json!({ "at": now(), "values": values.map }).to_string();
        let max_age = cookie::time::Duration::seconds(
            i64::try_from(data.session_lifetime.as_secs()).unwrap_or(i64::MAX),
        );
        let cookie = Cookie::build((COOKIE_NAME, text))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.0.https)
            .path("/")
            .max_age(max_age)
            .build();
        let mut jar = CookieJar::new();
        jar.signed_mut(key).add(cookie);
        if let Some(signed) = jar.get(COOKIE_NAME) {
            response.set_cookie(signed.clone());
        }
    }
}
