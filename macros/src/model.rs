//! The route model: everything `#[route]` knows about a handler, parsed once and checked with
//! one error context, before anything is expanded.

use carafe_core::media::Media;
use carafe_core::path::{self, ParsedPath};
use carafe_core::suggest;
use syn::{Attribute, Expr, ExprLit, ItemFn, Lit, Meta, MetaNameValue};

use crate::attr::RouteAttr;
use crate::ctxt::Ctxt;
use crate::responses;
use crate::signature::{self, Handler};
use crate::span;

/// A `#[route]` on a function, parsed and checked. Errors found on the way are in the
/// [`Ctxt`]; whatever parsed is kept, so the expansion still emits the item.
pub struct Route<'a> {
    /// The function, with each wrong status literal replaced by the integer the user meant.
    pub item: ItemFn,
    /// The attribute's path literal and methods, if they parsed.
    pub attr: Option<&'a RouteAttr>,
    /// The path, if it parsed.
    pub path: Option<ParsedPath<'a>>,
    /// Which argument receives which parameter, and which are extractors.
    pub handler: Handler,
    /// Each status the body answers with the kind of its body, for the OpenAPI document and
    /// the route listing.
    pub responses: Vec<(u16, Media)>,
    /// The doc comment's first paragraph and the rest: the operation's summary and
    /// description.
    pub doc: (String, String),
}

impl<'a> Route<'a> {
    /// Builds the model of `item` under `attr`, whose path literal's value is `path`. Errors
    /// are recorded in this order: the attribute's, the path's, the body's, then the
    /// signature's (an argument's errors name the path, so they follow its own).
    pub fn from_ast(
        cx: &Ctxt,
        attr: Option<&'a RouteAttr>,
        path: Option<&'a str>,
        mut item: ItemFn,
    ) -> Route<'a> {
        let path = attr.zip(path).and_then(|(attr, value)| {
            path::parse(value)
                .map_err(|errors| {
                    for error in errors {
                        cx.error(span::subspan(&attr.path, error.range), error.message);
                    }
                })
                .ok()
        });
        let found = responses::check(&mut item.block, cx);
        responses::check_tail(&item.sig.output, &item.block, cx);
        let route = attr
            .zip(path.as_ref())
            .map(|(attr, path)| signature::Route {
                lit: &attr.path,
                path,
            });
        let handler = Handler::new(cx, &item.sig, route);
        if let Some(attr) = attr {
            attr.check_cross_origin(handler.websocket.is_some(), cx);
        }
        if let (Some(span), Some(attr)) = (handler.websocket, attr) {
            let others: Vec<&str> = attr.methods.names().filter(|name| *name != "GET").collect();
            if !others.is_empty() {
                cx.error(
                    span,
                    format!(
                        "a WebSocket opens with a GET (and HTTP/2's CONNECT, which carafe adds): \
                         remove {} from the route, or give it a handler of its own",
                        suggest::and_list(others)
                    ),
                );
            }
        }
        let doc = doc_comment(&item.attrs);
        Route {
            item,
            attr,
            path,
            handler,
            responses: found.responses,
            doc,
        }
    }
}

/// The first paragraph of the doc comment, on one line, and the paragraphs after it.
fn doc_comment(attrs: &[Attribute]) -> (String, String) {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(MetaNameValue {
                value:
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        // `///` alone is an empty line, which has no `lines()`.
        .flat_map(|text| {
            let lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                vec![String::new()]
            } else {
                lines
            }
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    match text.split_once("\n\n") {
        Some((summary, rest)) => (summary.replace('\n', " "), rest.trim().to_owned()),
        None => (text.replace('\n', " "), String::new()),
    }
}
