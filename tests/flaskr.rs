//! examples/flaskr against every assertion of Flask's own tutorial tests (`tests/test_auth.py`
//! and `tests/test_blog.py`), over a real socket, then against hostile input. Each test serves
//! the app on a fresh database seeded as the tutorial's `data.sql` seeds it, and talks to it
//! through a browser that keeps the cookies it is given.
//!
//! Every test that serves the app does so on SQLite, then, when `FLASKR_TEST_DATABASE_URL` is
//! the URL of a PostgreSQL user who may create databases, on PostgreSQL too, in a database of
//! its own made for it and dropped after it:
//!
//! ```text
//! FLASKR_TEST_DATABASE_URL=$(bash tests/support/postgres.sh start) cargo test --test flaskr
//! ```

mod common;

#[path = "../examples/flaskr/main.rs"]
#[allow(dead_code)]
mod flaskr;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::Answer;
use flaskr::db::{Connection, Database, Location};
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use postgres::NoTls;
use rusqlite::OptionalExtension;

/// flaskr served on its own database, which is removed when the test ends.
struct Site {
    addr: SocketAddr,
    /// The app's own pool of connections to it, shared.
    database: Database,
    test_database: TestDatabase,
}

impl Site {
    /// The app on a new database holding what the tutorial's `data.sql` holds: the users
    /// `test` and `other` (passwords as their names) and one post by `test`.
    async fn start(engine: &Engine) -> Site {
        let database = TestDatabase::create(engine);
        seed(&database);
        Site::serve(database).await
    }

    /// The app on `test_database`, as it is.
    async fn serve(test_database: TestDatabase) -> Site {
        let location = test_database.location();
        // Shown with the output of a test that fails, to tell which database it failed on.
        eprintln!("flaskr on {location}");
        let database = off_the_runtime(|| Database::open(&location)).unwrap();
        let app = flaskr::app(database.clone()).secret_key("flaskr's tests");
        let addr = common::serve(app).await;
        Site {
            addr,
            database,
            test_database,
        }
    }

    /// The app's database, as another program sees it, to look at or change what it holds.
    fn db(&self) -> &TestDatabase {
        &self.test_database
    }

    /// A browser with no cookies yet.
    fn browser(&self) -> Browser {
        Browser {
            addr: self.addr,
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in as `test`, as the tutorial's `auth.login()` leaves it.
    async fn signed_in(&self) -> Browser {
        let mut browser = self.browser();
        let answer = browser.log_in("test", "test").await;
        assert_eq!(answer.header("location"), Some("/"), "{answer:?}");
        browser
    }

    fn post_count(&self) -> i64 {
        self.db().value("SELECT COUNT(id) FROM post").unwrap()
    }
}

// ---- the databases under test ----

/// A kind of database that flaskr is served on in these tests.
enum Engine {
    Sqlite,
    /// A PostgreSQL server, reached as a user who may create databases.
    Postgres(Box<postgres::Config>),
}

/// SQLite always, and PostgreSQL too when `FLASKR_TEST_DATABASE_URL` is set: then it must be
/// the URL of a server that answers, or every test fails, rather than pass without it.
fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    match std::env::var("FLASKR_TEST_DATABASE_URL") {
        Err(std::env::VarError::NotPresent) => {}
        Ok(url) if !url.is_empty() => {
            let config = url.parse().unwrap_or_else(|error| {
                panic!("FLASKR_TEST_DATABASE_URL is no PostgreSQL URL: {error}")
            });
            engines.push(Engine::Postgres(Box::new(config)));
        }
        _ => panic!("FLASKR_TEST_DATABASE_URL is set, but to no URL"),
    }
    engines
}

/// flaskr's database for one test, removed when the test ends: a SQLite file of its own, or a
/// PostgreSQL database of its own on the server under test. Its methods are another program's
/// connection to it, to look at or change what it holds.
enum TestDatabase {
    Sqlite(PathBuf),
    Postgres {
        /// The server, as the user who created the database and drops it.
        admin: Box<postgres::Config>,
        name: String,
    },
}

impl TestDatabase {
    /// A database that no other test of this run uses, with no tables: a file not made yet, or
    /// an empty PostgreSQL database.
    fn create(engine: &Engine) -> TestDatabase {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let process = std::process::id();
        match engine {
            Engine::Sqlite => TestDatabase::Sqlite(
                std::env::temp_dir().join(format!("carafe-flaskr-{process}-{number}.sqlite")),
            ),
            Engine::Postgres(admin) => {
                let name = format!("flaskr_test_{process}_{number}");
                // In a time zone a day ahead of UTC for most of the day, so that a day told in
                // the session's time zone rather than UTC shows.
                off_the_runtime(|| {
                    let mut server = admin.connect(NoTls).unwrap();
                    // Two calls: CREATE DATABASE runs outside a transaction, which one call of
                    // several statements is.
                    server
                        .batch_execute(&format!("CREATE DATABASE {name}"))
                        .unwrap();
                    server
                        .batch_execute(&format!(
                            "ALTER DATABASE {name} SET timezone TO 'Pacific/Kiritimati'"
                        ))
                        .unwrap();
                });
                TestDatabase::Postgres {
                    admin: admin.clone(),
                    name,
                }
            }
        }
    }

