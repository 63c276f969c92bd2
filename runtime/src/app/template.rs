//! Templates, as Flask renders them: Jinja2 files from the app's `templates/` folder, rendered
//! by minijinja (Jinja2 by Flask's own author) with Flask's globals: `url_for`,
//! `get_flashed_messages`, `session` and `request`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use carafe_core::template;
use http::header::HeaderValue;
use minijinja::value::{Enumerator, Kwargs, Object, Value};
use minijinja::{Environment, ErrorKind};
use serde::Serialize;

use crate::extract::current::{current_session, outside_a_request, with_current};
use crate::extract::flash::{get_flashed_messages, get_flashed_messages_with_categories};
use crate::extract::form::FormData;
use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};
use crate::routing::route::Mounted;
use crate::routing::url;

/// The app's templates: the folder they are read from, and the routes `url_for` names.
pub(crate) struct Templates {
    /// Loads each template once, at its first render.
    environment: Environment<'static>,
    /// In debug mode every render reads the files again, so an edit shows at the next request.
    reload: Option<Reload>,
}

/// What a fresh environment is made of, in debug mode.
struct Reload {
    folder: PathBuf,
    endpoints: Arc<Vec<Endpoint>>,
}

/// A route as templates name it: `url_for('blog.update', id=1)` is the handler `update` of a
/// module whose path ends in `blog`, as a Flask endpoint is a blueprint's name and a function's.
struct Endpoint {
    module_path: &'static str,
    handler_name: &'static str,
    /// The route as the app mounts it, under its prefixes.
    route: Mounted,
}

impl Templates {
    /// The templates of `folder`, for an app whose routes are `routes`; or, if a template
    /// does not parse or one of its `url_for` calls names no route of the app, what to fix,
    /// naming the template and line (Flask would find it at the first page that renders it).
    pub(crate) fn new<'a>(
        folder: PathBuf,
        routes: impl Iterator<Item = &'a Mounted>,
        debug: bool,
    ) -> Result<Templates, Vec<String>> {
        let endpoints: Arc<Vec<Endpoint>> = Arc::new(
            routes
                .map(|route| Endpoint {
                    module_path: route.def.module_path,
                    handler_name: route.def.handler_name,
                    route: route.clone(),
                })
                .collect(),
        );
        let problems = check_folder(&folder, &endpoints);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Templates {
            environment: environment(&folder, Arc::clone(&endpoints)),
            reload: debug.then_some(Reload { folder, endpoints }),
        })
    }

    fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        match &self.reload {
            Some(reload) => environment(&reload.folder, Arc::clone(&reload.endpoints))
                .get_template(name)?
                .render(context),
            None => self.environment.get_template(name)?.render(context),
        }
    }
}

/// Every template of `folder` parsed, and each `url_for` with a literal endpoint checked
/// against the app's routes: what is wrong, naming the template and the line.
fn check_folder(folder: &Path, endpoints: &[Endpoint]) -> Vec<String> {
    let mut problems = Vec::new();
    for name in template::template_names(folder) {
        let Ok(source) = std::fs::read_to_string(folder.join(&name)) else {
            // Not text (an image beside the templates): no template.
            continue;
        };
        // Told as `render_template!` tells a template's mistakes: its name, its line, what.
        let mistake = |line, message| {
            template::Mistake {
                template: name.clone(),
                line,
                message,
            }
            .to_string()
        };
        match template::outline(&source, &name) {
            Ok(outline) => problems.extend(outline.url_fors.iter().filter_map(|call| {
                Some(mistake(Some(call.line), url_for_problem(endpoints, call)?))
            })),
            Err(error) => problems.push(mistake(error.line, error.message)),
        }
    }
    problems
}

