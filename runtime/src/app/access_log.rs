//! The access log: one line per request, like Flask's development server.

use std::net::IpAddr;
use std::time::Instant;

use http::{Method, StatusCode};

use crate::extract::request::RequestContext;

/// One access line per request, like Flask's development server: client, request line,
/// status and duration. Only gathered when `tracing` would record it. The client is the one
/// the app's trusted proxies name, if it has any.
pub(crate) struct AccessLog {
    client: Option<IpAddr>,
    method: Method,
    uri: http::Uri,
    version: http::Version,
    started: Instant,
}

impl AccessLog {
    pub(crate) fn start(ctx: &RequestContext) -> Option<Box<AccessLog>> {
        tracing::enabled!(target: "carafe::access", tracing::Level::INFO).then(|| {
            let parts = ctx.parts();
            Box::new(AccessLog {
                client: ctx.client_side().addr,
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                version: parts.version,
                started: Instant::now(),
            })
        })
    }

    pub(crate) fn record(&self, status: StatusCode) {
        let client = self
            .client
            .map_or_else(|| "-".to_owned(), |client| client.to_string());
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
