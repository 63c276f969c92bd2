//! The macros of carafe: `#[route]`, its shorthands `#[get]`, `#[post]`, …, and
//! `routes![..]`.
//!
//! Use them through the `carafe` crate, which re-exports them; the code they generate names
//! `::carafe::__private`.
//!
//! `#[route]` parses its input into one model (`model`: the attribute from `attr`, the path
//! parsed by `carafe_core`'s grammar, the handler's arguments from `signature`, the statuses
//! of its response positions from `responses`), checking it as it goes with one error context
//! (`ctxt`) that gathers every error rather than stopping at the first; only then does it
//! expand (`expand`). On errors the handler and its route are still emitted, so the rest of
//! the crate type-checks and the user sees only the real mistakes. ARCHITECTURE.md follows a
//! route from here to the wire.

mod attr;
mod ctxt;
mod expand;
mod headers;
mod model;
mod openapi;
mod responses;
mod routes;
mod signature;
mod span;
mod status;
#[cfg(feature = "templates")]
mod template;
mod url_for;

use carafe_core::MethodSet;
use proc_macro::TokenStream;
use quote::quote;
use syn::parse_macro_input;

use crate::attr::RouteAttr;
use crate::ctxt::Ctxt;

/// Turns a function into a route: `#[route("/path", METHOD, ..)]`.
///
/// The path comes first; the methods (`GET POST PUT PATCH DELETE HEAD OPTIONS`) follow, and
/// none means `GET`, as in Flask. Path parameters are written as Flask writes them, `<name>` or
/// `<converter:name>` with the converters `string` (the default), `int`, `float`, `uuid` and
/// `path` (the rest of the path, last only).
///
/// An argument named like a path parameter receives it, parsed into the argument's type (a
/// value that does not parse answers 404). Every other argument is an extractor: `Form`,
/// `Json<T>`, `Query<T>`, `State<T>`, `Request`, …. The handler may be `fn` or `async fn`,
/// and returns anything that is a response: a body, `(body, status)`,
/// `(body, status, headers)`, `(body, headers)`, `Json<T>`, `Response`, or a `Result` of those.
///
/// ```
/// use carafe::prelude::*;
///
/// type Items = RwLock<HashMap<u64, String>>;
///
/// #[route("/items/<int:item_id>", GET, DELETE)]
/// async fn item(item_id: u64, items: State<Items>) -> impl IntoResponse {
///     match items.read().unwrap().get(&item_id) {
///         Some(name) => (Json(json!({ "item": name })), 200),
///         None => (Json(json!({ "error": "Item not found" })), 404),
///     }
/// }
///
/// fn main() {
///     let items = Items::new(HashMap::from([(1, "apple".to_owned())]));
///     let client = App::new().state(items).mount(routes![item]).test_client();
///     assert_eq!(client.get("/items/1").send().text(), r#"{"item":"apple"}"#);
///     assert_eq!(client.get("/items/2").send().status(), 404);
/// }
/// ```
///
/// The function stays callable as written: the macro adds, beside it, a hidden item of the
/// same name that [`routes!`] collects.
///
/// # Compile-time checks
///
/// Each error points at the offending token and says what to write instead:
///
/// ```compile_fail
/// # use carafe::prelude::*;
/// #[route("/items/{id}", PSOT)]          // carafe paths use Flask's `<id>`, not `{id}`
///                                        // unknown method `PSOT`: did you mean `POST`?
/// fn item(itemid: String) -> impl IntoResponse {
///     ("Error", "404")                   // status code must be an integer: write 404, not "404"
/// }
/// # fn main() {}
/// ```
///
/// Also checked: statuses outside 100..=599 and float, negative, bool or char statuses (in a
/// returned tuple, `make_response`, `abort` and `.status_code = ..`); a body on a 1xx, 204 or
/// 304 response; reversed tuples such as `(404, "Error")`; header names and values in response
/// tuples; every path parameter having a same-named argument and a converter that agrees with
/// its type.
#[proc_macro_attribute]
pub fn route(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let attr = attr::parse_route(args.into(), &cx);
    route_with(cx, attr, item.into()).into()
}

