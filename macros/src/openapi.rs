//! What `#[route]` tells the OpenAPI document about a handler: its doc comment, the responses
//! its body shows and `responses(..)` describes, and a function in which its extractors and
//! return type describe themselves, given the schemas of the type arguments they are written
//! with.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, GenericArgument, PathArguments, ReturnType, Type};

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
        ReturnType::Type(_, ty) => {
            let ty = named(ty);
            let arguments = type_arguments(&ty);
            Some(quote! {
                (&::carafe::__private::Probe::<#ty>::NEW).describe_return(
                    operation,
                    #arguments,
                );
            })
        }
        ReturnType::Default => None,
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
/// `Result<T, E>`).
fn written_arguments(ty: &Type) -> Vec<&Type> {
    match ty {
        Type::Path(path) => match path.path.segments.last().map(|segment| &segment.arguments) {
            Some(PathArguments::AngleBracketed(arguments)) => arguments
                .args
                .iter()
                .filter_map(|argument| match argument {
                    GenericArgument::Type(ty) => Some(ty),
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

/// `ty` as the generated code can name it: each `impl Trait` (or `_`) in it becomes
/// `Opaque`, a response of which nothing is known, so the rest still describes itself in
/// its place (`Result<impl IntoResponse, E>` still answers 500 for its errors).
fn named(ty: &Type) -> Type {
    struct Opaque;
    impl VisitMut for Opaque {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if matches!(ty, Type::ImplTrait(_) | Type::Infer(_)) {
                *ty = parse_quote!(::carafe::__private::Opaque);
            } else {
                visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut named = ty.clone();
    Opaque.visit_type_mut(&mut named);
    named
}
