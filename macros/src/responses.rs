//! Finds the response positions of a handler's body, and checks the statuses, bodies and header
//! literals written there.
//!
//! Only *response positions* are looked at: the values the handler returns (its tail
//! expression, every `return`, the `break` values of a `loop` or labeled block whose value it
//! returns, the argument of `abort_with`, the error a `?` returns from `Err(..)?`,
//! `.ok_or(..)?`, `.ok_or_else(|| ..)?` or `.map_err(|_| ..)?`), followed through blocks, `if`,
//! `match`, parentheses, `Ok(..)`/`Err(..)` and `.into_response()`. A tuple there is a
//! response. Anything else is data: `let pair = ("k", "404")`, `Json(("a", "404"))`, a
//! closure's return value. Calls to `make_response` and `abort` and assignments to
//! `.status_code` are checked wherever they are, except inside closures, async blocks and
//! nested items, which are not the handler's own code.
//!
//! The body is walked once, in source order, so that errors are reported in the order the
//! user reads the code.
//!
//! A wrong status literal is replaced, in the emitted function, by the integer the user meant
//! (or 500), keeping its span: the type checker then has nothing to add to our error.

use std::collections::{BTreeSet, HashMap};

use carafe_core::media::Media;
use carafe_core::status::{self, forbids_body, is_error, is_redirect};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Block, Expr, ExprCall, ExprTuple, Item, Label, Lifetime, Lit, Local, Macro, Member, Pat,
    ReturnType, Stmt, StmtMacro, Token, Type,
};

use crate::ctxt::Ctxt;
use crate::headers;
use crate::status::{classify, int_literal, literal};

/// What the body answers, as far as its code shows.
pub struct Found {
    /// Each status with the kind of body it is answered with, sorted; a plain body with no
    /// status (`Json(..)` last) is a 200.
    pub responses: Vec<(u16, Media)>,
}

/// Checks the body, fixing wrong status literals in place, and returns what it answers.
pub fn check(body: &mut Block, errors: &Ctxt) -> Found {
    let mut checker = Checker {
        responses: BTreeSet::new(),
        bodies: HashMap::new(),
        errors,
        breakables: Vec::new(),
    };
    checker.block(body, true);
    Found {
        responses: checker.responses.into_iter().collect(),
    }
}

/// A handler declared to return `impl ..` whose last statement is an expression with a `;`
/// after it returns `()`, an empty 200: the `;` swallowed the response. Refused at the `;`,
/// unless the statement never ends (`return`, `abort`, `panic!`, ..). A handler that means an
/// empty 200 writes `()` last.
pub fn check_tail(output: &ReturnType, body: &Block, errors: &Ctxt) {
    let ReturnType::Type(_, ty) = output else {
        return;
    };
    if !matches!(**ty, Type::ImplTrait(_)) {
        return;
    }
    // A macro call (`format!(..);`) is a statement of its own kind; it swallows the value the
    // same way.
    let swallowed = match body.stmts.last() {
        Some(Stmt::Expr(expr, Some(semicolon))) => (!diverges(expr)).then_some(semicolon),
        Some(Stmt::Macro(StmtMacro {
            mac,
            semi_token: Some(semicolon),
            ..
        })) => (!is_diverging_macro(mac)).then_some(semicolon),
        _ => None,
    };
    if let Some(semicolon) = swallowed {
        errors.push(syn::Error::new_spanned(
            semicolon,
            "this `;` makes the handler answer `()`, an empty 200, instead of the value \
             before it: remove the `;` (write `()` last if an empty 200 is meant)",
        ));
    }
}

/// Whether the macro is one of std's that never return.
fn is_diverging_macro(mac: &Macro) -> bool {
    ["panic", "unreachable", "todo", "unimplemented"]
        .iter()
        .any(|name| mac.path.is_ident(name))
}

/// Whether `expr` never finishes, so nothing after it is answered anyway.
fn diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Paren(expr) => diverges(&expr.expr),
        Expr::Group(expr) => diverges(&expr.expr),
        Expr::Loop(_) => true,
        Expr::Macro(mac) => is_diverging_macro(&mac.mac),
        Expr::Call(call) => ["abort", "abort_with", "exit"]
            .iter()
            .any(|name| calls(call, name)),
        _ => false,
    }
}

struct Checker<'e> {
    responses: BTreeSet<(u16, Media)>,
    /// The variables bound to a body written out, with its kind.
    bodies: HashMap<String, Media>,
    errors: &'e Ctxt,
    /// The loops and labeled blocks around the expression being checked, innermost last.
    breakables: Vec<Breakable>,
}

