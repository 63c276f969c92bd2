//! `url_for!`: the path of a handler under the prefix it is mounted at, each value
//! percent-encoded, through the test client and over a socket; `App::url_for` for a given app;
//! the first mount of a handler mounted twice.

mod common;

use carafe::prelude::*;
use carafe::{url_for, Blueprint, Url};

mod blog {
    use carafe::prelude::*;
    use carafe::url_for;

    #[route("/")]
    pub fn index() -> String {
        // A handler in the same module, by its name.
        format!("posts; write one at {}", url_for!(create))
    }

    #[route("/create", POST)]
    pub fn create() -> Response {
        // Flask's redirect after a POST, to a handler with parameters.
        redirect(url_for!(show, id = 7))
    }

    #[route("/<int:id>")]
    pub fn show(id: u32) -> String {
        format!("post {id}")
    }

    #[route("/tags/<tag>/<path:rest>")]
    pub fn tagged(tag: String, rest: String) -> String {
        format!("{tag} {rest}")
    }
}

mod nested {
    use carafe::prelude::*;

    #[route("/<float:x>/<uuid:id>")]
    pub fn deep(x: f64, id: String) -> String {
        format!("{x} {id}")
    }
}

#[route("/")]
fn home() -> String {
    // Another module's handler, by its path.
    format!("home; the blog is at {}", url_for!(blog::index))
}

fn app() -> App {
    let blog =
        Blueprint::new("/blog").mount(routes![blog::index, blog::create, blog::show, blog::tagged]);
    let v1 = Blueprint::new("/v1").mount(routes![nested::deep]);
    App::new()
        .mount(routes![home])
        .register(blog)
        .register(Blueprint::new("/api").register(v1))
}

#[test]
fn paths_carry_their_prefixes_and_encoded_values() {
    // Outside a request, the app says under which prefix (in a request, the app answering).
    let app = app();
    let path = |url: Url| app.url_for(&url).to_string();
    assert_eq!(path(url_for!(home)), "/");
    assert_eq!(path(url_for!(blog::index)), "/blog/");
    assert_eq!(path(url_for!(blog::show, id = 7)), "/blog/7");
    let id: u32 = 42;
    assert_eq!(path(url_for!(blog::show, id = id)), "/blog/42");
    assert_eq!(
        path(url_for!(blog::tagged, tag = "a b", rest = "x y/z.txt")),
        "/blog/tags/a%20b/x%20y/z.txt"
    );
    // A slash computed at run time stays inside its segment, encoded.
    let with_slash = "a/b";
    assert_eq!(
        path(url_for!(blog::tagged, tag = with_slash, rest = "r")),
        "/blog/tags/a%2Fb/r"
    );
    assert_eq!(
        path(url_for!(
            nested::deep,
            x = 1.0,
            id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
        )),
        "/api/v1/1.0/6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    );
    let x = 2.5f64;
    let tag = String::from("café");
    assert_eq!(
        path(url_for!(blog::tagged, rest = "r", tag = tag)),
        "/blog/tags/caf%C3%A9/r"
    );
    let uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    assert_eq!(
        path(url_for!(nested::deep, id = uuid, x = x)),
        format!("/api/v1/2.5/{uuid}")
    );

    // Every path url_for! builds routes back to its handler, values intact.
    let tagged = path(url_for!(blog::tagged, tag = "a b", rest = "x y/z.txt"));
    let deep = path(url_for!(nested::deep, x = 1.0, id = uuid));
    let client = app.test_client();
    assert_eq!(client.get(&tagged).send().text(), "a b x y/z.txt");
    assert_eq!(client.get(&deep).send().text(), format!("1 {uuid}"));
}

#[test]
fn handlers_use_it_in_their_answers() {
    let client = app().test_client();
    assert_eq!(client.get("/").send().text(), "home; the blog is at /blog/");
    assert_eq!(
        client.get("/blog/").send().text(),
        "posts; write one at /blog/create"
    );
    let created = client.post("/blog/create").send();
    assert_eq!(created.status(), 302);
    assert_eq!(created.header("location"), Some("/blog/7"));
}

#[tokio::test]
async fn over_a_socket() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/blog/create", &[], "").await;
    assert_eq!(answer.status, 302);
    assert_eq!(answer.header("location"), Some("/blog/7"));
    let answer = common::get_http2(addr, "/blog/").await;
    assert_eq!(answer.body, "posts; write one at /blog/create");
}

#[test]
fn an_app_answers_for_its_own_mounts() {
    // Two apps in one process, the same handler under two prefixes.
    let under_a = App::new().register(Blueprint::new("/a").mount(routes![blog::show]));
    let under_b = App::new().register(Blueprint::new("/b").mount(routes![blog::show]));
    let url = url_for!(blog::show, id = 3);
    // Each app answers for itself, whichever was built last.
    assert_eq!(under_a.url_for(&url), "/a/3");
    assert_eq!(under_b.url_for(&url), "/b/3");
    // An app that does not mount it answers the handler's own path.
    assert_eq!(App::new().url_for(&url), "/3");
}

#[test]
fn a_handler_mounted_twice_answers_with_its_first_mount() {
    let app = App::new()
        .register(Blueprint::new("/first").mount(routes![blog::show]))
        .register(Blueprint::new("/second").mount(routes![blog::show]));
    let url = url_for!(blog::show, id = 1);
    assert_eq!(app.url_for(&url), "/first/1");
    // Both still answer.
    let client = app.test_client();
    assert_eq!(client.get("/second/1").send().text(), "post 1");
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever the text (but what the converters refuse: a `/` in a segment, a path that
        /// starts with one), the path url_for! builds routes to the handler with the same
        /// values.
        #[test]
        fn every_value_comes_back(
            tag in "[^/]{1,12}",
            rest in "[^/][^\\x00]{0,12}",
        ) {
            let app = app();
            let url = app.url_for(&url_for!(blog::tagged, tag = &tag, rest = &rest));
            let client = app.test_client();
            let response = client.get(&url).send();
            prop_assert_eq!(response.status(), 200, "{}", url);
            prop_assert_eq!(response.text(), format!("{tag} {rest}"));
        }
    }
}
