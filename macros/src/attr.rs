//! The arguments of `#[route("/path", GET, POST)]` and of the shorthands `#[get("/path")]`, ….

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Token};

use crate::errors::Errors;
use crate::suggest;

/// What the attribute says: the path, still a literal so errors can point into it, and the
/// methods.
pub struct RouteArgs {
    pub path: LitStr,
    /// Never empty: a route without methods answers GET, as in Flask.
    pub methods: Vec<Method>,
}

/// The methods carafe routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Method {
    const ALL: [Method; 7] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
        Method::Options,
    ];

    /// The name as written in `#[route]`, which is also the runtime's `MethodSet` constant.
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|method| method.name() == name)
    }

    /// The method `name` stands for, or a message naming the fix.
    fn parse(name: &str) -> Result<Method, String> {
        if let Some(method) = Method::from_name(name) {
            return Ok(method);
        }
        if let Some(method) = Method::from_name(&name.to_ascii_uppercase()) {
            return Err(format!(
                "methods are written in uppercase: write `{}`",
                method.name()
            ));
        }
        let names = Method::ALL.map(Method::name);
        Err(match suggest::closest(name, names) {
            Some(suggestion) => format!("unknown method `{name}`: did you mean `{suggestion}`?"),
            None => format!(
                "unknown method `{name}`: write one of {}",
                suggest::and_list(names)
            ),
        })
    }
}

/// Parses the arguments of `#[route(..)]`: the path, then any number of methods.
///
/// Returns the path and the valid methods whenever there is a path, so that a wrong method
/// does not hide the errors of the path and the handler.
pub fn parse_route(args: TokenStream, errors: &mut Errors) -> Option<RouteArgs> {
    let args = errors.ok(parse_list(args))?;
    let (path, rest) = split_path(&args, "route", "\"/items\", GET", errors)?;
    let mut methods: Vec<Method> = Vec::new();
    for arg in rest {
        for (method, span) in parse_methods(arg, &path, errors) {
            if methods.contains(&method) {
                errors.push(syn::Error::new(
                    span,
                    format!(
                        "method `{}` is listed twice: remove this one",
                        method.name()
                    ),
                ));
            } else {
                methods.push(method);
            }
        }
    }
    if rest.is_empty() {
        methods.push(Method::Get);
    }
    Some(RouteArgs { path, methods })
}

/// Parses the argument of a shorthand such as `#[post("/path")]`: the path alone.
pub fn parse_shorthand(
    method: Method,
    args: TokenStream,
    errors: &mut Errors,
) -> Option<RouteArgs> {
    let args = errors.ok(parse_list(args))?;
    let attr = method.name().to_ascii_lowercase();
    let (path, rest) = split_path(&args, &attr, "\"/items\"", errors)?;
    if let Some(extra) = rest.first() {
        errors.push(syn::Error::new_spanned(
            extra,
            format!(
                "`#[{attr}]` takes only the path: for more methods, write \
                 `#[route({}, {}, ..)]`",
                quote::quote!(#path),
                method.name(),
            ),
        ));
    }
    Some(RouteArgs {
        path,
        methods: vec![method],
    })
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
    errors: &mut Errors,
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
/// spelling, and its methods kept so the duplicate check still sees them.
fn parse_methods(arg: &Expr, path: &LitStr, errors: &mut Errors) -> Vec<(Method, Span)> {
    let word = match arg {
        Expr::Path(expr) if expr.attrs.is_empty() && expr.qself.is_none() => expr.path.get_ident(),
        _ => None,
    };
    if let Some(word) = word {
        return match Method::parse(&word.to_string()) {
            Ok(method) => vec![(method, word.span())],
            Err(message) => {
                errors.push(syn::Error::new(word.span(), message));
                Vec::new()
            }
        };
    }
    if let Some(lit) = as_str(arg) {
        let message = match Method::parse(&lit.value().to_ascii_uppercase()) {
            Ok(method) => format!(
                "methods are bare words, not strings: write `{}`",
                method.name()
            ),
            Err(message) => message,
        };
        errors.push(syn::Error::new(lit.span(), message));
        return Vec::new();
    }
    if let Expr::Assign(assign) = arg {
        if let Expr::Array(array) = &*assign.right {
            // Flask's `methods=[..]`: say how carafe spells it.
            let methods: Vec<Method> = array
                .elems
                .iter()
                .filter_map(as_str)
                .filter_map(|lit| Method::from_name(&lit.value().to_ascii_uppercase()))
                .collect();
            let names: Vec<&str> = methods.iter().map(|method| method.name()).collect();
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
    fn route(args: TokenStream) -> Result<RouteArgs, Vec<String>> {
        finish(|errors| parse_route(args, errors))
    }

    fn shorthand(method: Method, args: TokenStream) -> Result<RouteArgs, Vec<String>> {
        finish(|errors| parse_shorthand(method, args, errors))
    }

    fn finish(
        parse: impl FnOnce(&mut Errors) -> Option<RouteArgs>,
    ) -> Result<RouteArgs, Vec<String>> {
        let mut errors = Errors::default();
        let args = parse(&mut errors);
        match errors.finish() {
            Ok(()) => Ok(args.expect("no error means arguments")),
            Err(error) => Err(error.into_iter().map(|error| error.to_string()).collect()),
        }
    }

    fn methods(args: TokenStream) -> Vec<&'static str> {
        match route(args) {
            Ok(args) => args.methods.into_iter().map(Method::name).collect(),
            Err(errors) => panic!("{errors:?}"),
        }
    }

    fn messages(result: Result<RouteArgs, Vec<String>>) -> Vec<String> {
        match result {
            Ok(args) => panic!("parsed {:?}", args.methods),
            Err(errors) => errors,
        }
    }

    #[test]
    fn path_and_methods() {
        let args = route(quote!("/items/<id>", GET, POST)).unwrap();
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, [Method::Get, Method::Post]);
        assert_eq!(
            methods(quote!("/", PUT, PATCH, DELETE, HEAD, OPTIONS,)),
            ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        );
    }

    #[test]
    fn no_method_means_get() {
        assert_eq!(methods(quote!("/")), ["GET"]);
        assert_eq!(methods(quote!("/",)), ["GET"]);
    }

    #[test]
    fn shorthands() {
        let args = shorthand(Method::Delete, quote!("/items/<id>")).unwrap();
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, [Method::Delete]);
        assert_eq!(
            messages(shorthand(Method::Get, quote!("/items", POST))),
            ["`#[get]` takes only the path: for more methods, write `#[route(\"/items\", GET, ..)]`"]
        );
        assert_eq!(
            messages(shorthand(Method::Post, quote!())),
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
        let mut errors = Errors::default();
        let args = parse_route(quote!("/items/<id>", PSOT, DELETE), &mut errors)
            .expect("the path is there");
        assert_eq!(args.path.value(), "/items/<id>");
        assert_eq!(args.methods, [Method::Delete]);
        assert!(!errors.is_empty());
    }

    #[test]
    fn every_error_at_once() {
        assert_eq!(messages(route(quote!("/", PSOT, get, GET, GET))).len(), 3);
    }
}
