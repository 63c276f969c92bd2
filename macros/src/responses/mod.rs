//! A handler's responses: `walk` finds the response positions of its body, `checks` checks
//! the statuses, bodies and header literals written there and records what each answers.
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

mod checks;
mod walk;

use std::collections::{BTreeSet, HashMap};

use carafe_core::media::Media;
use syn::{Block, Expr, Lifetime, Macro, ReturnType, Stmt, StmtMacro, Type};

use crate::ctxt::Ctxt;
use walk::calls;

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
