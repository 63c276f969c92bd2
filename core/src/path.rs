//! The path grammar: Flask's `/items/<int:item_id>`, parsed into [`Part`]s, static text and
//! parameters, which the macro checks and emits as `const` data and the runtime routes by.
//!
//! Parsing works on the string alone and reports byte ranges with messages naming the fix, so
//! it is tested without a compiler; the macro turns the ranges into spans inside the literal.

use std::fmt::Write as _;
use std::ops::Range;

use crate::converter::Converter;
use crate::suggest;

/// One piece of a parsed path: static text, or a parameter.
///
/// ```
/// use carafe_core::path::{parse, Part};
/// use carafe_core::Converter;
///
/// let path = parse("/items/<int:id>/edit").unwrap();
/// assert_eq!(
///     path.parts,
///     [
///         Part::Static("/items/"),
///         Part::Param { name: "id", converter: Converter::Int },
///         Part::Static("/edit"),
///     ]
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part<'a> {
    /// Text matched as it is. Two static parts are never adjacent.
    Static(&'a str),
    /// `<converter:name>`: a value the converter accepts, given to the argument `name`.
    Param {
        /// The parameter's name, which is its argument's.
        name: &'a str,
        /// What it accepts.
        converter: Converter,
    },
}

/// A path that parsed: its parts, and where each parameter is written.
#[derive(Debug, PartialEq)]
pub struct ParsedPath<'a> {
    /// The parts in path order; the `n`-th [`Part::Param`] is parameter `n`.
    pub parts: Vec<Part<'a>>,
    /// The byte range of each parameter's `<…>` in the path, in path order.
    pub param_ranges: Vec<Range<usize>>,
}

/// A path parameter of a parsed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param<'a> {
    /// The parameter's name.
    pub name: &'a str,
    /// What it accepts.
    pub converter: Converter,
    /// Where its `<…>` is in the path.
    pub range: Range<usize>,
}

impl<'a> ParsedPath<'a> {
    /// The parameters, in path order.
    pub fn params<'p>(&'p self) -> impl Iterator<Item = Param<'a>> + Clone + 'p {
        params(&self.parts)
            .zip(&self.param_ranges)
            .map(|((name, converter), range)| Param {
                name,
                converter,
                range: range.clone(),
            })
    }

    /// The parameter named `name`: its index and itself.
    pub fn param(&self, name: &str) -> Option<(usize, Param<'a>)> {
        self.params()
            .enumerate()
            .find(|(_, param)| param.name == name)
    }
}

/// The parameters of a path's parts, name and converter, in path order.
pub fn params<'p, 'a>(
    parts: &'p [Part<'a>],
) -> impl Iterator<Item = (&'a str, Converter)> + Clone + 'p {
    parts.iter().filter_map(|part| match *part {
        Part::Param { name, converter } => Some((name, converter)),
        Part::Static(_) => None,
    })
}

/// Whether two paths match the same requests the same way: the same static text and the same
/// converters in the same places, whatever the parameters are named. Two routes of this shape
/// that share a method clash. A `const fn`, so `routes![..]` can refuse a clash at compile
/// time with the check the app runs at start-up.
///
/// ```
/// use carafe_core::path::{parse, same_shape};
///
/// let a = parse("/items/<int:id>").unwrap();
/// let b = parse("/items/<int:item_id>").unwrap();
/// let c = parse("/items/<id>").unwrap();
/// assert!(same_shape(&a.parts, &b.parts));
/// assert!(!same_shape(&a.parts, &c.parts));
/// ```
pub const fn same_shape(a: &[Part], b: &[Part]) -> bool {
    same_parts(a, b, Converters::Same)
}

/// Whether two paths match the same requests before their converters are asked: the same
/// static text, and parameters in the same places, `path` ones (which take the rest of the
/// path) in the same places. A router keeps such routes behind one entry and tries their
/// converters in turn.
///
/// ```
/// use carafe_core::path::{parse, same_pattern};
///
/// let a = parse("/items/<int:id>").unwrap();
/// let b = parse("/items/<name>").unwrap();
/// let c = parse("/items/<path:rest>").unwrap();
/// assert!(same_pattern(&a.parts, &b.parts));
/// assert!(!same_pattern(&a.parts, &c.parts));
/// ```
pub const fn same_pattern(a: &[Part], b: &[Part]) -> bool {
    same_parts(a, b, Converters::TakeTheRestAlike)
}

/// How [`same_parts`] compares two parameters' converters.
#[derive(Clone, Copy)]
enum Converters {
    /// The same converter.
    Same,
    /// Both `path` (which takes the rest of the path), or neither.
    TakeTheRestAlike,
}

/// The same static text, and parameters in the same places whose converters compare as asked.
const fn same_parts(a: &[Part], b: &[Part], converters: Converters) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let same = match (&a[i], &b[i]) {
            (Part::Static(x), Part::Static(y)) => str_eq(x, y),
            (Part::Param { converter: x, .. }, Part::Param { converter: y, .. }) => {
                match converters {
                    Converters::Same => x.same_in_grammar(*y),
                    Converters::TakeTheRestAlike => {
                        matches!(x, Converter::Path) == matches!(y, Converter::Path)
                    }
                }
            }
            _ => false,
        };
        if !same {
            return false;
        }
        i += 1;
    }
    true
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One `/`-separated segment of a path, as a router sees it. Segment 0 is the empty one
/// before the leading `/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Static text alone.
    Static(&'a str),
    /// A parameter, with or without static text around it.
    Param {
        /// What it accepts; a `path` parameter takes the rest of the path.
        converter: Converter,
        /// Whether the parameter is the whole segment (`/users/<id>`), not part of it
        /// (`/img-<id>.png`).
        whole: bool,
    },
}

