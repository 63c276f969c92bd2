//! Behind a load balancer: `App::trusted_proxies` reads `X-Forwarded-*` (Werkzeug's
//! `ProxyFix`, whose test table is followed case by case) or `Forwarded` from exactly that
//! many proxies; with none trusted, the same headers change nothing. Over a real socket.

mod common;

use std::net::IpAddr;

use carafe::prelude::*;
use carafe::{ProxyHeaders, Session};
use common::{send, serve, Logs};

/// What the app saw of its client: address, then `request.url_root`.
#[route("/seen", GET)]
fn seen(client: ClientAddr, request: Request) -> String {
    let remote = request.remote_addr().map(|addr| addr.to_string());
    assert_eq!(remote.as_deref(), Some(client.0.to_string().as_str()));
    format!("{} {}", client.0, request.url_root())
}

#[route("/sign-in", POST)]
fn sign_in(session: Session) -> &'static str {
    session.insert("user", "ana");
    "signed in"
}

fn app(hops: usize) -> App {
    App::new()
        .mount(routes![seen, sign_in])
        .secret_key("proxies test")
        .trusted_proxies(hops)
}

async fn seen_through(app: App, headers: &[(&str, &str)]) -> (IpAddr, String) {
    let addr = serve(app).await;
    let answer = send(addr, "GET", "/seen", headers, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (client, root) = answer.body.split_once(' ').unwrap();
    (client.parse().unwrap(), root.to_owned())
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// One of ProxyFix's cases: its name, the proxies trusted, the request's headers, then the
/// client address and the URL root the app sees.
type Case<'a> = (&'a str, usize, &'a [(&'a str, &'a str)], &'a str, &'a str);

/// ProxyFix's cases, one count of proxies for every header.
#[tokio::test]
async fn proxy_fix_cases() {
    let cases: &[Case] = &[
        (
            "for",
            1,
            &[
                ("host", "spam"),
                ("x-forwarded-for", "192.168.0.1"),
                ("x-forwarded-proto", "https"),
            ],
            "192.168.0.1",
            "https://spam/",
        ),
        (
            "proto",
            1,
            &[("host", "spam"), ("x-forwarded-proto", "https")],
            "127.0.0.1",
            "https://spam/",
        ),
        (
            "host",
            1,
            &[("host", "spam"), ("x-forwarded-host", "eggs")],
            "127.0.0.1",
            "http://eggs/",
        ),
        (
            "port, host without port",
            1,
            &[("host", "spam"), ("x-forwarded-port", "8080")],
            "127.0.0.1",
            "http://spam:8080/",
        ),
        (
            "port, host with port",
            1,
            &[("host", "spam:9000"), ("x-forwarded-port", "8080")],
            "127.0.0.1",
            "http://spam:8080/",
        ),
        (
            "all",
            1,
            &[
                ("host", "spam:9000"),
                ("x-forwarded-for", "192.168.0.1"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "eggs"),
                ("x-forwarded-port", "443"),
            ],
            "192.168.0.1",
            "https://eggs/",
        ),
        (
            "multiple for",
            2,
            &[
                ("host", "spam"),
                ("x-forwarded-for", "192.168.0.1, 192.168.0.2"),
            ],
            "192.168.0.1",
            "http://spam/",
        ),
        (
            "ignore 0",
            0,
            &[("host", "spam"), ("x-forwarded-for", "192.168.0.2")],
            "127.0.0.1",
            "http://spam/",
        ),
        (
            "ignore len < trusted",
            3,
            &[
                ("host", "spam"),
                ("x-forwarded-for", "192.168.0.3, 192.168.0.2"),
            ],
            "127.0.0.1",
            "http://spam/",
        ),
        (
            "ignore untrusted",
            1,
            &[
                ("host", "spam"),
                ("x-forwarded-for", "192.168.0.3, 192.168.0.1"),
            ],
            "192.168.0.1",
            "http://spam/",
        ),
        (
            "ignore empty",
            2,
            &[("host", "spam"), ("x-forwarded-for", ", 192.168.0.3")],
            "127.0.0.1",
            "http://spam/",
        ),
        (
            "ipv6 host",
            1,
            &[("host", "spam"), ("x-forwarded-host", "[2001:db8::a]")],
            "127.0.0.1",
            "http://[2001:db8::a]/",
        ),
        (
            "ipv6 port, host without port",
            1,
            &[("host", "[2001:db8::a]"), ("x-forwarded-port", "8080")],
            "127.0.0.1",
            "http://[2001:db8::a]:8080/",
        ),
        (
            "ipv6 - port, host with port",
            1,
            &[("host", "[2001:db8::a]:9000"), ("x-forwarded-port", "8080")],
            "127.0.0.1",
            "http://[2001:db8::a]:8080/",
        ),
    ];
    for (name, hops, headers, client, root) in cases {
        let seen = seen_through(app(*hops), headers).await;
        assert_eq!(seen, (ip(client), root.to_string()), "case {name:?}");
    }
}

#[tokio::test]
async fn the_lines_of_a_header_make_one_list() {
    let headers = [
        ("host", "spam"),
        ("x-forwarded-for", "10.1.1.1"),
        ("x-forwarded-for", "10.2.2.2"),
    ];
    assert_eq!(seen_through(app(2), &headers).await.0, ip("10.1.1.1"));
    assert_eq!(seen_through(app(1), &headers).await.0, ip("10.2.2.2"));
}

#[tokio::test]
async fn forged_headers_change_nothing_without_a_trusted_proxy() {
    let forged = [
        ("host", "spam"),
        ("x-forwarded-for", "6.6.6.6"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-port", "8443"),
        ("forwarded", "for=6.6.6.6;proto=https;host=evil.example"),
    ];
    let seen = seen_through(app(0), &forged).await;
    assert_eq!(seen, (ip("127.0.0.1"), "http://spam/".to_owned()));
    // Nor does the other kind of header than the proxies write.
    let forwarded_app = app(1).proxy_headers(ProxyHeaders::Forwarded);
    let x_forwarded_only = &forged[..5];
    let seen = seen_through(forwarded_app, x_forwarded_only).await;
    assert_eq!(seen, (ip("127.0.0.1"), "http://spam/".to_owned()));
    let seen = seen_through(app(1), &[forged[0], forged[5]]).await;
    assert_eq!(seen, (ip("127.0.0.1"), "http://spam/".to_owned()));
}

#[tokio::test]
async fn forwarded_is_read_from_its_last_elements() {
    let headers = [
        ("host", "spam"),
        (
            "forwarded",
            r#"for=6.6.6.6;host=forged, for="[2001:db8:cafe::17]:4711";proto=https;host=eggs"#,
        ),
    ];
    let app = || app(1).proxy_headers(ProxyHeaders::Forwarded);
    let seen = seen_through(app(), &headers).await;
    assert_eq!(seen, (ip("2001:db8:cafe::17"), "https://eggs/".to_owned()));
    // A hidden or unknown node is no address: the connection's is kept.
    let hidden = [("host", "spam"), ("forwarded", "for=_hidden;proto=http")];
    assert_eq!(seen_through(app(), &hidden).await.0, ip("127.0.0.1"));
}

#[tokio::test]
async fn hostile_values_are_ignored_not_believed() {
    let hostile = [
        ("host", "spam"),
        ("x-forwarded-for", "not an address"),
        ("x-forwarded-proto", "javascript"),
        ("x-forwarded-host", "evil.example/path?x"),
        ("x-forwarded-port", "70000"),
    ];
    let seen = seen_through(app(1), &hostile).await;
    assert_eq!(seen, (ip("127.0.0.1"), "http://spam/".to_owned()));
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_proxy_says_https() {
    let addr = serve(app(1)).await;
    let https = [("x-forwarded-proto", "https")];
    let answer = send(addr, "POST", "/sign-in", &https, "").await;
    let cookie = answer.header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let http = [("x-forwarded-proto", "http")];
    let answer = send(addr, "POST", "/sign-in", &http, "").await;
    let cookie = answer.header("set-cookie").unwrap().to_owned();
    assert!(!cookie.contains("Secure"), "{cookie}");
    // A client's own claim means nothing to an app with no trusted proxy.
    let addr = serve(app(0)).await;
    let answer = send(addr, "POST", "/sign-in", &https, "").await;
    let cookie = answer.header("set-cookie").unwrap().to_owned();
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_page_of_the_public_origin_may_post_through_the_proxy() {
    // The proxy rewrote Host; the browser's Origin names the public host, which the proxy
    // passes on in X-Forwarded-Host.
    let from_the_site = [
        ("host", "10.0.0.5:5000"),
        ("origin", "https://blog.example"),
        ("x-forwarded-host", "blog.example"),
        ("x-forwarded-proto", "https"),
    ];
    let addr = serve(app(1)).await;
    let answer = send(addr, "POST", "/sign-in", &from_the_site, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let addr = serve(app(0)).await;
    let answer = send(addr, "POST", "/sign-in", &from_the_site, "").await;
    assert_eq!(answer.status, 403, "{}", answer.body);
}

#[tokio::test]
async fn the_access_log_shows_the_client_the_proxy_names() {
    let logs = Logs::capture();
    let addr = serve(app(1)).await;
    let headers = [("x-forwarded-for", "203.0.113.77")];
    send(addr, "GET", "/seen?access-log-test", &headers, "").await;
    let line = logs
        .access_lines()
        .into_iter()
        .find(|line| line.contains("/seen?access-log-test"))
        .expect("an access line");
    assert!(line.contains("203.0.113.77 \"GET"), "{line}");
}
