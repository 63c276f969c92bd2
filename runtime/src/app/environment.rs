//! Settings from the environment, as a deployment gives them: every [`App`] setting has a
//! `CARAFE_` variable, read when the app is assembled and winning over the code's value (the
//! code says what the app wants, the environment what this deployment needs); and an app's own
//! typed settings, read from `CARAFE_*` variables through serde ([`settings`]). A value that
//! does not parse stops the app, naming the variable and the value.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use crate::app::App;
use crate::extract::forwarded::ProxyHeaders;

/// The prefix of every variable carafe reads.
const PREFIX: &str = "CARAFE_";

/// An `App` setting as a variable: its name (after `CARAFE_`) and how its value sets it.
struct Variable {
    name: &'static str,
    set: fn(App, &str) -> Applied,
}

/// The app with a variable's setting, and why its value did not parse, if it did not.
type Applied = (App, Result<(), String>);

/// The app with the setting `setter` makes of the `parsed` value, or the app as it was and
/// why the value did not parse.
fn apply<T>(app: App, parsed: Result<T, String>, setter: fn(App, T) -> App) -> Applied {
    match parsed {
        Ok(value) => (setter(app, value), Ok(())),
        Err(problem) => (app, Err(problem)),
    }
}

/// The value itself, for settings that take any text.
fn text(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}

/// Every `App` setting a deployment may give, in the README's order.
const VARIABLES: &[Variable] = &[
    Variable {
        name: "SECRET_KEY",
        set: |app, value| apply(app, text(value), |app, key| app.secret_key(key)),
    },
    Variable {
        name: "DEBUG",
        set: |app, value| apply(app, switch(value), App::debug),
    },
    Variable {
        name: "BODY_LIMIT",
        set: |app, value| apply(app, size(value), App::body_limit),
    },
    Variable {
        name: "MAX_FORM_PARTS",
        set: |app, value| apply(app, count(value), App::max_form_parts),
    },
    Variable {
        name: "MAX_FORM_MEMORY_SIZE",
        set: |app, value| apply(app, size(value), App::max_form_memory_size),
    },
    Variable {
        name: "HEADER_READ_TIMEOUT",
        set: |app, value| apply(app, duration(value), App::header_read_timeout),
    },
    Variable {
        name: "BODY_READ_TIMEOUT",
        set: |app, value| apply(app, duration(value), App::body_read_timeout),
    },
    Variable {
        name: "MAX_CONNECTIONS",
        set: |app, value| apply(app, count(value), App::max_connections),
    },
    Variable {
        name: "SHUTDOWN_GRACE",
        set: |app, value| apply(app, duration(value), App::shutdown_grace),
    },
    Variable {
        name: "BLOCKING_THRESHOLD",
        set: |app, value| apply(app, duration(value), App::blocking_threshold),
    },
    Variable {
        name: "BLOCKING_THREADS",
        set: |app, value| apply(app, count(value), App::blocking_threads),
    },
    Variable {
        name: "SESSION_LIFETIME",
        set: |app, value| apply(app, duration(value), App::session_lifetime),
    },
    Variable {
        name: "TRUSTED_ORIGINS",
        set: |app, value| (list(value).fold(app, App::trusted_origin), Ok(())),
    },
    Variable {
        name: "TRUSTED_PROXIES",
        set: |app, value| apply(app, count(value), App::trusted_proxies),
    },
    Variable {
        name: "PROXY_HEADERS",
        set: |app, value| apply(app, proxy_headers(value), App::proxy_headers),
    },
    Variable {
        name: "HEALTH_ROUTE",
        set: |app, value| (app.health_route(value), Ok(())),
    },
    Variable {
        name: "DRAIN_DELAY",
        set: |app, value| apply(app, duration(value), App::drain_delay),
    },
    Variable {
        name: "REUSE_PORT",
        set: |app, value| apply(app, switch(value), App::reuse_port),
    },
    Variable {
        name: "OPENAPI_ROUTE",
        set: |app, value| apply(app, text(value), App::openapi_route),
    },
    #[cfg(feature = "static-files")]
    Variable {
        name: "STATIC_FOLDER",
        set: |app, value| apply(app, text(value), |app, value| app.static_folder(value)),
    },
    #[cfg(feature = "static-files")]
    Variable {
        name: "STATIC_URL_PATH",
        set: |app, value| apply(app, text(value), |app, value| app.static_url_path(value)),
    },
    #[cfg(feature = "templates")]
    Variable {
        name: "TEMPLATE_FOLDER",
        set: |app, value| apply(app, text(value), |app, value| app.template_folder(value)),
    },
];

