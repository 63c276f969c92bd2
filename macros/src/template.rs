//! `render_template!("blog/index.html", posts => posts, ..)`: the template read and checked
//! against its context when the crate compiles (carafe-core's `template` module says what a
//! template reads), then rendered by the runtime's `render_template`.
//!
//! The template folder is found from the calling source file as the app finds it from the
//! one that calls `App::new()`: `templates/` beside it or in the nearest folder above, up to
//! the package's. Every file read is named to `include_bytes!`, so that cargo rebuilds the
//! crate when one changes.

use std::path::{Path, PathBuf};

use carafe_core::template::{self, Checked};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Token};

use crate::ctxt::Ctxt;

/// `key => value`, or `key` alone for `key => key`, as minijinja's `context!` takes them.
struct Entry {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // Keywords too: `type => ..` is a fine context key.
        let key = input.call(Ident::parse_any)?;
        let value = if input.peek(Token![=>]) {
            input.parse::<Token![=>]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Entry { key, value })
    }
}

/// What the user wrote: the template's name, then the context.
pub struct RenderTemplate {
    name: LitStr,
    entries: Punctuated<Entry, Token![,]>,
}

impl Parse for RenderTemplate {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(
                "render_template! names a template and gives its context: write \
                 render_template!(\"blog/index.html\", posts => posts)",
            ));
        }
        let name = input.parse::<LitStr>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "render_template! takes the template's name as a string literal, to read it \
                 when the crate compiles: for a name chosen at run time, call \
                 carafe::render_template(name, context! { .. })",
            )
        })?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        Ok(RenderTemplate {
            name,
            entries: Punctuated::parse_terminated(input)?,
        })
    }
}

impl RenderTemplate {
    pub fn expand(self) -> TokenStream {
        let errors = Ctxt::new();
        let keys: Vec<String> = self
            .entries
            .iter()
            .map(|entry| entry.key.unraw().to_string())
            .collect();
        for (index, entry) in self.entries.iter().enumerate() {
            if keys[..index].contains(&keys[index]) {
                errors.error(
                    entry.key.span(),
                    format!("`{}` is given twice: remove one", keys[index]),
                );
            }
        }
        let mut files = Vec::new();
        let mut notes = Vec::new();
        match template_folder() {
            Ok(folder) => {
                let Checked {
                    files: read,
                    mistakes,
                    unread_keys,
                } = template::check(&folder, &self.name.value(), &keys);
                files = read;
                for mistake in mistakes {
                    errors.error(self.name.span(), format!("{mistake}"));
                }
                for unread in unread_keys {
                    let entry = self.entries.iter().find(|entry| entry.key == unread);
                    let span = entry.map_or(self.name.span(), |entry| entry.key.span());
                    notes.push(unread_key_warning(&unread, &self.name.value(), span));
                }
            }
            Err(message) => errors.error(self.name.span(), message),
        }
        let include = files.iter().map(|file| {
            let file = file.to_string_lossy();
            quote! { const _: &[u8] = ::core::include_bytes!(#file); }
        });
        let entries = self.entries.iter().map(|entry| {
            let key = &entry.key;
            match &entry.value {
                Some(value) => quote!(#key => #value),
                None => quote!(#key),
            }
        });
        let name = &self.name;
        let render = quote! {{
            #(#include)*
            #(#notes)*
            ::carafe::render_template(#name, ::carafe::context! { #(#entries),* })
        }};
        match errors.check() {
            Ok(()) => render,
            Err(error) => {
                let compile_errors = error.to_compile_error();
                // The call still has a type, so the rest of the handler checks.
                quote! {{
                    #compile_errors
                    ::carafe::render_template(#name, ())
                }}
            }
        }
    }
}

/// A warning (stable Rust lets a macro warn only through a lint): the use of a deprecated
/// item whose note says the key is never read.
fn unread_key_warning(key: &str, template: &str, span: Span) -> TokenStream {
    let note = format!(
        "`{key}` is given to {template}, which never reads it (nor does any template it pulls \
         in): remove it, or use it in the template"
    );
    quote_spanned! {span=> {
        #[deprecated(note = #note)]
        #[allow(non_upper_case_globals)]
        const unread_context_key: () = ();
        #[allow(clippy::let_unit_value)]
        let _ = unread_context_key;
    }}
}

/// The templates folder for the source file that calls the macro.
fn template_folder() -> Result<PathBuf, String> {
    let source = proc_macro::Span::call_site().local_file().ok_or_else(|| {
        "render_template! cannot tell which source file calls it, so cannot find its \
         templates/ folder: call carafe::render_template(name, context! { .. }) instead"
            .to_owned()
    })?;
    // Relative to where rustc runs (the workspace's root), which is this process's folder.
    let source = std::env::current_dir()
        .map(|dir| dir.join(&source))
        .unwrap_or(source);
    let folder = source.parent().unwrap_or(Path::new("."));
    carafe_core::folder::find(folder, "templates").ok_or_else(|| {
        format!(
            "no templates/ folder beside {} or above it in its package: make one, as Flask \
             has templates/ beside the app",
            source.display()
        )
    })
}
