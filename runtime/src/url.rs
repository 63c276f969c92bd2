//! `url_for!`'s answer: a handler's path under the prefix it is mounted at, its values
//! percent-encoded.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

use carafe_core::converter::float_text;
use http::HeaderValue;

use crate::response::IntoHeaderValue;
use crate::route::{Part, RouteDef};

/// A handler's path, as [`url_for!`](https://docs.rs/carafe/latest/carafe/macro.url_for.html)
/// builds it: under the prefix the handler is mounted at, each value percent-encoded. It
/// reads as the path: it derefs to `str`, prints as it, compares with strings, and is a
/// header value (`("Location", url)`) and a [`redirect`](crate::redirect) target.
///
/// ```
/// use carafe_runtime::App;
///
/// // With the `carafe` crate: `let url = url_for!(get_item, item_id = 7);`
/// # let _ = App::new();
/// ```
#[derive(Clone)]
pub struct Url {
    path: String,
    /// What it was built from, so that [`App::url_for`](crate::App::url_for) can build it
    /// again under another app's prefix.
    route: RouteKey,
    own_parts: &'static [Part<'static>],
    values: Vec<String>,
}

impl Url {
    /// The path, as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The same values under `parts` (the route as another app mounts it), or under the
    /// route's own path when `None` (an app that does not mount it).
    pub(crate) fn under(&self, parts: Option<&[Part<'static>]>) -> Url {
        Url {
            path: fill(parts.unwrap_or(self.own_parts), &self.values),
            ..self.clone()
        }
    }

    /// Which handler's path it is.
    pub(crate) fn route(&self) -> RouteKey {
        self.route
    }
}

impl Deref for Url {
    type Target = str;

    fn deref(&self) -> &str {
        &self.path
    }
}

impl AsRef<str> for Url {
    fn as_ref(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.path, f)
    }
}

impl From<Url> for String {
    fn from(url: Url) -> String {
        url.path
    }
}

impl PartialEq for Url {
    fn eq(&self, other: &Url) -> bool {
        self.path == other.path
    }
}

impl PartialEq<str> for Url {
    fn eq(&self, other: &str) -> bool {
        self.path == other
    }
}

impl PartialEq<&str> for Url {
    fn eq(&self, other: &&str) -> bool {
        self.path == *other
    }
}

impl PartialEq<String> for Url {
    fn eq(&self, other: &String) -> bool {
        &self.path == other
    }
}

impl IntoHeaderValue for Url {
    fn into_header_value(self) -> Result<HeaderValue, String> {
        // Percent-encoded, so always visible ASCII.
        HeaderValue::try_from(self.path.as_str()).map_err(|_| format!("{:?}", self.path))
    }
}

/// A value `url_for!` writes into a path: numbers as Python's `str` writes them (`1.0` for a
/// float), text as it is; then percent-encoded for the parameter's converter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written into a path by url_for!",
    label = "a number or a string goes here",
    note = "pass a number, a `&str` or a `String`; for another type, its `.to_string()`"
)]
pub trait PathValue {
    /// The text of the value, before percent-encoding.
    fn path_text(&self) -> String;
}

macro_rules! displayed {
    ($($type:ty),*) => {$(
        impl PathValue for $type {
            fn path_text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
displayed!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, str, String, char);

impl PathValue for f64 {
    fn path_text(&self) -> String {
        float_text(*self)
    }
}

impl PathValue for f32 {
    fn path_text(&self) -> String {
        float_text(f64::from(*self))
    }
}

impl<T: PathValue + ?Sized> PathValue for &T {
    fn path_text(&self) -> String {
        (**self).path_text()
    }
}

/// A handler, by where it is defined: `module_path!()` and its name.
pub(crate) type RouteKey = (&'static str, &'static str);

/// The route's key.
pub(crate) fn key(route: &RouteDef) -> RouteKey {
    (route.module_path, route.handler_name)
}

/// What `url_for!` expands to: the route's path with these values (the text of each parameter's, in
/// path order), under the prefix the newest app mounting it gives it (see `mounted_parts`).
#[doc(hidden)]
pub fn url_for(route: &RouteDef, values: &[&dyn PathValue]) -> Url {
    let values: Vec<String> = values.iter().map(|value| value.path_text()).collect();
    let parts = mounted_parts(key(route)).unwrap_or(route.parts);
    Url {
        path: fill(parts, &values),
        route: key(route),
        own_parts: route.parts,
        values,
    }
}

/// The path of `parts` with `values` in its parameters, each encoded for its converter.
pub(crate) fn fill(parts: &[Part<'static>], values: &[String]) -> String {
    let mut values = values.iter();
    let mut path = String::new();
    for part in parts {
        match part {
            Part::Static(text) => path.push_str(text),
            Part::Param { converter, .. } => {
                if let Some(value) = values.next() {
                    path.push_str(&converter.encode(value));
                }
            }
        }
    }
    path
}

/// Where each handler is mounted, by the newest app that mounts it: the app's number, and the
/// route's parts under its prefix. Within one app the first mount stays, as Flask's `url_for`
/// takes the first rule of an endpoint.
#[derive(Default)]
struct Mounts(HashMap<RouteKey, (u64, &'static [Part<'static>])>);

impl Mounts {
    fn record(&mut self, app: u64, route: &RouteDef) {
        let entry = self.0.entry(key(route)).or_insert((app, route.parts));
        if entry.0 < app {
            *entry = (app, route.parts);
        }
    }

    fn parts(&self, route: RouteKey) -> Option<&'static [Part<'static>]> {
        self.0.get(&route).map(|&(_, parts)| parts)
    }
}

thread_local! {
    /// The mounts of the apps built on this thread. Tests run side by side on threads of
    /// their own, each building its app: each test's `url_for!` answers for its own app, and
    /// so do the test client and a server on the test's own runtime.
    static THREAD_MOUNTS: RefCell<Mounts> = RefCell::default();
}

/// The mounts of every app in the process, for the threads that built none: a server's
/// worker threads.
fn process_mounts() -> &'static RwLock<Mounts> {
    static MOUNTS: OnceLock<RwLock<Mounts>> = OnceLock::new();
    MOUNTS.get_or_init(RwLock::default)
}

/// A number for a new app, newer than every app's before.
pub(crate) fn next_app_number() -> u64 {
    static APPS: AtomicU64 = AtomicU64::new(0);
    APPS.fetch_add(1, Ordering::Relaxed)
}

/// Notes that app number `app` mounts `route` (under its full path): `url_for!` answers with
/// it unless an app built later mounts the handler too.
pub(crate) fn record_mount(app: u64, route: &RouteDef) {
    THREAD_MOUNTS.with(|mounts| mounts.borrow_mut().record(app, route));
    process_mounts()
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .record(app, route);
}

/// The parts of `route` as mounted: by the newest app built on this thread, else in the
/// process.
fn mounted_parts(route: RouteKey) -> Option<&'static [Part<'static>]> {
    THREAD_MOUNTS
        .with(|mounts| mounts.borrow().parts(route))
        .or_else(|| {
            process_mounts()
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .parts(route)
        })
}
