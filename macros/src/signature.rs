//! The handler's signature: which argument receives which path parameter, and which
//! arguments are extractors.

use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, LitStr, Pat, ReturnType, Signature, Type};

use carafe_core::converter::ParamType;
use carafe_core::path::ParsedPath;
use carafe_core::suggest;
use carafe_core::Converter;

use crate::ctxt::Ctxt;
use crate::span;

/// A handler the generated code can call.
pub struct Handler {
    pub name: Ident,
    pub is_async: bool,
    /// In the order the handler takes them.
    pub args: Vec<Arg>,
    /// Where the return type is, so "does not implement `IntoResponse`" points at it.
    pub output_span: Span,
    /// Where it takes a `WebSocketUpgrade`, if it does: the route opens WebSockets, over
    /// HTTP/1.1's GET and HTTP/2's CONNECT.
    pub websocket: Option<Span>,
}

pub struct Arg {
    /// The user's tokens, spans kept, so type errors point at the user's argument.
    pub ty: Type,
    pub source: Source,
}

pub enum Source {
    /// The path parameter at this index.
    PathParam(usize),
    /// Anything else: built by `FromRequestParts` or `FromRequest`.
    Extractor,
}

/// The path of the route, as written and as parsed.
#[derive(Clone, Copy)]
pub struct Route<'a> {
    pub lit: &'a LitStr,
    pub path: &'a ParsedPath<'a>,
}

impl Handler {
    /// The types of the arguments that are extractors, in order.
    pub fn extractors(&self) -> impl Iterator<Item = &Type> {
        self.args
            .iter()
            .filter(|arg| matches!(arg.source, Source::Extractor))
            .map(|arg| &arg.ty)
    }

    /// Checks the signature and matches its arguments to `route`'s parameters.
    ///
    /// Without a route (its path did not parse), only the shape of the signature is
    /// checked: matching arguments to a broken path would report noise.
    pub fn new(errors: &Ctxt, sig: &Signature, route: Option<Route>) -> Handler {
        check_shape(sig, errors);
        let mut args = Vec::with_capacity(sig.inputs.len());
        // The parameters an argument receives, or that an error about a misnamed argument
        // already names: those are not reported again as missing.
        let mut received = Vec::new();
        let mut websocket = None;
        for input in &sig.inputs {
            let FnArg::Typed(input) = input else {
                // `self`, reported by `check_shape`.
                continue;
            };
            let name = match &*input.pat {
                Pat::Ident(pat) => Some(&pat.ident),
                _ => None,
            };
            let index = route
                .zip(name)
                .and_then(|(route, name)| Some(route.path.param(&name.unraw().to_string())?.0));
            let source = match (route, name, index) {
                (Some(route), _, Some(index)) => {
                    received.push(index);
                    check_converter(route, index, &input.ty, errors);
                    Source::PathParam(index)
                }
                (Some(route), Some(name), None) if param_type(&input.ty).is_some() => {
                    let (error, meant) = not_a_param(route, name);
                    errors.push(error);
                    received.extend(meant);
                    Source::Extractor
                }
                _ => Source::Extractor,
            };
            let named = type_name(&input.ty);
            if named.as_deref() == Some("WebSocketUpgrade") {
                websocket.get_or_insert(input.ty.span());
            }
            if sig.asyncness.is_none() && named.as_deref() == Some("Multipart") {
                errors.push(syn::Error::new_spanned(
                    &input.ty,
                    format!(
                        "`Multipart` hands over the parts as they arrive, and only an `async fn` \
                         can await them: write `async fn {handler}`, or take `Form` and `Files` \
                         to have the whole form at once",
                        handler = sig.ident,
                    ),
                ));
            }
            args.push(Arg {
                ty: (*input.ty).clone(),
                source,
            });
        }
        if let Some(route) = route {
            for (index, param) in route.path.params().enumerate() {
                if !received.contains(&index) {
                    errors.push(syn::Error::new(
                        span::subspan(route.lit, param.range),
                        format!(
                            "path parameter `{name}` has no argument: \
                             add `{name}: {ty}` to `{handler}`",
                            name = param.name,
                            ty = suggested_type(param.converter),
                            handler = sig.ident,
                        ),
                    ));
                }
            }
        }
        Handler {
            websocket,
            name: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            args,
            output_span: match &sig.output {
                ReturnType::Type(_, ty) => ty.span(),
                ReturnType::Default => sig.ident.span(),
            },
        }
    }
}