/// `#[get("/path")]`: the same as `#[route("/path", GET)]`.
///
/// ```
/// use carafe::prelude::*;
///
/// #[get("/success")]
/// fn success() -> impl IntoResponse {
///     ("Success!", 200)
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![success]).test_client();
///     assert_eq!(client.get("/success").send().text(), "Success!");
/// }
/// ```
#[proc_macro_attribute]
pub fn get(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::GET, args, item)
}

/// `#[post("/path")]`: the same as `#[route("/path", POST)]`.
///
/// ```
/// use carafe::prelude::*;
///
/// #[post("/userSignUp")]
/// fn sign_up(form: Form) -> impl IntoResponse {
///     ("Success", 200, [("Access-Control-Allow-Origin", "*")])
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![sign_up]).test_client();
///     let response = client.post("/userSignUp").form(&[("username", "sam")]).send();
///     assert_eq!(response.header("access-control-allow-origin"), Some("*"));
/// }
/// ```
#[proc_macro_attribute]
pub fn post(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::POST, args, item)
}

/// `#[put("/path")]`: the same as `#[route("/path", PUT)]`.
///
/// ```
/// use carafe::prelude::*;
///
/// #[derive(serde::Deserialize)]
/// struct Item {
///     name: String,
/// }
///
/// #[put("/items/<item_id>")]
/// async fn replace_item(item_id: String, Json(item): Json<Item>) -> impl IntoResponse {
///     println!("{item_id} is now {}", item.name);
///     ("", 204)
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![replace_item]).test_client();
///     let response = client.put("/items/a").json(&json!({ "name": "pear" })).send();
///     assert_eq!(response.status(), 204);
/// }
/// ```
#[proc_macro_attribute]
pub fn put(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::PUT, args, item)
}

/// `#[patch("/path")]`: the same as `#[route("/path", PATCH)]`.
///
/// ```
/// use carafe::prelude::*;
///
/// #[patch("/items/<item_id>")]
/// async fn rename_item(item_id: String, form: Form) -> Result<String, HttpError> {
///     Ok(format!("{item_id} renamed to {}", form.require("name")?))
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![rename_item]).test_client();
///     let response = client.patch("/items/a").form(&[("name", "pear")]).send();
///     assert_eq!(response.text(), "a renamed to pear");
/// }
/// ```
#[proc_macro_attribute]
pub fn patch(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::PATCH, args, item)
}

/// `#[delete("/path")]`: the same as `#[route("/path", DELETE)]`.
///
/// ```
/// use carafe::prelude::*;
///
/// type Items = RwLock<HashMap<String, String>>;
///
/// #[delete("/items/<item_id>")]
/// async fn delete_item(item_id: String, items: State<Items>) -> impl IntoResponse {
///     items.write().unwrap().remove(&item_id);
///     ("", 204)
/// }
///
/// fn main() {
///     let client = App::new()
///         .state(Items::default())
///         .mount(routes![delete_item])
///         .test_client();
///     assert_eq!(client.delete("/items/a").send().status(), 204);
/// }
/// ```
#[proc_macro_attribute]
pub fn delete(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::DELETE, args, item)
}

/// `#[head("/path")]`: the same as `#[route("/path", HEAD)]`. A `GET` route answers `HEAD`
/// on its own; this is for answering it differently.
///
/// ```
/// use carafe::prelude::*;
///
/// #[head("/health")]
/// fn health() -> impl IntoResponse {
///     ("", 200, [("X-Healthy", "yes")])
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![health]).test_client();
///     assert_eq!(client.head("/health").send().header("x-healthy"), Some("yes"));
/// }
/// ```
#[proc_macro_attribute]
pub fn head(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::HEAD, args, item)
}

