//! `routes![a, b, m::c]`: the route definitions of those handlers, checked to be distinct.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

/// The handlers named in `routes![..]`.
pub struct Routes {
    handlers: Punctuated<Path, Token![,]>,
}

impl Parse for Routes {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(Routes {
            handlers: Punctuated::parse_terminated(input)?,
        })
    }
}

impl Routes {
    pub fn expand(&self) -> TokenStream {
        // Spanned on each name, so that a name that is no route is reported there.
        let defs = self
            .handlers
            .iter()
            .map(|path| quote_spanned!(path.span()=> <#path as ::carafe::__private::Route>::ROUTE));
        // One check per route against those before it, spanned on its name, so that the
        // compile-time panic points at the second of two clashing routes.
        let checks = self
            .handlers
            .iter()
            .enumerate()
            .skip(1)
            .map(|(index, path)| {
                quote_spanned! {path.span()=>
                    const _: () = if let ::core::option::Option::Some(message) =
                        ::carafe::__private::clash_message(__CARAFE_ROUTES, #index)
                    {
                        ::core::panic!("{}", message.as_str())
                    };
                }
            });
        quote! {
            {
                const __CARAFE_ROUTES: &[::carafe::__private::RouteDef] = &[
                    #(#defs),*
                ];
                #(#checks)*
                ::carafe::__private::Routes::from_static(__CARAFE_ROUTES)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn expand(input: TokenStream) -> String {
        syn::parse2::<Routes>(input)
            .expect("valid input")
            .expand()
            .to_string()
            .replace(' ', "")
    }

    #[test]
    fn collects_routes_and_checks_each_against_those_before() {
        let out = expand(quote!(a, b, m::c,));
        assert!(out.contains(
            "&[<aas::carafe::__private::Route>::ROUTE,<bas::carafe::__private::Route>::ROUTE,\
             <m::cas::carafe::__private::Route>::ROUTE]"
        ));
        assert!(!out.contains("clash_message(__CARAFE_ROUTES,0usize)"));
        assert!(out.contains("clash_message(__CARAFE_ROUTES,1usize)"));
        assert!(out.contains("clash_message(__CARAFE_ROUTES,2usize)"));
        assert!(out.contains("Routes::from_static(__CARAFE_ROUTES)"));
    }

    #[test]
    fn an_empty_list_has_nothing_to_check() {
        let out = expand(quote!());
        assert!(out.contains("&[]"), "{out}");
        assert!(!out.contains("clash_message"), "{out}");
    }

    #[test]
    fn one_route_has_nothing_to_clash_with() {
        let out = expand(quote!(a));
        assert!(!out.contains("clash_message"), "{out}");
    }
}
