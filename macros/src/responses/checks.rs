//! The checks made at a response position: a status literal that is a string, out of range or
//! not an integer; a tuple written body last; a body on a status that cannot have one; header
//! literals that cannot be sent. Each error names the fix; a wrong status is replaced in the
//! emitted code by the one meant. And what each position answers, for OpenAPI and the listing.

use carafe_core::media::Media;
use carafe_core::status::{forbids_body, is_error, is_redirect};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprTuple, Lit, Token};

use crate::headers;
use crate::status::{classify, int_literal, literal};

use super::walk::calls;
use super::Checker;

impl Checker<'_> {
    /// The kind of a body written out: `Json(..)`, or text (a string literal, `format!(..)`, or
    /// one of them turned into a `String`).
    pub(super) fn plain_body(&self, expr: &Expr) -> Option<Media> {
        match expr {
            Expr::Call(call) if calls(call, "Json") => Some(Media::Json),
            // A page, HTML as Flask's.
            Expr::Call(call) if calls(call, "render_template") => Some(Media::Text),
            Expr::Lit(lit) if matches!(lit.lit, Lit::Str(_)) => Some(Media::Text),
            Expr::Macro(mac) if mac.mac.path.is_ident("format") => Some(Media::Text),
            Expr::MethodCall(call)
                if ["to_string", "to_owned", "into"]
                    .contains(&call.method.to_string().as_str())
                    && call.args.is_empty() =>
            {
                self.plain_body(&call.receiver)
                    .filter(|media| *media == Media::Text)
            }
            Expr::Paren(expr) => self.plain_body(&expr.expr),
            Expr::Reference(expr) => self.plain_body(&expr.expr),
            Expr::Path(path) => path
                .path
                .get_ident()
                .and_then(|name| self.bodies.get(&name.to_string()).copied()),
            _ => None,
        }
    }

    /// Notes that the handler answers `status` with a body of this kind.
    pub(super) fn answers(&mut self, status: u16, media: Media) {
        self.responses.insert((status, media));
    }

    /// A response tuple: `(body, status)`, `(body, headers)` or `(body, status, headers)`.
    pub(super) fn tuple(&mut self, tuple: &mut ExprTuple) {
        let context = Context::Tuple(tuple.elems.len());
        self.put_body_first(&mut tuple.elems, context);
        let mut elems = tuple.elems.iter_mut();
        let (Some(body), Some(second)) = (elems.next(), elems.next()) else {
            return;
        };
        if literal(second).is_some() {
            self.status(second, Some((body, context)), Media::Unknown);
        } else if context == Context::Tuple(2) {
            self.headers(second);
        }
        if let Some(headers) = elems.next() {
            self.headers(headers);
        }
    }

    /// `(404, "Error")`: Flask's order is body first; swapped back in the emitted function,
    /// so the error is reported once.
    ///
    /// An integer literal is never a response (and no crate but carafe may make it one), so a
    /// response whose first element is one has its status first, whatever the body is.
    pub(super) fn put_body_first(
        &mut self,
        elems: &mut Punctuated<Expr, Token![,]>,
        context: Context,
    ) {
        let (Some(first), Some(second)) = (elems.get(0), elems.get(1)) else {
            return;
        };
        let is_status =
            matches!(literal(first), Some((Lit::Int(_), false))) || is_status_constant(first);
        let is_body = match literal(second) {
            Some((lit, negative)) => matches!(lit, Lit::Str(_) | Lit::ByteStr(_)) && !negative,
            // `(404, [("Name", "value")])` lacks a body rather than having it second.
            None => !is_headers(second),
        };
        if !(is_status && is_body) {
            return;
        }
        // Paths as written, not as tokens print them (`StatusCode :: NOT_FOUND`).
        let code = |expr: &Expr| expr.to_token_stream().to_string().replace(" :: ", "::");
        // A literal or a variable reads well in the fix; a longer expression would not.
        let body = match second {
            Expr::Lit(_) | Expr::Path(_) => code(second),
            _ => "body".to_owned(),
        };
        let fix = context.fix(&body, &code(first));
        self.errors.push(syn::Error::new_spanned(
            quote::quote!(#first, #second),
            format!("carafe puts the body first, as Flask does: write {fix}"),
        ));
        let mut elems = elems.iter_mut();
        if let (Some(first), Some(second)) = (elems.next(), elems.next()) {
            std::mem::swap(first, second);
        }
    }

    /// `expr` is where a status belongs; `body` is the response's body, if it has one here,
    /// and `media` the kind of body it answers with when it has none.
    pub(super) fn status(&mut self, expr: &mut Expr, body: Option<(&Expr, Context)>, media: Media) {
        match classify(expr) {
            None => {}
            Some(Ok(status)) => {
                let media = body
                    .and_then(|(body, _)| self.plain_body(body))
                    .unwrap_or(media);
                self.answers(status, media);
                if let Some((body, context)) = body {
                    self.check_no_body(body, status, context);
                }
            }
            Some(Err(invalid)) => {
                self.errors
                    .push(syn::Error::new_spanned(&*expr, invalid.message));
                *expr = int_literal(invalid.meant, expr.span());
            }
        }
    }

    /// `redirect_with(location, status)`: a literal status must be a redirect's.
    pub(super) fn redirect_status(&mut self, expr: &mut Expr) {
        match classify(expr) {
            Some(Ok(status)) if is_redirect(status) => {
                self.answers(status, Media::Redirect);
            }
            Some(Ok(status)) => {
                let instead = if is_error(status) {
                    format!("; for an error, write abort({status})")
                } else {
                    String::new()
                };
                self.errors.push(syn::Error::new_spanned(
                    &*expr,
                    format!(
                        "{status} is not a redirect status: write 302 (found), 303 (see other), \
                         307 or 308 (the same method again), or 301 (moved permanently){instead}"
                    ),
                ));
                *expr = int_literal(302, expr.span());
            }
            // A string or an out-of-range number: the same advice as any status.
            Some(Err(_)) => self.status(expr, None, Media::Redirect),
            None => {}
        }
    }

    /// 1xx, 204 and 304 responses have no body (RFC 9110 §6.4.1).
    fn check_no_body(&mut self, body: &Expr, status: u16, context: Context) {
        let has_body = match literal(body) {
            Some((Lit::Str(lit), _)) => !lit.value().is_empty(),
            Some((Lit::ByteStr(lit), _)) => !lit.value().is_empty(),
            _ => false,
        };
        if has_body && forbids_body(status) {
            let fix = context.fix("\"\"", &status.to_string());
            self.errors.push(syn::Error::new_spanned(
                body,
                format!("a {status} response has no body: write {fix} or use status 200"),
            ));
        }
    }

    /// Header literals: `[("Name", "value"), ..]`, also as `&[..]` or `vec![..]`.
    pub(super) fn headers(&mut self, expr: &Expr) {
        let pairs: Vec<Expr> = match expr {
            Expr::Array(array) => array.elems.iter().cloned().collect(),
            Expr::Reference(reference) => return self.headers(&reference.expr),
            Expr::Paren(expr) => return self.headers(&expr.expr),
            Expr::Group(expr) => return self.headers(&expr.expr),
            Expr::Macro(expr) if expr.mac.path.is_ident("vec") => {
                match expr
                    .mac
                    .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                {
                    Ok(elems) => elems.into_iter().collect(),
                    // `vec![x; n]`: not a list of literal pairs.
                    Err(_) => return,
                }
            }
            _ => return,
        };
        for pair in pairs {
            let Expr::Tuple(pair) = pair else { continue };
            let mut elems = pair.elems.iter();
            if let (Some(name), Some(value), None) = (elems.next(), elems.next(), elems.next()) {
                if let Some((Lit::Str(name), _)) = literal(name) {
                    if let Err(message) = headers::check_name(&name.value()) {
                        self.errors.push(syn::Error::new(name.span(), message));
                    }
                }
                if let Some((Lit::Str(value), _)) = literal(value) {
                    if let Err(message) = headers::check_value(&value.value()) {
                        self.errors.push(syn::Error::new(value.span(), message));
                    }
                }
            }
        }
    }
}

