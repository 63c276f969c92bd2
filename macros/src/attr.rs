//! The arguments of `#[route("/path", GET, POST)]` and of the shorthands `#[get("/path")]`, ….

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Token};

use carafe_core::suggest;
use carafe_core::MethodSet;

use crate::ctxt::Ctxt;

/// What the attribute says: the path, still a literal so errors can point into it, and the
/// methods.
pub struct RouteAttr {
    pub path: LitStr,
    /// The valid methods named; GET when none is named, as in Flask. Empty only when every
    /// method named was wrong, which is an error already.
    pub methods: MethodSet,
    /// `responses(404 = "No such item")`: responses described for the OpenAPI document,
    /// which the body may not show.
    pub responses: Vec<(u16, String)>,
    /// `cross_origin`, where it is written: the route takes unsafe requests (and WebSocket
    /// handshakes) from pages of any origin.
    pub cross_origin: Option<Span>,
    /// `body_limit = "64 MiB"`: the largest body the route reads, in bytes, over the app's.
    pub body_limit: Option<u64>,
}

/// The options an attribute may give after its path and methods.
#[derive(Default)]
struct Options {
    responses: Vec<(u16, String)>,
    /// Where `cross_origin` was written, if it was.
    cross_origin: Option<Span>,
    /// Whether `body_limit = ".."` was written, and its size when it parses.
    body_limit: Option<Option<u64>>,
}

/// The method `name` stands for, or a message naming the fix.
fn parse_method(name: &str) -> Result<MethodSet, String> {
    if let Some(method) = MethodSet::from_name(name) {
        return Ok(method);
    }
    let upper = name.to_ascii_uppercase();
    if MethodSet::from_name(&upper).is_some() {
        return Err(format!("methods are written in uppercase: write `{upper}`"));
    }
    let names = MethodSet::ALL.map(|(name, _)| name);
    Err(match suggest::closest(name, names) {
        Some(suggestion) => format!("unknown method `{name}`: did you mean `{suggestion}`?"),
        None => format!(
            "unknown method `{name}`: write one of {}",
            suggest::and_list(names)
        ),
    })
}

/// The one name of a one-method set.
pub fn method_name(method: MethodSet) -> &'static str {
    method.names().next().unwrap_or_default()
}

/// Parses the arguments of `#[route(..)]`: the path, then any number of methods.
///
/// Returns the path and the valid methods whenever there is a path, so that a wrong method
/// does not hide the errors of the path and the handler.
pub fn parse_route(args: TokenStream, errors: &Ctxt) -> Option<RouteAttr> {
    let args = errors.ok(parse_list(args))?;
    let (path, rest) = split_path(&args, "route", "\"/items\", GET", errors)?;
    let mut methods = MethodSet::EMPTY;
    let (options, rest) = take_options(rest, errors);
    for arg in &rest {
        for (method, span) in parse_methods(arg, &path, errors) {
            if methods.intersects(method) {
                errors.error(
                    span,
                    format!(
                        "method `{}` is listed twice: remove this one",
                        method_name(method)
                    ),
                );
            } else {
                methods = methods.union(method);
            }
        }
    }
    if rest.is_empty() {
        methods = MethodSet::GET;
    }
    Some(options.into_attr(path, methods))
}

impl Options {
    /// The attribute.
    fn into_attr(self, path: LitStr, methods: MethodSet) -> RouteAttr {
        RouteAttr {
            path,
            methods,
            responses: self.responses,
            cross_origin: self.cross_origin,
            body_limit: self.body_limit.flatten(),
        }
    }
}

