//! Blueprints: routes grouped under a URL prefix, with error pages of their own, like Flask's.

use crate::app::hooks::Hooks;
use crate::extract::request::RequestContext;
use crate::response::error::HttpError;
use crate::response::error_page::ErrorPages;
use crate::response::{IntoResponse, Response};
use crate::routing::route::{Mounted, RouteDef, Routes};

/// Routes under a URL prefix, with their own error pages, like Flask's `Blueprint`; nested
/// with [`register`](Blueprint::register) and added to an app with
/// [`App::register`](crate::App::register).
///
/// A route's full path is the prefixes it is registered under, then its own:
/// `Blueprint::new("/api")` mounting `#[route("/items/<int:id>")]` answers `/api/items/7`.
/// The route listing shows full paths, and two routes on the same method and full path make
/// the app refuse to start, naming both. A prefix is plain text (`/api`, `/v1/admin`): a
/// trailing `/` is dropped, as Flask drops it, and one without a leading `/`, or with a
/// `<parameter>`, makes the app refuse to start, saying so.
///
/// The errors of a blueprint's routes (`abort`, an extractor's refusal, a handler's error)
/// get the blueprint's error page for their status, else the enclosing blueprint's, else the
/// app's. Routing's own 404 and 405 are the app's, as in Flask: no route, no blueprint.
///
/// ```
/// use carafe_runtime::{App, Blueprint, HttpError};
///
/// let api = Blueprint::new("/api")
///     .error_handler(404, |error: HttpError| format!("no such thing: {}", error.message()));
/// let admin = Blueprint::new("/admin");
/// let app = App::new().register(api.register(admin));
/// ```
pub struct Blueprint {
    /// `""` for none, else `/text` with no trailing `/`.
    prefix: String,
    routes: Vec<RouteDef>,
    children: Vec<Blueprint>,
    error_pages: ErrorPages,
    hooks: Hooks,
    /// Mistakes found while building it: the app it joins refuses to start.
    problems: Vec<String>,
}

impl Blueprint {
    /// A blueprint whose routes answer under `prefix` (`"/api"`); `""` or `"/"` for none.
    ///
    /// ```
    /// use carafe_runtime::Blueprint;
    ///
    /// let auth = Blueprint::new("/auth");
    /// ```
    pub fn new(prefix: &str) -> Blueprint {
        let trimmed = prefix.trim_end_matches('/');
        let mut problems = Vec::new();
        if let Some(problem) = prefix_problem(trimmed) {
            problems.push(format!("Blueprint::new({prefix:?}): {problem}"));
        }
        Blueprint {
            prefix: trimmed.to_owned(),
            routes: Vec::new(),
            children: Vec::new(),
            error_pages: ErrorPages::default(),
            hooks: Hooks::default(),
            problems,
        }
    }

    /// Adds the routes collected by `routes![..]`, under the blueprint's prefix.
    ///
    /// ```
    /// use carafe_runtime::{Blueprint, Routes};
    ///
    /// // With the `carafe` crate: `Blueprint::new("/api").mount(routes![get_item])`
    /// fn api(routes: Routes) -> Blueprint {
    ///     Blueprint::new("/api").mount(routes)
    /// }
    /// ```
    pub fn mount(mut self, routes: Routes) -> Blueprint {
        self.routes.extend_from_slice(routes.defs());
        self
    }

    /// Nests `child` inside: its routes answer under this prefix, then its own, and its
    /// errors fall back to this blueprint's error pages.
    ///
    /// ```
    /// use carafe_runtime::Blueprint;
    ///
    /// let api = Blueprint::new("/api").register(Blueprint::new("/v1"));
    /// ```
    pub fn register(mut self, child: Blueprint) -> Blueprint {
        self.children.push(child);
        self
    }

    /// Replaces the page for an error status in this blueprint's routes, like Flask's
    /// `@blueprint.errorhandler(404)`. See [`App::error_handler`](crate::App::error_handler).
    ///
    /// ```
    /// use carafe_runtime::{Blueprint, HttpError, Json};
    /// use serde_json::json;
    ///
    /// let api = Blueprint::new("/api").error_handler(404, |error: HttpError| {
    ///     Json(json!({ "error": error.message() }))
    /// });
    /// ```
    pub fn error_handler<R: IntoResponse>(
        mut self,
        status: u16,
        handler: impl Fn(HttpError) -> R + Send + Sync + 'static,
    ) -> Blueprint {
        let handler = Box::new(move |error| handler(error).into_response());
        if let Err(problem) = self.error_pages.add(status, handler) {
            self.problems.push(problem);
        }
        self
    }

