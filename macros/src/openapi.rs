//! What `#[route]` tells the OpenAPI document about a handler: its doc comment, the responses
//! its body shows and `responses(..)` describes, and a function in which its extractors and
//! return type describe themselves, given the schemas of the type arguments they are written
//! with.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::{GenericArgument, PathArguments, ReturnType, Type};

use crate::model::Route;

/// The `RouteDoc` of a route that passed its checks.
pub fn route_doc(route: &Route) -> TokenStream {
    let (summary, description) = &route.doc;
    let responses = route.responses.iter().map(|(status, media)| {
        let media = quote::format_ident!("{}", format!("{media:?}"));
        quote!((#status, ::carafe::__private::Media::#media))
    });
    let described = route
        .attr
        .iter()
        .flat_map(|attr| &attr.responses)
        .map(|(status, text)| quote!((#status, #text)));
    // Each extractor and the return type describe themselves through their traits, given
    // the schemas of the type arguments they are written with: the macro knows no type. Named
    // as the handler's code names them, so that a type that is no extractor or no response
    // is reported once, by that code.
    let extractors = route.handler.extractors().map(|ty| {
        let arguments = type_arguments(ty);
        quote! {
            operation.describe_written(
                #arguments,
                <#ty as ::carafe::__private::Extractor<_>>::describe,
            );
        }
    });
    let returned = match &route.item.sig.output {
        ReturnType::Type(_, ty) if nameable(ty) => {
            let arguments = type_arguments(ty);
            Some(quote! {
                (&::carafe::__private::ReturnProbe::<#ty>::NEW).describe_return(
                    operation,
                    #arguments,
                );
            })
        }
        _ => None,
    };
    let reports = extractors.chain(returned);
    quote! {
        &::carafe::__private::RouteDoc {
            summary: #summary,
            description: #description,
            responses: &[#(#responses),*],
            described: &[#(#described),*],
            operation: {
                fn __carafe_operation(operation: &mut ::carafe::__private::Operation<'_>) {
                    #[allow(unused_imports)]
                    use ::carafe::__private::{
                        DescribesNothing as _, DescribesReturn as _, WithSchema as _,
                        WithoutSchema as _,
                    };
                    #(#reports)*
                }
                __carafe_operation
            },
            in_document: true,
        }
    }
}

/// The schemas of the type arguments `ty` is written with (`T` of `Json<T>`), each with its
/// own, as a `&'static [TypeArgument]`.
fn type_arguments(ty: &Type) -> TokenStream {
    let arguments = written_arguments(ty).into_iter().map(|argument| {
        let nested = type_arguments(argument);
        quote! {
            ::carafe::__private::TypeArgument {
                schema: |schemas| {
                    (&::carafe::__private::Probe::<#argument>::NEW).schema(schemas)
                },
                inline_schema: |schemas| {
                    (&::carafe::__private::Probe::<#argument>::NEW).inline_schema(schemas)
                },
                arguments: #nested,
            }
        }
    });
    quote! {{
        const ARGUMENTS: &[::carafe::__private::TypeArgument] = &[#(#arguments),*];
        ARGUMENTS
    }}
}

/// The type arguments of a path type as written (`T` of `Json<T>`, `T, E` of
/// `Result<T, E>`), those a schema can be found for: none that holds `impl Trait` or `_`.
fn written_arguments(ty: &Type) -> Vec<&Type> {
    match ty {
        Type::Path(path) => match path.path.segments.last().map(|segment| &segment.arguments) {
            Some(PathArguments::AngleBracketed(arguments)) => arguments
                .args
                .iter()
                .filter_map(|argument| match argument {
                    GenericArgument::Type(ty) if nameable(ty) => Some(ty),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        Type::Group(group) => written_arguments(&group.elem),
        Type::Paren(paren) => written_arguments(&paren.elem),
        _ => Vec::new(),
    }
}

/// Whether `ty` can be named in the generated code: `impl Trait` and `_` cannot.
fn nameable(ty: &Type) -> bool {
    fn nameable_tokens(tokens: TokenStream) -> bool {
        tokens.into_iter().all(|token| match token {
            TokenTree::Ident(ident) => ident != "impl" && ident != "_",
            TokenTree::Group(group) => nameable_tokens(group.stream()),
            _ => true,
        })
    }
    !matches!(ty, Type::Infer(_)) && nameable_tokens(ty.to_token_stream())
}
