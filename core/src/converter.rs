//! Flask's URL converters: what each accepts, and which wins when two routes could match.

use std::borrow::Cow;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// What a value written into a path segment must have percent-encoded: what would end the
/// segment or the path (`/`, `?`, `#`), `%` itself, and what a URL cannot hold as it is.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The same, but for a `path` value, whose slashes separate its segments.
const PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// Flask's URL converters, written `<int:item_id>` in a route's path.
///
/// ```
/// use carafe_core::Converter;
///
/// assert_eq!(Converter::Uuid.name(), "uuid");
/// assert_eq!(Converter::from_name("int"), Some(Converter::Int));
/// assert!(Converter::Uuid.accepts("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Converter {
    /// `<id>` or `<string:id>`: one segment, no `/`.
    String,
    /// `<int:id>`: ASCII digits only, no sign.
    Int,
    /// `<float:x>`: digits, a `.`, digits; no sign, no exponent.
    Float,
    /// `<path:rest>`: the rest of the path, slashes included, not starting with one; last
    /// segment only.
    Path,
    /// `<uuid:id>`: a hyphenated UUID, `8-4-4-4-12` hex digits.
    Uuid,
    /// `<int:n>` whose argument is a signed integer (`n: i64`): digits with an optional `-`,
    /// as Werkzeug's `int(signed=True)`. Written `int` in the grammar; `#[route]` chooses it
    /// from the argument's type.
    SignedInt,
}

impl Converter {
    /// Every converter, in the order Flask's documentation lists them (and messages do).
    pub const ALL: [Converter; 5] = [
        Converter::String,
        Converter::Int,
        Converter::Float,
        Converter::Path,
        Converter::Uuid,
    ];

    /// The name used in the path grammar.
    pub const fn name(self) -> &'static str {
        match self {
            Converter::String => "string",
            Converter::Int | Converter::SignedInt => "int",
            Converter::Float => "float",
            Converter::Path => "path",
            Converter::Uuid => "uuid",
        }
    }

    /// The converter a name in the grammar stands for.
    pub fn from_name(name: &str) -> Option<Converter> {
        Converter::ALL
            .into_iter()
            .find(|converter| converter.name() == name)
    }

    /// Whether the two are the same converter of the grammar: `int` is one, whatever the
    /// sign its argument takes.
    pub const fn same_in_grammar(self, other: Converter) -> bool {
        self.in_grammar() as u8 == other.in_grammar() as u8
    }

    /// The converter as the grammar writes it.
    const fn in_grammar(self) -> Converter {
        match self {
            Converter::SignedInt => Converter::Int,
            other => other,
        }
    }

    /// Which of two routes that differ only in their converters is tried first: the lower
    /// number, the narrower converter. `/items/<int:id>` wins over `/items/<name>` for `42`,
    /// whatever the order the routes were added in, as Werkzeug weighs its rules.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert!(Converter::Int.priority() < Converter::String.priority());
    /// assert!(Converter::String.priority() < Converter::Path.priority());
    /// ```
    pub const fn priority(self) -> u8 {
        match self {
            Converter::Int | Converter::SignedInt => 0,
            Converter::Float => 1,
            Converter::Uuid => 2,
            Converter::String => 3,
            Converter::Path => 4,
        }
    }

    /// Whether a path segment as sent (still percent-encoded) is accepted by this converter.
    /// Like Werkzeug, which matches the decoded path, it judges the decoded text: `%2F` is a `/`
    /// that a `string` refuses, `%31` a digit that an `int` takes.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert!(Converter::Int.accepts("42"));
    /// assert!(!Converter::Int.accepts("-42"));
    /// assert!(Converter::Float.accepts("1.5") && !Converter::Float.accepts("1"));
    /// assert!(Converter::String.accepts("a%20b") && !Converter::String.accepts("a%2Fb"));
    /// assert!(Converter::Path.accepts("docs/a.txt"));
    /// ```
    pub fn accepts(self, raw: &str) -> bool {
        decode(raw).is_some_and(|decoded| self.accepts_decoded(&decoded))
    }

    /// Werkzeug's rules, on the decoded text of a value.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert!(Converter::String.accepts_decoded("a b"));
    /// assert!(!Converter::String.accepts_decoded("a/b"));
    /// ```
    pub fn accepts_decoded(self, text: &str) -> bool {
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        match self {
            Converter::Int => digits(text),
            Converter::SignedInt => digits(text.strip_prefix('-').unwrap_or(text)),
            Converter::Float => text
                .split_once('.')
                .is_some_and(|(whole, fraction)| digits(whole) && digits(fraction)),
            Converter::Uuid => {
                let bytes = text.as_bytes();
                bytes.len() == 36
                    && bytes.iter().enumerate().all(|(i, b)| match i {
                        8 | 13 | 18 | 23 => *b == b'-',
                        _ => b.is_ascii_hexdigit(),
                    })
            }
            Converter::String => !text.is_empty() && !text.contains('/'),
            Converter::Path => !text.is_empty() && !text.starts_with('/'),
        }
    }
}