/// `#[options("/path")]`: the same as `#[route("/path", OPTIONS)]`. Every path answers
/// `OPTIONS` with its `Allow` header on its own; this is for answering it differently.
///
/// ```
/// use carafe::prelude::*;
///
/// #[options("/userSignUp")]
/// fn sign_up_preflight() -> impl IntoResponse {
///     ("", 204, [("Access-Control-Allow-Origin", "*")])
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![sign_up_preflight]).test_client();
///     let response = client.options("/userSignUp").send();
///     assert_eq!(response.status(), 204);
///     assert_eq!(response.header("access-control-allow-origin"), Some("*"));
/// }
/// ```
#[proc_macro_attribute]
pub fn options(args: TokenStream, item: TokenStream) -> TokenStream {
    shorthand(MethodSet::OPTIONS, args, item)
}

fn shorthand(method: MethodSet, args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let attr = attr::parse_shorthand(method, args.into(), &cx);
    route_with(cx, attr, item.into()).into()
}

/// `#[route]` on `item`, given what its attribute parsed into: the model, its checks, then the
/// expansion, which emits the item whatever the errors.
fn route_with(
    cx: Ctxt,
    attr: Option<RouteAttr>,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) else {
        cx.error(
            proc_macro2::Span::call_site(),
            "`#[route]` goes on a function: write it above `fn handler(..)`",
        );
        let errors = cx.check().err().map(|error| error.to_compile_error());
        return quote!(#item #errors);
    };
    let path = attr.as_ref().map(|attr| attr.path.value());
    let route = model::Route::from_ast(&cx, attr.as_ref(), path.as_deref(), function);
    let errors = cx.check().err().map(|error| error.to_compile_error());
    expand::route(&route, errors)
}

/// The routes of the named handlers, to mount on an app: `routes![a, b, module::c]`.
///
/// Two handlers that answer the same method on the same path (parameter names aside) are a
/// compile error naming both; a name that is not a `#[route]` handler is a compile error too.
///
/// ```
/// use carafe::prelude::*;
///
/// #[route("/")]
/// fn index() -> &'static str {
///     "home"
/// }
///
/// mod admin {
///     use carafe::prelude::*;
///
///     #[route("/admin/stats")]
///     pub fn stats() -> &'static str {
///         "all good"
///     }
/// }
///
/// fn main() {
///     let client = App::new().mount(routes![index, admin::stats]).test_client();
///     assert_eq!(client.get("/admin/stats").send().text(), "all good");
/// }
/// ```
///
/// Two routes on the same method and path do not compile:
///
/// ```compile_fail
/// use carafe::prelude::*;
///
/// #[route("/items/<int:id>")]
/// fn first(id: u64) -> String { id.to_string() }
///
/// #[route("/items/<int:item_id>")]
/// fn second(item_id: u64) -> String { item_id.to_string() }
///
/// fn main() {
///     App::new().mount(routes![first, second]);
/// }
/// ```
#[proc_macro]
pub fn routes(input: TokenStream) -> TokenStream {
    parse_macro_input!(input as routes::Routes).expand().into()
}