impl RouteAttr {
    /// Refuses `cross_origin` where cross-site protection refuses nothing: a route of safe
    /// methods alone that opens no WebSocket.
    pub fn check_cross_origin(&self, websocket: bool, errors: &Ctxt) {
        let Some(span) = self.cross_origin else {
            return;
        };
        let methods = self.methods;
        if !websocket && !methods.is_empty() && !methods.intersects(MethodSet::UNSAFE) {
            errors.error(
                span,
                format!(
                    "`cross_origin` has no effect on a {} route: cross-site protection \
                     refuses only {} and WebSocket handshakes; remove it",
                    methods.names().collect::<Vec<_>>().join(", "),
                    MethodSet::UNSAFE
                        .names()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// The options (`responses(..)`, `cross_origin`, `body_limit = ".."`), checked, and the other
/// arguments.
fn take_options<'a>(args: &'a [Expr], errors: &Ctxt) -> (Options, Vec<&'a Expr>) {
    let mut options = Options::default();
    let mut rest = Vec::new();
    for arg in args {
        match arg {
            Expr::Call(call) if is_word(&call.func, "responses") => {
                for described in &call.args {
                    if let Some(response) = parse_response(described, errors) {
                        if options
                            .responses
                            .iter()
                            .any(|(status, _)| *status == response.0)
                        {
                            errors.push(syn::Error::new_spanned(
                                described,
                                format!("status {} is described twice: remove one", response.0),
                            ));
                        } else {
                            options.responses.push(response);
                        }
                    }
                }
            }
            Expr::Path(_) if is_word(arg, "cross_origin") => {
                if options.cross_origin.is_some() {
                    errors.push(syn::Error::new_spanned(
                        arg,
                        "`cross_origin` is written twice: remove this one",
                    ));
                }
                options.cross_origin = Some(arg.span());
            }
            Expr::Assign(assign) if is_word(&assign.left, "body_limit") => {
                if options.body_limit.is_some() {
                    errors.push(syn::Error::new_spanned(
                        arg,
                        "`body_limit` is written twice: remove this one",
                    ));
                }
                options.body_limit = Some(parse_body_limit(&assign.right, errors));
            }
            _ => rest.push(arg),
        }
    }
    (options, rest)
}

/// The size of `body_limit = "64 MiB"`, in bytes.
fn parse_body_limit(size: &Expr, errors: &Ctxt) -> Option<u64> {
    let Some(lit) = as_str(size) else {
        // A number of bytes: say it with its unit.
        let example = match size {
            Expr::Lit(ExprLit {
                lit: Lit::Int(bytes),
                ..
            }) => bytes.base10_parse::<u64>().ok(),
            _ => None,
        }
        .map_or_else(|| "64 MiB".to_owned(), carafe_core::size::show);
        errors.push(syn::Error::new_spanned(
            size,
            format!("write the body limit as a string with its unit: `body_limit = \"{example}\"`"),
        ));
        return None;
    };
    match carafe_core::size::parse(&lit.value()) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            errors.error(lit.span(), format!("body_limit: {error}"));
            None
        }
    }
}

/// One `404 = "No such item"` of `responses(..)`.
fn parse_response(arg: &Expr, errors: &Ctxt) -> Option<(u16, String)> {
    const FORM: &str = "write each response as `404 = \"what it means\"`";
    let Expr::Assign(assign) = arg else {
        errors.push(syn::Error::new_spanned(arg, FORM));
        return None;
    };
    let status = match crate::status::classify(&assign.left) {
        Some(Ok(status)) => Some(status),
        Some(Err(invalid)) => {
            errors.push(syn::Error::new_spanned(&assign.left, invalid.message));
            None
        }
        None => {
            errors.push(syn::Error::new_spanned(
                &assign.left,
                format!("expected a status literal such as 404: {FORM}"),
            ));
            None
        }
    };
    let description = match as_str(&assign.right) {
        Some(lit) => Some(lit.value()),
        None => {
            errors.push(syn::Error::new_spanned(
                &assign.right,
                format!("expected the response's description as a string literal: {FORM}"),
            ));
            None
        }
    };
    Some((status?, description?))
}

fn is_word(expr: &Expr, word: &str) -> bool {
    matches!(expr, Expr::Path(path) if path.path.is_ident(word))
}

/// Parses the argument of a shorthand such as `#[post("/path")]`: the path alone.
pub fn parse_shorthand(method: MethodSet, args: TokenStream, errors: &Ctxt) -> Option<RouteAttr> {
    let args = errors.ok(parse_list(args))?;
    let name = method_name(method);
    let attr = name.to_ascii_lowercase();
    let (path, rest) = split_path(&args, &attr, "\"/items\"", errors)?;
    let (options, rest) = take_options(rest, errors);
    if let Some(extra) = rest.first() {
        errors.push(syn::Error::new_spanned(
            extra,
            format!(
                "`#[{attr}]` names its method itself: for more methods, write \
                 `#[route({}, {}, ..)]`",
                quote::quote!(#path),
                name,
            ),
        ));
    }
    Some(options.into_attr(path, method))
}

fn parse_list(args: TokenStream) -> syn::Result<Vec<Expr>> {
    let parser = |input: ParseStream| Punctuated::<Expr, Token![,]>::parse_terminated(input);
    Ok(parser.parse2(args)?.into_iter().collect())
}

/// The path, which comes first, and the arguments after it; `None` after reporting why
/// there is no path.
fn split_path<'a>(
    args: &'a [Expr],
    attr: &str,
    example: &str,
    errors: &Ctxt,
) -> Option<(LitStr, &'a [Expr])> {
    match args.iter().position(|arg| as_str(arg).is_some()) {
        Some(0) => Some((as_str(&args[0]).cloned()?, &args[1..])),
        Some(index) => {
            let path = &args[index];
            errors.push(syn::Error::new_spanned(
                &args[0],
                format!(
                    "the path comes first: write `#[{attr}({}, ..)]`",
                    quote::quote!(#path)
                ),
            ));
            None
        }
        None => {
            let span = args.first().map_or_else(Span::call_site, Spanned::span);
            errors.push(syn::Error::new(
                span,
                format!("expected the path as a string literal: write `#[{attr}({example})]`"),
            ));
            None
        }
    }
}

fn as_str(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        _ => None,
    }
}

/// The methods one argument names, each with the span to blame if it is listed twice.
///
/// Usually one bare word; Flask's `methods=["GET", "POST"]` is reported with the carafe
/// spelling, and its methods left out: the route is refused anyway.
fn parse_methods(arg: &Expr, path: &LitStr, errors: &Ctxt) -> Vec<(MethodSet, Span)> {
    let word = match arg {
        Expr::Path(expr) if expr.attrs.is_empty() && expr.qself.is_none() => expr.path.get_ident(),
        _ => None,
    };
    if let Some(word) = word {
        return match parse_method(&word.to_string()) {
            Ok(method) => vec![(method, word.span())],
            Err(message) => {
                errors.push(syn::Error::new(word.span(), message));
                Vec::new()
            }
        };
    }
    if let Some(lit) = as_str(arg) {
        let message = match parse_method(&lit.value().to_ascii_uppercase()) {
            Ok(method) => format!(
                "methods are bare words, not strings: write `{}`",
                method_name(method)
            ),
            Err(message) => message,
        };
        errors.push(syn::Error::new(lit.span(), message));
        return Vec::new();
    }
    if let Expr::Assign(assign) = arg {
        if let Expr::Array(array) = &*assign.right {
            // Flask's `methods=[..]`: say how carafe spells it.
            let names: Vec<&str> = array
                .elems
                .iter()
                .filter_map(as_str)
                .filter_map(|lit| MethodSet::from_name(&lit.value().to_ascii_uppercase()))
                .map(method_name)
                .collect();
            errors.push(syn::Error::new_spanned(
                arg,
                format!(
                    "carafe lists the methods after the path, as bare words: \
                     write `#[route({}, {})]`",
                    quote::quote!(#path),
                    if names.is_empty() {
                        "GET".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
            return Vec::new();
        }
    }
    errors.push(syn::Error::new_spanned(
        arg,
        "expected a method such as `GET` or `POST`",
    ));
    Vec::new()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// The arguments, or every error message in order.
    fn route(args: TokenStream) -> Result<RouteAttr, Vec<String>> {
        finish(|errors| parse_route(args, errors))
    }

    fn shorthand(method: MethodSet, args: TokenStream) -> Result<RouteAttr, Vec<String>> {
        finish(|errors| parse_shorthand(method, args, errors))
    }

    fn finish(parse: impl FnOnce(&Ctxt) -> Option<RouteAttr>) -> Result<RouteAttr, Vec<String>> {
        let errors = Ctxt::new();
        let args = parse(&errors);
        match errors.check() {
            Ok(()) => Ok(args.expect("no error means arguments")),
            Err(error) => Err(error.into_iter().map(|error| error.to_string()).collect()),
        }
    }

    fn methods(args: TokenStream) -> Vec<&'static str> {
        match route(args) {
            Ok(args) => args.methods.names().collect(),
            Err(errors) => panic!("{errors:?}"),
        }
    }

    fn messages(result: Result<RouteAttr, Vec<String>>) -> Vec<String> {
        match result {
            Ok(args) => panic!("parsed {:?}", args.methods),
            Err(errors) => errors,
        }
    }

    #[test]
    fn path_and_methods() {
        let args = route(quote!("/items/<id>", GET, POST)).unwrap();
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, MethodSet::GET.union(MethodSet::POST));
        assert_eq!(
            methods(quote!("/", PUT, PATCH, DELETE, HEAD, OPTIONS,)),
            ["HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
        );
    }

    #[test]
    fn no_method_means_get() {
        assert_eq!(methods(quote!("/")), ["GET"]);
        assert_eq!(methods(quote!("/",)), ["GET"]);
    }

    #[test]
    fn shorthands() {
        let args = shorthand(MethodSet::DELETE, quote!("/items/<id>")).unwrap();
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, MethodSet::DELETE);
        assert_eq!(
            messages(shorthand(MethodSet::GET, quote!("/items", POST))),
            ["`#[get]` names its method itself: for more methods, write `#[route(\"/items\", GET, ..)]`"]
        );
        assert_eq!(
            messages(shorthand(MethodSet::POST, quote!())),
            ["expected the path as a string literal: write `#[post(\"/items\")]`"]
        );
    }

    #[test]
    fn unknown_methods() {
        assert_eq!(
            messages(route(quote!("/", PSOT))),
            ["unknown method `PSOT`: did you mean `POST`?"]
        );
        assert_eq!(
            messages(route(quote!("/", TRACE))),
            ["unknown method `TRACE`: write one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD` and `OPTIONS`"]
        );
    }

    #[test]
    fn lowercase_and_string_methods() {
        assert_eq!(
            messages(route(quote!("/", get, Post))),
            [
                "methods are written in uppercase: write `GET`",
                "methods are written in uppercase: write `POST`"
            ]
        );
        assert_eq!(
            messages(route(quote!("/", "GET", "post", "PSOT"))),
            [
                "methods are bare words, not strings: write `GET`",
                "methods are bare words, not strings: write `POST`",
                "unknown method `PSOT`: did you mean `POST`?"
            ]
        );
    }

    #[test]
    fn duplicate_method() {
        assert_eq!(
            messages(route(quote!("/", GET, POST, GET))),
            ["method `GET` is listed twice: remove this one"]
        );
    }

    #[test]
    fn flask_methods_list() {
        assert_eq!(
            messages(route(quote!("/userDetails", methods = ["GET", "POST"]))),
            ["carafe lists the methods after the path, as bare words: write `#[route(\"/userDetails\", GET, POST)]`"]
        );
    }

    #[test]
    fn path_missing_or_misplaced() {
        assert_eq!(
            messages(route(quote!())),
            ["expected the path as a string literal: write `#[route(\"/items\", GET)]`"]
        );
        assert_eq!(
            messages(route(quote!(GET))),
            ["expected the path as a string literal: write `#[route(\"/items\", GET)]`"]
        );
        assert_eq!(
            messages(route(quote!(GET, "/items"))),
            ["the path comes first: write `#[route(\"/items\", ..)]`"]
        );
    }

    #[test]
    fn other_arguments() {
        assert_eq!(
            messages(route(quote!("/", GET, 1 + 1))),
            ["expected a method such as `GET` or `POST`"]
        );
    }

    #[test]
    fn keeps_the_path_and_valid_methods_despite_errors() {
        let errors = Ctxt::new();
        let args =
            parse_route(quote!("/items/<id>", PSOT, DELETE), &errors).expect("the path is there");
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, MethodSet::DELETE);
        assert!(errors.check().is_err());
    }

    #[test]
    fn every_error_at_once() {
        assert_eq!(messages(route(quote!("/", PSOT, get, GET, GET))).len(), 3);
    }
}