impl App {
    /// The app with the settings the environment gives, and the problems of those that do
    /// not parse, naming the variable and the value.
    pub(crate) fn with_environment(mut self) -> App {
        for variable in VARIABLES {
            let name = format!("{PREFIX}{}", variable.name);
            let value = match std::env::var(&name) {
                Ok(value) => value,
                Err(std::env::VarError::NotPresent) => continue,
                Err(std::env::VarError::NotUnicode(value)) => {
                    self.problems.push(format!("{name}={value:?} is not text"));
                    continue;
                }
            };
            // The problems the setter itself finds (an origin that is no origin) are told
            // with the variable too.
            let kept = std::mem::take(&mut self.problems);
            let (mut app, parsed) = (variable.set)(self, &value);
            let found = std::mem::replace(&mut app.problems, kept);
            let problems = found.into_iter().chain(parsed.err());
            app.problems
                .extend(problems.map(|problem| format!("{name}={value:?}: {problem}")));
            self = app;
        }
        self
    }
}

/// A number of things: whole and not negative.
fn count(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse()
        .map_err(|_| "write a whole number, such as 10".to_owned())
}

/// A size, as a route's `body_limit`: `64 MiB`, `500 kB`.
fn size(value: &str) -> Result<usize, String> {
    let bytes = carafe_core::size::parse(value.trim()).map_err(|error| error.to_string())?;
    usize::try_from(bytes).map_err(|_| format!("{bytes} bytes is more than this machine holds"))
}

/// A duration: `30s`, `500ms`, `2m`, `1h 30m`.
fn duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value.trim())
        .map_err(|error| format!("{error}: write a number and a unit, such as 30s or 500ms"))
}

/// On or off: `1`, `true`, `yes`, `on`, or `0`, `false`, `no`, `off`.
fn switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err("write 1 or 0 (or true or false)".to_owned()),
    }
}

/// Comma-separated values, blanks dropped.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn proxy_headers(value: &str) -> Result<ProxyHeaders, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "x-forwarded" => Ok(ProxyHeaders::XForwarded),
        "forwarded" => Ok(ProxyHeaders::Forwarded),
        _ => Err("write x-forwarded or forwarded".to_owned()),
    }
}

/// Reads an app's own settings from `CARAFE_*` variables through serde: the field
/// `posts_per_page` from `CARAFE_POSTS_PER_PAGE`. Numbers, `bool`s (`1`/`0`, `true`/`false`),
/// text, enums of unit variants (by name), lists (comma-separated) and `Option`s (unset:
/// `None`); a field with `#[serde(default)]` may be unset. The error names the variable and
/// the value that does not parse, or the variable that is not set. [`App::settings`] reads
/// them into the app's state, and an app whose settings do not parse refuses to start.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Settings {
///     #[serde(default = "ten")]
///     posts_per_page: u32,
/// }
///
/// fn ten() -> u32 {
///     10
/// }
///
/// let settings: Settings = carafe_runtime::settings().unwrap();
/// assert_eq!(settings.posts_per_page, 10);
/// ```
pub fn settings<T: DeserializeOwned>() -> Result<T, SettingsError> {
    let variables = std::env::vars_os().filter_map(|(name, value)| {
        let name = name.into_string().ok()?;
        Some((name, value.to_string_lossy().into_owned()))
    });
    settings_from(variables)
}

