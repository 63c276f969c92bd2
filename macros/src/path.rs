//! The path grammar: Flask's `/items/<int:item_id>`, parsed into the router's pattern and the
//! list of parameters.
//!
//! Parsing works on the string alone and reports byte ranges, so it is tested without a
//! compiler; [`parse_lit`] turns the ranges into spans inside the user's literal.

use std::fmt::Write as _;
use std::ops::Range;

use syn::LitStr;

use crate::span;
use crate::suggest;

/// A parsed route path.
#[derive(Debug, PartialEq)]
pub struct RoutePath {
    /// The `matchit` pattern: parameters renamed `p0`, `p1`, … in path order (so the runtime
    /// finds them by index), a `path` converter as a catch-all: `/files/{p0}/{*p1}`.
    pub pattern: String,
    pub params: Vec<Param>,
}

/// One `<converter:name>` of the path.
#[derive(Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub converter: Converter,
    /// Where `<…>` is in the path, for errors about the parameter.
    pub range: Range<usize>,
}

/// Flask's URL converters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Converter {
    String,
    Int,
    Float,
    Path,
    Uuid,
}

impl Converter {
    const ALL: [Converter; 5] = [
        Converter::String,
        Converter::Int,
        Converter::Float,
        Converter::Path,
        Converter::Uuid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Converter::String => "string",
            Converter::Int => "int",
            Converter::Float => "float",
            Converter::Path => "path",
            Converter::Uuid => "uuid",
        }
    }

    fn from_name(name: &str) -> Option<Converter> {
        Converter::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A mistake in the path, at `range` (bytes of the path), with a message naming the fix.
#[derive(Debug, PartialEq)]
pub struct PathError {
    pub range: Range<usize>,
    pub message: String,
}

/// Parses the path of a `#[route]`, with errors spanned inside the literal.
pub fn parse_lit(lit: &LitStr) -> syn::Result<RoutePath> {
    parse(&lit.value()).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| syn::Error::new(span::subspan(lit, error.range), error.message))
            .reduce(|mut all, error| {
                all.combine(error);
                all
            })
            .expect("a failed parse reports at least one error")
    })
}

/// Parses a path, reporting every mistake in it.
pub fn parse(path: &str) -> Result<RoutePath, Vec<PathError>> {
    let mut parser = Parser {
        path,
        pattern: String::with_capacity(path.len()),
        params: Vec::new(),
        errors: Vec::new(),
    };
    if !path.starts_with('/') {
        parser.error(
            0..path.len(),
            format!("a path starts with `/`: write \"/{path}\""),
        );
    }
    let mut start = 0;
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            parser.pattern.push('/');
        }
        parser.segment(start, segment);
        start += segment.len() + 1;
    }
    parser.check_catch_all();
    if parser.errors.is_empty() {
        Ok(RoutePath {
            pattern: parser.pattern,
            params: parser.params,
        })
    } else {
        Err(parser.errors)
    }
}

struct Parser<'a> {
    path: &'a str,
    pattern: String,
    params: Vec<Param>,
    errors: Vec<PathError>,
}