    /// Where flaskr finds it.
    fn location(&self) -> Location {
        match self {
            TestDatabase::Sqlite(path) => Location::Sqlite(path.clone()),
            TestDatabase::Postgres { admin, name } => {
                let mut config = admin.clone();
                config.dbname(name);
                Location::Postgres(config)
            }
        }
    }

    /// Runs `sql`, one or more statements with no parameters.
    fn execute(&self, sql: &str) {
        off_the_runtime(|| match self {
            TestDatabase::Sqlite(path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            TestDatabase::Postgres { .. } => self.postgres().batch_execute(sql).unwrap(),
        });
    }

    /// The first column of the row the query `sql` gives, if it gives one.
    fn value<T>(&self, sql: &str) -> Option<T>
    where
        T: rusqlite::types::FromSql + for<'row> postgres::types::FromSql<'row> + Send,
    {
        off_the_runtime(|| match self {
            TestDatabase::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(sql, [], |row| row.get(0))
                .optional()
                .unwrap(),
            TestDatabase::Postgres { .. } => self
                .postgres()
                .query_opt(sql, &[])
                .unwrap()
                .map(|row| row.get(0)),
        })
    }

    /// A user whose stored password is `hash`.
    fn add_user(&self, username: &str, hash: &str) {
        off_the_runtime(|| match self {
            TestDatabase::Sqlite(path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute(
                        "INSERT INTO user (username, password) VALUES (?1, ?2)",
                        [username, hash],
                    )
                    .unwrap();
            }
            TestDatabase::Postgres { .. } => {
                self.postgres()
                    .execute(
                        r#"INSERT INTO "user" (username, password) VALUES ($1, $2)"#,
                        &[&username, &hash],
                    )
                    .unwrap();
            }
        });
    }

    /// A connection of its own to the PostgreSQL database, to be used and dropped off the
    /// runtime.
    fn postgres(&self) -> postgres::Client {
        let Location::Postgres(config) = self.location() else {
            unreachable!("a SQLite database has no PostgreSQL connection");
        };
        config.connect(NoTls).unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite(path) => {
                // With the files of WAL mode, which the last connection to close removes: the
                // app's may still be open.
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            TestDatabase::Postgres { admin, name } => off_the_runtime(|| {
                // FORCE: the app's pool is still connected. Left behind when the server is gone
                // already, with the rest of its data.
                if let Ok(mut server) = admin.connect(NoTls) {
                    let _ = server.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
                }
            }),
        }
    }
}

/// Runs `work` on a thread of its own, outside the test's tokio runtime: the synchronous
/// PostgreSQL client, flaskr's and the tests', waits inside a runtime of its own, and tokio
/// refuses to start one on a thread that runs another's tasks.
fn off_the_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// The tutorial's tables and data: the app's own `init-db`, then `data.sql`'s rows, the users'
/// passwords hashed by Werkzeug (`pbkdf2:sha256`, 50,000 iterations): every test that logs in
/// also shows that a database made by Flask's flaskr works with this one.
fn seed(database: &TestDatabase) {
    off_the_runtime(|| flaskr::db::init_db(&database.location())).unwrap();
    database.execute(match database {
        TestDatabase::Sqlite(_) => DATA_SQL,
        TestDatabase::Postgres { .. } => DATA_SQL_POSTGRES,
    });
}

/// Flask's `examples/tutorial/tests/data.sql`, verbatim.
const DATA_SQL: &str = "\
INSERT INTO user (username, password)
VALUES
  ('test', 'pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f'),
  ('other', 'pbkdf2:sha256:50000$kJPKsz6N$d2d4784f1b030a9761f5ccaeeaca413f27f2ecb76d6168407af962ddce849f79');

INSERT INTO post (title, body, author_id, created)
VALUES
  ('test title', 'test' || x'0a' || 'body', 1, '2018-01-01 00:00:00');
";

/// The same rows in PostgreSQL's SQL: `"user"` quoted, the newline in an escape string.
const DATA_SQL_POSTGRES: &str = r#"
INSERT INTO "user" (username, password)
VALUES
  ('test', 'pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f'),
  ('other', 'pbkdf2:sha256:50000$kJPKsz6N$d2d4784f1b030a9761f5ccaeeaca413f27f2ecb76d6168407af962ddce849f79');

INSERT INTO post (title, body, author_id, created)
VALUES
  ('test title', E'test\nbody', 1, '2018-01-01 00:00:00');
"#;

/// A client that sends back the cookies it was given, as a browser does (and Flask's test
/// client): a cookie set again replaces the old one, one set with `Max-Age=0` is dropped.
struct Browser {
    addr: SocketAddr,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    async fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, &[], "").await
    }