impl Converter {
    /// A value as it is written into a path for this converter (by `url_for!`):
    /// percent-encoded so that it stays one segment (a `path` value keeps its slashes) and
    /// reads back as the same text.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert_eq!(Converter::String.encode("a b/c"), "a%20b%2Fc");
    /// assert_eq!(Converter::Path.encode("docs/a b.txt"), "docs/a%20b.txt");
    /// assert_eq!(Converter::String.encode("café"), "caf%C3%A9");
    /// ```
    pub fn encode(self, value: &str) -> Cow<'_, str> {
        let set = if self == Converter::Path {
            PATH
        } else {
            SEGMENT
        };
        utf8_percent_encode(value, set).into()
    }
}

/// A path value as sent (still percent-encoded), as converters and handlers read it: decoded,
/// or `None` when it does not decode to UTF-8. Most values have nothing to decode: those are
/// borrowed as they are, with no copy and no UTF-8 check (the path is a `str` already).
///
/// ```
/// use carafe_core::converter::decode;
///
/// assert_eq!(decode("caf%C3%A9").as_deref(), Some("café"));
/// assert_eq!(decode("plain").as_deref(), Some("plain"));
/// assert_eq!(decode("%FF"), None);
/// ```
#[inline]
pub fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.as_bytes().contains(&b'%') {
        return Some(Cow::Borrowed(raw));
    }
    percent_decode_str(raw).decode_utf8().ok()
}

/// The Rust types a path parameter is usually parsed into, by name: an argument of one is
/// meant to be a path parameter, and its converter can be checked against it.
///
/// ```
/// use carafe_core::converter::{ParamType, Converter};
///
/// assert_eq!(ParamType::from_name("i64"), Some(ParamType::Integer { signed: true }));
/// assert!(Converter::Int.gives(ParamType::Integer { signed: false }));
/// assert!(!Converter::Int.gives(ParamType::Float));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `String`.
    String,
    /// `&str`: a value parsed from the path is owned, so never one of these.
    StrRef,
    /// Any of Rust's integers; a signed one takes `-2` from an `int` (Werkzeug's
    /// `int(signed=True)`).
    Integer {
        /// Whether it is `i8` .. `isize`.
        signed: bool,
    },
    /// `f32`, `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `char`.
    Char,
    /// `Uuid`.
    Uuid,
    /// `PathBuf`.
    PathBuf,
}

impl ParamType {
    /// The type of this name, as written without its module path (`u32`, `String`, `Uuid`),
    /// if it is one of these. `str` is what a `&str` refers to.
    pub fn from_name(name: &str) -> Option<ParamType> {
        Some(match name {
            "String" | "str" => ParamType::String,
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => ParamType::Integer { signed: true },
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => ParamType::Integer { signed: false },
            "f32" | "f64" => ParamType::Float,
            "bool" => ParamType::Bool,
            "char" => ParamType::Char,
            "Uuid" => ParamType::Uuid,
            "PathBuf" => ParamType::PathBuf,
            _ => return None,
        })
    }