/// Writes a path's parts: the one printer of a path, whatever form it takes. Each static text
/// goes through `text`, each parameter through `param` with its index among the parameters,
/// its name and its converter. [`written`] is the grammar's form, [`router_patterns`] the
/// router's; the runtime writes OpenAPI's `{id}` and `url_for`'s values with it.
///
/// ```
/// use carafe_core::path::{parse, write_parts};
///
/// let path = parse("/items/<int:id>/edit").unwrap();
/// let openapi = write_parts(&path.parts, |out, text| out.push_str(text), |out, _, name, _| {
///     out.push('{');
///     out.push_str(name);
///     out.push('}');
/// });
/// assert_eq!(openapi, "/items/{id}/edit");
/// ```
pub fn write_parts(
    parts: &[Part<'_>],
    mut text: impl FnMut(&mut String, &str),
    mut param: impl FnMut(&mut String, usize, &str, Converter),
) -> String {
    let mut out = String::new();
    let mut index = 0;
    for part in parts {
        match *part {
            Part::Static(static_text) => text(&mut out, static_text),
            Part::Param { name, converter } => {
                param(&mut out, index, name, converter);
                index += 1;
            }
        }
    }
    out
}

/// The parts as the path grammar writes them, `/items/<int:id>`: how messages and the route
/// listing show a path.
///
/// ```
/// use carafe_core::path::{parse, written};
///
/// assert_eq!(written(&parse("/files/<path:rest>").unwrap().parts), "/files/<path:rest>");
/// ```
pub fn written(parts: &[Part<'_>]) -> String {
    write_parts(
        parts,
        |out, text| out.push_str(text),
        |out, _, name, converter| out.push_str(&converter.param(name)),
    )
}

/// The router's (`matchit`'s) patterns of a path's parts: parameters named `p0`, `p1`, … in
/// path order, a `path` parameter as a catch-all (`/files/{p0}/{*p1}`). The pattern as
/// written, and, when its static text is not all visible ASCII, a second one with that text
/// as clients send it, percent-encoded (`/café` arrives as `/caf%C3%A9`). The grammar has no
/// braces, so static text needs no escaping.
///
/// ```
/// use carafe_core::path::{parse, router_patterns};
///
/// let path = parse("/café/<int:id>/<path:rest>").unwrap();
/// assert_eq!(router_patterns(&path.parts), ["/café/{p0}/{*p1}", "/caf%C3%A9/{p0}/{*p1}"]);
/// assert_eq!(router_patterns(&parse("/a/<b>").unwrap().parts), ["/a/{p0}"]);
/// ```
pub fn router_patterns(parts: &[Part<'_>]) -> Vec<String> {
    let written = router_pattern(parts, false);
    let sent = router_pattern(parts, true);
    if sent == written {
        vec![written]
    } else {
        vec![written, sent]
    }
}

/// The router's pattern of `parts`, with the static text percent-encoded where it is not
/// visible ASCII if `encoded`.
fn router_pattern(parts: &[Part<'_>], encoded: bool) -> String {
    write_parts(
        parts,
        |out, text| {
            if !encoded {
                out.push_str(text);
                return;
            }
            for c in text.chars() {
                if c.is_ascii_graphic() {
                    out.push(c);
                } else {
                    for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                        let _ = write!(out, "%{byte:02X}");
                    }
                }
            }
        },
        |out, index, _, converter| {
            let star = if converter == Converter::Path {
                "*"
            } else {
                ""
            };
            let _ = write!(out, "{{{star}p{index}}}");
        },
    )
}

/// The `/`-separated segments of a path's parts, without allocating: the router asks for them
/// of every pair of patterns when it is built.
///
/// ```
/// use carafe_core::path::{parse, segments, Segment};
/// use carafe_core::Converter;
///
/// let path = parse("/img/<int:id>.png").unwrap();
/// assert_eq!(
///     segments(&path.parts).collect::<Vec<_>>(),
///     [
///         Segment::Static(""),
///         Segment::Static("img"),
///         Segment::Param { converter: Converter::Int, whole: false },
///     ]
/// );
/// ```
pub fn segments<'p, 'a>(parts: &'p [Part<'a>]) -> Segments<'p, 'a> {
    Segments {
        parts: parts.iter(),
        pieces: None,
        current: None,
    }
}

/// The iterator [`segments`] returns.
#[derive(Clone)]
pub struct Segments<'p, 'a> {
    parts: std::slice::Iter<'p, Part<'a>>,
    /// What is left of the static part being read, after its first `/`.
    pieces: Option<std::str::Split<'a, char>>,
    /// The segment being read, complete at the next `/` or at the end.
    current: Option<Segment<'a>>,
}

impl<'a> Iterator for Segments<'_, 'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        loop {
            if let Some(piece) = self.pieces.as_mut().and_then(Iterator::next) {
                // A `/`: the segment before it is complete, and `piece` starts the next.
                return self.current.replace(Segment::Static(piece));
            }
            self.pieces = None;
            match self.parts.next() {
                Some(Part::Static(text)) => {
                    let mut pieces = text.split('/');
                    let continued = pieces.next().unwrap_or_default();
                    self.current = Some(match self.current {
                        Some(Segment::Param { converter, whole }) => Segment::Param {
                            converter,
                            whole: whole && continued.is_empty(),
                        },
                        // Static parts are never adjacent: only the path's first part starts
                        // here.
                        Some(Segment::Static(_)) | None => Segment::Static(continued),
                    });
                    self.pieces = Some(pieces);
                }
                Some(&Part::Param { converter, .. }) => {
                    let whole = match self.current {
                        Some(Segment::Static(before)) => before.is_empty(),
                        Some(Segment::Param { .. }) | None => true,
                    };
                    self.current = Some(Segment::Param { converter, whole });
                }
                None => return self.current.take(),
            }
        }
    }
}

