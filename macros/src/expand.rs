//! `#[route]`: the handler, unchanged but for fixed status literals, and beside it a hidden
//! struct of the same name whose `Route` impl describes the route to the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::attr::{Method, RouteArgs};
use crate::errors::Errors;
use crate::path::{self, Converter, RoutePath};
use crate::signature::{self, Handler, Source};
use crate::status;

/// Expands `#[route]` on `item`, given what its arguments parsed into and the errors they had.
pub fn route(args: Option<RouteArgs>, mut errors: Errors, item: TokenStream) -> TokenStream {
    let Ok(mut item) = syn::parse2::<ItemFn>(item.clone()) else {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`#[route]` goes on a function: write it above `fn handler(..)`",
        ));
        let errors = errors.finish().err().map(|error| error.to_compile_error());
        return quote!(#item #errors);
    };
    let path = args
        .as_ref()
        .and_then(|args| errors.ok(path::parse_lit(&args.path)));
    let statuses = status::check(&mut item.block, &mut errors);
    let route = args
        .as_ref()
        .zip(path.as_ref())
        .map(|(args, path)| signature::Route {
            lit: &args.path,
            path,
        });
    let handler = errors.ok(Handler::new(&item.sig, route));
    if item.sig.receiver().is_some() {
        // A method, refused by `Handler::new`: it sits in an `impl` block, where the struct
        // and impl below cannot be declared, and would only add rustc's errors to ours.
        let errors = errors.finish().err().map(|error| error.to_compile_error());
        return quote!(#item #errors);
    }

    // With any error the build fails anyway; the handler is a stub so that the errors above
    // are not followed by type errors about code the user did not write.
    let handler_fn = match &handler {
        Some(handler) if errors.is_empty() => handler_fn(handler),
        _ => quote! {
            fn __carafe_handler(
                _: ::carafe::__private::RequestContext,
            ) -> ::carafe::__private::HandlerAnswer {
                ::core::unreachable!()
            }
        },
    };
    let name = &item.sig.ident;
    let vis = &item.vis;
    let handler_name = LitStr::new(&name.unraw().to_string(), name.span());
    let line = quote_spanned!(name.span()=> ::core::line!());
    let path_lit = args.as_ref().map_or_else(
        || LitStr::new("", Span::call_site()),
        |args| args.path.clone(),
    );
    let pattern = path.as_ref().map_or("", |path| &path.pattern);
    let params = path.as_ref().map(param_defs);
    // Without a path there is no route: no method either, so that it cannot clash with
    // another broken route in `routes![..]`.
    let methods = method_set(match (&args, &path) {
        (Some(args), Some(_)) => &args.methods,
        _ => &[],
    });
    let errors = errors.finish().err().map(|error| error.to_compile_error());

    quote! {
        #item

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #name {}

        impl ::carafe::__private::Route for #name {
            const ROUTE: ::carafe::__private::RouteDef = {
                #handler_fn
                ::carafe::__private::RouteDef {
                    handler_name: #handler_name,
                    module_path: ::core::module_path!(),
                    file: ::core::file!(),
                    line: #line,
                    path: #path_lit,
                    pattern: #pattern,
                    params: &[#params],
                    methods: #methods,
                    statuses: &[#(#statuses),*],
                    handler: __carafe_handler,
                }
            };
        }

        #errors
    }
}

/// The function the router calls: extracts each argument, calls the handler, converts its
/// value into a response. An extractor that fails answers in the handler's place.
fn handler_fn(handler: &Handler) -> TokenStream {
    let name = &handler.name;
    let vars: Vec<_> = (0..handler.args.len())
        .map(|index| format_ident!("__carafe_arg{}", index))
        .collect();
    // Each argument's extraction, awaited or at once. Spanned on the argument's type, so
    // that a type that is no extractor, or that a parameter cannot be parsed into, is
    // reported there.
    let extract = |awaited: bool| {
        handler.args.iter().zip(&vars).map(move |(arg, var)| {
            let ty = &arg.ty;
            let value = match arg.source {
                Source::PathParam(index) => quote_spanned! {ty.span()=>
                    ctx.path_param::<#ty>(#index)
                },
                Source::Extractor if awaited => quote_spanned! {ty.span()=>
                    ::carafe::__private::extract::<#ty>(&mut ctx).await
                },
                Source::Extractor => quote_spanned! {ty.span()=>
                    ::carafe::__private::extract_immediately::<#ty>(&mut ctx)
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
    let extractors: Vec<_> = handler
        .args
        .iter()
        .filter(|arg| matches!(arg.source, Source::Extractor))
        .map(|arg| &arg.ty)
        .collect();
    let ctx = match (extractors.is_empty(), handler.args.is_empty()) {
        (false, _) => quote!(mut ctx),
        (true, false) => quote!(ctx),
        (true, true) => quote!(_),
    };
    let await_ = handler.is_async.then(|| quote!(.await));
    let respond = quote_spanned! {handler.output_span=>
        ::carafe::__private::IntoResponse::into_response(#name(#(#vars),*) #await_)
    };
    let awaited = {
        let extract = extract(true);
        quote! {
            ::carafe::__private::HandlerAnswer::new(async move {
                #(#extract)*
                #respond
            })
        }
    };
    // A plain `fn` whose extractors, if any, never wait has nothing to await: it runs at once
    // (the app catches its panics around this call), sparing the boxed future. Whether they
    // wait is known from their types only, as a constant: the branch not taken is compiled
    // out.
    let at_once = {
        let extract = extract(false);
        quote! {
            ::carafe::__private::HandlerAnswer::ready(
                (move || -> ::carafe::__private::Response {
                    #(#extract)*
                    #respond
                })(),
            )
        }
    };
    let answer = if handler.is_async {
        awaited
    } else if extractors.is_empty() {
        at_once
    } else {
        let immediate = extractors.iter().map(|ty| {
            quote_spanned! {ty.span()=> ::carafe::__private::immediate::<#ty>() }
        });
        quote! {
            if #(#immediate)&&* {
                #at_once
            } else {
                #awaited
            }
        }
    };
    quote! {
        fn __carafe_handler(
            #ctx: ::carafe::__private::RequestContext,
        ) -> ::carafe::__private::HandlerAnswer {
            #answer
        }
    }
}

fn param_defs(path: &RoutePath) -> TokenStream {
    let params = path.params.iter().map(|param| {
        let name = &param.name;
        let converter = match param.converter {
            Converter::String => quote!(String),
            Converter::Int => quote!(Int),
            Converter::Float => quote!(Float),
            Converter::Path => quote!(Path),
            Converter::Uuid => quote!(Uuid),
        };
        quote! {
            ::carafe::__private::ParamDef {
                name: #name,
                converter: ::carafe::__private::Converter::#converter,
            }
        }
    });
    quote!(#(#params),*)
}

/// `MethodSet::GET.union(MethodSet::POST)`: `union` is a `const fn`, so this is a constant.
fn method_set(methods: &[Method]) -> TokenStream {
    let mut methods = methods
        .iter()
        .map(|method| format_ident!("{}", method.name()));
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

    /// The expansion of `#[route(args)] item`, without whitespace, so that tests can look
    /// for pieces of it.
    fn expand(args: TokenStream, item: TokenStream) -> String {
        let mut errors = Errors::default();
        let args = attr::parse_route(args, &mut errors);
        route(args, errors, item).to_string().replace(' ', "")
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
            r#"pattern:"/items/{p0}""#,
            r#"name:"item_id",converter:::carafe::__private::Converter::Int"#,
            "methods:::carafe::__private::MethodSet::GET.union(::carafe::__private::MethodSet::POST)",
            "statuses:&[200u16,404u16]",
            "fn__carafe_handler(mutctx:",
            "let__carafe_arg0:u32=matchctx.path_param::<u32>(0usize)",
            "::carafe::__private::extract::<State<Items>>(&mutctx).await",
            "into_response(get_item(__carafe_arg0,__carafe_arg1).await)",
            "HandlerAnswer::new(asyncmove{",
        ] {
            assert!(out.contains(piece), "{piece} not in {out}");
        }
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn plain_fn_with_extractors_answers_at_once_when_they_never_wait() {
        let out = expand(
            quote!("/items/<int:id>"),
            quote! {
                fn item(id: u64, store: State<Store>, page: Query<Page>) -> String {
                    format!("{id}")
                }
            },
        );
        for piece in [
            "if::carafe::__private::immediate::<State<Store>>()&&::carafe::__private::immediate::<Query<Page>>(){",
            "::carafe::__private::extract_immediately::<State<Store>>(&mutctx)",
            "HandlerAnswer::ready(",
            "}else{::carafe::__private::HandlerAnswer::new(asyncmove{",
            "::carafe::__private::extract::<Query<Page>>(&mutctx).await",
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
        assert!(out.contains("fn__carafe_handler(_:"), "{out}");
        assert!(out.contains("into_response(index())"), "{out}");
        // Nothing to await: answered at once, with no boxed future.
        assert!(out.contains("HandlerAnswer::ready("), "{out}");
        assert!(!out.contains("async"), "{out}");
        assert!(
            out.contains("methods:::carafe::__private::MethodSet::GET,"),
            "{out}"
        );
        assert!(out.contains("statuses:&[]"), "{out}");
    }

    #[test]
    fn only_path_parameters_need_no_mut() {
        let out = expand(
            quote!("/<id>"),
            quote!(
                fn f(id: String) {}
            ),
        );
        assert!(out.contains("fn__carafe_handler(ctx:"), "{out}");
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