    /// The converter whose values are of this type, beyond a `string`'s: what to write in the
    /// path for an argument of this type.
    pub const fn converter(self) -> Option<Converter> {
        match self {
            ParamType::Integer { signed: false } => Some(Converter::Int),
            ParamType::Integer { signed: true } => Some(Converter::SignedInt),
            ParamType::Float => Some(Converter::Float),
            ParamType::Uuid => Some(Converter::Uuid),
            ParamType::PathBuf => Some(Converter::Path),
            ParamType::String | ParamType::StrRef | ParamType::Bool | ParamType::Char => None,
        }
    }
}

/// The JSON Schema of a converter's values, as an OpenAPI document writes a path parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueSchema {
    /// The JSON type: `integer`, `number` or `string`.
    pub json_type: &'static str,
    /// The string format, `uuid` for a UUID.
    pub format: Option<&'static str>,
    /// The least value, 0 for an unsigned `int`.
    pub minimum: Option<u64>,
}

impl Converter {
    /// The converter a route's `<int:..>` is taken as for an argument of type `ty`: a signed
    /// integer makes it Werkzeug's `int(signed=True)`, which takes `-2`.
    pub const fn for_argument(self, ty: Option<ParamType>) -> Converter {
        match (self, ty) {
            (Converter::Int, Some(ParamType::Integer { signed: true })) => Converter::SignedInt,
            (converter, _) => converter,
        }
    }

    /// Whether this converter's values parse into an argument of type `ty`.
    pub const fn gives(self, ty: ParamType) -> bool {
        matches!(
            (self, ty),
            (Converter::String, _)
                | (
                    Converter::Int | Converter::SignedInt,
                    ParamType::Integer { .. }
                )
                | (Converter::Float, ParamType::Float)
                | (Converter::Uuid, ParamType::Uuid | ParamType::String)
                | (Converter::Path, ParamType::String | ParamType::PathBuf)
        )
    }

    /// What its values are, in words: "an integer".
    pub const fn gives_what(self) -> &'static str {
        match self {
            Converter::Int | Converter::SignedInt => "an integer",
            Converter::Float => "a float",
            Converter::Uuid => "a UUID",
            Converter::Path => "the rest of the path",
            Converter::String => "a string",
        }
    }

    /// The argument types its values parse into, the one to suggest first.
    pub const fn argument_types(self) -> &'static [&'static str] {
        match self {
            Converter::Int | Converter::SignedInt => &["u64"],
            Converter::Float => &["f64"],
            Converter::Uuid => &["Uuid", "String"],
            Converter::Path => &["String", "PathBuf"],
            Converter::String => &["String"],
        }
    }

    /// A parameter of this converter as the path grammar writes it: `<name>` for a string,
    /// `<int:name>` otherwise.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert_eq!(Converter::String.param("slug"), "<slug>");
    /// assert_eq!(Converter::SignedInt.param("n"), "<int:n>");
    /// ```
    pub fn param(self, name: &str) -> String {
        match self {
            Converter::String => format!("<{name}>"),
            other => format!("<{}:{name}>", other.name()),
        }
    }

    /// Why a value written as `text` (a `url_for` literal) cannot fill parameter `name` of
    /// this converter, if it cannot: what the parameter takes, and the fix where there is one.
    ///
    /// ```
    /// use carafe_core::Converter;
    ///
    /// assert_eq!(Converter::Int.refusal("id", "7"), None);
    /// assert_eq!(
    ///     Converter::Int.refusal("id", "-7").unwrap(),
    ///     "`<int:id>` takes a whole number from 0 up, such as 7"
    /// );
    /// ```
    pub fn refusal(self, name: &str, text: &str) -> Option<String> {
        if self.accepts_decoded(text) {
            return None;
        }
        let wants = match self {
            Converter::Int => "a whole number from 0 up, such as 7".to_owned(),
            Converter::SignedInt => "a whole number, such as 7 or -7".to_owned(),
            Converter::Float => "a number with a decimal point from 0 up, such as 1.5".to_owned(),
            Converter::Uuid => {
                "a hyphenated UUID, such as \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"".to_owned()
            }
            Converter::String if text.contains('/') => format!(
                "one path segment, without `/`; for a value with slashes, declare `<path:{name}>`"
            ),
            Converter::String => "one path segment, not empty".to_owned(),
            Converter::Path => "a path that does not start with `/`, not empty".to_owned(),
        };
        Some(format!("`{}` takes {wants}", self.param(name)))
    }

    /// Whether it refuses some values of one segment, which then answer 404 (a `string` or
    /// `path` takes any).
    pub const fn refuses_some(self) -> bool {
        !matches!(self, Converter::String | Converter::Path)
    }

    /// The JSON Schema of its values.
    pub const fn schema(self) -> ValueSchema {
        let (json_type, format, minimum) = match self {
            Converter::Int => ("integer", None, Some(0)),
            Converter::SignedInt => ("integer", None, None),
            Converter::Float => ("number", None, None),
            Converter::Uuid => ("string", Some("uuid"), None),
            Converter::String | Converter::Path => ("string", None, None),
        };
        ValueSchema {
            json_type,
            format,
            minimum,
        }
    }
}

