//! The walk over a handler's body: which expressions are response positions (the tail,
//! `return`s, returned `break` values, `Ok`/`Err`, the error of a `?`, through blocks, `if` and
//! `match`), and which code is not the handler's own (closures, async blocks, nested items).
//! At each response position it hands the value to the checks (`super::checks`).

use carafe_core::media::Media;
use carafe_core::status::{self};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprCall, Item, Label, Lifetime, Local, Member, Pat, Stmt};

use super::checks::{is_status_constant, Context};
use super::{Breakable, Checker};

impl Checker<'_> {
    /// Checks `block`, whose value (its tail expression) is a response if `is_response`.
    pub(super) fn block(&mut self, block: &mut Block, is_response: bool) {
        let last = block.stmts.len().saturating_sub(1);
        for (index, stmt) in block.stmts.iter_mut().enumerate() {
            match stmt {
                Stmt::Expr(tail, None) if index == last => self.expr(tail, is_response),
                _ => self.visit_stmt_mut(stmt),
            }
        }
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

/// Whether `call` calls a function whose path ends in `name`: `make_response`,
/// `carafe::make_response`, ….
pub(super) fn calls(call: &ExprCall, name: &str) -> bool {
    match &*call.func {
        Expr::Path(func) => func
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == name),
        _ => false,
    }
}