/// The settings `variables` give, the `CARAFE_*` ones read and the others ignored.
fn settings_from<T: DeserializeOwned>(
    variables: impl IntoIterator<Item = (String, String)>,
) -> Result<T, SettingsError> {
    let fields: BTreeMap<String, Value> = variables
        .into_iter()
        .filter_map(|(name, text)| {
            let field = name.strip_prefix(PREFIX)?.to_ascii_lowercase();
            Some((field, Value { name, text }))
        })
        .collect();
    T::deserialize(MapDeserializer::new(fields.into_iter()))
}

impl App {
    /// Reads the app's own settings of type `T` from `CARAFE_*` variables (see [`settings`])
    /// and keeps them in its state, for handlers to take as [`State<T>`](crate::State). A
    /// variable that does not parse, or one that must be set and is not, stops the app from
    /// starting, told with its other problems.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Settings {
    ///     #[serde(default)]
    ///     motd: String,
    /// }
    ///
    /// let app = App::new().settings::<Settings>();
    /// ```
    pub fn settings<T: DeserializeOwned + Send + Sync + 'static>(mut self) -> App {
        match settings::<T>() {
            Ok(settings) => self.state(settings),
            Err(error) => {
                self.problems.push(error.to_string());
                self
            }
        }
    }
}

/// Why an app's settings could not be read from the environment: the variable and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(String);

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

impl de::Error for SettingsError {
    fn custom<M: fmt::Display>(message: M) -> Self {
        SettingsError(message.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        SettingsError(format!(
            "{PREFIX}{} is not set, and the settings need it",
            field.to_ascii_uppercase()
        ))
    }
}

/// One variable's value, deserialized into what the field asks for.
struct Value {
    name: String,
    text: String,
}

impl Value {
    /// The error for a value that is not `what`.
    fn not(&self, what: &str, why: impl fmt::Display) -> SettingsError {
        SettingsError(format!(
            "{}={:?} is not {what}: {why}",
            self.name, self.text
        ))
    }

    /// The error of a visitor that refused the value (an unknown variant), with the variable.
    fn refused(&self, error: SettingsError) -> SettingsError {
        SettingsError(format!("{}={:?}: {error}", self.name, self.text))
    }
}

impl<'de> IntoDeserializer<'de, SettingsError> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}

