//! Scopes: the app (scope 0) and each blueprint registered on it, with its error pages and
//! hooks, and the scope it was registered in. A route belongs to one; its errors and hooks are
//! its scope's, then the enclosing ones', out to the app's.

use crate::app::hooks::Hooks;
use crate::response::error::HttpError;
use crate::response::error_page::{default_page, ErrorPages};
use crate::response::Response;

/// A blueprint's, or the app's, error pages and hooks.
#[derive(Default)]
pub(crate) struct Scope {
    parent: Option<usize>,
    pub(crate) pages: ErrorPages,
    pub(crate) hooks: Hooks,
}

/// Every scope of an app; scope 0 is the app's own.
pub(crate) struct Scopes {
    scopes: Vec<Scope>,
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes {
            scopes: vec![Scope::default()],
        }
    }
}

impl Scopes {
    /// The app's own scope.
    pub(crate) fn app(&mut self) -> &mut Scope {
        &mut self.scopes[0]
    }

    /// Adds a blueprint's scope inside `parent`; its index.
    pub(crate) fn add(&mut self, parent: usize, pages: ErrorPages, hooks: Hooks) -> usize {
        self.scopes.push(Scope {
            parent: Some(parent),
            pages,
            hooks,
        });
        self.scopes.len() - 1
    }

    /// Whether any scope's hooks hold what `has` looks for: an app whose scopes have no hook
    /// of a kind runs no code for that kind.
    pub(crate) fn any(&self, has: impl Fn(&Hooks) -> bool) -> bool {
        self.scopes.iter().any(|scope| has(&scope.hooks))
    }

    /// `scope`, then each scope around it, out to the app's.
    pub(crate) fn chain(&self, scope: usize) -> impl Iterator<Item = &Scope> + Clone {
        std::iter::successors(Some(scope), |&index| self.scopes[index].parent)
            .map(|index| &self.scopes[index])
    }

    /// The page for `error` in `scope`: the nearest handler for the type of the error a
    /// handler returned, else the nearest for its status, else the default page. `debug`,
    /// the request line in debug mode, puts the error's internal detail on the default page.
    pub(crate) fn render(
        &self,
        scope: usize,
        error: HttpError,
        accepts_json_only: bool,
        debug: Option<&str>,
    ) -> Response {
        if let Some(detail) = error.internal_detail() {
            tracing::error!("{detail}");
        }
        let status = error.status();
        let by_type = error.original_error().and_then(|original| {
            self.chain(scope)
                .find_map(|scope| scope.pages.for_type(original))
        });
        let answer = by_type.or_else(|| {
            let handler = self
                .chain(scope)
                .find_map(|scope| scope.pages.for_status(status))?;
            Some(handler(error.clone()))
        });
        let Some(response) = answer else {
            return default_page(&error, accepts_json_only, debug);
        };
        response
            .answer_to_error(status)
            .unwrap_or_else(|inner| default_page(&inner, accepts_json_only, debug))
    }
}
