//! flaskr, the blog of Flask's tutorial, in carafe: people register, log in, and write, edit
//! and delete their own posts. Blueprints `auth` (under `/auth`) and `blog` (at the root), a
//! SQLite database in WAL mode through a pool of connections (readers never wait for a
//! writer), or a PostgreSQL one that several instances share, salted password hashes, the
//! session, flashed messages, templates and a stylesheet. A database made by Flask's own flaskr
//! serves as it is: its users' Werkzeug password hashes are read too.
//!
//! ```text
//! cargo run --example flaskr                  # http://127.0.0.1:5000, the database in ./flaskr.sqlite
//! DATABASE=/tmp/blog.sqlite cargo run --example flaskr
//! DATABASE_URL=postgres://flaskr@127.0.0.1/flaskr cargo run --example flaskr
//! cargo run --example flaskr -- init-db       # empties the database, like `flask init-db`
//! cargo run --example flaskr -- routes        # the routes, like `flask routes`
//! ```
//!
//! Set `SECRET_KEY` to a long random value on any server others can reach: the default, `dev`
//! as in Flask's tutorial, lets anyone sign a session cookie.

// Public for tests/flaskr.rs, which seeds a database and checks password hashes.
pub mod auth;
mod blog;
pub mod db;
mod werkzeug;

use std::time::Duration;

use carafe::prelude::*;

/// The app on `database`. The templates and the stylesheet come from `templates/` and
/// `static/` beside this file.
pub fn app(database: db::Database) -> App {
    let secret_key = std::env::var("SECRET_KEY").unwrap_or_else(|_| "dev".to_owned());
    let auth = Blueprint::new("/auth").mount(routes![auth::register, auth::login, auth::logout]);
    let blog = Blueprint::new("/").mount(routes![
        blog::index,
        blog::create,
        blog::update,
        blog::delete
    ]);
    let on_postgres = database.is_postgres();
    let app = App::new()
        .secret_key(secret_key)
        .state(database)
        .register(auth)
        .register(blog);
    if on_postgres {
        // The PostgreSQL client waits for its server inside a tokio runtime of its own, which
        // tokio forbids on a thread that runs another runtime's tasks: the views stay on the
        // blocking pool even once they prove quick, never run in place on the app's workers.
        app.blocking_threshold(Duration::ZERO)
    } else {
        app
    }
}

fn main() {
    let database = db::Location::from_env().unwrap_or_else(|error| {
        eprintln!("DATABASE_URL is malformed: {error}");
        std::process::exit(1);
    });
    if std::env::args().nth(1).as_deref() == Some("init-db") {
        if let Err(error) = db::init_db(&database) {
            eprintln!("cannot initialize {database}: {error}");
            std::process::exit(1);
        }
        println!("Initialized the database.");
        return;
    }
    match db::Database::open(&database) {
        Ok(opened) => app(opened).run(),
        Err(error) => {
            eprintln!("cannot open {database}: {error}");
            std::process::exit(1);
        }
    }
}
