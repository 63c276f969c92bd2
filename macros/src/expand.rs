//! `#[route]`'s expansion: the handler, unchanged but for fixed status literals, and beside it
//! a hidden struct of the same name whose `Route` impl describes the route to the runtime as
//! `const` data. Everything here was parsed and checked before, in `model`.

use carafe_core::path::Part;
use carafe_core::{Converter, MethodSet};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::model::Route;
use crate::openapi;
use crate::signature::{param_type, Handler, Source};
use crate::url_for;

/// The tokens of a route: its item and its definition, then `errors` (the compile errors of
/// the checks, if any). With errors, the generated handler is a stub, so that they are not
/// followed by type errors about code the user did not write.
pub fn route(route: &Route, errors: Option<TokenStream>) -> TokenStream {
    let item = &route.item;
    if item.sig.receiver().is_some() {
        // A method, refused by the checks: it sits in an `impl` block, where the struct and
        // impl below cannot be declared, and would only add rustc's errors to ours.
        return quote!(#item #errors);
    }
    let ((handler_fns, handler), needs, doc) = match errors {
        None => (
            handler_fn(&route.handler),
            needs_fn(route.handler.extractors()),
            openapi::route_doc(route),
        ),
        Some(_) => (
            (
                quote! {
                    static __CARAFE_PACE: ::carafe::__private::Pace =
                        ::carafe::__private::Pace::new();
                    fn __carafe_at_once(
                        _: &mut ::carafe::__private::RequestContext,
                    ) -> ::carafe::__private::Response {
                        ::core::unreachable!()
                    }
                },
                quote!(::carafe::__private::Handler::AtOnce(
                    __carafe_at_once,
                    &__CARAFE_PACE
                )),
            ),
            needs_fn(std::iter::empty()),
            quote!(&::carafe::__private::RouteDoc::UNKNOWN),
        ),
    };
    let name = &item.sig.ident;
    let vis = &item.vis;
    let handler_name = LitStr::new(&name.unraw().to_string(), name.span());
    let line = quote_spanned!(name.span()=> ::core::line!());
    let path_lit = route.attr.map_or_else(
        || LitStr::new("", Span::call_site()),
        |attr| attr.path.clone(),
    );
    let typed_parts = route
        .path
        .as_ref()
        .map(|path| parts_as_taken(&path.parts, &route.handler))
        .unwrap_or_default();
    let parts: Vec<TokenStream> = typed_parts.iter().map(part).collect();
    let signed: Vec<&str> = typed_parts
        .iter()
        .filter_map(|part| match *part {
            Part::Param {
                name,
                converter: Converter::SignedInt,
            } => Some(name),
            _ => None,
        })
        .collect();
    // Without a path there is no route: no method either, so that it cannot clash with
    // another broken route in `routes![..]`.
    let mut methods = method_set(match (route.attr, &route.path) {
        (Some(attr), Some(_)) => attr.methods,
        _ => MethodSet::EMPTY,
    });
    // HTTP/2 opens a WebSocket with an extended CONNECT (RFC 8441), which no route names.
    let websocket = route.handler.websocket.is_some() && route.path.is_some();
    if websocket {
        methods = quote!(#methods.union(::carafe::__private::MethodSet::CONNECT));
    }
    let cross_origin = route.attr.is_some_and(|attr| attr.cross_origin.is_some());
    let body_limit = match route.attr.and_then(|attr| attr.body_limit) {
        Some(bytes) => quote!(::core::option::Option::Some(#bytes)),
        None => quote!(::core::option::Option::None),
    };
    let url_for = url_for::hidden_macro(name, &path_lit, &signed);
    // `url_for!` imports the struct to find the handler, wherever in the crate it is named
    // from, as it reaches the hidden macro: so the struct is seen at least as widely.
    let struct_vis = match vis {
        syn::Visibility::Public(_) => quote!(#vis),
        _ => quote!(pub(crate)),
    };

    quote! {
        #item

        #url_for

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #struct_vis struct #name {}

        impl ::carafe::__private::Route for #name {
            const ROUTE: ::carafe::__private::RouteDef = {
                #handler_fns
                ::carafe::__private::RouteDef {
                    handler_name: #handler_name,
                    module_path: ::core::module_path!(),
                    file: ::core::file!(),
                    line: #line,
                    path: #path_lit,
                    parts: &[#(#parts),*],
                    methods: #methods,
                    cross_origin: #cross_origin,
                    websocket: #websocket,
                    body_limit: #body_limit,
                    needs: #needs,
                    handler: #handler,
                    doc: #doc,
                }
            };
        }

        #errors
    }
}

/// The functions the router calls, and the `Handler` that names the one it calls: each
/// extracts the arguments, calls the handler, converts its value into a response. An
/// extractor that fails answers in the handler's place.
fn handler_fn(handler: &Handler) -> (TokenStream, TokenStream) {
    let name = &handler.name;
    let vars: Vec<_> = (0..handler.args.len())
        .map(|index| format_ident!("__carafe_arg{}", index))
        .collect();
    // Each argument's extraction, awaited or at once. Spanned on the argument's type, so
    // that a type that is no extractor, or that a parameter cannot be parsed into, is
    // reported there, once: each use names the same trait on the same type.
    let extract = |awaited: bool| {
        handler.args.iter().zip(&vars).map(move |(arg, var)| {
            let ty = &arg.ty;
            let value = match arg.source {
                Source::PathParam(index) => quote_spanned! {ty.span()=>
                    ctx.path_param::<#ty>(#index)
                },
                Source::Extractor if awaited => {
                    // The await is spanned from the type's first token to its last, as its
                    // path is: an argument that is no extractor is then one error, not two.
                    let (first, last) = first_and_last_spans(ty);
                    let open = quote_spanned!(first=> <);
                    let extract = quote_spanned!(last=> extract(&mut ctx).await);
                    quote!(#open #ty as ::carafe::__private::Extractor<_>>::#extract)
                }
                Source::Extractor => quote! {
                    <#ty as ::carafe::__private::Extractor<_>>::extract_at_once(ctx)
                },
            };
            quote! {
                let #var: #ty = match #value {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(response) => return response,
                };
            }
        })
    };
    let extractors: Vec<_> = handler.extractors().collect();
    // Only an awaited extractor takes the request mutably.
    let ctx = if extractors.is_empty() {
        quote!(ctx)
    } else {
        quote!(mut ctx)
    };
    let await_ = handler.is_async.then(|| quote!(.await));
    let respond = quote_spanned! {handler.output_span=>
        ::carafe::__private::IntoResponse::into_response_for(#name(#(#vars),*) #await_, ctx.parts())
    };
    // A plain handler that had to await its arguments is called where its `Pace` says: in
    // place, or on the blocking pool, which takes the arguments and the request with it.
    let answer_awaited = if handler.is_async {
        respond.clone()
    } else {
        quote! {
            let __carafe_call = move |ctx: &::carafe::__private::RequestContext| #respond;
            if __CARAFE_PACE.in_place() {
                ::carafe::__private::answer_plain_in_place(&__CARAFE_PACE, &ctx, __carafe_call)
            } else {
                ::carafe::__private::answer_plain_on_pool(&__CARAFE_PACE, ctx, __carafe_call).await
            }
        }
    };
    let awaited = {
        let extract = extract(true);
        quote! {
            fn __carafe_awaited(
                #ctx: ::carafe::__private::RequestContext,
            ) -> ::carafe::__private::PendingResponse {
                ::std::boxed::Box::pin(async move {
                    #(#extract)*
                    #answer_awaited
                })
            }
        }
    };
    // How a plain handler has been seen to answer: one for the route, whichever of its
    // functions the router calls.
    let pace = quote! {
        static __CARAFE_PACE: ::carafe::__private::Pace = ::carafe::__private::Pace::new();
    };
    // A plain `fn` whose extractors, if any, all read the request head alone has nothing to
    // await: it runs at once, reading the request in place (the app catches its panics around
    // this call), sparing the boxed future. One whose extractors await the body alone runs
    // the same way once the app has read the body. Which extractors those are is known from
    // their types, as constants: the function not chosen is never called.
    let at_once = {
        let extract = extract(false);
        quote! {
            fn __carafe_at_once(
                ctx: &mut ::carafe::__private::RequestContext,
            ) -> ::carafe::__private::Response {
                #(#extract)*
                #respond
            }
        }
    };
    let at_once_handler = quote!(::carafe::__private::Handler::AtOnce(
        __carafe_at_once,
        &__CARAFE_PACE
    ));
    let awaited_handler = quote!(::carafe::__private::Handler::Awaited(__carafe_awaited));
    if handler.is_async {
        (awaited, awaited_handler)
    } else if extractors.is_empty() {
        (quote!(#pace #at_once), at_once_handler)
    } else {
        let at_once_each = extractors.iter().map(|ty| {
            quote! { <#ty as ::carafe::__private::Extractor<_>>::AT_ONCE }
        });
        let after_body_each = extractors.iter().map(|ty| {
            quote! { <#ty as ::carafe::__private::Extractor<_>>::AFTER_BODY }
        });
        (
            quote!(#pace #at_once #awaited),
            quote! {
                if #(#at_once_each)&&* {
                    #at_once_handler
                } else if #(#after_body_each)&&* {
                    ::carafe::__private::Handler::AfterBody(__carafe_at_once, &__CARAFE_PACE)
                } else {
                    #awaited_handler
                }
            },
        )
    }
}

/// The spans of the first and last tokens of `ty`: stable Rust cannot join them into one, but
/// an expression that starts at the first and ends at the last spans the whole type.
fn first_and_last_spans(ty: &syn::Type) -> (Span, Span) {
    let mut tokens = quote::ToTokens::to_token_stream(ty).into_iter();
    let first = tokens
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    let last = tokens.last().map_or(first, |token| token.span());
    (first, last)
}

/// The function in which each extractor declares what it needs from the app (`State<T>` a
/// `T`), for the app to check before it serves.
fn needs_fn<'a>(extractors: impl Iterator<Item = &'a Type>) -> TokenStream {
    let needs = extractors.map(|ty| {
        quote! { <#ty as ::carafe::__private::Extractor<_>>::needs(needs); }
    });
    quote! {{
        fn __carafe_needs(needs: &mut ::carafe::__private::Needs<'_>) {
            #(#needs)*
        }
        __carafe_needs
    }}
}

/// The path's parts, each converter as its argument takes it: an `int` whose argument is a
/// signed integer takes `-2` (carafe-core's `Converter::for_argument`).
fn parts_as_taken<'p>(parts: &[Part<'p>], handler: &Handler) -> Vec<Part<'p>> {
    let mut index = 0;
    parts
        .iter()
        .map(|part| match *part {
            Part::Param { name, converter } => {
                let argument = handler.args.iter().find_map(|arg| match arg.source {
                    Source::PathParam(at) if at == index => param_type(&arg.ty),
                    _ => None,
                });
                index += 1;
                Part::Param {
                    name,
                    converter: converter.for_argument(argument),
                }
            }
            other => other,
        })
        .collect()
}

/// One part of the path as `const` data.
fn part(part: &Part) -> TokenStream {
    match *part {
        Part::Static(text) => quote!(::carafe::__private::Part::Static(#text)),
        Part::Param { name, converter } => {
            let converter = format_ident!("{converter:?}");
            quote! {
                ::carafe::__private::Part::Param {
                    name: #name,
                    converter: ::carafe::__private::Converter::#converter,
                }
            }
        }
    }
}

/// `MethodSet::GET.union(MethodSet::POST)`: `union` is a `const fn`, so this is a constant.
fn method_set(methods: MethodSet) -> TokenStream {
    let mut methods = methods.names().map(|name| format_ident!("{}", name));
    let Some(first) = methods.next() else {
        return quote!(::carafe::__private::MethodSet::EMPTY);
    };
    let mut set = quote!(::carafe::__private::MethodSet::#first);
    for method in methods {
        set = quote!(#set.union(::carafe::__private::MethodSet::#method));
    }
    set
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::attr;
    use crate::ctxt::Ctxt;

    /// The expansion of `#[route(args)] item`, without whitespace, so that tests can look
    /// for pieces of it.
    fn expand(args: TokenStream, item: TokenStream) -> String {
        let cx = Ctxt::new();
        let attr = attr::parse_route(args, &cx);
        crate::route_with(cx, attr, item)
            .to_string()
            .replace(' ', "")
    }

    #[test]
    fn describes_the_route() {
        let out = expand(
            quote!("/items/<int:item_id>", GET, POST),
            quote! {
                pub async fn get_item(item_id: u32, items: State<Items>) -> impl IntoResponse {
                    if item_id == 0 { return ("missing", 404); }
                    ("found", 200)
                }
            },
        );
        for piece in [
            "pubstructget_item{}",
            "impl::carafe::__private::Routeforget_item",
            r#"handler_name:"get_item""#,
            r#"path:"/items/<int:item_id>""#,
            r#"parts:&[::carafe::__private::Part::Static("/items/"),::carafe::__private::Part::Param{name:"item_id",converter:::carafe::__private::Converter::Int,}]"#,
            "methods:::carafe::__private::MethodSet::GET.union(::carafe::__private::MethodSet::POST)",
            "fn__carafe_awaited(mutctx:::carafe::__private::RequestContext,)->::carafe::__private::PendingResponse{::std::boxed::Box::pin(asyncmove{",
            "let__carafe_arg0:u32=matchctx.path_param::<u32>(0usize)",
            "<State<Items>as::carafe::__private::Extractor<_>>::extract(&mutctx).await",
            "fn__carafe_needs(needs:&mut::carafe::__private::Needs<'_>){<State<Items>as::carafe::__private::Extractor<_>>::needs(needs);}",
            "into_response_for(get_item(__carafe_arg0,__carafe_arg1).await,ctx.parts())",
            "handler:::carafe::__private::Handler::Awaited(__carafe_awaited),",
        ] {
            assert!(out.contains(piece), "{piece} not in {out}");
        }
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn plain_fn_with_extractors_answers_at_once_when_they_read_the_head_alone() {
        let out = expand(
            quote!("/items/<int:id>"),
            quote! {
                fn item(id: u64, store: State<Store>, page: Query<Page>) -> String {
                    format!("{id}")
                }
            },
        );
        for piece in [
            "if<State<Store>as::carafe::__private::Extractor<_>>::AT_ONCE&&<Query<Page>as::carafe::__private::Extractor<_>>::AT_ONCE{",
            "fn__carafe_at_once(ctx:&mut::carafe::__private::RequestContext,)->::carafe::__private::Response{",
            "<State<Store>as::carafe::__private::Extractor<_>>::extract_at_once(ctx)",
            "{::carafe::__private::Handler::AtOnce(__carafe_at_once,&__CARAFE_PACE)}elseif<State<Store>as::carafe::__private::Extractor<_>>::AFTER_BODY&&<Query<Page>as::carafe::__private::Extractor<_>>::AFTER_BODY{::carafe::__private::Handler::AfterBody(__carafe_at_once,&__CARAFE_PACE)}else{::carafe::__private::Handler::Awaited(__carafe_awaited)}",
            "<Query<Page>as::carafe::__private::Extractor<_>>::extract(&mutctx).await",
        ] {
            assert!(out.contains(piece), "{piece} not in {out}");
        }
    }

    #[test]
    fn plain_fn_without_arguments() {
        let out = expand(
            quote!("/"),
            quote!(
                fn index() -> &'static str {
                    "hi"
                }
            ),
        );
        assert!(
            out.contains("into_response_for(index(),ctx.parts())"),
            "{out}"
        );
        // Nothing to await: answered at once, reading the request in place, with no boxed
        // future.
        assert!(out.contains("fn__carafe_at_once(ctx:&"), "{out}");
        assert!(
            out.contains(
                "handler:::carafe::__private::Handler::AtOnce(__carafe_at_once,&__CARAFE_PACE),"
            ),
            "{out}"
        );
        assert!(!out.contains("async"), "{out}");
        assert!(
            out.contains("methods:::carafe::__private::MethodSet::GET,"),
            "{out}"
        );
        assert!(
            out.contains("responses:&[(200u16,::carafe::__private::Media::Text)]"),
            "{out}"
        );
    }

    #[test]
    fn only_path_parameters_need_no_mut() {
        let out = expand(
            quote!("/<id>"),
            quote!(
                async fn f(id: String) {}
            ),
        );
        assert!(out.contains("fn__carafe_awaited(ctx:"), "{out}");
    }

    #[test]
    fn errors_keep_the_item_and_stub_the_handler() {
        let out = expand(
            quote!("/items/{id}", PSOT),
            quote!(
                fn f(id: String) -> (&'static str, u16) {
                    ("Error", "404")
                }
            ),
        );
        assert!(
            out.contains(r#"fnf(id:String)->(&'staticstr,u16){("Error",404)}"#),
            "{out}"
        );
        assert!(out.contains("structf{}"), "{out}");
        assert!(out.contains("::core::unreachable!()"), "{out}");
        // A broken route answers no method, so it clashes with nothing in `routes![..]`.
        assert!(
            out.contains("methods:::carafe::__private::MethodSet::EMPTY"),
            "{out}"
        );
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    }

    #[test]
    fn a_method_is_emitted_alone() {
        let out = expand(
            quote!("/"),
            quote!(
                fn f(&self) {}
            ),
        );
        assert!(out.starts_with("fnf(&self){}"), "{out}");
        assert!(!out.contains("struct"), "{out}");
        assert!(out.contains("aroutehandlerisafreefunction"), "{out}");
    }

    #[test]
    fn not_a_function() {
        let out = expand(
            quote!("/"),
            quote!(
                struct S;
            ),
        );
        assert!(out.starts_with("structS;"), "{out}");
        assert!(out.contains("`#[route]`goesonafunction"), "{out}");
    }
}