    /// A form posted with these fields, urlencoded as a browser sends them.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let form = [("content-type", "application/x-www-form-urlencoded")];
        self.send("POST", path, &form, &body).await
    }

    /// A POST with no body at all, as Flask's `client.post(path)`.
    async fn post_nothing(&mut self, path: &str) -> Answer {
        self.send("POST", path, &[], "").await
    }

    /// The tutorial's `auth.login(username, password)`.
    async fn log_in(&mut self, username: &str, password: &str) -> Answer {
        let fields = [("username", username), ("password", password)];
        self.post("/auth/login", &fields).await
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut headers = headers.to_vec();
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        let answer = common::send(self.addr, method, path, &headers, body).await;
        self.keep_cookies(&answer);
        answer
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for set_cookie in answer.headers.get_all("set-cookie") {
            let set_cookie = set_cookie.to_str().unwrap();
            let mut attributes = set_cookie.split(';').map(str::trim);
            let (name, value) = attributes.next().unwrap().split_once('=').unwrap();
            if attributes.any(|attribute| attribute.eq_ignore_ascii_case("max-age=0")) {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    /// What the session cookie holds, as Flask's `session`: its values are signed, not
    /// hidden, so they can be read (`{"at": <time>, "values": {..}}` after the signature).
    fn session(&self) -> serde_json::Map<String, serde_json::Value> {
        let Some(cookie) = self.cookies.get("session") else {
            return serde_json::Map::new();
        };
        let text = percent_decode_str(cookie).decode_utf8().unwrap();
        let saved = &text[text.find('{').expect("the values after the signature")..];
        let saved: serde_json::Value = serde_json::from_str(saved).unwrap();
        saved["values"].as_object().unwrap().clone()
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

// ---- test_auth.py ----

#[tokio::test]
async fn test_register() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.browser();
        // The page renders without template errors.
        assert_eq!(browser.get("/auth/register").await.status, 200);

        // A registration sends the browser to the login page.
        let fields = [("username", "a"), ("password", "a")];
        let answer = browser.post("/auth/register", &fields).await;
        assert_eq!(answer.status, 302);
        assert_eq!(answer.header("location"), Some("/auth/login"));
        // The login page says so, once.
        let login = browser.get("/auth/login").await;
        assert!(
            login.body.contains("Registered as a: log in."),
            "{}",
            login.body
        );
        let again = browser.get("/auth/login").await;
        assert!(!again.body.contains("Registered as"), "{}", again.body);

        // The user is in the database.
        let found: Option<i64> = site
            .db()
            .value(r#"SELECT id FROM "user" WHERE username = 'a'"#);
        assert!(found.is_some());
    }
}

#[tokio::test]
async fn test_register_validate_input() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        for (username, password, message) in [
            ("", "", "Username is required."),
            ("a", "", "Password is required."),
            ("test", "test", "already registered"),
        ] {
            let fields = [("username", username), ("password", password)];
            let answer = site.browser().post("/auth/register", &fields).await;
            assert_eq!(answer.status, 200, "{username:?} {password:?}");
            assert!(
                answer.body.contains(message),
                "{message} in {}",
                answer.body
            );
        }
        // The whole message, as Flask words it.
        let fields = [("username", "test"), ("password", "test")];
        let answer = site.browser().post("/auth/register", &fields).await;
        assert!(answer.body.contains("User test is already registered."));
    }
}

#[tokio::test]
async fn test_login() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.browser();
        assert_eq!(browser.get("/auth/login").await.status, 200);

        // A login sends the browser to the index.
        let answer = browser.log_in("test", "test").await;
        assert_eq!(answer.status, 302);
        assert_eq!(answer.header("location"), Some("/"));

        // The session holds the user's id, and the next request knows who is signed in.
        assert_eq!(browser.session()["user_id"], 1);
        let answer = browser.get("/").await;
        assert!(answer.body.contains(">test</span>"), "{}", answer.body);
        assert!(answer.body.contains("Log Out"), "{}", answer.body);
    }
}