/// An environment reading `folder`, escaping HTML in `.html`, `.htm` and `.xml` templates,
/// with Flask's global functions.
fn environment(folder: &Path, endpoints: Arc<Vec<Endpoint>>) -> Environment<'static> {
    let mut environment = Environment::new();
    environment.set_loader(minijinja::path_loader(folder));
    environment.set_formatter(escape_as_jinja2);
    environment.add_function("url_for", move |endpoint: &str, kwargs: Kwargs| {
        url_for(&endpoints, endpoint, &kwargs)
    });
    environment.add_global("session", Value::from_object(SessionGlobal));
    environment.add_global("request", Value::from_object(RequestGlobal));
    environment.add_function("get_flashed_messages", |kwargs: Kwargs| {
        let with_categories: Option<bool> = kwargs.get("with_categories")?;
        kwargs.assert_all_used()?;
        Ok(if with_categories.unwrap_or(false) {
            Value::from_serialize(get_flashed_messages_with_categories())
        } else {
            Value::from_serialize(get_flashed_messages())
        })
    });
    environment
}

/// The bytes Jinja2 (MarkupSafe) escapes in HTML: `&`, `<`, `>`, `"` and `'`.
const ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut index = 0;
    let bytes = b"&<>\"'";
    while index < bytes.len() {
        escaped[bytes[index] as usize] = true;
        index += 1;
    }
    escaped
};

/// Writes a value as Jinja2 does: in an HTML template, escaping the five characters
/// MarkupSafe escapes and no others (minijinja's own escaping also escapes `/`, which would
/// turn every `url_for` in an `href` into `&#x2f;`s).
fn escape_as_jinja2(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if state.auto_escape() != minijinja::AutoEscape::Html
        || value.is_safe()
        || value.is_undefined()
        || value.is_none()
    {
        return minijinja::escape_formatter(out, state, value);
    }
    // A string is written from where it lies: most values in a page are strings, and most
    // hold nothing to escape.
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = value.to_string();
            owned.as_str()
        }
    };
    let mut written = 0;
    // One test of a table per byte, rather than five comparisons: a page's text is mostly
    // long runs with nothing to escape.
    while let Some(offset) = text.as_bytes()[written..]
        .iter()
        .position(|&byte| ESCAPED[usize::from(byte)])
    {
        let at = written + offset;
        out.write_str(&text[written..at])?;
        out.write_str(match text.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&#34;",
            _ => "&#39;",
        })?;
        written = at + 1;
    }
    out.write_str(&text[written..])?;
    Ok(())
}

/// The path of the endpoint with these values, as Flask's `url_for` in a template. Every
/// parameter must be given, and nothing else: an unknown name is an error, as it is for
/// `url_for!`, never a query string.
fn url_for(
    endpoints: &[Endpoint],
    endpoint: &str,
    kwargs: &Kwargs,
) -> Result<String, minijinja::Error> {
    let found = find_endpoint(endpoints, endpoint).map_err(invalid)?;
    let mut values = Vec::new();
    let parts = found.route.parts();
    for (param, converter) in carafe_core::path::params(&parts) {
        let value: Value = kwargs
            .get(param)
            .map_err(|_| invalid(missing_param(endpoint, param)))?;
        let text = match value.as_str() {
            Some(text) => text.to_owned(),
            None => value.to_string(),
        };
        if let Some(refusal) = converter.refusal(param, &text) {
            return Err(invalid(format!(
                "url_for('{endpoint}'): {refusal}, not {text:?}"
            )));
        }
        values.push(text);
    }
    kwargs.assert_all_used().map_err(|error| {
        invalid(format!(
            "url_for('{endpoint}') takes only its path's parameters: {error}"
        ))
    })?;
    Ok(url::fill(&parts, &values))
}

/// The route a template's `url_for('blog.update')` names: the handler `update` of a module
/// whose path ends in `blog`; or why there is none, with the close names.
fn find_endpoint<'a>(endpoints: &'a [Endpoint], endpoint: &str) -> Result<&'a Endpoint, String> {
    let (blueprint, name) = endpoint.rsplit_once('.').unwrap_or(("", endpoint));
    let in_blueprint = |module_path: &str| {
        blueprint.is_empty()
            || module_path == blueprint
            || module_path.ends_with(&format!("::{blueprint}"))
    };
    if let Some(found) = endpoints
        .iter()
        .find(|route| route.handler_name == name && in_blueprint(route.module_path))
    {
        return Ok(found);
    }
    let known: Vec<String> = endpoints.iter().map(endpoint_name).collect();
    Err(
        match carafe_core::suggest::closest(endpoint, known.iter().map(String::as_str)) {
            Some(close) => {
                format!("url_for: no handler is named `{endpoint}`: did you mean `{close}`?")
            }
            None => format!(
                "url_for: no handler is named `{endpoint}`; the app's are {}",
                known.join(", ")
            ),
        },
    )
}