/// What the generated code cannot call: methods, generic and `unsafe` functions.
fn check_shape(sig: &Signature, errors: &Ctxt) {
    let name = &sig.ident;
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            format!(
                "a route handler cannot be `unsafe fn`: remove `unsafe` from `{name}` and use \
                 an `unsafe` block inside it"
            ),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let generics = &sig.generics;
        errors.push(syn::Error::new_spanned(
            if generics.params.is_empty() {
                generics.where_clause.to_token_stream()
            } else {
                generics.to_token_stream()
            },
            format!(
                "a route handler cannot be generic: remove the generics from `{name}` and name \
                 concrete types"
            ),
        ));
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                format!(
                    "a route handler is a free function: move `{name}` out of the `impl` block, \
                     and reach shared data through a `State<T>` argument"
                ),
            )),
            FnArg::Typed(input) => {
                if let Type::ImplTrait(ty) = &*input.ty {
                    errors.push(syn::Error::new_spanned(
                        ty,
                        "`impl Trait` makes the handler generic: name the argument's concrete type",
                    ));
                }
            }
        }
    }
}

/// The argument `name` has a plain type, but no parameter of the path has its name: the
/// error, and the index of the parameter it suggests the argument was meant to receive.
fn not_a_param(route: Route, name: &Ident) -> (syn::Error, Option<usize>) {
    let written = name.unraw().to_string();
    let path = route.lit.value();
    let params = route.path.params().map(|param| param.name);
    let suggestion = suggest::closest(&written, params.clone());
    let meant = suggestion.and_then(|suggestion| Some(route.path.param(suggestion)?.0));
    let message = match suggestion {
        Some(suggestion) => {
            format!("`{written}` is not a path parameter of `{path}`: did you mean `{suggestion}`?")
        }
        None if route.path.param_ranges.is_empty() => format!(
            "`{written}` is not a path parameter: `{path}` has none; add `<{written}>` to the \
             path, or take an extractor such as `Form`, `Json`, `Query` or `State`"
        ),
        None => format!(
            "`{written}` is not a path parameter of `{path}`, whose parameters are {}: rename \
             the argument, add `<{written}>` to the path, or take an extractor such as `Form`, \
             `Json`, `Query` or `State`",
            suggest::and_list(params)
        ),
    };
    (syn::Error::new(name.span(), message), meant)
}

/// The converter of parameter `index` must be able to produce the argument's type, where
/// the type is one we know.
fn check_converter(route: Route, index: usize, ty: &Type, errors: &Ctxt) {
    let Some(param) = route.path.params().nth(index) else {
        return;
    };
    let Some(plain) = param_type(ty) else { return };
    let name = param.name;
    let converter = param.converter;
    if plain == ParamType::StrRef {
        errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "a path parameter is parsed into an owned value: declare `{name}: {}`",
                suggested_type(converter)
            ),
        ));
        return;
    }
    if converter.gives(plain) {
        return;
    }
    let declare: Vec<String> = converter
        .argument_types()
        .iter()
        .map(|ty| format!("`{name}: {ty}`"))
        .collect();
    let (written, for_what) = match plain.converter() {
        Some(fitting) => (
            format!("{}:", fitting.name()),
            fitting.gives_what().to_owned(),
        ),
        None => (String::new(), format!("a `{}`", ty.to_token_stream())),
    };
    errors.push(syn::Error::new_spanned(
        ty,
        format!(
            "`{}` gives {}: declare {}, or write `<{written}{name}>` for {for_what}",
            converter.param(name),
            converter.gives_what(),
            declare.join(" or "),
        ),
    ));
}

/// The type to suggest for a parameter with no argument.
fn suggested_type(converter: Converter) -> &'static str {
    converter.argument_types()[0]
}

/// The name of a plain type, written as a path without generics (`u32`, `std::string::String`),
/// through parentheses.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Paren(ty) => type_name(&ty.elem),
        Type::Group(ty) => type_name(&ty.elem),
        Type::Path(ty) if ty.qself.is_none() => {
            let last = ty.path.segments.last()?;
            last.arguments.is_none().then(|| last.ident.to_string())
        }
        _ => None,
    }
}