#[tokio::test]
async fn test_login_validate_input() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        for (username, password, message) in [
            ("a", "test", "Incorrect username."),
            ("test", "a", "Incorrect password."),
        ] {
            let answer = site.browser().log_in(username, password).await;
            assert_eq!(answer.status, 200, "{username:?} {password:?}");
            assert!(
                answer.body.contains(message),
                "{message} in {}",
                answer.body
            );
            assert_eq!(answer.header("location"), None);
        }
    }
}

#[tokio::test]
async fn test_logout() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        let answer = browser.get("/auth/logout").await;
        assert_eq!(answer.header("location"), Some("/"));
        assert!(!browser.session().contains_key("user_id"));
        assert!(browser.get("/").await.body.contains("Log In"));
    }
}

// ---- test_blog.py ----

#[tokio::test]
async fn test_index() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.browser();
        let answer = browser.get("/").await;
        assert!(answer.body.contains("Log In"), "{}", answer.body);
        assert!(answer.body.contains("Register"), "{}", answer.body);

        let mut browser = site.signed_in().await;
        let answer = browser.get("/").await;
        for expected in [
            "test title",
            "by test on 2018-01-01",
            "test\nbody",
            r#"href="/1/update""#,
        ] {
            assert!(
                answer.body.contains(expected),
                "{expected:?} in {}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn test_login_required() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        for path in ["/create", "/1/update", "/1/delete"] {
            let answer = site.browser().post_nothing(path).await;
            assert_eq!(answer.status, 302, "{path}");
            assert_eq!(answer.header("location"), Some("/auth/login"), "{path}");
        }
    }
}

#[tokio::test]
async fn test_author_required() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        // The post now belongs to the other user.
        site.db()
            .execute("UPDATE post SET author_id = 2 WHERE id = 1");

        let mut browser = site.signed_in().await;
        // The signed-in user cannot change another user's post,
        assert_eq!(browser.post_nothing("/1/update").await.status, 403);
        assert_eq!(browser.post_nothing("/1/delete").await.status, 403);
        // nor sees a link to edit it.
        let answer = browser.get("/").await;
        assert!(
            !answer.body.contains(r#"href="/1/update""#),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn test_exists_required() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        for path in ["/2/update", "/2/delete"] {
            let answer = browser.post_nothing(path).await;
            assert_eq!(answer.status, 404, "{path}");
            assert!(
                answer.body.contains("Post id 2 doesn't exist."),
                "{}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn test_create() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        assert_eq!(browser.get("/create").await.status, 200);
        let answer = browser
            .post("/create", &[("title", "created"), ("body", "")])
            .await;
        assert_eq!(answer.header("location"), Some("/"));
        assert_eq!(site.post_count(), 2);
    }
}

#[tokio::test]
async fn test_update() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        assert_eq!(browser.get("/1/update").await.status, 200);
        let answer = browser
            .post("/1/update", &[("title", "updated"), ("body", "")])
            .await;
        assert_eq!(answer.header("location"), Some("/"));
        let title: Option<String> = site.db().value("SELECT title FROM post WHERE id = 1");
        assert_eq!(title.as_deref(), Some("updated"));
    }
}

#[tokio::test]
async fn test_create_update_validate() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        for path in ["/create", "/1/update"] {
            let answer = browser.post(path, &[("title", ""), ("body", "")]).await;
            assert_eq!(answer.status, 200, "{path}");
            assert!(
                answer.body.contains("Title is required."),
                "{path}: {}",
                answer.body
            );
        }
        // Nothing was written.
        assert_eq!(site.post_count(), 1);
    }
}

#[tokio::test]
async fn test_delete() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        let answer = browser.post_nothing("/1/delete").await;
        assert_eq!(answer.status, 302);
        assert_eq!(answer.header("location"), Some("/"));
        let post: Option<i64> = site.db().value("SELECT id FROM post WHERE id = 1");
        assert_eq!(post, None);
    }
}

// ---- beyond the tutorial's tests ----