fn missing_param(endpoint: &str, param: &str) -> String {
    format!("url_for('{endpoint}') needs `{param}`: write url_for('{endpoint}', {param}=..)")
}

/// Why a template's `url_for('endpoint', name=..)` with these keywords cannot build a path:
/// no such endpoint, a parameter not given, or a keyword that is no parameter (which Flask
/// would turn into a query string: carafe does not, as `url_for!` does not).
fn url_for_problem(endpoints: &[Endpoint], call: &carafe_core::template::UrlFor) -> Option<String> {
    let found = match find_endpoint(endpoints, &call.endpoint) {
        Ok(found) => found,
        Err(problem) => return Some(problem),
    };
    let endpoint = &call.endpoint;
    let parts = found.route.parts();
    let params: Vec<&str> = carafe_core::path::params(&parts)
        .map(|(param, _)| param)
        .collect();
    if !call.spreads {
        if let Some(param) = params
            .iter()
            .find(|param| !call.keywords.iter().any(|k| k == *param))
        {
            return Some(missing_param(endpoint, param));
        }
    }
    let unknown = call
        .keywords
        .iter()
        .find(|keyword| !params.contains(&keyword.as_str()))?;
    let fix = match carafe_core::suggest::closest(unknown, params.iter().copied()) {
        Some(param) => format!("did you mean `{param}`?"),
        None if params.is_empty() => "it takes none".to_owned(),
        None => format!(
            "it takes {}",
            carafe_core::suggest::and_list(params.iter().copied())
        ),
    };
    Some(format!(
        "url_for('{endpoint}') has no parameter `{unknown}`: {fix} (for a query string, \
         write url_for('{endpoint}') ~ '?' ~ {{'{unknown}': ..}}|urlencode)"
    ))
}

/// How a template names a route: `module.handler`, with the module's last name.
fn endpoint_name(route: &Endpoint) -> String {
    match route.module_path.rsplit("::").next() {
        Some(module) if module != route.module_path || route.module_path == "carafe" => {
            format!("{module}.{}", route.handler_name)
        }
        _ => route.handler_name.to_owned(),
    }
}

fn invalid(message: String) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, message)
}

