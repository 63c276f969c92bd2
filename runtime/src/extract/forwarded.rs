//! What the app's trusted proxies say of a request, as Werkzeug's `ProxyFix` reads it: the
//! client's address, and the scheme and host the client used. Each proxy appends what it saw
//! to the end of a list, so the `n`-th value from the end is the one the `n`-th proxy in front
//! of the app wrote, and anything before it the client may have forged.

use std::net::{IpAddr, SocketAddr};

use http::header::{self, HeaderMap, HeaderName};
use http::uri::Authority;

/// Which headers the app's trusted proxies write, set with
/// [`App::proxy_headers`](crate::App::proxy_headers). Only the chosen kind is read: a proxy
/// passes the other kind through untouched, as the client forged it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyHeaders {
    /// `X-Forwarded-For`, `-Proto`, `-Host` and `-Port`, as HAProxy (`option forwardfor`),
    /// nginx and most load balancers send them, and as `ProxyFix` reads them. The default.
    #[default]
    XForwarded,
    /// RFC 7239's `Forwarded` (`for=`, `proto=`, `host=`), as HAProxy's `option forwarded`
    /// sends it.
    Forwarded,
}

/// The proxies in front of the app: how many, and which headers they write. None by default,
/// when those headers change nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TrustedProxies {
    pub(crate) hops: usize,
    pub(crate) headers: ProxyHeaders,
}

/// A request as its client made it: what the trusted proxies say, or else what the
/// connection and the request itself say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClientSide {
    /// The client's address; `None` only for requests that came through no socket (the test
    /// client).
    pub(crate) addr: Option<IpAddr>,
    /// `https` or `http`.
    pub(crate) https: bool,
    /// The host the client asked for, with its port if it named one.
    pub(crate) host: Option<String>,
}

impl ClientSide {
    /// The request of `headers` and `uri`, which came from `peer`, as its client made it.
    pub(crate) fn of(
        headers: &HeaderMap,
        uri: &http::Uri,
        peer: Option<SocketAddr>,
        proxies: TrustedProxies,
    ) -> ClientSide {
        let mut side = ClientSide {
            addr: peer.map(|peer| peer.ip()),
            https: uri.scheme() == Some(&http::uri::Scheme::HTTPS),
            host: headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok())
                .or_else(|| uri.authority().map(Authority::as_str))
                .map(str::to_owned),
        };
        if proxies.hops == 0 {
            return side;
        }
        let said = match proxies.headers {
            ProxyHeaders::XForwarded => Said::of_x_forwarded(headers, proxies.hops),
            ProxyHeaders::Forwarded => Said::of_forwarded(headers, proxies.hops),
        };
        if let Some(addr) = said.client.as_deref().and_then(parse_node) {
            side.addr = Some(addr);
        }
        match said.proto.as_deref() {
            Some(proto) if proto.eq_ignore_ascii_case("https") => side.https = true,
            Some(proto) if proto.eq_ignore_ascii_case("http") => side.https = false,
            // Anything else would make odd URLs: ignored, as a value that does not parse.
            _ => {}
        }
        if let Some(host) = said.host.filter(|host| host.parse::<Authority>().is_ok()) {
            side.host = Some(host);
        }
        if let (Some(port), Some(host)) = (said.port, &side.host) {
            if port.parse::<u16>().is_ok() {
                side.host = Some(format!("{}:{port}", without_port(host)));
            }
        }
        side
    }

    /// `https` or `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }

    /// `scheme://host/`, the host's port left out when it is the scheme's own, as Werkzeug's
    /// `request.url_root`.
    pub(crate) fn url_root(&self) -> String {
        let host = self.host.as_deref().unwrap_or("localhost");
        let default_port = if self.https { ":443" } else { ":80" };
        let host = host.strip_suffix(default_port).unwrap_or(host);
        format!("{}://{host}/", self.scheme())
    }
}

/// What the `hops`-th proxy from the app wrote, header by header.
#[derive(Default)]
struct Said {
    client: Option<String>,
    proto: Option<String>,
    host: Option<String>,
    port: Option<String>,
}

impl Said {
    fn of_x_forwarded(headers: &HeaderMap, hops: usize) -> Said {
        let value = |name: &'static str| {
            nth_from_end(headers, &HeaderName::from_static(name), hops)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        Said {
            client: value("x-forwarded-for"),
            proto: value("x-forwarded-proto"),
            host: value("x-forwarded-host"),
            port: value("x-forwarded-port"),
        }
    }