#[tokio::test]
async fn a_new_post_comes_first_with_the_day_it_was_written_in_utc() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        let before = utc_today();
        let fields = [("title", "newer title"), ("body", "")];
        assert_eq!(browser.post("/create", &fields).await.status, 302);
        let after = utc_today();
        let index = browser.get("/").await.body;

        let newer = index.find("newer title").expect("the new post");
        let older = index.find("test title").expect("the seeded post");
        assert!(newer < older, "{index}");
        // Either day, should the test run across midnight.
        assert!(
            [before, after]
                .iter()
                .any(|day| index.contains(&format!("by test on {day}"))),
            "{index}"
        );
    }
}

/// Today's date in UTC, `YYYY-MM-DD`, as SQLite tells it: flaskr shows the day a post was
/// written in UTC whatever its database, and whatever the server's time zone.
fn utc_today() -> String {
    let memory = rusqlite::Connection::open_in_memory().unwrap();
    memory
        .query_row("SELECT date('now')", [], |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_new_database_gets_its_tables_at_start() {
    for engine in engines() {
        let site = Site::serve(TestDatabase::create(&engine)).await;
        let mut browser = site.browser();
        let fields = [("username", "sam"), ("password", "pw")];
        let answer = browser.post("/auth/register", &fields).await;
        assert_eq!(answer.header("location"), Some("/auth/login"));
        assert_eq!(browser.log_in("sam", "pw").await.status, 302);
        assert!(browser.get("/").await.body.contains("No posts yet."));
    }
}

#[tokio::test]
async fn the_pages_link_the_stylesheet_that_is_served() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.browser();
        let page = browser.get("/auth/login").await;
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(page.body.contains("style.css"), "{}", page.body);
        let stylesheet = browser.get("/static/style.css").await;
        assert_eq!(stylesheet.status, 200);
        assert_eq!(
            stylesheet.header("content-type"),
            Some("text/css; charset=utf-8")
        );
    }
}

#[tokio::test]
async fn a_forged_session_reads_as_signed_out() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let signed_in = site.signed_in().await;
        let real = signed_in.cookies["session"].clone();
        // The values are readable: user 1 made user 2, the signature kept.
        let forged = real.replace("%3A1%7D", "%3A2%7D");
        assert_ne!(forged, real);
        for cookie in [
            forged,
            "garbage".to_owned(),
            real[..real.len() / 2].to_owned(),
        ] {
            let mut browser = site.browser();
            browser.cookies.insert("session".to_owned(), cookie.clone());
            let answer = browser.get("/").await;
            assert!(answer.body.contains("Log In"), "{cookie}: {}", answer.body);
            let answer = browser
                .post("/create", &[("title", "forged"), ("body", "")])
                .await;
            assert_eq!(answer.header("location"), Some("/auth/login"), "{cookie}");
        }
        assert_eq!(site.post_count(), 1);
    }
}

#[tokio::test]
async fn a_session_of_a_deleted_user_reads_as_signed_out() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        // Its posts first: the database keeps every post's author.
        site.db()
            .execute(r#"DELETE FROM post WHERE author_id = 1; DELETE FROM "user" WHERE id = 1;"#);
        assert!(browser.get("/").await.body.contains("Log In"));
        let answer = browser.post_nothing("/create").await;
        assert_eq!(answer.header("location"), Some("/auth/login"));
    }
}

#[tokio::test]
async fn an_id_that_is_no_integer_is_404() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        for path in [
            "/abc/update",
            "/-1/update",
            "/1.5/update",
            "/99999999999999999999999/update",
            "/1%20OR%201=1/delete",
        ] {
            assert_eq!(browser.get(path).await.status, 404, "{path}");
            assert_eq!(browser.post_nothing(path).await.status, 404, "{path}");
        }
        // Deleting answers only POST, as in the tutorial.
        assert_eq!(browser.get("/1/delete").await.status, 405);
        assert_eq!(site.post_count(), 1);
    }
}

#[tokio::test]
async fn missing_or_oversized_form_fields_answer_4xx() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        // A form without a field answers 400, as Flask's `request.form["username"]` does.
        let mut browser = site.browser();
        let answer = browser.post("/auth/register", &[("username", "a")]).await;
        assert_eq!(answer.status, 400);
        let answer = browser.post("/auth/login", &[("password", "a")]).await;
        assert_eq!(answer.status, 400);
        let mut browser = site.signed_in().await;
        let answer = browser.post("/create", &[("title", "no body")]).await;
        assert_eq!(answer.status, 400);
        let answer = browser.post("/1/update", &[("body", "no title")]).await;
        assert_eq!(answer.status, 400);

        // Another kind of body is refused, not read as an empty form.
        let json = [("content-type", "application/json")];
        let answer = browser
            .send("POST", "/create", &json, r#"{"title":"t","body":"b"}"#)
            .await;
        assert_eq!(answer.status, 415);

        // A title past the body limit (2 MiB).
        let huge = "x".repeat(3 * 1024 * 1024);
        let answer = browser
            .post("/create", &[("title", &huge), ("body", "")])
            .await;
        assert_eq!(answer.status, 413);

        assert_eq!(site.post_count(), 1);
        // And the site serves on.
        assert_eq!(browser.get("/").await.status, 200);
    }
}