/// The type of an argument, if it is one a path parameter is usually parsed into (an argument
/// of such a type is meant to be a path parameter); carafe-core says which those are.
pub fn param_type(ty: &Type) -> Option<ParamType> {
    match ty {
        Type::Paren(ty) => param_type(&ty.elem),
        Type::Group(ty) => param_type(&ty.elem),
        Type::Reference(reference) => {
            (param_type(&reference.elem) == Some(ParamType::String)).then_some(ParamType::StrRef)
        }
        _ => ParamType::from_name(&type_name(ty)?),
    }
}

#[cfg(test)]
mod tests {
    use syn::ItemFn;

    use super::*;

    /// The handler `item` makes for a route on `path`, or every error message.
    fn handler(path: &str, item: &str) -> Result<Handler, Vec<String>> {
        let lit = LitStr::new(path, Span::call_site());
        let path = carafe_core::path::parse(path).expect("test paths are valid");
        let item: ItemFn = syn::parse_str(item).expect("test items parse");
        let errors = Ctxt::new();
        let handler = Handler::new(
            &errors,
            &item.sig,
            Some(Route {
                lit: &lit,
                path: &path,
            }),
        );
        checked(errors, handler)
    }

    fn checked(errors: Ctxt, handler: Handler) -> Result<Handler, Vec<String>> {
        errors
            .check()
            .map(|()| handler)
            .map_err(|error| error.into_iter().map(|error| error.to_string()).collect())
    }

    fn shape_only(item: &str) -> Result<Handler, Vec<String>> {
        let item: ItemFn = syn::parse_str(item).unwrap();
        let errors = Ctxt::new();
        let handler = Handler::new(&errors, &item.sig, None);
        checked(errors, handler)
    }

    fn sources(path: &str, item: &str) -> Vec<Option<usize>> {
        match handler(path, item) {
            Ok(handler) => handler
                .args
                .iter()
                .map(|arg| match arg.source {
                    Source::PathParam(index) => Some(index),
                    Source::Extractor => None,
                })
                .collect(),
            Err(errors) => panic!("{errors:?}"),
        }
    }