    /// RFC 7239: each proxy appends an element of `key=value` pairs separated by `;`.
    fn of_forwarded(headers: &HeaderMap, hops: usize) -> Said {
        let mut said = Said::default();
        let Some(element) = nth_from_end(headers, &header::FORWARDED, hops) else {
            return said;
        };
        for pair in split_unquoted(&element, ';') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            let value = unquote(value.trim());
            if value.is_empty() {
                continue;
            }
            let slot = match key.trim().to_ascii_lowercase().as_str() {
                "for" => &mut said.client,
                "proto" => &mut said.proto,
                "host" => &mut said.host,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        said
    }
}

/// The `hops`-th item from the end of the comma-separated list that the header's lines make
/// together, or `None` when the list is shorter (then no proxy of ours wrote it).
fn nth_from_end(headers: &HeaderMap, name: &HeaderName, hops: usize) -> Option<String> {
    let mut items = Vec::new();
    for value in headers.get_all(name) {
        // A value that is not text cannot have been written by a proxy of ours: the list is
        // taken as broken, and nothing in it is believed.
        let value = value.to_str().ok()?;
        items.extend(split_unquoted(value, ','));
    }
    let index = items.len().checked_sub(hops)?;
    Some(items[index].trim().to_owned())
}

/// `text` split at each `separator` outside double quotes.
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                items.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// A token or a quoted string's content.
fn unquote(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => {
            let mut text = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                text.extend(if c == '\\' { chars.next() } else { Some(c) });
            }
            text
        }
        None => value.to_owned(),
    }
}

/// A node as proxies write it: `192.0.2.43`, `192.0.2.43:47011`, `2001:db8::17`, or
/// `[2001:db8::17]:4711`. Obfuscated names (`_hidden`) and `unknown` are no address.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse().ok().or_else(|| {
        let (address, port) = node.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
    })
}

/// `host` without its `:port`; an IPv6 literal's colons are kept.
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, _)) if !host.ends_with(']') => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(pairs: &[(&'static str, &str)], hops: usize, headers: ProxyHeaders) -> ClientSide {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        let peer = "192.168.0.1:40000".parse().ok();
        let proxies = TrustedProxies { hops, headers };
        ClientSide::of(&map, &http::Uri::from_static("/"), peer, proxies)
    }

    fn x_forwarded(pairs: &[(&'static str, &str)], hops: usize) -> ClientSide {
        side(pairs, hops, ProxyHeaders::XForwarded)
    }

    #[test]
    fn nodes_parse_with_and_without_ports() {
        assert_eq!(parse_node("192.0.2.43"), "192.0.2.43".parse().ok());
        assert_eq!(parse_node("192.0.2.43:47011"), "192.0.2.43".parse().ok());
        assert_eq!(parse_node("2001:db8::17"), "2001:db8::17".parse().ok());
        assert_eq!(
            parse_node("[2001:db8::17]:4711"),
            "2001:db8::17".parse().ok()
        );
        assert_eq!(parse_node("unknown"), None);
        assert_eq!(parse_node("_hidden"), None);
        assert_eq!(parse_node("[2001:db8::17"), None);
    }

    #[test]
    fn lists_split_outside_quotes() {
        assert_eq!(
            split_unquoted(r#"a, "b,c", d"#, ','),
            vec!["a", r#" "b,c""#, " d"]
        );
        assert_eq!(unquote(r#""a\"b""#), r#"a"b"#);
    }

    #[test]
    fn with_no_trusted_proxy_nothing_is_read() {
        let side = x_forwarded(
            &[
                ("host", "spam"),
                ("x-forwarded-for", "10.0.0.1"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "eggs"),
            ],
            0,
        );
        assert_eq!(side.addr, "192.168.0.1".parse().ok());
        assert_eq!(side.url_root(), "http://spam/");
    }

    #[test]
    fn a_header_line_that_is_not_text_is_believed_in_nothing() {
        let mut map = HeaderMap::new();
        map.append("x-forwarded-for", "10.0.0.1".parse().unwrap());
        map.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        let proxies = TrustedProxies {
            hops: 1,
            headers: ProxyHeaders::XForwarded,
        };
        let side = ClientSide::of(&map, &http::Uri::from_static("/"), None, proxies);
        assert_eq!(side.addr, None);
    }

    #[test]
    fn odd_schemes_hosts_and_ports_are_ignored() {
        let side = x_forwarded(
            &[
                ("host", "spam"),
                ("x-forwarded-proto", "javascript"),
                ("x-forwarded-host", "eggs/../x y"),
                ("x-forwarded-port", "99999"),
            ],
            1,
        );
        assert_eq!(side.url_root(), "http://spam/");
    }

    #[test]
    fn forwarded_elements_are_read_from_the_end() {
        let side = side(
            &[
                ("host", "spam"),
                (
                    "forwarded",
                    r#"for=10.9.9.9;proto=https;host=forged, for="[2001:db8::17]:4711";proto=https;host=eggs"#,
                ),
            ],
            1,
            ProxyHeaders::Forwarded,
        );
        assert_eq!(side.addr, "2001:db8::17".parse().ok());
        assert_eq!(side.url_root(), "https://eggs/");
    }

    #[test]
    fn forwarded_headers_are_not_read_when_the_proxies_write_x_forwarded() {
        let side = x_forwarded(
            &[("host", "spam"), ("forwarded", "for=10.9.9.9;proto=https")],
            1,
        );
        assert_eq!(side.addr, "192.168.0.1".parse().ok());
        assert_eq!(side.url_root(), "http://spam/");
    }
}
