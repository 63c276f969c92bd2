//! What `#[route]` tells the OpenAPI document about a handler: its doc comment, the responses
//! its body shows and `responses(..)` describes, and a function reporting its request body,
//! query and `Json` return type with their schemas.

use proc_macro2::TokenStream;
use quote::quote;
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
    let reports = route
        .handler
        .extractors()
        .filter_map(extractor_report)
        .chain(returns(&route.item.sig.output));
    quote! {
        ::core::option::Option::Some(&::carafe::__private::RouteDoc {
            summary: #summary,
            description: #description,
            responses: &[#(#responses),*],
            described: &[#(#described),*],
            operation: {
                fn __carafe_operation(operation: &mut ::carafe::__private::Operation<'_>) {
                    #[allow(unused_imports)]
                    use ::carafe::__private::{WithSchema as _, WithoutSchema as _};
                    #(#reports)*
                }
                __carafe_operation
            },
        })
    }
}

/// What an extractor argument says of the request: a body of `Json<T>`, `Form<T>`, `Form` or
/// `Bytes`, or a `Query<T>`. Read from the type as written, as the rest of the macro does.
fn extractor_report(ty: &Type) -> Option<TokenStream> {
    let (name, inner) = last_segment(ty)?;
    let schema = |method| {
        inner.map(|inner| {
            quote! {
                let schema = (&::carafe::__private::Probe::<#inner>::NEW)
                    .#method(operation.schemas());
            }
        })
    };
    match (name.as_str(), inner) {
        ("Json", Some(_)) => {
            let schema = schema(quote!(schema));
            Some(quote!({ #schema operation.request_json(schema); }))
        }
        ("Form", Some(_)) => {
            let schema = schema(quote!(schema));
            Some(quote!({ #schema operation.request_form(schema); }))
        }
        ("Form", None) => Some(quote!(operation.request_form_fields();)),
        ("Query", Some(_)) => {
            let schema = schema(quote!(inline_schema));
            Some(quote!({ #schema operation.query(schema); }))
        }
        ("Bytes", None) => Some(quote!(operation.request_bytes();)),
        _ => None,
    }
}

/// What the return type says: a `Json<T>` answered, alone or as the `Ok` of a `Result`, and
/// a server error for a `Result`'s `Err`.
fn returns(output: &ReturnType) -> Option<TokenStream> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let fails = matches!(last_segment(ty), Some((name, _)) if name == "Result")
        .then(|| quote!(operation.may_fail();));
    let json = returns_json(ty);
    (fails.is_some() || json.is_some()).then(|| quote!(#fails #json))
}

/// A `Json<T>` the handler returns, alone or as the `Ok` of a `Result`.
fn returns_json(ty: &Type) -> Option<TokenStream> {
    let json = match last_segment(ty)? {
        (name, Some(inner)) if name == "Result" => match last_segment(inner)? {
            (name, Some(json)) if name == "Json" => json,
            _ => return None,
        },
        (name, Some(json)) if name == "Json" => json,
        _ => return None,
    };
    Some(quote! {{
        let schema = (&::carafe::__private::Probe::<#json>::NEW).schema(operation.schemas());
        operation.returns_json(schema);
    }})
}

/// A path type's last name, and its first type argument if it has one.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    let inner = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        }),
        _ => None,
    };
    Some((segment.ident.to_string(), inner))
}
