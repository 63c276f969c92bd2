//! Form fields and query arguments, as Flask's `request.form` and `request.args` hold them.

use crate::response::error::HttpError;

/// The media type of a urlencoded form body.
pub(crate) const FORM_MEDIA_TYPE: &str = "application/x-www-form-urlencoded";

/// How many fields a urlencoded body holds: its non-empty `&`-separated pairs, as the parser
/// counts them, without parsing them.
pub(crate) fn count_fields(encoded: &[u8]) -> usize {
    encoded
        .split(|&byte| byte == b'&')
        .filter(|pair| !pair.is_empty())
        .count()
}

/// Form fields or query arguments in the order sent; a field may repeat.
///
/// ```
/// use carafe_runtime::FormData;
///
/// let form = FormData::parse(b"username=sam&tag=a&tag=b");
/// assert_eq!(form.get("username"), Some("sam"));
/// assert_eq!(form.get("password"), None);
/// assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(&form["username"], "sam");
/// assert_eq!(form.require("password").unwrap_err().status(), 400);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses `application/x-www-form-urlencoded` bytes; malformed input gives no fields.
    pub fn parse(encoded: &[u8]) -> FormData {
        FormData(serde_urlencoded::from_bytes(encoded).unwrap_or_default())
    }

    /// Fields already decoded, as a multipart body's text parts are.
    #[cfg(feature = "uploads")]
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs)
    }

    /// The first value of `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.iter()
            .find(|(name, _)| *name == field)
            .map(|(_, value)| value)
    }

    /// Every value of `field`, in order.
    pub fn get_all<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of `field`, or a 400 error naming it; use with `?`.
    pub fn require(&self, field: &str) -> Result<&str, HttpError> {
        self.get(field).ok_or_else(|| missing_field(field))
    }

    /// Whether `field` was sent.
    pub fn contains(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// How many fields were sent.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn missing_field(field: &str) -> HttpError {
    HttpError::new(400).with_message(format!("Missing form field \"{field}\"."))
}

/// `form["x"]`: a missing field answers 400, as Flask's `request.form["x"]` does, by
/// [`abort`](crate::response::abort). So under `panic = "abort"`, where that would end the process, there
/// is no indexing: `form.get("x")` says whether the field is there.
#[cfg(panic = "unwind")]
impl std::ops::Index<&str> for FormData {
    type Output = str;

    fn index(&self, field: &str) -> &str {
        match self.get(field) {
            Some(value) => value,
            None => crate::response::abort::abort_with(missing_field(field)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for FormData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<(String, String)>::deserialize(deserializer).map(FormData)
    }
}

/// The field count that `max_form_parts` judges a body by is the parser's own.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn fields_are_counted_as_the_parser_parses_them(body in "[a=&%+2F0 é]{0,40}") {
            prop_assert_eq!(count_fields(body.as_bytes()), FormData::parse(body.as_bytes()).len());
        }
    }
}