/// The methods that parse the text as a number of one type.
macro_rules! parse_numbers {
    ($($method:ident, $visit:ident, $type:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SettingsError> {
                let number: $type = self.text.trim().parse().map_err(|error| self.not($what, error))?;
                visitor.$visit(number).map_err(|error| self.refused(error))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = SettingsError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SettingsError> {
        let text = self.text.clone();
        visitor
            .visit_string(text)
            .map_err(|error| self.refused(error))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SettingsError> {
        let on = switch(&self.text).map_err(|error| self.not("on or off", error))?;
        visitor.visit_bool(on).map_err(|error| self.refused(error))
    }

    parse_numbers! {
        deserialize_i8, visit_i8, i8, "a whole number from -128 to 127";
        deserialize_i16, visit_i16, i16, "a whole number from -32768 to 32767";
        deserialize_i32, visit_i32, i32, "a whole number (32 bits)";
        deserialize_i64, visit_i64, i64, "a whole number (64 bits)";
        deserialize_u8, visit_u8, u8, "a whole number from 0 to 255";
        deserialize_u16, visit_u16, u16, "a whole number from 0 to 65535";
        deserialize_u32, visit_u32, u32, "a whole number from 0 (32 bits)";
        deserialize_u64, visit_u64, u64, "a whole number from 0 (64 bits)";
        deserialize_f32, visit_f32, f32, "a number";
        deserialize_f64, visit_f64, f64, "a number";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SettingsError> {
        // Set is `Some`; unset, the field is missing, which serde reads as `None`.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, SettingsError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SettingsError> {
        let items: Vec<Value> = list(&self.text)
            .map(|item| Value {
                name: self.name.clone(),
                text: item.to_owned(),
            })
            .collect();
        visitor.visit_seq(SeqDeserializer::new(items.into_iter()))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SettingsError> {
        let variant: de::value::StringDeserializer<SettingsError> =
            self.text.trim().to_owned().into_deserializer();
        visitor
            .visit_enum(variant)
            .map_err(|error| self.refused(error))
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Theme {
        Light,
        Dark,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Settings {
        posts_per_page: u32,
        #[serde(default)]
        registration_open: bool,
        theme: Theme,
        #[serde(default)]
        admins: Vec<String>,
        motd: Option<String>,
        ratio: Option<f64>,
    }

    fn read(variables: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let variables = variables
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()));
        settings_from(variables)
    }

    #[test]
    fn fields_are_read_from_their_variables() {
        let settings = read(&[
            ("CARAFE_POSTS_PER_PAGE", "25"),
            ("CARAFE_REGISTRATION_OPEN", "yes"),
            ("CARAFE_THEME", "dark"),
            ("CARAFE_ADMINS", "ana, bo,,"),
            ("CARAFE_SECRET_KEY", "carafe's own, ignored here"),
            ("POSTS_PER_PAGE", "99"),
        ])
        .unwrap();
        assert_eq!(
            settings,
            Settings {
                posts_per_page: 25,
                registration_open: true,
                theme: Theme::Dark,
                admins: vec!["ana".into(), "bo".into()],
                motd: None,
                ratio: None,
            }
        );
        let settings = read(&[
            ("CARAFE_POSTS_PER_PAGE", "1"),
            ("CARAFE_THEME", "light"),
            ("CARAFE_MOTD", "Hello, world"),
            ("CARAFE_RATIO", "0.5"),
        ])
        .unwrap();
        assert_eq!(settings.motd.as_deref(), Some("Hello, world"));
        assert_eq!(settings.ratio, Some(0.5));
    }

    #[test]
    fn errors_name_the_variable_and_the_value() {
        let error = read(&[("CARAFE_POSTS_PER_PAGE", "ten"), ("CARAFE_THEME", "dark")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "CARAFE_POSTS_PER_PAGE=\"ten\" is not a whole number from 0 (32 bits): invalid \
             digit found in string"
        );
        let error = read(&[("CARAFE_POSTS_PER_PAGE", "5"), ("CARAFE_THEME", "blue")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "CARAFE_THEME=\"blue\": unknown variant `blue`, expected `light` or `dark`"
        );
        let error = read(&[("CARAFE_THEME", "dark")]).unwrap_err().to_string();
        assert_eq!(
            error,
            "CARAFE_POSTS_PER_PAGE is not set, and the settings need it"
        );
        let error = read(&[
            ("CARAFE_POSTS_PER_PAGE", "5"),
            ("CARAFE_THEME", "dark"),
            ("CARAFE_REGISTRATION_OPEN", "perhaps"),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "CARAFE_REGISTRATION_OPEN=\"perhaps\" is not on or off: write 1 or 0 (or true or \
             false)"
        );
    }

    #[test]
    fn app_settings_parse_as_people_write_them() {
        assert_eq!(size("64 MiB"), Ok(64 << 20));
        assert!(size("64").unwrap_err().contains("has no unit"));
        assert_eq!(duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(duration("soon").is_err());
        assert_eq!(switch("ON"), Ok(true));
        assert_eq!(switch("0"), Ok(false));
        assert!(switch("2").is_err());
        assert_eq!(count(" 3 "), Ok(3));
        assert!(count("-1").is_err());
        assert_eq!(proxy_headers("Forwarded"), Ok(ProxyHeaders::Forwarded));
    }
}