/// Renders the template `name` from the app's `templates/` folder with `context`, like Flask's
/// `render_template`: a 200 `text/html` page. Besides the context, templates see Flask's
/// globals: `url_for('blog.update', id=1)` (a handler by its module's name and its own),
/// `url_for('static', filename='style.css')`, `get_flashed_messages()`, `session` and
/// `request` (`request.path`, `request.method`, `request.args`). HTML in values is escaped in
/// `.html`, `.htm` and `.xml` templates.
///
/// A template that is missing or fails answers 500, and the log names the template and the
/// line. Templates are read once, at their first render; in debug mode
/// ([`App::debug`](crate::App::debug)), at every render, so that an edit shows at once.
///
/// # Panics
///
/// Outside a request, where no app says which templates to read: the message says to call it
/// in a handler or a hook (in tests, through `app.test_client()`).
///
/// The folder is `templates/` beside the source file that called `App::new()`, else in the
/// working folder; [`App::template_folder`](crate::App::template_folder) sets another.
///
/// ```
/// use carafe_runtime::{context, render_template, Response};
///
/// fn index() -> Response {
///     let posts = vec!["first", "second"];
///     render_template("blog/index.html", context! { posts => posts })
/// }
/// ```
pub fn render_template(name: &str, context: impl Serialize) -> Response {
    let rendered = with_current(|current| {
        let Some(current) = current else {
            panic!(
                "{}",
                outside_a_request(&format!("render_template({name:?})"))
            );
        };
        let templates = current.data.state_ref::<Templates>().ok_or_else(|| {
            format!(
                "render_template({name:?}): the app has no templates folder: make \
                 `templates/` beside the source file that calls `App::new()`, or set one with \
                 `App::new().template_folder(..)`"
            )
        })?;
        templates
            .render(name, Value::from_serialize(&context))
            .map_err(|error| template_error(name, &error))
    });
    match rendered {
        Ok(page) => Response::with_content_type(
            Body::from(page),
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        Err(detail) => HttpError::misconfigured(detail).into_response(),
    }
}

/// What the log says of a template that failed: the template and line where it failed, and
/// why, with the errors it stems from.
fn template_error(name: &str, error: &minijinja::Error) -> String {
    let place = match (error.name(), error.line()) {
        (Some(template), Some(line)) => format!("{template}, line {line}"),
        (Some(template), None) => template.to_owned(),
        _ => name.to_owned(),
    };
    let mut message = format!("template {place}: {}", error.kind());
    if let Some(detail) = error.detail() {
        message.push_str(&format!(": {detail}"));
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// `session` in a template: the request's session, read only when a template reads it.
///
/// The two request globals are objects registered once with the environment, which look at the
/// current request when a template reads them, so a page that never reads them pays nothing.
#[derive(Debug)]
struct SessionGlobal;

impl Object for SessionGlobal {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let value = current_session()?.get::<serde_json::Value>(key.as_str()?)?;
        Some(Value::from_serialize(value))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys = current_session().map_or_else(Vec::new, |session| {
            session
                .to_map()
                .keys()
                .map(|key| Value::from(key.as_str()))
                .collect()
        });
        Enumerator::Values(keys)
    }
}

/// `request` in a template: `method`, `path`, `full_path`, `query_string` and `args` of the
/// request being answered.
#[derive(Debug)]
struct RequestGlobal;

impl Object for RequestGlobal {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        with_current(|current| {
            let current = current?.request.as_deref()?;
            let query = current.uri.query().unwrap_or("");
            Some(match key.as_str()? {
                "method" => Value::from(current.method.as_str()),
                "path" => Value::from(current.uri.path()),
                "full_path" => Value::from(
                    current
                        .uri
                        .path_and_query()
                        .map_or("/", |whole| whole.as_str()),
                ),
                "query_string" => Value::from(query),
                "args" => Value::from_serialize(
                    FormData::parse(query.as_bytes())
                        .iter()
                        .map(|(name, value)| (name.to_owned(), value.to_owned()))
                        .collect::<BTreeMap<String, String>>(),
                ),
                _ => return None,
            })
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["method", "path", "full_path", "query_string", "args"])
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use carafe_core::template::{builtin_globals, CARAFE_GLOBALS};
    use minijinja::{context, Environment};

    use super::{environment, escape_as_jinja2};

    #[test]
    fn templates_have_the_globals_render_template_checks_against() {
        let environment = environment(Path::new("."), Arc::new(Vec::new()));
        let mut given: Vec<String> = environment
            .globals()
            .map(|(name, _)| name.to_owned())
            .collect();
        let mut known: Vec<String> = CARAFE_GLOBALS
            .iter()
            .map(|name| (*name).to_owned())
            .chain(builtin_globals())
            .collect();
        given.sort();
        known.sort();
        assert_eq!(given, known);
    }

    /// `{{ value }}` in an HTML template, with carafe's formatter.
    fn rendered(value: minijinja::Value) -> String {
        let mut environment = Environment::new();
        environment.set_formatter(escape_as_jinja2);
        environment
            .add_template("page.html", "{{ value }}")
            .unwrap();
        let template = environment.get_template("page.html").unwrap();
        template.render(context! { value }).unwrap()
    }

    #[test]
    fn escapes_what_markupsafe_escapes_and_nothing_else() {
        assert_eq!(
            rendered("Tom & \"Jerry's\" <b>/path</b>".into()),
            "Tom &amp; &#34;Jerry&#39;s&#34; &lt;b&gt;/path&lt;/b&gt;"
        );
        assert_eq!(rendered("&".into()), "&amp;");
        assert_eq!(rendered("plain text".into()), "plain text");
        assert_eq!(rendered("é <ü>".into()), "é &lt;ü&gt;");
        assert_eq!(rendered(42.into()), "42");
        assert_eq!(
            rendered(minijinja::Value::from_safe_string("<i>".into())),
            "<i>"
        );
    }
}