/// How a float is written into a path: as Python's `str` writes it, with a decimal point
/// (`1.0`, not Rust's `1`), so that a `float` converter takes it back.
///
/// ```
/// use carafe_core::converter::float_text;
///
/// assert_eq!(float_text(1.0), "1.0");
/// assert_eq!(float_text(2.5), "2.5");
/// ```
pub fn float_text(value: f64) -> String {
    let mut text = value.to_string();
    if value.is_finite() && !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// Converters order by [`Converter::priority`]: the narrower first.
impl Ord for Converter {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.priority().cmp(&other.priority())
    }
}

impl PartialOrd for Converter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for converter in Converter::ALL {
            assert_eq!(Converter::from_name(converter.name()), Some(converter));
        }
        assert_eq!(Converter::from_name("integer"), None);
    }

    #[test]
    fn order_is_priority() {
        let mut converters = Converter::ALL;
        converters.sort();
        assert_eq!(
            converters,
            [
                Converter::Int,
                Converter::Float,
                Converter::Uuid,
                Converter::String,
                Converter::Path
            ]
        );
    }

    #[test]
    fn priorities_are_distinct() {
        let mut priorities: Vec<u8> = Converter::ALL.iter().map(|c| c.priority()).collect();
        priorities.sort_unstable();
        priorities.dedup();
        assert_eq!(priorities.len(), Converter::ALL.len());
    }

    #[test]
    fn werkzeug_rules() {
        assert!(Converter::Int.accepts("%31"));
        assert!(Converter::SignedInt.accepts("-2") && Converter::SignedInt.accepts("7"));
        assert!(!Converter::SignedInt.accepts("--2") && !Converter::SignedInt.accepts("-"));
        assert!(!Converter::Int.accepts("-2"));
        assert!(Converter::SignedInt.same_in_grammar(Converter::Int));
        assert_eq!(Converter::SignedInt.name(), "int");
        assert!(!Converter::Int.accepts(""));
        assert!(!Converter::Float.accepts("1e5"));
        assert!(!Converter::Uuid.accepts("6ba7b810-9dad-11d1-80b4-00c04fd430c"));
        assert!(!Converter::Path.accepts("/etc"));
        assert!(!Converter::String.accepts("%FF"));
    }
}

/// A converter judges a value as it judges the value's decoded text, whatever its encoding.
#[cfg(test)]
mod properties {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    use proptest::prelude::*;

    use super::*;

    /// Every character a client may encode, `/` included.
    const ENCODED: &AsciiSet = NON_ALPHANUMERIC;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn encoded_values_are_judged_by_their_decoded_text(
            text in "[0-9a-f./é -]{0,40}",
            encode in any::<bool>(),
        ) {
            let sent = if encode {
                utf8_percent_encode(&text, ENCODED).to_string()
            } else {
                text.clone()
            };
            for converter in Converter::ALL {
                prop_assert_eq!(
                    converter.accepts(&sent),
                    converter.accepts_decoded(&text),
                    "{:?} on {:?}", converter, sent
                );
            }
        }

        #[test]
        fn bytes_that_decode_to_no_text_are_refused(byte in 0x80u8..=0xff) {
            let sent = format!("a%{byte:02X}");
            for converter in Converter::ALL {
                prop_assert!(!converter.accepts(&sent), "{:?} took {}", converter, sent);
            }
        }
    }
}