#[tokio::test]
async fn html_and_sql_in_the_input_are_only_text() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.signed_in().await;
        let title = r#"<script>alert("owned")</script>"#;
        let answer = browser
            .post("/create", &[("title", title), ("body", "<b>bold</b>")])
            .await;
        assert_eq!(answer.header("location"), Some("/"));
        let index = browser.get("/").await.body;
        assert!(!index.contains("<script>"), "{index}");
        assert!(!index.contains("<b>bold"), "{index}");
        assert!(index.contains("&lt;script&gt;"), "{index}");

        // A username that is SQL is just a name nobody has.
        let answer = site.browser().log_in("' OR '1'='1", "test").await;
        assert!(
            answer.body.contains("Incorrect username."),
            "{}",
            answer.body
        );
        // A stored password that is no hash matches nothing, rather than failing.
        site.db().add_user("plain", "plain");
        let answer = site.browser().log_in("plain", "plain").await;
        assert!(
            answer.body.contains("Incorrect password."),
            "{}",
            answer.body
        );
    }
}

// ---- concurrent users ----

/// While a request is in the middle of a write, holding its connection and a lock that keeps
/// other writers out (SQLite's write lock; in PostgreSQL, an `EXCLUSIVE` lock on the posts),
/// other users' pages are served from what was committed; a post created meanwhile waits for the
/// lock rather than failing (with "database is locked", in SQLite), and is written once the
/// first write commits. With one connection that every request took turns on, the readers waited
/// for the writer's request to end.
#[test]
fn readers_are_served_while_a_request_holds_a_write() {
    for engine in engines() {
        // The server on a runtime of its own, the browsers on another: a view waiting for the
        // lock holds up the server's worker that runs it, and the browsers' timeouts must
        // still fire.
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let browsers = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let site = server.block_on(Site::start(&engine));
        let mut writer = browsers.block_on(site.signed_in());

        // The request's connection, taken from the app's pool as a view takes it. SQLite's
        // `EXCLUSIVE` would keep the readers out too, were the database not in WAL mode;
        // PostgreSQL's lets readers through and keeps writers out.
        let mut writing = site.database.connection().unwrap();
        execute_on(
            &mut writing,
            "BEGIN EXCLUSIVE; \
             INSERT INTO post (title, body, author_id) VALUES ('uncommitted', '', 2);",
            "BEGIN; LOCK TABLE post IN EXCLUSIVE MODE; \
             INSERT INTO post (title, body, author_id) VALUES ('uncommitted', '', 2);",
        );

        let pages = browsers.block_on(async {
            let readers: Vec<_> = (0..8)
                .map(|_| {
                    let mut browser = site.browser();
                    tokio::spawn(async move { browser.get("/").await })
                })
                .collect();
            let all_read = async {
                let mut pages = Vec::new();
                for reader in readers {
                    pages.push(reader.await.unwrap());
                }
                pages
            };
            tokio::time::timeout(Duration::from_secs(5), all_read).await
        });
        let pages = pages.expect("the readers are answered while the write is under way");
        for page in pages {
            assert_eq!(page.status, 200, "{page:?}");
            assert!(page.body.contains("test title"), "{}", page.body);
            assert!(!page.body.contains("uncommitted"), "{}", page.body);
        }

        let created = browsers.block_on(async {
            let create = tokio::spawn(async move {
                let fields = [("title", "waited for the lock"), ("body", "")];
                writer.post("/create", &fields).await
            });
            // Time for the create to reach the lock, well within the 5 s SQLite waits there.
            // Should it not have yet, it writes after the commit all the same.
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert!(
                !create.is_finished(),
                "the create did not wait for the lock: {:?}",
                create.await
            );
            off_the_runtime(|| execute_on(&mut writing, "COMMIT", "COMMIT"));
            drop(writing);
            tokio::time::timeout(Duration::from_secs(10), create).await
        });
        let created = created.expect("the create goes on once the lock is released");
        assert_eq!(created.unwrap().header("location"), Some("/"));
        assert_eq!(site.post_count(), 3);
    }
}