/// A mistake in the path, at `range` (bytes of the path), with a message naming the fix.
#[derive(Debug, PartialEq)]
pub struct PathError {
    /// The part of the path that is wrong.
    pub range: Range<usize>,
    /// What is wrong, and what to write instead.
    pub message: String,
}

/// Parses a path, reporting every mistake in it.
///
/// ```
/// use carafe_core::path::parse;
///
/// let errors = parse("/items/{id}").unwrap_err();
/// assert_eq!(errors[0].message, "carafe paths use Flask's `<id>`, not `{id}`: write `/items/<id>`");
/// ```
pub fn parse(path: &str) -> Result<ParsedPath<'_>, Vec<PathError>> {
    let mut parser = Parser {
        path,
        parts: Vec::new(),
        param_ranges: Vec::new(),
        static_start: 0,
        errors: Vec::new(),
    };
    if !path.starts_with('/') {
        parser.error(
            0..path.len(),
            format!("a path starts with `/`: write \"/{path}\""),
        );
    }
    let mut start = 0;
    for segment in path.split('/') {
        parser.segment(start, segment);
        start += segment.len() + 1;
    }
    parser.static_until(path.len());
    parser.check_catch_all();
    if parser.errors.is_empty() {
        Ok(ParsedPath {
            parts: parser.parts,
            param_ranges: parser.param_ranges,
        })
    } else {
        Err(parser.errors)
    }
}

