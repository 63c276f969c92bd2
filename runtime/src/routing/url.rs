//! `url_for!`'s answer: a handler's path under the prefix it is mounted at, its values
//! percent-encoded.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;

use carafe_core::converter::float_text;
use http::HeaderValue;

use crate::extract::current::with_current;
use crate::response::IntoHeaderValue;
use crate::routing::route::{Mounted, Part, RouteDef};

/// A handler's path, as [`url_for!`](https://docs.rs/carafe/latest/carafe/macro.url_for.html)
/// builds it: under the prefix the app answering the request mounts the handler at, each value
/// percent-encoded. It reads as the path: it derefs to `str`, prints as it, compares with
/// strings, and is a header value (`("Location", url)`) and a [`redirect`](crate::response::redirect)
/// target.
///
/// Built outside a request, no app says what the prefix is: ask one with
/// [`App::url_for`](crate::App::url_for) (`app.url_for(&url_for!(get_item, item_id = 7))`).
/// Reading such a path before that panics, saying so.
///
/// ```
/// use carafe_runtime::App;
///
/// // With the `carafe` crate: `let url = url_for!(get_item, item_id = 7);` in a handler,
/// // or `app.url_for(&url_for!(get_item, item_id = 7))` anywhere.
/// # let _ = App::new();
/// ```
#[derive(Clone)]
pub struct Url {
    /// The path, once an app said under which prefix: `None` for one built outside a request.
    path: Option<String>,
    /// What it was built from, so that [`App::url_for`](crate::App::url_for) can build it
    /// under that app's prefix.
    route: RouteKey,
    own_parts: &'static [Part<'static>],
    values: Vec<String>,
}

impl Url {
    /// The path, as a `&str`.
    ///
    /// # Panics
    ///
    /// For a `Url` built outside a request, which no app has resolved: the message says to
    /// ask the app with [`App::url_for`](crate::App::url_for).
    pub fn as_str(&self) -> &str {
        match &self.path {
            Some(path) => path,
            None => panic!(
                "url_for!({}) was built outside a request, where no app says under which prefix \
                 the handler is mounted: ask the app with `app.url_for(&url_for!(..))`, or build \
                 it in a handler or a hook (in tests, through `app.test_client()`)",
                self.route.1
            ),
        }
    }

    /// The same values under `route` (the handler as an app mounts it), or under the handler's
    /// own path when `None` (an app that does not mount it).
    pub(crate) fn under(&self, route: Option<&Mounted>) -> Url {
        let path = match route {
            Some(route) => fill(&route.parts(), &self.values),
            None => fill(self.own_parts, &self.values),
        };
        Url {
            path: Some(path),
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
        self.as_str()
    }
}

impl AsRef<str> for Url {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => fmt::Debug::fmt(path, f),
            None => write!(f, "url_for!({}) outside a request", self.route.1),
        }
    }
}

impl From<Url> for String {
    fn from(url: Url) -> String {
        // One that no app resolved panics here, saying so, as reading it does.
        let _ = url.as_str();
        url.path.unwrap_or_default()
    }
}

impl PartialEq for Url {
    fn eq(&self, other: &Url) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Url {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Url {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Url {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl IntoHeaderValue for Url {
    fn into_header_value(self) -> Result<HeaderValue, String> {
        // Percent-encoded, so always visible ASCII.
        let path = self.as_str();
        HeaderValue::try_from(path).map_err(|_| format!("{path:?}"))
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

/// What `url_for!` expands to: the route's path with these values (the text of each parameter's,
/// in path order), under the prefix the app answering the request mounts it at; outside a
/// request, a `Url` that [`App::url_for`](crate::App::url_for) resolves.
#[doc(hidden)]
pub fn url_for(route: &RouteDef, values: &[&dyn PathValue]) -> Url {
    let url = Url {
        path: None,
        route: key(route),
        own_parts: route.parts,
        values: values.iter().map(|value| value.path_text()).collect(),
    };
    with_current(|current| {
        let current = current?;
        let urls = current.data.state_ref::<RouteUrls>();
        Some(url.under(urls.and_then(|urls| urls.mount_of(url.route))))
    })
    .unwrap_or(url)
}

/// The path of `parts` with `values` in its parameters, each encoded for its converter.
pub(crate) fn fill(parts: &[Part<'_>], values: &[String]) -> String {
    carafe_core::path::write_parts(
        parts,
        |path, text| path.push_str(text),
        |path, index, _, converter| {
            if let Some(value) = values.get(index) {
                path.push_str(&converter.encode(value));
            }
        },
    )
}

/// Where an app mounts each handler, for `url_for!` in its requests: the first mount of each,
/// as Flask's `url_for` takes the first rule of an endpoint. Kept in the app's state.
pub(crate) struct RouteUrls(HashMap<RouteKey, Mounted>);

impl RouteUrls {
    /// The first mount of each handler among `routes`.
    pub(crate) fn new<'a>(routes: impl Iterator<Item = &'a Mounted>) -> RouteUrls {
        let mut urls = HashMap::new();
        for route in routes {
            urls.entry(key(&route.def)).or_insert_with(|| route.clone());
        }
        RouteUrls(urls)
    }

    /// Where the handler `route` is mounted, if it is.
    pub(crate) fn mount_of(&self, route: RouteKey) -> Option<&Mounted> {
        self.0.get(&route)
    }
}
