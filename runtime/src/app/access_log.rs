//! The access log: one line per request, like Flask's development server.

use std::net::SocketAddr;
use std::time::Instant;

use http::{Method, StatusCode};

/// One access line per request, like Flask's development server: client, request line,
/// status and duration. Only gathered when `tracing` would record it.
pub(crate) struct AccessLog {
    peer: Option<SocketAddr>,
    method: Method,
    uri: http::Uri,
    version: http::Version,
    started: Instant,
}

impl AccessLog {
    pub(crate) fn start(
        parts: &http::request::Parts,
        peer: Option<SocketAddr>,
    ) -> Option<Box<AccessLog>> {
        tracing::enabled!(target: "carafe::access", tracing::Level::INFO).then(|| {
            Box::new(AccessLog {
                peer,
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                version: parts.version,
                started: Instant::now(),
            })
        })
    }

    pub(crate) fn record(&self, status: StatusCode) {
        let client = self
            .peer
            .map_or_else(|| "-".to_owned(), |peer| peer.ip().to_string());
        let target = self
            .uri
            .path_and_query()
            .map_or("/", |target| target.as_str());
        tracing::info!(
            target: "carafe::access",
            "{client} \"{} {target} {:?}\" {} {:.2?}",
            self.method,
            self.version,
            status.as_u16(),
            self.started.elapsed(),
        );
    }
}