    /// Answers the errors of type `E` that this blueprint's handlers return; see
    /// [`App::error_handler_for`](crate::App::error_handler_for).
    ///
    /// ```
    /// use carafe_runtime::Blueprint;
    ///
    /// let api = Blueprint::new("/api").error_handler_for(|error: &std::io::Error| {
    ///     (format!("storage trouble: {}", error.kind()), 503)
    /// });
    /// ```
    pub fn error_handler_for<E, R>(
        mut self,
        handler: impl Fn(&E) -> R + Send + Sync + 'static,
    ) -> Blueprint
    where
        E: std::error::Error + 'static,
        R: IntoResponse,
    {
        self.error_pages.add_for_type(handler);
        self
    }

    /// Runs `hook` before the handler of each of this blueprint's routes, after the app's
    /// hooks; see [`App::before_request`](crate::App::before_request).
    ///
    /// ```
    /// use carafe_runtime::{Blueprint, HttpError};
    ///
    /// let admin = Blueprint::new("/admin").before_request(|request| {
    ///     let admin = request.parts().headers.contains_key("x-admin");
    ///     (!admin).then(|| HttpError::new(403))
    /// });
    /// ```
    pub fn before_request<R: IntoResponse>(
        mut self,
        hook: impl Fn(&mut RequestContext) -> Option<R> + Send + Sync + 'static,
    ) -> Blueprint {
        self.hooks.add_before(hook);
        self
    }

    /// Passes each response of this blueprint's routes through `hook`, before the app's
    /// hooks; see [`App::after_request`](crate::App::after_request).
    ///
    /// ```
    /// use carafe_runtime::Blueprint;
    ///
    /// let api = Blueprint::new("/api").after_request(|mut response| {
    ///     response.headers.insert("cache-control", "no-store".parse().unwrap());
    ///     response
    /// });
    /// ```
    pub fn after_request<R: IntoResponse>(
        mut self,
        hook: impl Fn(Response) -> R + Send + Sync + 'static,
    ) -> Blueprint {
        self.hooks.add_after(hook);
        self
    }

    /// Runs `hook` once each request to this blueprint's routes is over; see
    /// [`App::teardown_request`](crate::App::teardown_request).
    ///
    /// ```
    /// use carafe_runtime::Blueprint;
    ///
    /// let api = Blueprint::new("/api").teardown_request(|_error| {});
    /// ```
    pub fn teardown_request(
        mut self,
        hook: impl Fn(Option<&HttpError>) + Send + Sync + 'static,
    ) -> Blueprint {
        self.hooks.add_teardown(hook);
        self
    }

    /// Takes the blueprint apart for the app: each of its routes under its full prefix (and
    /// its own scope's index, given by `scope_of` with its error pages and hooks), children
    /// after.
    pub(crate) fn flatten(
        self,
        outer_prefix: &str,
        parent: usize,
        scope_of: &mut impl FnMut(usize, ErrorPages, Hooks) -> usize,
        problems: &mut Vec<String>,
        routes: &mut Vec<Mounted>,
    ) {
        let prefix = format!("{outer_prefix}{}", self.prefix);
        let scope = scope_of(parent, self.error_pages, self.hooks);
        problems.extend(self.problems);
        routes.extend(
            self.routes
                .into_iter()
                .map(|route| Mounted::new(route, &prefix, scope)),
        );
        for child in self.children {
            child.flatten(&prefix, scope, scope_of, problems, routes);
        }
    }
}

/// What is wrong with a prefix (its trailing `/` dropped), if anything.
fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return None;
    }
    if !prefix.starts_with('/') {
        return Some(format!("a prefix starts with `/`: write \"/{prefix}\""));
    }
    if prefix.contains(['<', '>', '{', '}']) {
        return Some(
            "a prefix is plain text: put the parameter in each route's path instead".to_owned(),
        );
    }
    match carafe_core::path::parse(prefix) {
        Ok(_) => None,
        Err(errors) => Some(errors[0].message.clone()),
    }
}