    fn errors(path: &str, item: &str) -> Vec<String> {
        match handler(path, item) {
            Ok(_) => panic!("`{item}` has no error"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn arguments_named_like_parameters_receive_them() {
        assert_eq!(
            sources(
                "/items/<int:item_id>/<name>",
                "async fn get_item(items: State<Items>, name: String, item_id: u32) {}"
            ),
            [None, Some(1), Some(0)]
        );
        let index = handler("/", "async fn index() {}").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(index.is_async);
        assert_eq!(index.name, "index");
        assert!(!handler("/", "fn index() {}").is_ok_and(|handler| handler.is_async));
    }

    #[test]
    fn other_arguments_are_extractors() {
        assert_eq!(
            sources(
                "/users/<id>",
                "fn f(Json(body): Json<User>, mut form: Form, _: Request, id: String) {}"
            ),
            [None, None, None, Some(0)]
        );
        // A plain type that matches no parameter, behind a pattern: an extractor, as written.
        assert_eq!(sources("/", "fn f((a, b): (u32, u32)) {}"), [None]);
    }

    #[test]
    fn raw_identifiers_match_keywords() {
        assert_eq!(sources("/<type>", "fn f(r#type: String) {}"), [Some(0)]);
    }

    #[test]
    fn converters_agree_with_plain_types() {
        for (path, ty) in [
            ("/<int:x>", "u8"),
            ("/<int:x>", "i128"),
            ("/<float:x>", "f32"),
            ("/<uuid:x>", "Uuid"),
            ("/<uuid:x>", "uuid::Uuid"),
            ("/<uuid:x>", "String"),
            ("/<path:x>", "String"),
            ("/<path:x>", "std::path::PathBuf"),
            ("/<x>", "bool"),
            ("/<x>", "u64"),
            ("/<string:x>", "MyType"),
            ("/<int:x>", "MyId"),
        ] {
            assert_eq!(
                sources(path, &format!("fn f(x: {ty}) {{}}")),
                [Some(0)],
                "{path} {ty}"
            );
        }
    }

    #[test]
    fn converter_mismatch() {
        assert_eq!(
            errors("/items/<int:id>", "fn f(id: String) {}"),
            ["`<int:id>` gives an integer: declare `id: u64`, or write `<id>` for a `String`"]
        );
        assert_eq!(
            errors("/<float:x>", "fn f(x: u32) {}"),
            ["`<float:x>` gives a float: declare `x: f64`, or write `<int:x>` for an integer"]
        );
        assert_eq!(
            errors("/<uuid:id>", "fn f(id: u64) {}"),
            ["`<uuid:id>` gives a UUID: declare `id: Uuid` or `id: String`, or write `<int:id>` for an integer"]
        );
        assert_eq!(
            errors("/<path:rest>", "fn f(rest: Uuid) {}"),
            ["`<path:rest>` gives the rest of the path: declare `rest: String` or `rest: PathBuf`, or write `<uuid:rest>` for a UUID"]
        );
        assert_eq!(
            errors("/<int:on>", "fn f(on: bool) {}"),
            ["`<int:on>` gives an integer: declare `on: u64`, or write `<on>` for a `bool`"]
        );
    }

    #[test]
    fn borrowed_parameters() {
        assert_eq!(
            errors("/<name>", "fn f(name: &str) {}"),
            ["a path parameter is parsed into an owned value: declare `name: String`"]
        );
        assert_eq!(
            errors("/<int:id>", "fn f(id: &'static str) {}"),
            ["a path parameter is parsed into an owned value: declare `id: u64`"]
        );
    }

    #[test]
    fn parameter_without_argument() {
        assert_eq!(
            errors("/items/<item_id>", "fn get_item() {}"),
            ["path parameter `item_id` has no argument: add `item_id: String` to `get_item`"]
        );
        assert_eq!(
            errors("/<int:a>/<float:b>/<uuid:c>", "fn f(a: u64) {}"),
            [
                "path parameter `b` has no argument: add `b: f64` to `f`",
                "path parameter `c` has no argument: add `c: Uuid` to `f`",
            ]
        );
    }

    #[test]
    fn plain_argument_without_parameter() {
        assert_eq!(
            errors("/items/<item_id>", "fn get_item(itemid: String) {}"),
            ["`itemid` is not a path parameter of `/items/<item_id>`: did you mean `item_id`?"]
        );
        assert_eq!(
            errors("/items", "fn f(id: u32) {}"),
            [
                "`id` is not a path parameter: `/items` has none; add `<id>` to the path, or take \
              an extractor such as `Form`, `Json`, `Query` or `State`"
            ]
        );
        assert_eq!(
            errors("/items/<item_id>", "fn f(item_id: String, count: &str) {}"),
            [
                "`count` is not a path parameter of `/items/<item_id>`, whose parameters are \
              `item_id`: rename the argument, add `<count>` to the path, or take an extractor \
              such as `Form`, `Json`, `Query` or `State`"
            ]
        );
    }

    #[test]
    fn shapes_the_generated_code_cannot_call() {
        assert_eq!(
            errors("/", "fn f(&self) {}"),
            [
                "a route handler is a free function: move `f` out of the `impl` block, and reach \
              shared data through a `State<T>` argument"
            ]
        );
        assert_eq!(
            errors("/", "fn f<T>(t: State<T>) {}"),
            ["a route handler cannot be generic: remove the generics from `f` and name concrete types"]
        );
        assert_eq!(
            errors("/", "fn f() where u8: Copy {}"),
            ["a route handler cannot be generic: remove the generics from `f` and name concrete types"]
        );
        assert_eq!(
            errors("/", "fn f(x: impl Extract) {}"),
            ["`impl Trait` makes the handler generic: name the argument's concrete type"]
        );
        assert_eq!(
            errors("/", "unsafe fn f() {}"),
            [
                "a route handler cannot be `unsafe fn`: remove `unsafe` from `f` and use an \
              `unsafe` block inside it"
            ]
        );
    }

    #[test]
    fn without_a_path_only_the_shape_is_checked() {
        assert!(shape_only("fn f(itemid: String) {}").is_ok());
        assert!(shape_only("fn f(self) {}").is_err());
    }
}
