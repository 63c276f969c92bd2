//! `url_for!(handler, name = value, ..)`, in two steps.
//!
//! `url_for!` knows only the tokens it is given, not the handler's path. So it calls the
//! hidden macro `#[route]` put beside the handler (`__carafe_url_for_<name>`, reached by the
//! same path as the handler), which calls `url_for_route!` with the path literal prepended:
//! that one checks the arguments against the path's parameters and expands.

use carafe_core::converter::{float_text, ParamType};
use carafe_core::path::{params, parse};
use carafe_core::{suggest, Converter};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Path, Token};

use crate::ctxt::Ctxt;
use crate::status::literal;

/// `name = value`.
struct Arg {
    name: Ident,
    value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Arg { name, value })
    }
}

/// What the user wrote: `handler, name = value, ..`.
pub struct UrlFor {
    handler: Path,
    args: TokenStream,
}

impl Parse for UrlFor {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(
                "url_for! names a handler: write url_for!(get_item, item_id = 7), or \
                 url_for!(index) for a handler without parameters",
            ));
        }
        let handler = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        Ok(UrlFor {
            handler,
            args: input.parse()?,
        })
    }
}

impl UrlFor {
    /// The call of the handler's hidden macro, by the handler's own path with its last
    /// segment renamed, spanned on it: where the handler resolves, so does the macro.
    ///
    /// The handler's hidden struct is imported first, so that a handler that does not exist
    /// is rustc's "unresolved import `self::get_itme`", with its "a similar name exists"
    /// pointing at `get_item`, rather than a lookup of the hidden macro's name. The import
    /// takes the type namespace alone (`{self as ..}`), never a macro that shares the
    /// handler's name. For a handler in this module, the import's name is the hidden macro's:
    /// when the import fails, rustc binds that name to an error and says nothing more of the
    /// call. A handler named by its path keeps its macro's path, so a mistake there is also
    /// reported by the call, after the import.
    pub fn expand(self) -> TokenStream {
        let UrlFor { handler, args } = self;
        let mut macro_path = handler.clone();
        let last = macro_path
            .segments
            .last_mut()
            .expect("a parsed path has a segment");
        last.ident = macro_name(&last.ident);
        let local = handler.leading_colon.is_none() && handler.segments.len() == 1;
        // The nested import on the handler's own name: rustc reports the unresolved import
        // there, and names the path up to it.
        let span = handler
            .segments
            .last()
            .expect("a parsed path has a segment")
            .ident
            .span();
        let import = if local {
            let alias = &last.ident;
            let nested = quote_spanned!(span=> {self as #alias});
            quote!(self::#handler::#nested)
        } else {
            let nested = quote_spanned!(span=> {self as _});
            quote!(#handler::#nested)
        };
        quote! {{
            #[allow(unused_imports)]
            use #import;
            #macro_path!(#handler; #args)
        }}
    }
}

/// The name of the hidden macro beside a handler.
pub fn macro_name(handler: &Ident) -> Ident {
    format_ident!("__carafe_url_for_{}", handler, span = handler.span())
}

/// What the hidden macro passes on: the route's path literal and its signed `int`
/// parameters, then the user's tokens.
pub struct UrlForRoute {
    path: LitStr,
    signed: Vec<LitStr>,
    handler: Path,
    args: Punctuated<Arg, Token![,]>,
}

impl Parse for UrlForRoute {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path = input.parse()?;
        input.parse::<Token![,]>()?;
        let signed;
        syn::bracketed!(signed in input);
        let signed = Punctuated::<LitStr, Token![,]>::parse_terminated(&signed)?;
        input.parse::<Token![,]>()?;
        let handler = input.parse()?;
        input.parse::<Token![;]>()?;
        Ok(UrlForRoute {
            path,
            signed: signed.into_iter().collect(),
            handler,
            args: Punctuated::parse_terminated(input)?,
        })
    }
}

impl UrlForRoute {
    pub fn expand(self) -> TokenStream {
        let ctxt = Ctxt::new();
        let expanded = self.check(&ctxt);
        match ctxt.check() {
            Ok(()) => expanded,
            // Still a `Url`, so that no error follows from the call's place.
            Err(errors) => {
                let errors = errors.to_compile_error();
                let handler = &self.handler;
                quote!({
                    #errors
                    ::carafe::__private::url_for(&<#handler as ::carafe::__private::Route>::ROUTE, &[])
                })
            }
        }
    }

    /// Checks every argument against the path's parameters, recording each mistake; the
    /// expansion, good only when there is none.
    fn check(&self, ctxt: &Ctxt) -> TokenStream {
        let handler = &self.handler;
        let name = handler
            .segments
            .last()
            .map_or_else(String::new, |segment| segment.ident.to_string());
        let path = self.path.value();
        // The route's own path was checked by `#[route]`, which reported its mistakes.
        let Ok(parsed) = parse(&path) else {
            return TokenStream::new();
        };
        let signed: Vec<String> = self.signed.iter().map(LitStr::value).collect();
        let params: Vec<(&str, Converter)> = params(&parsed.parts)
            .map(|(param, converter)| {
                // The route's signed integer arguments, as `#[route]` found them.
                let argument = signed
                    .iter()
                    .any(|name| name == param)
                    .then_some(ParamType::Integer { signed: true });
                (param, converter.for_argument(argument))
            })
            .collect();
        let mut given: Vec<Option<&Expr>> = vec![None; params.len()];
        // Parameters a misspelt name was taken for: not reported missing as well.
        let mut meant = Vec::new();
        for arg in &self.args {
            let written = arg.name.to_string();
            let Some(index) = params.iter().position(|(param, _)| *param == written) else {
                let (message, suggestion) = unknown(&name, &written, &params);
                meant.extend(suggestion);
                ctxt.error(arg.name.span(), message);
                continue;
            };
            if given[index].is_some() {
                ctxt.error(
                    arg.name.span(),
                    format!("`{written}` is given twice: give it once"),
                );
                continue;
            }
            given[index] = Some(&arg.value);
            if let Some(problem) = refused_literal(&arg.value, params[index]) {
                ctxt.error(arg.value.span(), problem);
            }
        }
        let missing: Vec<&str> = params
            .iter()
            .zip(&given)
            .filter(|((param, _), value)| value.is_none() && !meant.contains(param))
            .map(|((param, _), _)| *param)
            .collect();
        if !missing.is_empty() {
            let fix = params
                .iter()
                .map(|(param, _)| format!(", {param} = .."))
                .collect::<String>();
            ctxt.error(
                handler.span(),
                format!(
                    "url_for!({name}, ..) needs {}: write url_for!({name}{fix})",
                    suggest::and_list(missing)
                ),
            );
        }
        let values = given.iter().flatten().map(|value| {
            quote_spanned! {value.span()=> &(#value) as &dyn ::carafe::__private::PathValue }
        });
        quote! {
            ::carafe::__private::url_for(
                &<#handler as ::carafe::__private::Route>::ROUTE,
                &[#(#values),*],
            )
        }
    }
}

/// The error for a name that is none of the handler's parameters, and the parameter it was
/// likely meant for.
fn unknown<'p>(
    handler: &str,
    written: &str,
    params: &[(&'p str, Converter)],
) -> (String, Option<&'p str>) {
    let names = params.iter().map(|(param, _)| *param);
    if params.is_empty() {
        let message = format!("`{handler}` has no path parameters: write url_for!({handler})");
        return (message, None);
    }
    match suggest::closest(written, names.clone()) {
        Some(meant) => (
            format!("`{handler}` has no parameter `{written}`: did you mean `{meant}`?"),
            Some(meant),
        ),
        None => (
            format!(
                "`{handler}` has no parameter `{written}`; its parameters are {}",
                suggest::and_list(names)
            ),
            None,
        ),
    }
}

/// Why a literal value cannot fill `param`, whose converter would refuse it: the URL would
/// answer 404.
fn refused_literal(value: &Expr, (param, converter): (&str, Converter)) -> Option<String> {
    let (lit, negative) = literal(value)?;
    let sign = if negative { "-" } else { "" };
    let text = match lit {
        Lit::Str(text) => text.value(),
        Lit::Int(int) => format!("{sign}{}", int.base10_digits()),
        Lit::Float(float) => format!(
            "{sign}{}",
            float_text(float.base10_parse::<f64>().unwrap_or(f64::NAN))
        ),
        Lit::Char(c) => c.value().to_string(),
        _ => return None,
    };
    let refusal = converter.refusal(param, &text)?;
    let written = match lit {
        Lit::Str(_) | Lit::Char(_) => format!("{text:?}"),
        _ => text,
    };
    Some(format!(
        "{refusal}: its converter would refuse {written}, and the URL answer 404"
    ))
}

/// The hidden macro `#[route]` puts beside a handler, and its alias by the handler's name: a
/// `macro_rules!` of its own name (made unique by where the handler is) so that handlers of one
/// name in nested modules do not shadow each other's, and a `use` under the name
/// `url_for!` calls, which paths reach like the handler.
/// `signed` names the `int` parameters whose arguments are signed, which take `-7`.
pub fn hidden_macro(handler: &Ident, path: &LitStr, signed: &[&str]) -> TokenStream {
    let alias = macro_name(handler);
    let unique = format_ident!(
        "__carafe_url_for_{}_{:x}",
        handler,
        fnv1a(&format!("{:?}", handler.span())),
        span = Span::call_site()
    );
    quote! {
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #unique {
            ($($args:tt)*) => {
                ::carafe::__private::url_for_route!(#path, [#(#signed),*], $($args)*)
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #unique as #alias;
    }
}

/// A small, stable hash (FNV-1a), to make a name unique.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