impl Parser<'_> {
    fn error(&mut self, range: Range<usize>, message: String) {
        self.errors.push(PathError { range, message });
    }

    /// One `/`-separated segment, `start` bytes into the path.
    fn segment(&mut self, start: usize, segment: &str) {
        // The parameter already seen in this segment: matchit allows one per segment.
        let mut first_param: Option<Range<usize>> = None;
        let mut rest = segment;
        while let Some(i) = rest.find(['<', '>', '{', '}']) {
            self.pattern.push_str(&rest[..i]);
            let at = start + (segment.len() - rest.len()) + i;
            let (special, after) = (rest.as_bytes()[i], &rest[i + 1..]);
            rest = match special {
                b'<' => match after.find(['<', '>']) {
                    Some(j) if after.as_bytes()[j] == b'>' => {
                        let range = at..at + j + 2;
                        if let Some(first) = &first_param {
                            self.two_params_in_segment(first.clone(), range);
                        } else {
                            first_param = Some(range.clone());
                            self.param(range);
                        }
                        &after[j + 1..]
                    }
                    // Another `<`, or the end of the segment, before any `>`.
                    close => {
                        let end = at + 1 + close.unwrap_or(after.len());
                        self.unclosed(at..end);
                        &after[close.unwrap_or(after.len())..]
                    }
                },
                b'>' => {
                    self.unopened(start, at);
                    after
                }
                b'{' if after.contains('}') => {
                    let j = after.find('}').unwrap_or_default();
                    self.braces(at..at + j + 2);
                    &after[j + 1..]
                }
                brace => {
                    self.error(
                        at..at + 1,
                        format!(
                            "`{}` cannot appear in a carafe path: write parameters as `<name>`",
                            char::from(brace)
                        ),
                    );
                    after
                }
            };
        }
        self.pattern.push_str(rest);
    }

    /// `<…>` at `range`: checks it and adds it to the pattern.
    fn param(&mut self, range: Range<usize>) {
        let inner = range.start + 1..range.end - 1;
        let text = &self.path[inner.clone()];
        let (converter, name, name_start) = match text.split_once(':') {
            Some((converter, name)) => (
                self.converter(converter, inner.start),
                name,
                inner.start + converter.len() + 1,
            ),
            None => (Some(Converter::String), text, inner.start),
        };
        let name_range = name_start..name_start + name.len();
        if text.is_empty() {
            return self.error(
                range,
                "empty `<>`: name the parameter, e.g. `<id>` or `<int:id>`".to_owned(),
            );
        }
        if name.is_empty() {
            let converter = &text[..text.len() - 1];
            return self.error(
                range,
                format!("missing parameter name after `{converter}:`: write `<{converter}:id>`"),
            );
        }
        if !is_identifier(name) {
            return self.error(
                name_range,
                format!(
                    "`{name}` is not a valid parameter name: write a Rust identifier such as `{}`",
                    to_identifier(name)
                ),
            );
        }
        if self.params.iter().any(|param| param.name == name) {
            return self.error(
                name_range,
                format!(
                    "duplicate parameter `{name}`: each parameter becomes an argument, \
                     so give this one another name"
                ),
            );
        }
        let Some(converter) = converter else { return };
        let index = self.params.len();
        let star = if converter == Converter::Path {
            "*"
        } else {
            ""
        };
        let _ = write!(self.pattern, "{{{star}p{index}}}");
        self.params.push(Param {
            name: name.to_owned(),
            converter,
            range,
        });
    }

    /// The converter before `:`, which starts `start` bytes into the path.
    fn converter(&mut self, name: &str, start: usize) -> Option<Converter> {
        let converter = Converter::from_name(name);
        if converter.is_none() {
            let range = start..start + name.len();
            let names = Converter::ALL.map(Converter::name);
            let message = if name.is_empty() {
                "missing converter before `:`: write `<id>` for a string, or name a converter \
                 as in `<int:id>`"
                    .to_owned()
            } else if let Some(suggestion) = suggest::closest(name, names).or_else(|| {
                // `integer`, `str`: a converter's longer or shorter spelling, too far apart
                // for an edit distance.
                names
                    .into_iter()
                    .find(|converter| name.starts_with(converter) || converter.starts_with(name))
            }) {
                format!("unknown converter `{name}`: did you mean `{suggestion}`?")
            } else {
                format!(
                    "unknown converter `{name}`: write one of {}",
                    suggest::and_list(names)
                )
            };
            self.error(range, message);
        }
        converter
    }

    /// `<` at `range.start` with no `>` before `range.end`.
    fn unclosed(&mut self, range: Range<usize>) {
        let fixed = format!("{}>{}", &self.path[..range.end], &self.path[range.end..]);
        let text = &self.path[range.clone()];
        self.error(
            range,
            format!("`{text}` is missing its `>`: write `{fixed}`"),
        );
    }

    /// `>` at `at` with no `<` before it, in the segment that starts at `segment_start`.
    fn unopened(&mut self, segment_start: usize, at: usize) {
        let before = &self.path[segment_start..at];
        let name_len = before.len()
            - before
                .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                .len();
        let message = if name_len == 0 {
            "`>` has no opening `<`: remove it, or write a parameter as `<name>`".to_owned()
        } else {
            let open = at - name_len;
            format!(
                "`>` has no opening `<`: write `{}<{}`",
                &self.path[..open],
                &self.path[open..]
            )
        };
        self.error(at..at + 1, message);
    }

    /// `{…}` at `range`: the syntax of matchit and axum, not Flask's.
    fn braces(&mut self, range: Range<usize>) {
        let written = &self.path[range.clone()];
        let fixed = flask_params(self.path);
        self.error(
            range,
            format!(
                "carafe paths use Flask's `{}`, not `{written}`: write `{fixed}`",
                flask_params(written)
            ),
        );
    }

    fn two_params_in_segment(&mut self, first: Range<usize>, second: Range<usize>) {
        let (first, range) = (&self.path[first], second.clone());
        let second = &self.path[second];
        self.error(
            range,
            format!(
                "only one parameter per path segment: the router cannot tell where `{first}` \
                 ends and `{second}` begins; put each in its own segment, as in `/{first}/{second}`"
            ),
        );
    }

    /// A `path` converter takes the rest of the path, so nothing may follow it.
    fn check_catch_all(&mut self) {
        let misplaced: Vec<_> = self
            .params
            .iter()
            .filter(|param| {
                param.converter == Converter::Path && param.range.end != self.path.len()
            })
            .map(|param| (param.range.clone(), param.name.clone()))
            .collect();
        for (range, name) in misplaced {
            let fixed = &self.path[..range.end];
            self.error(
                range,
                format!(
                    "`<path:{name}>` takes the rest of the path, so it must come last: \
                     end the path there (`{fixed}`), or write `<{name}>` for one segment"
                ),
            );
        }
    }
}