struct Parser<'a> {
    path: &'a str,
    parts: Vec<Part<'a>>,
    param_ranges: Vec<Range<usize>>,
    /// Where the static text not yet in `parts` starts.
    static_start: usize,
    errors: Vec<PathError>,
}

impl<'a> Parser<'a> {
    fn error(&mut self, range: Range<usize>, message: String) {
        self.errors.push(PathError { range, message });
    }

    /// Adds the static text from `static_start` to `end`, if there is any.
    fn static_until(&mut self, end: usize) {
        if self.static_start < end {
            self.parts
                .push(Part::Static(&self.path[self.static_start..end]));
        }
    }

    /// One `/`-separated segment, `start` bytes into the path.
    fn segment(&mut self, start: usize, segment: &str) {
        // The parameter already seen in this segment: matchit allows one per segment.
        let mut first_param: Option<Range<usize>> = None;
        let mut rest = segment;
        while let Some(i) = rest.find(['<', '>', '{', '}']) {
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
    }

    /// `<…>` at `range`: checks it and adds it to the parts.
    fn param(&mut self, range: Range<usize>) {
        let inner = range.start + 1..range.end - 1;
        let path = self.path;
        let text = &path[inner.clone()];
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
        if params(&self.parts).any(|(other, _)| other == name) {
            return self.error(
                name_range,
                format!(
                    "duplicate parameter `{name}`: each parameter becomes an argument, \
                     so give this one another name"
                ),
            );
        }
        let Some(converter) = converter else { return };
        self.static_until(range.start);
        self.static_start = range.end;
        self.parts.push(Part::Param { name, converter });
        self.param_ranges.push(range);
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
        let misplaced: Vec<_> = params(&self.parts)
            .zip(&self.param_ranges)
            .filter(|((_, converter), range)| {
                *converter == Converter::Path && range.end != self.path.len()
            })
            .map(|((name, _), range)| (range.clone(), name))
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

    fn ok(path: &str) -> ParsedPath<'_> {
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

    fn params<'a>(path: &ParsedPath<'a>) -> Vec<(&'a str, Converter)> {
        super::params(&path.parts).collect()
    }

    /// The parts written as a router pattern, parameters numbered: `/files/{p0}/{*p1}`.
    fn pattern(path: &ParsedPath) -> String {
        router_pattern(&path.parts, false)
    }

    #[test]
    fn static_paths() {
        assert_eq!(pattern(&ok("/")), "/");
        assert_eq!(pattern(&ok("/userSignUp")), "/userSignUp");
        assert_eq!(pattern(&ok("/a/b/")), "/a/b/");
        assert!(ok("/a/b").param_ranges.is_empty());
    }

    #[test]
    fn parameters_become_numbered_in_order() {
        let path = ok("/items/<item_id>");
        assert_eq!(pattern(&path), "/items/{p0}");
        assert_eq!(params(&path), [("item_id", Converter::String)]);
        assert_eq!(path.param_ranges[0], 7..16);

        let path = ok("/users/<int:user>/posts/<uuid:post>/<float:x>/<string:s>");
        assert_eq!(pattern(&path), "/users/{p0}/posts/{p1}/{p2}/{p3}");
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
        assert_eq!(pattern(&path), "/files/{p0}/{*p1}");
        assert_eq!(params(&path)[1], ("rest", Converter::Path));
        assert_eq!(pattern(&ok("/static-<path:file>")), "/static-{*p0}");
    }

    #[test]
    fn static_text_around_a_parameter() {
        let path = ok("/img-<int:id>.png");
        assert_eq!(pattern(&path), "/img-{p0}.png");
        assert_eq!(params(&path), [("id", Converter::Int)]);
    }

    #[test]
    fn non_ascii_static_text() {
        assert_eq!(pattern(&ok("/café/<name>")), "/café/{p0}");
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

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn parts_alternate_static_text_and_parameters() {
        let path = parse("/<a>/x/<int:b>").unwrap();
        assert_eq!(
            path.parts,
            [
                Part::Static("/"),
                Part::Param {
                    name: "a",
                    converter: Converter::String
                },
                Part::Static("/x/"),
                Part::Param {
                    name: "b",
                    converter: Converter::Int
                },
            ]
        );
        assert_eq!(path.param("b").map(|(index, _)| index), Some(1));
        assert_eq!(parse("/").unwrap().parts, [Part::Static("/")]);
    }

    #[test]
    fn segments_of_every_shape() {
        fn segments(path: &str) -> Vec<Segment<'_>> {
            super::segments(&parse(path).unwrap().parts).collect()
        }
        assert_eq!(segments("/"), [Segment::Static(""), Segment::Static("")]);
        assert_eq!(
            segments("/users/<id>/repos"),
            [
                Segment::Static(""),
                Segment::Static("users"),
                Segment::Param {
                    converter: Converter::String,
                    whole: true
                },
                Segment::Static("repos"),
            ]
        );
        assert_eq!(
            segments("/files/<path:rest>"),
            [
                Segment::Static(""),
                Segment::Static("files"),
                Segment::Param {
                    converter: Converter::Path,
                    whole: true
                },
            ]
        );
        assert_eq!(
            segments("/img-<int:id>.png")[1],
            Segment::Param {
                converter: Converter::Int,
                whole: false
            }
        );
        assert_eq!(
            segments("/<id>.json")[1],
            Segment::Param {
                converter: Converter::String,
                whole: false
            }
        );
    }

    #[test]
    fn shapes_ignore_parameter_names_only() {
        let shape =
            |a: &str, b: &str| same_shape(&parse(a).unwrap().parts, &parse(b).unwrap().parts);
        assert!(shape("/items/<id>", "/items/<name>"));
        assert!(shape("/", "/"));
        assert!(!shape("/items/<int:id>", "/items/<id>"));
        assert!(!shape("/items/<id>", "/items/<id>/"));
        assert!(!shape("/a", "/b"));
    }
}

/// The grammar on generated paths: any text parses or is refused without a panic, with every
/// error pointing inside the path; a valid path parses back into the same text.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// A valid path: static segments and parameters with distinct names, `path` last only.
    fn valid_path() -> impl Strategy<Value = String> {
        let segment = prop_oneof![
            "[a-z0-9é._-]{0,6}".prop_map(|text| text),
            prop::sample::select(vec!["", "int:", "float:", "uuid:", "string:"])
                .prop_map(|converter| format!("<{converter}NAME>")),
        ];
        (prop::collection::vec(segment, 0..5), any::<bool>()).prop_map(|(segments, rest)| {
            let mut path = String::new();
            for (index, segment) in segments.iter().enumerate() {
                path.push('/');
                path.push_str(&segment.replace("NAME", &format!("p{index}")));
            }
            if rest {
                path.push_str("/<path:rest>");
            }
            if path.is_empty() {
                path.push('/');
            }
            path
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_text_parses_or_is_refused_at_a_place_in_it(path in "[/<>{}:*a-z0-9é_ -]{0,24}") {
            match parse(&path) {
                Ok(parsed) => prop_assert_eq!(written(&parsed.parts), path.replace("<string:", "<")),
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for error in errors {
                        prop_assert!(path.get(error.range.clone()).is_some(), "{:?}", error);
                        prop_assert!(!error.message.is_empty());
                    }
                }
            }
        }

        #[test]
        fn a_valid_path_parses_back_into_itself(path in valid_path()) {
            let parsed = parse(&path).map_err(|errors| {
                TestCaseError::fail(format!("{path}: {errors:?}"))
            })?;
            // `<string:x>` is `<x>`, written the short way.
            prop_assert_eq!(written(&parsed.parts), path.replace("<string:", "<"));
            for (param, range) in parsed.params().zip(&parsed.param_ranges) {
                prop_assert!(path[range.clone()].contains(param.name));
            }
            // Static parts never stand side by side.
            for pair in parsed.parts.windows(2) {
                prop_assert!(!matches!(pair, [Part::Static(_), Part::Static(_)]));
            }
        }
    }
}