/// The path of a handler, like Flask's `url_for`: under the prefix of the blueprint it is
/// mounted in, each value percent-encoded for its parameter's converter (`"a b"` → `a%20b`).
/// Checked at compile time: the handler exists; every path parameter is given, once; a name
/// that is no parameter is an error with "did you mean"; a literal the parameter's converter
/// would refuse (`"abc"` for `<int:id>`) is an error. Unlike Flask, an unknown name never
/// turns into a query string.
///
/// Name the handler as `routes![..]` does: by its name in its own module, by its path
/// elsewhere (`url_for!(blog::index)`); a handler declared inside a function's body cannot
/// be named. A name that is no handler is rustc's unresolved import, with "a similar name
/// exists" pointing at the handler meant. It answers a [`Url`](../carafe/struct.Url.html), which
/// reads as the path (`&str`, `Display`, `==` with strings, a header value, a redirect
/// target). The prefix is the one the app answering the request mounts the handler under (its
/// first mount, if it mounts it twice), so apps side by side in one process each build their
/// own. Outside a request (a test, start-up), ask the app: `app.url_for(&url_for!(..))`.
///
/// ```
/// use carafe::prelude::*;
///
/// mod api {
///     use carafe::prelude::*;
///
///     #[route("/items/<int:item_id>")]
///     pub fn get_item(item_id: u32) -> String {
///         format!("item {item_id}")
///     }
///
///     #[route("/items", POST)]
///     pub fn create_item() -> impl IntoResponse {
///         ("created", 201, [("Location", url_for!(get_item, item_id = 7))])
///     }
/// }
///
/// #[route("/search/<query>")]
/// fn search(query: String) -> String {
///     query
/// }
///
/// fn main() {
///     let app = App::new()
///         .register(Blueprint::new("/api").mount(routes![api::get_item, api::create_item]))
///         .mount(routes![search]);
///     assert_eq!(app.url_for(&url_for!(api::get_item, item_id = 7)), "/api/items/7");
///     assert_eq!(app.url_for(&url_for!(search, query = "a b")), "/search/a%20b");
///     let client = app.test_client();
///     let created = client.post("/api/items").send();
///     assert_eq!(created.header("location"), Some("/api/items/7"));
/// }
/// ```
///
/// A name that is no parameter does not compile:
///
/// ```compile_fail
/// use carafe::prelude::*;
///
/// #[route("/items/<int:item_id>")]
/// fn get_item(item_id: u32) -> String { item_id.to_string() }
///
/// fn main() {
///     let _ = url_for!(get_item, id = 7); // did you mean `item_id`?
/// }
/// ```
#[proc_macro]
pub fn url_for(input: TokenStream) -> TokenStream {
    parse_macro_input!(input as url_for::UrlFor).expand().into()
}

/// Renders a Jinja2 template from the app's `templates/` folder, like Flask's
/// `render_template`, with the template read and checked when the crate compiles: a syntax
/// error, a variable the template reads that the context does not give (and no global does:
/// `url_for`, `get_flashed_messages`, `session`, `request`, minijinja's `range`, `dict`,
/// `namespace`), an unknown filter or test, or a template that does not exist is a compile
/// error naming the template, its line and the fix. Everything it extends, includes and
/// imports by a literal name is read too, and a change to any of them rebuilds the crate. A
/// context key no template reads is a warning.
///
/// The context is written as minijinja's `context!`: `key => value`, or `key` alone for a
/// variable of that name. The folder is `templates/` beside the calling source file or in the
/// nearest folder above it in the package, where the app looks for it. For a template named
/// at run time, call the function `render_template(name, context! { .. })`.
///
/// ```ignore
/// #[route("/")]
/// fn index(database: State<Database>) -> Result<Response, Error> {
///     let posts = all_posts(&database)?;
///     Ok(render_template!("blog/index.html", posts => posts))
/// }
/// ```
///
/// A misspelt variable in `blog/index.html` (`{% for post in pots %}`) does not compile:
///
/// ```text
/// error: template blog/index.html, line 12: the template reads `pots`, which the context
///        does not give: did you mean `posts`?
/// ```
#[cfg(feature = "templates")]
#[proc_macro]
pub fn render_template(input: TokenStream) -> TokenStream {
    parse_macro_input!(input as template::RenderTemplate)
        .expand()
        .into()
}

/// The second step of `url_for!`, called by the macro `#[route]` puts beside each handler.
#[doc(hidden)]
#[proc_macro]
pub fn url_for_route(input: TokenStream) -> TokenStream {
    parse_macro_input!(input as url_for::UrlForRoute)
        .expand()
        .into()
}