/// Whether `name` is an identifier a Rust argument can be named by.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

/// `name` made into an identifier, for the suggestion: `item-id` → `item_id`.
fn to_identifier(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("p{name}")
    }
}

/// `text` with matchit's `{id}` and `{*rest}` written as Flask's `<id>` and `<path:rest>`.
fn flask_params(text: &str) -> String {
    let mut fixed = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('{') {
        fixed.push_str(before);
        let Some((inner, after)) = after.split_once('}') else {
            fixed.push('{');
            rest = after;
            continue;
        };
        let _ = match inner.strip_prefix('*') {
            Some(name) => write!(fixed, "<path:{name}>"),
            None => write!(fixed, "<{inner}>"),
        };
        rest = after;
    }
    fixed.push_str(rest);
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(path: &str) -> RoutePath {
        parse(path).unwrap_or_else(|errors| panic!("{path}: {errors:?}"))
    }

    /// The errors of `path`, as (text the range covers, message).
    fn errors(path: &str) -> Vec<(&str, String)> {
        match parse(path) {
            Ok(parsed) => panic!("{path} parsed: {parsed:?}"),
            Err(errors) => errors
                .into_iter()
                .map(|error| (&path[error.range], error.message))
                .collect(),
        }
    }

    fn one_error(path: &str) -> (&str, String) {
        let mut all = errors(path);
        assert_eq!(all.len(), 1, "{path}: {all:?}");
        all.remove(0)
    }

    fn params(path: &RoutePath) -> Vec<(&str, Converter)> {
        path.params
            .iter()
            .map(|param| (param.name.as_str(), param.converter))
            .collect()
    }

    #[test]
    fn static_paths() {
        assert_eq!(ok("/").pattern, "/");
        assert_eq!(ok("/userSignUp").pattern, "/userSignUp");
        assert_eq!(ok("/a/b/").pattern, "/a/b/");
        assert!(ok("/a/b").params.is_empty());
    }

    #[test]
    fn parameters_become_numbered_in_order() {
        let path = ok("/items/<item_id>");
        assert_eq!(path.pattern, "/items/{p0}");
        assert_eq!(params(&path), [("item_id", Converter::String)]);
        assert_eq!(path.params[0].range, 7..16);

        let path = ok("/users/<int:user>/posts/<uuid:post>/<float:x>/<string:s>");
        assert_eq!(path.pattern, "/users/{p0}/posts/{p1}/{p2}/{p3}");
        assert_eq!(
            params(&path),
            [
                ("user", Converter::Int),
                ("post", Converter::Uuid),
                ("x", Converter::Float),
                ("s", Converter::String),
            ]
        );
    }

    #[test]
    fn path_converter_is_a_catch_all() {
        let path = ok("/files/<int:id>/<path:rest>");
        assert_eq!(path.pattern, "/files/{p0}/{*p1}");
        assert_eq!(params(&path)[1], ("rest", Converter::Path));
        assert_eq!(ok("/static-<path:file>").pattern, "/static-{*p0}");
    }

    #[test]
    fn static_text_around_a_parameter() {
        let path = ok("/img-<int:id>.png");
        assert_eq!(path.pattern, "/img-{p0}.png");
        assert_eq!(params(&path), [("id", Converter::Int)]);
    }

    #[test]
    fn non_ascii_static_text() {
        assert_eq!(ok("/café/<name>").pattern, "/café/{p0}");
    }

    #[test]
    fn missing_leading_slash() {
        assert_eq!(
            one_error("items/<id>"),
            (
                "items/<id>",
                "a path starts with `/`: write \"/items/<id>\"".into()
            )
        );
        assert_eq!(
            one_error(""),
            ("", "a path starts with `/`: write \"/\"".into())
        );
    }

    #[test]
    fn empty_parameter() {
        assert_eq!(
            one_error("/items/<>"),
            (
                "<>",
                "empty `<>`: name the parameter, e.g. `<id>` or `<int:id>`".into()
            )
        );
        assert_eq!(
            one_error("/items/<int:>"),
            (
                "<int:>",
                "missing parameter name after `int:`: write `<int:id>`".into()
            )
        );
        assert_eq!(
            one_error("/items/<:id>"),
            (
                "",
                "missing converter before `:`: write `<id>` for a string, or name a converter \
                 as in `<int:id>`"
                    .into()
            )
        );
    }

    #[test]
    fn unclosed_parameter() {
        assert_eq!(
            one_error("/items/<id"),
            (
                "<id",
                "`<id` is missing its `>`: write `/items/<id>`".into()
            )
        );
        assert_eq!(
            one_error("/items/<id/edit"),
            (
                "<id",
                "`<id` is missing its `>`: write `/items/<id>/edit`".into()
            )
        );
        // The second `<` starts a parameter of its own.
        let (text, message) = one_error("/items/<a<b>");
        assert_eq!(text, "<a");
        assert_eq!(message, "`<a` is missing its `>`: write `/items/<a><b>`");
    }

    #[test]
    fn unopened_parameter() {
        assert_eq!(
            one_error("/items/id>"),
            (">", "`>` has no opening `<`: write `/items/<id>`".into())
        );
        assert_eq!(
            one_error("/items/int:id>/x"),
            (
                ">",
                "`>` has no opening `<`: write `/items/<int:id>/x`".into()
            )
        );
        assert_eq!(
            one_error("/a->"),
            (
                ">",
                "`>` has no opening `<`: remove it, or write a parameter as `<name>`".into()
            )
        );
    }

    #[test]
    fn unknown_converter() {
        assert_eq!(
            one_error("/items/<itn:id>"),
            ("itn", "unknown converter `itn`: did you mean `int`?".into())
        );
        assert_eq!(
            one_error("/items/<integer:id>").1,
            "unknown converter `integer`: did you mean `int`?"
        );
        assert_eq!(
            one_error("/items/<str:id>").1,
            "unknown converter `str`: did you mean `string`?"
        );
        assert_eq!(
            one_error("/items/<date:id>"),
            (
                "date",
                "unknown converter `date`: write one of `string`, `int`, `float`, `path` and `uuid`"
                    .into()
            )
        );
        assert_eq!(
            one_error("/items/<UUID:id>"),
            (
                "UUID",
                "unknown converter `UUID`: did you mean `uuid`?".into()
            )
        );
    }

    #[test]
    fn path_converter_not_last() {
        assert_eq!(
            one_error("/files/<path:rest>/edit"),
            (
                "<path:rest>",
                "`<path:rest>` takes the rest of the path, so it must come last: end the path \
                 there (`/files/<path:rest>`), or write `<rest>` for one segment"
                    .into()
            )
        );
        assert_eq!(one_error("/files/<path:rest>.txt").0, "<path:rest>");
        assert_eq!(one_error("/<path:a>/<path:b>").0, "<path:a>");
    }

    #[test]
    fn duplicate_names() {
        assert_eq!(
            one_error("/<id>/<int:id>"),
            (
                "id",
                "duplicate parameter `id`: each parameter becomes an argument, so give this \
                 one another name"
                    .into()
            )
        );
    }

    #[test]
    fn braces_instead_of_angle_brackets() {
        assert_eq!(
            one_error("/items/{id}"),
            (
                "{id}",
                "carafe paths use Flask's `<id>`, not `{id}`: write `/items/<id>`".into()
            )
        );
        assert_eq!(
            one_error("/files/{*rest}"),
            (
                "{*rest}",
                "carafe paths use Flask's `<path:rest>`, not `{*rest}`: write `/files/<path:rest>`"
                    .into()
            )
        );
        // Each pair is reported, and each fix shows the whole path corrected.
        let all = errors("/{a}/{b}");
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].0, "{b}");
        assert!(all[1].1.ends_with("write `/<a>/<b>`"), "{all:?}");
    }

    #[test]
    fn lone_braces() {
        assert_eq!(
            one_error("/a{b"),
            (
                "{",
                "`{` cannot appear in a carafe path: write parameters as `<name>`".into()
            )
        );
        assert_eq!(one_error("/a}b").0, "}");
    }

    #[test]
    fn one_parameter_per_segment() {
        assert_eq!(
            one_error("/<a>-<int:b>"),
            (
                "<int:b>",
                "only one parameter per path segment: the router cannot tell where `<a>` ends \
                 and `<int:b>` begins; put each in its own segment, as in `/<a>/<int:b>`"
                    .into()
            )
        );
    }

    #[test]
    fn invalid_names() {
        assert_eq!(
            one_error("/<item-id>"),
            (
                "item-id",
                "`item-id` is not a valid parameter name: write a Rust identifier such as `item_id`"
                    .into()
            )
        );
        assert_eq!(one_error("/<int:1st>").0, "1st");
        assert!(one_error("/<int:1st>").1.ends_with("such as `p1st`"));
        assert_eq!(one_error("/<_>").0, "_");
        assert_eq!(one_error("/<int:a:b>").0, "a:b");
    }

    #[test]
    fn reports_every_error_at_once() {
        let all = errors("items/<itn:id>/<>/{x}");
        let texts: Vec<&str> = all.iter().map(|(text, _)| *text).collect();
        assert_eq!(texts, ["items/<itn:id>/<>/{x}", "itn", "<>", "{x}"]);
    }
}
