//! Cross-site request protection, on by default: a browser's unsafe request (POST, PUT, PATCH,
//! DELETE) sent by a page of another origin is refused with 403, without tokens, as Go 1.25's
//! `CrossOriginProtection` decides. Browsers say where a request comes from: `Sec-Fetch-Site`
//! (every current browser), else `Origin`, compared with the request's own host. A client that
//! sends neither is no browser, and no page can make a browser send a request without them:
//! it passes. `App::trusted_origin` admits an origin; a route's `cross_origin` admits any.

use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts;

use crate::extract::app_data::Config;
use crate::extract::forwarded::ClientSide;

use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};

/// `Sec-Fetch-Site`, which `http` has no constant for.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// What a request's headers say of where it was sent from, gathered during dispatch's one
/// walk over them: the first `Sec-Fetch-Site` and the first `Origin`.
#[derive(Default)]
pub(crate) struct Provenance<'a> {
    fetch_site: Option<&'a HeaderValue>,
    origin: Option<&'a HeaderValue>,
}

/// Why a request was refused, for its 403's message.
pub(crate) enum CrossSite {
    /// The browser said so: `Sec-Fetch-Site` was neither `same-origin` nor `none`.
    FetchSite(HeaderValue),
    /// An older browser's `Origin` names another host than the request's.
    Origin(HeaderValue),
}

impl<'a> Provenance<'a> {
    /// Notes the header if it is one of the two.
    #[inline]
    pub(crate) fn note(&mut self, name: &HeaderName, value: &'a HeaderValue) {
        if *name == header::ORIGIN {
            self.origin.get_or_insert(value);
        } else if *name == SEC_FETCH_SITE {
            self.fetch_site.get_or_insert(value);
        }
    }

    /// Whether a browser sent the request: it says where from.
    pub(crate) fn is_from_a_browser(&self) -> bool {
        self.fetch_site.is_some() || self.origin.is_some()
    }

    /// Whether the request of `parts`, for `host` (its `Host`, or else HTTP/2's `:authority`;
    /// behind trusted proxies, the host they name), comes from another origin than the app's
    /// or those it trusts.
    pub(crate) fn cross_site(
        &self,
        parts: &Parts,
        host: Option<&HeaderValue>,
        config: &Config,
    ) -> Option<CrossSite> {
        let trusted = &config.trusted_origins;
        // Neither header: no browser sent it, and every branch below lets it pass.
        let origin_text = self.origin.and_then(|origin| origin.to_str().ok());
        if let Some(origin) = origin_text {
            if trusted
                .iter()
                .any(|trusted| trusted.eq_ignore_ascii_case(origin))
            {
                return None;
            }
        }
        if let Some(fetch_site) = self.fetch_site {
            return match fetch_site.as_bytes() {
                // `none`: the user typed the address or used a bookmark.
                b"same-origin" | b"none" => None,
                _ => Some(CrossSite::FetchSite(fetch_site.clone())),
            };
        }
        let origin = self.origin?;
        let proxies = config.trusted_proxies;
        let forwarded = (proxies.hops > 0)
            .then(|| ClientSide::of(&parts.headers, &parts.uri, None, proxies).host)
            .flatten();
        let authority = match (&forwarded, host) {
            (Some(forwarded), _) => Some(forwarded.as_str()),
            (None, Some(host)) => host.to_str().ok(),
            (None, None) => parts.uri.authority().map(|authority| authority.as_str()),
        };
        let host = origin_text
            .and_then(|origin| origin.split_once("://"))
            .map(|(_, host)| host);
        match (host, authority) {
            (Some(host), Some(authority)) if host.eq_ignore_ascii_case(authority) => None,
            _ => Some(CrossSite::Origin(origin.clone())),
        }
    }
}

impl CrossSite {
    /// What the headers of `parts` say of where a WebSocket handshake comes from, in a walk of
    /// their own: the handshake is a GET (or HTTP/2's CONNECT), which dispatch's walk leaves
    /// alone, and a page of any origin may open a socket with the user's cookies.
    pub(crate) fn of_handshake(parts: &Parts, config: &Config) -> Option<CrossSite> {
        let mut provenance = Provenance::default();
        let mut host = None;
        for (name, value) in &parts.headers {
            if *name == header::HOST {
                host.get_or_insert(value);
            } else {
                provenance.note(name, value);
            }
        }
        if !provenance.is_from_a_browser() {
            return None;
        }
        provenance.cross_site(parts, host, config)
    }