/// Where a body and a status are written together, for the wording of fixes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A response tuple of this many elements.
    Tuple(usize),
    /// `make_response(body, status)`.
    MakeResponse,
}

impl Context {
    /// The code to write, with this body and status.
    fn fix(self, body: &str, status: &str) -> String {
        match self {
            Context::Tuple(2) => format!("({body}, {status})"),
            Context::Tuple(_) => format!("({body}, {status}, ..)"),
            Context::MakeResponse => format!("make_response({body}, {status})"),
        }
    }
}

/// Whether `expr` names one of `http::StatusCode`'s constants (`StatusCode::NOT_FOUND`), as an
/// axum tuple puts first.
pub(super) fn is_status_constant(expr: &Expr) -> bool {
    let Expr::Path(path) = expr else {
        return false;
    };
    let mut segments = path.path.segments.iter().rev();
    match (segments.next(), segments.next()) {
        (Some(constant), Some(owner)) => {
            owner.ident == "StatusCode"
                && constant
                    .ident
                    .to_string()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        _ => false,
    }
}

/// Whether `expr` is written as headers: `[..]`, `&[..]` or `vec![..]`.
fn is_headers(expr: &Expr) -> bool {
    match expr {
        Expr::Array(_) => true,
        Expr::Reference(reference) => is_headers(&reference.expr),
        Expr::Paren(expr) => is_headers(&expr.expr),
        Expr::Group(expr) => is_headers(&expr.expr),
        Expr::Macro(expr) => expr.mac.path.is_ident("vec"),
        _ => false,
    }
}