/// A loop or a labeled block: what a `break` leaves.
struct Breakable {
    label: Option<Lifetime>,
    /// An unlabeled `break` leaves the innermost loop, never a block.
    is_loop: bool,
    /// Whether its value, hence that of a `break` leaving it, is a response.
    is_response: bool,
}

impl Checker<'_> {
    /// Checks `block`, whose value (its tail expression) is a response if `is_response`.
    fn block(&mut self, block: &mut Block, is_response: bool) {
        let last = block.stmts.len().saturating_sub(1);
        for (index, stmt) in block.stmts.iter_mut().enumerate() {
            match stmt {
                Stmt::Expr(tail, None) if index == last => self.expr(tail, is_response),
                _ => self.visit_stmt_mut(stmt),
            }
        }
    }

    /// The kind of a body written out: `Json(..)`, or text (a string literal, `format!(..)`, or
    /// one of them turned into a `String`).
    fn plain_body(&self, expr: &Expr) -> Option<Media> {
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
    fn answers(&mut self, status: u16, media: Media) {
        self.responses.insert((status, media));
    }

    /// Checks `expr`, a response if `is_response`, and everything in it.
    fn expr(&mut self, expr: &mut Expr, is_response: bool) {
        if is_response && answers_as_it_is(expr) {
            // A body with no status is a 200.
            let media = self.plain_body(expr).unwrap_or(Media::Unknown);
            self.answers(200, media);
        }
        match expr {
            Expr::Tuple(tuple) if is_response && matches!(tuple.elems.len(), 2 | 3) => {
                self.tuple(tuple);
                visit_mut::visit_expr_tuple_mut(self, tuple);
            }
            Expr::Block(expr) => {
                let breakable = breakable(expr.label.as_ref(), false, is_response);
                self.breakable(breakable, &mut expr.block, is_response);
            }
            Expr::Unsafe(expr) => self.block(&mut expr.block, is_response),
            Expr::If(expr) => {
                self.expr(&mut expr.cond, false);
                self.block(&mut expr.then_branch, is_response);
                if let Some((_, otherwise)) = &mut expr.else_branch {
                    self.expr(otherwise, is_response);
                }
            }
            Expr::Match(expr) => {
                self.expr(&mut expr.expr, false);
                for arm in &mut expr.arms {
                    if let Some((_, guard)) = &mut arm.guard {
                        self.expr(guard, false);
                    }
                    self.expr(&mut arm.body, is_response);
                }
            }
            Expr::Loop(expr) => {
                let breakable = breakable(expr.label.as_ref(), true, is_response);
                self.breakable(breakable, &mut expr.body, false);
            }
            Expr::While(expr) => {
                self.expr(&mut expr.cond, false);
                let breakable = breakable(expr.label.as_ref(), true, false);
                self.breakable(breakable, &mut expr.body, false);
            }
            Expr::ForLoop(expr) => {
                self.expr(&mut expr.expr, false);
                let breakable = breakable(expr.label.as_ref(), true, false);
                self.breakable(breakable, &mut expr.body, false);
            }
            Expr::Break(expr) => {
                let is_response = self.breaks_with_response(expr.label.as_ref());
                if let Some(value) = &mut expr.expr {
                    self.expr(value, is_response);
                }
            }
            Expr::Return(expr) => {
                if let Some(value) = &mut expr.expr {
                    self.expr(value, true);
                }
            }
            Expr::Paren(expr) => self.expr(&mut expr.expr, is_response),
            Expr::Group(expr) => self.expr(&mut expr.expr, is_response),
            Expr::Call(call) => self.call(call, is_response),
            Expr::MethodCall(call)
                if is_response && call.method == "into_response" && call.args.is_empty() =>
            {
                self.expr(&mut call.receiver, true);
            }
            Expr::Assign(assign) => {
                if let Expr::Field(field) = &*assign.left {
                    if matches!(&field.member, Member::Named(name) if name == "status_code") {
                        self.status(&mut assign.right, None, Media::Unknown);
                    }
                }
                visit_mut::visit_expr_assign_mut(self, assign);
            }
            Expr::Try(expr) => self.question_mark(&mut expr.expr),
            // `StatusCode::NOT_FOUND`, wherever it is written, is a status the handler answers.
            Expr::Path(_) if is_status_constant(expr) => {
                if let Expr::Path(path) = expr {
                    let name = path
                        .path
                        .segments
                        .last()
                        .map(|segment| segment.ident.to_string());
                    if let Some(status) = name.as_deref().and_then(status::from_constant) {
                        self.answers(status, Media::Unknown);
                    }
                }
            }
            // Not the handler's own code: their values and `return`s are theirs.
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    /// Checks the body of a loop or labeled block, with `breakable` as the innermost one.
    fn breakable(&mut self, breakable: Breakable, body: &mut Block, is_response: bool) {
        self.breakables.push(breakable);
        self.block(body, is_response);
        self.breakables.pop();
    }

    /// Whether a `break` with this label leaves a loop or block whose value is a response.
    fn breaks_with_response(&self, label: Option<&Lifetime>) -> bool {
        self.breakables
            .iter()
            .rev()
            .find(|breakable| match label {
                Some(label) => breakable.label.as_ref() == Some(label),
                None => breakable.is_loop,
            })
            .is_some_and(|breakable| breakable.is_response)
    }

    /// `make_response(body, status)`, `abort(status)`, `abort_with(response)`, and
    /// `Ok(response)`/`Err(response)` where a response belongs.
    fn call(&mut self, call: &mut ExprCall, is_response: bool) {
        if (is_response && is_ok_or_err(call))
            || (calls(call, "abort_with") && call.args.len() == 1)
        {
            // `abort_with(response)` answers with its argument, as a `return` would.
            return self.expr(&mut call.args[0], true);
        }
        if calls(call, "make_response") && call.args.len() >= 2 {
            self.put_body_first(&mut call.args, Context::MakeResponse);
            let mut args = call.args.iter_mut();
            if let (Some(body), Some(status)) = (args.next(), args.next()) {
                self.status(status, Some((body, Context::MakeResponse)), Media::Unknown);
            }
            if let Some(headers) = args.next() {
                self.headers(headers);
            }
        } else if calls(call, "abort") {
            if let Some(status) = call.args.first_mut() {
                self.status(status, None, Media::ErrorPage);
            }
        } else if calls_method_of(call, "HttpError", "new") && call.args.len() == 1 {
            // An error answered, or built to be answered: `HttpError::new(404)`.
            self.status(&mut call.args[0], None, Media::ErrorPage);
        } else if calls(call, "redirect") && call.args.len() == 1 {
            self.answers(302, Media::Redirect);
        } else if calls(call, "redirect_with") && call.args.len() == 2 {
            self.redirect_status(&mut call.args[1]);
        }
        visit_mut::visit_expr_call_mut(self, call);
    }

    /// `expr?` returns `expr`'s error from the handler: where that error is written, it is a
    /// response.
    fn question_mark(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Call(call) if calls(call, "Err") && call.args.len() == 1 => {
                self.expr(&mut call.args[0], true);
            }
            Expr::MethodCall(call) if call.args.len() == 1 => {
                self.expr(&mut call.receiver, false);
                let method = call.method.to_string();
                match (method.as_str(), &mut call.args[0]) {
                    ("ok_or", error) => self.expr(error, true),
                    // The closure's value, and anything it `return`s, is the error.
                    ("ok_or_else" | "map_err", Expr::Closure(closure)) => {
                        self.expr(&mut closure.body, true);
                    }
                    (_, arg) => self.expr(arg, false),
                }
            }
            _ => self.expr(expr, false),
        }
    }

    /// A response tuple: `(body, status)`, `(body, headers)` or `(body, status, headers)`.
    fn tuple(&mut self, tuple: &mut ExprTuple) {
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
    fn put_body_first(&mut self, elems: &mut Punctuated<Expr, Token![,]>, context: Context) {
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
    fn status(&mut self, expr: &mut Expr, body: Option<(&Expr, Context)>, media: Media) {
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
    fn redirect_status(&mut self, expr: &mut Expr) {
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
    fn headers(&mut self, expr: &Expr) {
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
enum Context {
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

/// Everything not in a response position: found through `visit_mut`'s walk, which calls back
/// here for each expression.
impl VisitMut for Checker<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        self.expr(expr, false);
    }

    /// `let created = Json(..);`: the body a later `(created, 201)` answers with.
    fn visit_local_mut(&mut self, local: &mut Local) {
        if let (Pat::Ident(name), Some(init)) = (&local.pat, &local.init) {
            match self.plain_body(&init.expr) {
                Some(media) => self.bodies.insert(name.ident.to_string(), media),
                None => self.bodies.remove(&name.ident.to_string()),
            };
        }
        visit_mut::visit_local_mut(self, local);
    }

    /// A nested `fn` is not the handler's own code.
    fn visit_item_mut(&mut self, _: &mut Item) {}
}

fn breakable(label: Option<&Label>, is_loop: bool, is_response: bool) -> Breakable {
    Breakable {
        label: label.map(|label| label.name.clone()),
        is_loop,
        is_response,
    }
}

/// Whether `expr` names one of `http::StatusCode`'s constants (`StatusCode::NOT_FOUND`), as an
/// axum tuple puts first.
fn is_status_constant(expr: &Expr) -> bool {
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

/// `Ok(x)` or `Err(x)`, however the variant is named (`Result::Ok`, `std::result::Result::Err`).
fn is_ok_or_err(call: &ExprCall) -> bool {
    call.args.len() == 1 && (calls(call, "Ok") || calls(call, "Err"))
}

/// Whether `call` calls `Type::function` (`HttpError::new`, `carafe::HttpError::new`, ..).
fn calls_method_of(call: &ExprCall, type_name: &str, function: &str) -> bool {
    let Expr::Path(path) = &*call.func else {
        return false;
    };
    let mut segments = path.path.segments.iter().rev();
    matches!(
        (segments.next(), segments.next()),
        (Some(last), Some(owner)) if last.ident == function && owner.ident == type_name
    )
}

/// Whether `call` calls a function whose path ends in `name`: `make_response`,
/// `carafe::make_response`, ….
/// Whether a response position's value is answered as it is, a 200 unless it says otherwise:
/// not a tuple or `make_response` (whose status is read), not an error, a redirect or an
/// abort, and not code that holds the responses (blocks, branches, `Ok(..)`, `return`).
fn answers_as_it_is(expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(_)
        | Expr::Block(_)
        | Expr::Unsafe(_)
        | Expr::If(_)
        | Expr::Match(_)
        | Expr::Loop(_)
        | Expr::While(_)
        | Expr::ForLoop(_)
        | Expr::Break(_)
        | Expr::Continue(_)
        | Expr::Return(_)
        | Expr::Paren(_)
        | Expr::Group(_)
        | Expr::Try(_) => false,
        Expr::Call(call) => {
            ![
                "Ok",
                "Err",
                "abort",
                "abort_with",
                "redirect",
                "redirect_with",
                "make_response",
                "exit",
            ]
            .iter()
            .any(|name| calls(call, name))
                && !calls_method_of(call, "HttpError", "new")
        }
        Expr::MethodCall(call) => call.method != "into_response",
        Expr::Macro(mac) => !["panic", "unreachable", "todo", "unimplemented"]
            .iter()
            .any(|name| mac.mac.path.is_ident(name)),
        // `StatusCode::NOT_FOUND` alone, as axum answers a bare status.
        _ => !is_status_constant(expr),
    }
}

fn calls(call: &ExprCall, name: &str) -> bool {
    match &*call.func {
        Expr::Path(func) => func
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use syn::ItemFn;

    use super::*;

    struct Checked {
        statuses: Vec<u16>,
        responses: Vec<(u16, Media)>,
        errors: Vec<String>,
        /// The function as it will be emitted.
        emitted: String,
    }

    fn check_fn(item: &str) -> Checked {
        let mut item: ItemFn = syn::parse_str(item).expect("test items parse");
        let errors = Ctxt::new();
        let found = check(&mut item.block, &errors);
        let errors = match errors.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        };
        let mut statuses: Vec<u16> = found.responses.iter().map(|&(status, _)| status).collect();
        statuses.dedup();
        Checked {
            statuses,
            responses: found.responses,
            errors,
            emitted: quote!(#item).to_string(),
        }
    }

    /// The statuses of a handler with no error.
    fn statuses(item: &str) -> Vec<u16> {
        let checked = check_fn(item);
        assert_eq!(checked.errors, Vec::<String>::new(), "{item}");
        checked.statuses
    }

    fn errors(item: &str) -> Vec<String> {
        check_fn(item).errors
    }

    /// Each status of a handler with no error, with the kind of its body.
    fn responses(item: &str) -> Vec<(u16, Media)> {
        let checked = check_fn(item);
        assert_eq!(checked.errors, Vec::<String>::new(), "{item}");
        checked.responses
    }

    #[test]
    fn the_kind_of_body_each_status_is_answered_with() {
        use Media::*;
        assert_eq!(
            responses("fn f() -> Json<Item> { Json(item) }"),
            [(200, Json)]
        );
        assert_eq!(
            responses(
                r#"fn f() -> impl IntoResponse { if a { (Json(x), 404) } else { ("made", 201) } }"#
            ),
            [(201, Text), (404, Json)]
        );
        // A body bound to a name first, as `let created = Json(..)`.
        assert_eq!(
            responses(
                "fn f() -> Response { let created = Json(x); (created, 201).into_response() }"
            ),
            [(201, Json)]
        );
        assert_eq!(
            responses(r#"fn f() -> String { format!("{x}") }"#),
            [(200, Text)]
        );
        assert_eq!(
            responses(r#"fn f() -> Response { render_template("a.html", ()) }"#),
            [(200, Text)]
        );
        // Errors, redirects and aborts are no 200.
        assert_eq!(
            responses("fn f() -> Response { abort(410) }"),
            [(410, ErrorPage)]
        );
        assert_eq!(
            responses(
                r#"fn f() -> Result<Response, HttpError> { if a { return Err(HttpError::new(403)); } Ok(redirect("/")) }"#
            ),
            [(302, Redirect), (403, ErrorPage)]
        );
        // A body the macro cannot see into: a 200 of unknown kind.
        assert_eq!(responses("fn f() -> Response { page }"), [(200, Unknown)]);
    }

    #[test]
    fn string_status_in_the_tail() {
        let checked = check_fn(r#"fn f() -> impl IntoResponse { ("Error", "404") }"#);
        assert_eq!(
            checked.errors,
            [r#"status code must be an integer: write 404, not "404""#]
        );
        assert!(
            checked.emitted.contains(r#"("Error" , 404)"#),
            "{}",
            checked.emitted
        );
        assert!(checked.statuses.is_empty());
    }

    #[test]
    fn string_statuses_and_what_to_write() {
        let message = |status: &str| errors(&format!("fn f() {{ (\"x\", {status}) }}"));
        assert_eq!(
            message(r#""404 NOT FOUND""#),
            [r#"status code must be an integer: write 404, not "404 NOT FOUND""#]
        );
        assert_eq!(
            message(r#""""#),
            [
                r#"status code must be an integer: write a status from 100 to 599, such as 200 or 404, not """#
            ]
        );
        assert_eq!(
            message(r#""wtf""#),
            [
                r#"status code must be an integer: write a status from 100 to 599, such as 200 or 404, not "wtf""#
            ]
        );
        assert_eq!(
            message(r#"b"201""#),
            [r#"status code must be an integer: write 201, not b"201""#]
        );
        assert_eq!(
            message(r#""999""#),
            [
                r#"status code must be an integer: write a status from 100 to 599, such as 200 or 404, not "999""#
            ]
        );
    }

    #[test]
    fn statuses_that_are_not_valid_integers() {
        let checked_negative_float = check_fn(r#"fn f() { ("x", -404.0) }"#);
        assert_eq!(
            checked_negative_float.errors,
            ["status code cannot be negative: write 404"]
        );
        let checked = |status: &str| check_fn(&format!("fn f() {{ (\"x\", {status}) }}"));
        let out_of_range = checked("999");
        assert_eq!(
            out_of_range.errors,
            ["status 999 is out of range: write a status from 100 to 599"]
        );
        assert!(out_of_range.emitted.contains(r#"("x" , 500)"#));
        assert_eq!(
            checked("99999999999999999999999").errors,
            ["status 99999999999999999999999 is out of range: write a status from 100 to 599"]
        );
        assert_eq!(
            checked("42u16").errors,
            ["status 42 is out of range: write a status from 100 to 599"]
        );
        let float = checked("404.0");
        assert_eq!(
            float.errors,
            ["status code must be an integer, not a float: write 404"]
        );
        assert!(float.emitted.contains(r#"("x" , 404)"#));
        let negative = checked("-1");
        assert_eq!(
            negative.errors,
            ["status code cannot be negative: write a status from 100 to 599, such as 200 or 404"]
        );
        assert!(
            negative.emitted.contains(r#"("x" , 500)"#),
            "{}",
            negative.emitted
        );
        assert_eq!(
            checked("-404").errors,
            ["status code cannot be negative: write 404"]
        );
        assert_eq!(
            checked("true").errors,
            ["status code must be an integer, not a bool: write a status from 100 to 599, such as 200 or 404"]
        );
        assert_eq!(
            checked("'4'").errors,
            ["status code must be an integer, not '4': write a status from 100 to 599, such as 200 or 404"]
        );
    }

    #[test]
    fn valid_statuses_are_collected_sorted_and_once() {
        assert_eq!(
            statuses(
                r#"fn f(a: bool, b: bool) -> impl IntoResponse {
                    if a { ("x", 404) } else if b { ("y", 200) } else { ("z", (404)) }
                }"#
            ),
            [200, 404]
        );
        // A body with no status is Flask's 200.
        assert_eq!(statuses(r#"fn f() { "hello" }"#), [200]);
    }

    #[test]
    fn every_response_position() {
        let item = r#"
            async fn f(x: Option<u8>, items: Vec<u8>) -> impl IntoResponse {
                let Some(x) = x else { return ("a", "400"); };
                if x == 1 {
                    return ("b", "401");
                }
                let _ = { return ("c", "402") };
                match x {
                    2 => ("d", "403"),
                    3 => { ("e", "404") }
                    4 => Ok(("f", "405")),
                    5 => Err((("g", "406"))),
                    6 => unsafe { ("h", "407") },
                    7 => loop { break ("i", "408"); },
                    8 => 'outer: loop {
                        loop { break 'outer ("j", "409"); }
                    },
                    9 => 'block: { if x > 0 { break 'block ("k", "410"); } ("l", "411") },
                    _ => std::result::Result::Ok(("m", "412")),
                }
            }
        "#;
        let checked = check_fn(item);
        assert_eq!(checked.errors.len(), 13, "{:?}", checked.errors);
        for status in 400..=412 {
            let message =
                format!("status code must be an integer: write {status}, not \"{status}\"");
            assert!(checked.errors.contains(&message), "{message}");
        }
    }

    #[test]
    fn errors_a_question_mark_returns() {
        let checked = check_fn(
            r#"fn f(a: Option<u8>, b: &str) -> Result<String, (&'static str, u16)> {
                let a = a.ok_or(("a", "400"))?;
                let b: u8 = b.parse().map_err(|_| ("b", "401"))?;
                let c = a.checked_add(b).ok_or_else(|| { ("c", "402") })?;
                if c == 0 {
                    Err(("d", "403"))?;
                }
                let _ = a.ok_or(("e", 404))?;
                Ok(c.to_string())
            }"#,
        );
        assert_eq!(checked.errors.len(), 4, "{:?}", checked.errors);
        assert_eq!(checked.statuses, [200, 404]);
        // A `?` inside a closure returns from the closure.
        assert_eq!(
            errors(
                r#"fn f() { let g = || -> Result<u8, (&str, &str)> { Err(("a", "404"))? }; "ok" }"#
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn into_response_receiver() {
        assert_eq!(
            errors(r#"fn f() -> Response { ("a", 42).into_response() }"#),
            ["status 42 is out of range: write a status from 100 to 599"]
        );
    }

    #[test]
    fn no_false_positives() {
        for item in [
            // Not in a response position.
            r#"fn f() { let pair = ("k", "404"); Json(pair) }"#,
            r#"fn f() { let pair = ("k", "404"); }"#,
            r#"fn f() -> Json<(&'static str, &'static str)> { Json(("a", "404")) }"#,
            r#"fn f() { some_fn(("a", "404")) }"#,
            // Not the handler's own return value.
            r#"fn f() { let g = || ("a", "404"); g(); }"#,
            r#"fn f() { let g = |x: u8| { return ("a", "404"); }; }"#,
            r#"fn f() { let fut = async { ("a", "404") }; }"#,
            r#"fn f() { fn inner() -> (&'static str, &'static str) { ("a", "404") } "ok" }"#,
            r#"fn f() { let g = || make_response("a", "404"); "ok" }"#,
            // An inner loop's break is that loop's value.
            r#"fn f() { loop { let x = loop { break ("a", "404"); }; break "ok"; } }"#,
            // A body that looks like a status is fine.
            r#"fn f() { ("404", 200) }"#,
            // Not literals: the type system checks them.
            r#"fn f(status: u16) { ("a", status, [("X-A", "b")]) }"#,
            r#"fn f(a: &str, b: &str) { (a, b) }"#,
            // Tuples of other sizes are not responses.
            r#"fn f() { ("a", "b", "c", "d") }"#,
        ] {
            assert_eq!(errors(item), Vec::<String>::new(), "{item}");
        }
    }

    #[test]
    fn make_response_abort_and_status_code() {
        let checked = check_fn(
            r#"fn f(a: bool) -> Response {
                if a { abort("404"); }
                let mut response = carafe::make_response("<h1>Success</h1>", "201");
                response.status_code = "200";
                let other = make_response("x", 302, [("Location", "/")]);
                other.status_code = 303;
                response
            }"#,
        );
        assert_eq!(
            checked.errors,
            [
                r#"status code must be an integer: write 404, not "404""#,
                r#"status code must be an integer: write 201, not "201""#,
                r#"status code must be an integer: write 200, not "200""#,
            ]
        );
        // The 200 is that of `response` returned as it is: its status, a string, was refused.
        assert_eq!(checked.statuses, [200, 302, 303]);
        assert!(checked.emitted.contains("abort (404)"));
        assert!(checked.emitted.contains("status_code = 200"));
        assert_eq!(
            statuses(r#"fn f() { let r = make_response("x"); abort(418) }"#),
            [418]
        );
        assert_eq!(
            errors(
                r#"fn f() { carafe::abort_with(("login first", "401", [("WWW Authenticate", "Bearer")])) }"#
            ),
            [
                r#"status code must be an integer: write 401, not "401""#,
                r#"header name "WWW Authenticate" is not a valid token (no spaces, colons or other separators): write "WWW-Authenticate""#,
            ]
        );
    }

    fn tail_errors(item: &str) -> Vec<String> {
        let item: ItemFn = syn::parse_str(item).expect("test items parse");
        let errors = Ctxt::new();
        check_tail(&item.sig.output, &item.block, &errors);
        match errors.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn a_semicolon_that_swallows_the_response() {
        let refused = "this `;` makes the handler answer `()`, an empty 200, instead of the \
                       value before it: remove the `;` (write `()` last if an empty 200 is meant)";
        assert_eq!(
            tail_errors(r#"fn f() -> impl IntoResponse { ("Created", 201); }"#),
            [refused]
        );
        assert_eq!(
            tail_errors(
                r#"async fn f(x: u8) -> impl IntoResponse { let y = x; make_response("a", 200); }"#
            ),
            [refused]
        );
        // A macro call is a statement of its own kind in syn.
        assert_eq!(
            tail_errors(
                r#"fn f(name: String) -> impl IntoResponse { format!("Hello {}", name); }"#
            ),
            [refused]
        );
        for fine in [
            r#"fn f() -> impl IntoResponse { ("Created", 201) }"#,
            r#"fn f() -> impl IntoResponse { save(); () }"#,
            r#"fn f() -> impl IntoResponse { return ("a", 201); }"#,
            r#"fn f() -> impl IntoResponse { abort(404); }"#,
            r#"fn f() -> impl IntoResponse { panic!("no"); }"#,
            r#"fn f() -> impl IntoResponse { unreachable!("no"); }"#,
            r#"fn f() -> impl IntoResponse { println!("saved"); () }"#,
            r#"fn f() { save(); }"#,
            r#"fn f() -> Response { make_response("a", 200); }"#,
        ] {
            assert!(tail_errors(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn axum_order() {
        let checked =
            check_fn(r#"fn f() -> impl IntoResponse { (StatusCode::NOT_FOUND, "Not found") }"#);
        assert_eq!(
            checked.errors,
            [
                r#"carafe puts the body first, as Flask does: write ("Not found", StatusCode::NOT_FOUND)"#
            ]
        );
        assert!(checked
            .emitted
            .contains(r#"("Not found" , StatusCode :: NOT_FOUND)"#));
        assert_eq!(
            errors(r#"fn f() { (http::StatusCode::CREATED, body, [("Location", "/")]) }"#),
            [
                r#"carafe puts the body first, as Flask does: write (body, http::StatusCode::CREATED, ..)"#
            ]
        );
        // A constant of another type, or a status written second, is left alone.
        assert!(errors(r#"fn f() { (Mode::FAST, body) }"#).is_empty());
        assert!(errors(r#"fn f() { ("x", StatusCode::NOT_FOUND) }"#).is_empty());
    }

    #[test]
    fn statuses_of_errors_and_constants() {
        assert_eq!(
            statuses(
                r#"fn f(a: bool) -> Response {
                    if a { return HttpError::new(404).into_response(); }
                    let e = carafe::HttpError::new(409).with_message("taken");
                    make_response("x", StatusCode::CREATED)
                }"#
            ),
            [201, 404, 409]
        );
        assert_eq!(
            statuses(r#"fn f() -> impl IntoResponse { ("tea", http::StatusCode::IM_A_TEAPOT) }"#),
            [418]
        );
    }

    #[test]
    fn redirect_statuses() {
        assert_eq!(
            statuses(
                r#"fn f(a: bool) -> Response {
                    if a { return redirect("/a"); }
                    carafe::redirect_with("/b", 307)
                }"#
            ),
            [302, 307]
        );
        let checked = check_fn(
            r#"fn f(a: u8) -> Response {
                match a {
                    0 => redirect_with("/", 404),
                    1 => redirect_with("/", 200),
                    2 => redirect_with("/", "303"),
                    _ => redirect_with("/", status_from_somewhere()),
                }
            }"#,
        );
        assert_eq!(
            checked.errors,
            [
                "404 is not a redirect status: write 302 (found), 303 (see other), 307 or 308 \
                 (the same method again), or 301 (moved permanently); for an error, write abort(404)",
                "200 is not a redirect status: write 302 (found), 303 (see other), 307 or 308 \
                 (the same method again), or 301 (moved permanently)",
                r#"status code must be an integer: write 303, not "303""#,
            ]
        );
        assert!(checked.emitted.contains(r#"redirect_with ("/" , 302)"#));
    }

    #[test]
    fn reversed_tuples() {
        let checked = check_fn(r#"fn f() { (404, "Error") }"#);
        assert_eq!(
            checked.errors,
            [r#"carafe puts the body first, as Flask does: write ("Error", 404)"#]
        );
        assert!(checked.emitted.contains(r#"("Error" , 404)"#));
        assert_eq!(checked.statuses, [404]);
        assert_eq!(
            errors(r#"fn f() { (201, "Created", [("X-A", "b")]) }"#),
            [r#"carafe puts the body first, as Flask does: write ("Created", 201, ..)"#]
        );
        assert_eq!(
            errors(r#"fn f(name: String) { if true { return (400, name); } (404, Json(1)) }"#),
            [
                r#"carafe puts the body first, as Flask does: write (name, 400)"#,
                r#"carafe puts the body first, as Flask does: write (body, 404)"#,
            ]
        );
        // No body at all is not a reversed tuple; the type system says what is missing.
        assert_eq!(
            errors(r#"fn f() { (404, [("X-A", "b")]) }"#),
            Vec::<String>::new()
        );
        assert_eq!(
            errors(r#"fn f() { make_response(404, "Error") }"#),
            [r#"carafe puts the body first, as Flask does: write make_response("Error", 404)"#]
        );
    }

    #[test]
    fn bodies_on_bodiless_statuses() {
        assert_eq!(
            errors(r#"fn f() { ("Deleted", 204) }"#),
            [r#"a 204 response has no body: write ("", 204) or use status 200"#]
        );
        assert_eq!(
            errors(r#"fn f() { ("Not modified", 304, [("ETag", "x")]) }"#),
            [r#"a 304 response has no body: write ("", 304, ..) or use status 200"#]
        );
        assert_eq!(
            errors(r#"fn f() { make_response(b"go on", 100) }"#),
            [r#"a 100 response has no body: write make_response("", 100) or use status 200"#]
        );
        assert_eq!(statuses(r#"fn f() { ("", 204) }"#), [204]);
        assert_eq!(statuses(r#"fn f(body: String) { (body, 204) }"#), [204]);
    }

    #[test]
    fn header_literals() {
        assert_eq!(
            statuses(
                r#"fn f() {
                    ("Success", 200, [("Access-Control-Allow-Origin", "*"), ("X-Id", "a b")])
                }"#
            ),
            [200]
        );
        assert_eq!(
            errors(r#"fn f() { ("a", 200, [("Content-Type:", "text/plain")]) }"#),
            [
                r#"header name "Content-Type:" is not a valid token (no spaces, colons or other separators): write "Content-Type""#
            ]
        );
        assert_eq!(
            errors(r#"fn f() { ("a", vec![("Access Control", "*")]) }"#),
            [
                r#"header name "Access Control" is not a valid token (no spaces, colons or other separators): write "Access-Control""#
            ]
        );
        assert_eq!(
            errors(r#"fn f() { ("a", &[("", "x")]) }"#),
            ["a header name cannot be empty: write a name such as `X-Request-Id`"]
        );
        assert_eq!(
            errors(r#"fn f() { ("a", 201, &[("Location", "/a\r\nSet-Cookie: x=1")]) }"#),
            [
                r#"a header value cannot contain CR, LF or NUL (they would split or end the header): write "/aSet-Cookie: x=1""#
            ]
        );
        assert_eq!(
            errors(r#"fn f() { make_response("a", 200, [("X-A", "b\0")]) }"#),
            [
                r#"a header value cannot contain CR, LF or NUL (they would split or end the header): write "b""#
            ]
        );
        assert_eq!(
            errors(r#"fn f() { ("a", [("é", "x")]) }"#),
            [
                r#"header name "é" is not a valid token: `é` cannot appear in it; use ASCII letters, digits and `-`"#
            ]
        );
    }
}
