//! flaskr, the blog of Flask's tutorial, in carafe: people register, log in, and write, edit
//! and delete their own posts. Blueprints `auth` (under `/auth`) and `blog` (at the root), a
//! SQLite database in WAL mode through a pool of connections (readers never wait for a
//! writer), or a PostgreSQL one that several instances share, salted password hashes, the
//! session, flashed messages, templates and a stylesheet. A database made by Flask's own flaskr
//! serves as it is: its users' Werkzeug password hashes are read too.
//!
//! ```text
//! export CARAFE_SECRET_KEY=$(openssl rand -hex 32)   # signs the session cookie
//! cargo run --example flaskr                  # http://127.0.0.1:5000, the database in ./flaskr.sqlite
//! DATABASE=/tmp/blog.sqlite cargo run --example flaskr
//! DATABASE_URL=postgres://flaskr@127.0.0.1/flaskr cargo run --example flaskr
//! cargo run --example flaskr -- init-db       # empties the database, like `flask init-db`
//! cargo run --example flaskr -- routes        # the routes, like `flask routes`
//! ```
//!
//! The secret key is no part of the source: it comes from `CARAFE_SECRET_KEY`, as Flask's docs
//! ask production apps to load theirs from the environment or a config file. Without it flaskr
//! refuses to start, saying so. Instances that share a database share the key too, so that
//! each reads the session cookies the others sign.

// Public for tests/flaskr.rs, which seeds a database and checks password hashes.
pub mod auth;
mod blog;
pub mod db;
mod werkzeug;

use std::time::Duration;

use carafe::prelude::*;

/// The app on `database`, its secret key from `CARAFE_SECRET_KEY` (tests give theirs with
/// `.secret_key(..)`). The templates and the stylesheet come from `templates/` and `static/`
/// beside this file.
pub fn app(database: db::Database) -> App {
    let auth = Blueprint::new("/auth").mount(routes![auth::register, auth::login, auth::logout]);
    let blog = Blueprint::new("/").mount(routes![
        blog::index,
        blog::create,
        blog::update,
        blog::delete
    ]);
    let on_postgres = database.is_postgres();
    let app = App::new().state(database).register(auth).register(blog);
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
