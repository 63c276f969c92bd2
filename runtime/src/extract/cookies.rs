//! Cookies: read from a request with the `Cookies` extractor, set and removed on a response.

use cookie::{Cookie, CookieJar};
use http::header::{HeaderValue, COOKIE, SET_COOKIE};

use crate::extract::request::RequestContext;
use crate::extract::FromRequestParts;
use crate::response::error::HttpError;
use crate::response::{Response, ResponsePart};

/// The cookies a request carries, like Flask's `request.cookies`. A cookie that does not
/// parse is left out, not an error.
///
/// ```
/// use carafe_runtime::Cookies;
///
/// fn theme(cookies: Cookies) -> String {
///     cookies.get("theme").unwrap_or("light").to_owned()
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cookies(CookieJar);

impl Cookies {
    /// The value of the cookie `name`, if the request has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(Cookie::value)
    }

    /// Every cookie of the request.
    pub fn iter(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.0.iter()
    }

    /// The cookies as the `cookie` crate holds them, for a signed read.
    pub(crate) fn jar(&self) -> &CookieJar {
        &self.0
    }

    /// The cookies of a request's `Cookie` headers.
    pub(crate) fn from_headers(headers: &http::HeaderMap) -> Cookies {
        Cookies::from_values(headers.get_all(COOKIE))
    }

    /// The cookies of the values of `Cookie` headers.
    pub(crate) fn from_values<'a>(values: impl IntoIterator<Item = &'a HeaderValue>) -> Cookies {
        let mut jar = CookieJar::new();
        let pairs = values
            .into_iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| Cookie::parse_encoded(pair.trim().to_owned()).ok());
        for cookie in pairs {
            jar.add_original(cookie);
        }
        Cookies(jar)
    }
}

impl FromRequestParts for Cookies {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        Ok(Cookies::from_headers(&ctx.parts().headers))
    }
}

impl Response {
    /// Sets a cookie on the response (a `Set-Cookie` header), like Flask's
    /// `response.set_cookie`. Path `/` unless the cookie says otherwise; a value with a control
    /// character makes the response a 500, logged, never sent.
    ///
    /// ```
    /// use carafe_runtime::Response;
    /// use cookie::Cookie;
    ///
    /// let mut response = Response::new("signed in");
    /// response.set_cookie(Cookie::build(("theme", "dark")).http_only(true));
    /// assert_eq!(response.headers["set-cookie"], "theme=dark; HttpOnly; Path=/");
    /// ```
    pub fn set_cookie(&mut self, cookie: impl Into<Cookie<'static>>) {
        let mut cookie = cookie.into();
        if cookie.path().is_none() {
            cookie.set_path("/");
        }
        match HeaderValue::try_from(cookie.encoded().to_string()) {
            Ok(value) => {
                self.headers.append(SET_COOKIE, value);
            }
            Err(_) => {
                *self = Response::from_error(HttpError::misconfigured(format!(
                    "cookie {:?} cannot be sent: its value holds a control character",
                    cookie.name()
                )));
            }
        }
    }

    /// Removes the cookie `name` from the client, like Flask's `response.delete_cookie`: sets
    /// it empty, expired, on path `/`.
    ///
    /// ```
    /// use carafe_runtime::Response;
    ///
    /// let mut response = Response::new("signed out");
    /// response.remove_cookie("session");
    /// let header = response.headers["set-cookie"].to_str().unwrap();
    /// assert!(header.starts_with("session=; Path=/; Max-Age=0"), "{header}");
    /// ```
    pub fn remove_cookie(&mut self, name: &str) {
        let mut cookie = Cookie::build((name.to_owned(), "")).path("/").build();
        cookie.make_removal();
        self.set_cookie(cookie);
    }
}

/// `(body, cookie)`: the body with a cookie set.
impl ResponsePart for Cookie<'static> {
    fn apply(self, response: &mut Response) -> Result<(), HttpError> {
        response.set_cookie(self);
        Ok(())
    }
}