/// Runs the statements `sqlite` or `postgres` on `connection`, as its database is.
fn execute_on(connection: &mut Connection, sqlite: &str, postgres: &str) {
    match connection {
        Connection::Sqlite(connection) => connection.execute_batch(sqlite).unwrap(),
        Connection::Postgres(connection) => connection.batch_execute(postgres).unwrap(),
    }
}

/// A request that finds every connection of the pool taken, for longer than it waits (5 s), is
/// answered 503 with a message, and the site serves again once a connection is given back.
#[tokio::test]
async fn a_request_that_gets_no_connection_is_answered_503() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let taken: Vec<_> = off_the_runtime(|| {
            (0..flaskr::db::POOL_SIZE)
                .map(|_| site.database.connection().unwrap())
                .collect()
        });
        let answer = site.browser().get("/").await;
        assert_eq!(answer.status, 503, "{answer:?}");
        assert!(
            answer
                .body
                .contains("The database is busy. Try again in a moment."),
            "{}",
            answer.body
        );
        drop(taken);
        assert_eq!(site.browser().get("/").await.status, 200);
    }
}

// ---- password hashes: Werkzeug's, and the app's own ----

/// `'test'`'s hash in the tutorial's `data.sql`.
const TEST_HASH: &str =
    "pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f";

/// Werkzeug 3.1.8's `generate_password_hash("correct horse battery staple")`: its default
/// method, `scrypt:32768:8:1`, with a random salt of its own. Python's
/// `hashlib.scrypt(password, salt=salt.encode(), n=32768, r=8, p=1, maxmem=132 * 32768 * 8).hex()`
/// gives the same hex.
const SCRYPT_HASH: &str = "scrypt:32768:8:1$5n0nxT7OVThQ8UBF$50c7e4e35a97fd8d2f2b6ab64e05ab13f5bc6995d889a3e6c46d2e5b612d61c459b4e3c8bfef5a433f28ed3c5c45e84bbcfb88f9674823f156bb0e225727e0ee";

/// Logging in as `username` with `password` shows the login form again, saying so.
async fn assert_incorrect_password(site: &Site, username: &str, password: &str) {
    let answer = site.browser().log_in(username, password).await;
    assert_eq!(answer.status, 200, "{username:?} {password:?}: {answer:?}");
    assert!(
        answer.body.contains("Incorrect password."),
        "{username:?} {password:?}: {}",
        answer.body
    );
}

#[tokio::test]
async fn a_user_registered_here_gets_an_argon2_hash_and_logs_in() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let mut browser = site.browser();
        let fields = [("username", "ann"), ("password", "s3cret")];
        let answer = browser.post("/auth/register", &fields).await;
        assert_eq!(answer.header("location"), Some("/auth/login"));
        let stored: String = site
            .db()
            .value(r#"SELECT password FROM "user" WHERE username = 'ann'"#)
            .unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");

        assert_incorrect_password(&site, "ann", "S3cret").await;
        let answer = browser.log_in("ann", "s3cret").await;
        assert_eq!(answer.header("location"), Some("/"), "{answer:?}");
        assert!(browser.get("/").await.body.contains(">ann</span>"));
    }
}

#[tokio::test]
async fn a_scrypt_hash_made_by_werkzeug_logs_in() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        site.db().add_user("carol", SCRYPT_HASH);
        assert_incorrect_password(&site, "carol", "correct horse battery stapler").await;
        let mut browser = site.browser();
        let answer = browser
            .log_in("carol", "correct horse battery staple")
            .await;
        assert_eq!(answer.header("location"), Some("/"), "{answer:?}");
        assert_eq!(browser.session()["user_id"], 3);
    }
}

#[tokio::test]
async fn a_malformed_hash_is_an_incorrect_password_not_an_error() {
    for engine in engines() {
        let site = Site::start(&engine).await;
        let hashes = [
            "pbkdf2:sha256:abc$x$y",
            "scrypt$$",
            "",
            "plain",
            "$$",
            "x$y",
            "$argon2id$",
            "pbkdf2:$x$y",
            "pbkdf2:sha256:50000:1$x$y",
            "pbkdf2:sha256:0$x$y",
            "pbkdf2:sha256:-1$x$y",
            "pbkdf2:sha256:99999999999999999999999$x$y",
            "pbkdf2:md4:1000$x$y",
            "scrypt:$x$y",
            "scrypt:16384:8$x$y",
            "scrypt:3:8:1$x$y",
            "scrypt:0:0:0$x$y",
            "scrypt:9223372036854775808:8:1$x$y",
            "scrypt:2:18446744073709551615:0$x$y",
            "md5$x$y",
        ];
        for (number, hash) in hashes.iter().enumerate() {
            let username = format!("user{number}");
            site.db().add_user(&username, hash);
            for password in [*hash, "", "x", "y"] {
                assert_incorrect_password(&site, &username, password).await;
            }
        }
        // And the site serves on.
        assert_eq!(site.signed_in().await.get("/").await.status, 200);
    }
}