    /// The 403 that refuses `what` (a method, or a WebSocket handshake), saying what the
    /// browser said and how to admit it.
    pub(crate) fn refusal(&self, what: &str) -> Response {
        let said = match self {
            CrossSite::FetchSite(site) => format!("Sec-Fetch-Site: {}", show(site)),
            CrossSite::Origin(origin) => format!("Origin: {}", show(origin)),
        };
        HttpError::new(403)
            .with_message(format!(
                "Cross-site {what} refused: the browser says a page of another origin sent \
                 it ({said}). To accept it, trust that origin with \
                 App::trusted_origin(\"https://..\"), or mark the route `cross_origin`."
            ))
            .into_response()
    }
}

fn show(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

/// An origin as `App::trusted_origin` takes it, `scheme://host[:port]`, lowercased; or what
/// is wrong with it.
pub(crate) fn parse_trusted_origin(origin: &str) -> Result<Box<str>, String> {
    let example = "App::trusted_origin(\"https://example.com\")";
    let Some((scheme, host)) = origin.split_once("://") else {
        return Err(format!(
            "trusted_origin({origin:?}): an origin is a scheme and a host, as in {example}"
        ));
    };
    if !matches!(scheme, "http" | "https") {
        return Err(format!(
            "trusted_origin({origin:?}): browsers send web origins as http or https, as in {example}"
        ));
    }
    if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
        let host = host.split(['/', '?', '#']).next().unwrap_or_default();
        return Err(format!(
            "trusted_origin({origin:?}): an origin has no path, query or fragment: write \
             \"{scheme}://{host}\""
        ));
    }
    Ok(origin.to_ascii_lowercase().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(headers: &[(&str, &str)], authority: &str, trusted: &[&str]) -> bool {
        let values: Vec<(HeaderName, HeaderValue)> = headers
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect();
        let mut provenance = Provenance::default();
        for (name, value) in &values {
            provenance.note(name, value);
        }
        let config = Config {
            trusted_origins: trusted
                .iter()
                .map(|origin| parse_trusted_origin(origin).unwrap())
                .collect(),
            ..Config::default()
        };
        let host = HeaderValue::from_str(authority).unwrap();
        let (parts, ()) = http::Request::new(()).into_parts();
        provenance
            .cross_site(&parts, Some(&host), &config)
            .is_some()
    }

    #[test]
    fn decides_as_gos_cross_origin_protection() {
        let host = "example.com";
        // No browser header: not a browser, passes.
        assert!(!verdict(&[], host, &[]));
        // Sec-Fetch-Site decides when present.
        assert!(!verdict(&[("sec-fetch-site", "same-origin")], host, &[]));
        assert!(!verdict(&[("sec-fetch-site", "none")], host, &[]));
        assert!(verdict(&[("sec-fetch-site", "cross-site")], host, &[]));
        assert!(verdict(&[("sec-fetch-site", "same-site")], host, &[]));
        // Even over an Origin that matches: the browser's word wins.
        let same = ("origin", "https://example.com");
        assert!(verdict(
            &[("sec-fetch-site", "cross-site"), same],
            host,
            &[]
        ));
        // Without it, Origin against the host.
        assert!(!verdict(&[same], host, &[]));
        assert!(!verdict(&[("origin", "https://EXAMPLE.com")], host, &[]));
        assert!(verdict(
            &[("origin", "https://attacker.example")],
            host,
            &[]
        ));
        assert!(verdict(&[("origin", "null")], host, &[]));
        assert!(verdict(&[same], "example.com:8080", &[]));
        // A trusted origin passes, even when the browser says cross-site.
        let partner = ("origin", "https://partner.example");
        let trusted = ["https://partner.example"];
        assert!(!verdict(&[partner], host, &trusted));
        assert!(!verdict(
            &[("sec-fetch-site", "cross-site"), partner],
            host,
            &trusted
        ));
        assert!(verdict(
            &[("origin", "http://partner.example")],
            host,
            &trusted
        ));
    }

    #[test]
    fn trusted_origins_are_scheme_and_host() {
        assert_eq!(
            &*parse_trusted_origin("https://Partner.example:8443").unwrap(),
            "https://partner.example:8443"
        );
        for (wrong, says) in [
            ("partner.example", "a scheme and a host"),
            ("ftp://partner.example", "http or https"),
            (
                "https://partner.example/",
                "write \"https://partner.example\"",
            ),
            (
                "https://partner.example/hook?x=1",
                "no path, query or fragment",
            ),
            ("https://", "no path"),
        ] {
            let error = parse_trusted_origin(wrong).unwrap_err();
            assert!(error.contains(says), "{wrong}: {error}");
        }
    }
}