#[test]
fn werkzeug_hashes_are_checked_as_werkzeug_checks_them() {
    use flaskr::auth::password_matches;

    // Made by Werkzeug 3.1.8's `generate_password_hash("secret", method, 8)`, with `method`
    // as the hash names it.
    let made_by_werkzeug = [
        "pbkdf2:sha1:1000$ebOWMe1Z$0fec111a9a576f32fbf39588647e2178783eab1b",
        "pbkdf2:sha224:1000$3akp9Mxe$8e31f6af778554ec7f36eeb25134c20eb154f021b46e845778da348a",
        "pbkdf2:sha384:1000$jJ7W3ERE$05b1d5b3c3540414d3ab67c8b1774d956081fa4150574c1e99b7077ca12edc703ec2855452cf8763b5aa7aa695620a21",
        "pbkdf2:sha512:1000$oqp7WMFf$94e728db3e210ed43d1d673c5084cd26e4ad47fb4cae1503f7e365b6393b1d6a08dde66708945b89dca4a4a3a3a5e975079cb2f764f9d533324b68a61611309c",
        "pbkdf2:sha512_256:1000$IJTal9LJ$6ec48208400fdfc2513922ad84b7f13de1a64e34e55989871526ec5a60977d8b",
        // OpenSSL's name, which hashlib also takes.
        "pbkdf2:SHA-512:1000$oUWBEhUR$14ecac0b3be443db30d71cd0522e8fed8a9293975864e3f75083981d38a4e4f77bab4d72ff2d8a907c5ad76b159c78418a5f9eb50186209d93d4de1257ece438",
        "scrypt:128:1:1$5JMGScEf$b76a43a94837b407c63b68febe96e35754a58dc5570fd5d815134967cb8ad1c9bd5177bcdd3f905f03ced6640b2275698474eb2d2711418ef19ebd2bfc56fc35",
    ];
    for hash in made_by_werkzeug {
        assert!(password_matches("secret", hash), "{hash}");
        assert!(!password_matches("Secret", hash), "{hash}");
    }

    // What Werkzeug's `check_password_hash` answers `False` to, or raises on, for the
    // password that would otherwise match.
    let (method_and_salt, hex) = TEST_HASH.rsplit_once('$').unwrap();
    let refused = [
        // The hex in uppercase: Werkzeug compares it as it is.
        format!("{method_and_salt}${}", hex.to_uppercase()),
        format!("{TEST_HASH}\n"),
        format!(" {TEST_HASH}"),
        TEST_HASH.replace(":sha256:", ": sha256:"),
        TEST_HASH.replace(":50000$", ":49999$"),
        TEST_HASH.replace("$TCI4GzcX$", "$TCI4GzcY$"),
    ];
    for hash in &refused {
        assert!(!password_matches("test", hash), "{hash}");
    }
    // The right hash, but for parameters that OpenSSL refuses under Werkzeug's `maxmem`
    // (made by hashlib, given more memory).
    let hash = "scrypt:64:1:1$salt$a7bc1c6743ac93cb6a2372ab273558b10aa37d06e8cadf485f0afea4321db33c6dbb7f74a029c2c9ef44f9154fbc6e705e9ec217c3aabe196b4b0d4102e8a612";
    assert!(!password_matches("secret", hash));
}

#[test]
fn werkzeug_defaults_are_those_of_werkzeug_3_1() {
    // `generate_password_hash("secret", "pbkdf2")`, which wrote `pbkdf2:sha256:1000000`,
    // without its digest and iterations: Werkzeug's `check_password_hash` takes it so.
    let hash = "pbkdf2$Uen7Or7z$74a63d1a982eb6994e461a644fc864170f11c1137c4976e98a05f6fe5efab98d";
    assert!(flaskr::auth::password_matches("secret", hash));
}

#[test]
fn flaskr_refuses_to_start_without_a_secret_key_in_its_environment() {
    let folder = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(common::example_binary("flaskr"))
        .env_remove("CARAFE_SECRET_KEY")
        .env_remove("DATABASE_URL")
        .env("DATABASE", folder.path().join("flaskr.sqlite"))
        .env("PORT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("set CARAFE_SECRET_KEY in the environment"),
        "{stderr}"
    );
}
