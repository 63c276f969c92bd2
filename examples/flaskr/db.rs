//! flaskr's database: a pool of SQLite connections that requests take one of at a time, and
//! the tutorial's schema, created in a new database and re-created by `init-db`.
//!
//! Flask's tutorial opens a connection for each request (`get_db`) and closes it at the end;
//! the pool keeps its connections open instead, so a request does not pay for opening one, and
//! never more than `POOL_SIZE` are open at once. The database is in WAL mode: any number of
//! connections read while one writes, and readers see the last committed data. Writes still
//! take turns, SQLite's one writer at a time: a write that finds another under way waits for it
//! rather than failing.

use std::path::Path;
use std::time::Duration;

use carafe::HttpError;
use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

/// The tables `user` and `post`; the script drops them first.
const SCHEMA: &str = include_str!("schema.sql");

/// How many connections the pool holds. A view holds one for a statement or two, so a few serve
/// many requests at once; each costs a file handle and a page cache of up to 2 MiB.
pub const POOL_SIZE: u32 = 16;

/// How long a write waits for another connection's write to finish before it fails with
/// "database is locked": as long as Python's `sqlite3.connect`, which Flask's flaskr uses,
/// waits by default.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for a connection when every one is taken, before it is answered
/// 503.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The app's database, as views take it: `State<Database>`. A clone shares the same pool.
#[derive(Clone)]
pub struct Database {
    pool: Pool<SqliteConnectionManager>,
}

impl Database {
    /// Opens the database at `path`, creating the file and the tables if they are missing, so
    /// the first start needs no `init-db`, and switches it to WAL mode.
    pub fn open(path: &Path) -> Result<Database, carafe::Error> {
        let connection = Connection::open(path)?;
        // The journal mode is the file's own, kept across connections and restarts: set once,
        // before the pool's connections open.
        connection.pragma_update(None, "journal_mode", "wal")?;
        if !has_tables(&connection)? {
            connection.execute_batch(SCHEMA)?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        // Opens every connection now, so a database that cannot be used fails here.
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(manager)?;
        Ok(Database { pool })
    }

    /// A connection of the pool, like Flask's `get_db()`: it derefs to a `rusqlite::Connection`
    /// and goes back to the pool when dropped. When none comes free within
    /// `CONNECTION_TIMEOUT`, a 503 that the view returns with `?`.
    pub fn connection(&self) -> Result<PooledConnection<SqliteConnectionManager>, HttpError> {
        self.pool.get().map_err(|error| {
            tracing::warn!("no database connection for a request: {error}");
            HttpError::new(503).with_message("The database is busy. Try again in a moment.")
        })
    }
}

/// What each of the pool's connections is set to as it opens: settings that belong to a
/// connection, not to the file.
fn configure(connection: &mut Connection) -> rusqlite::Result<()> {
    // rusqlite's default too; set here because concurrent writers rely on it.
    connection.busy_timeout(LOCK_TIMEOUT)?;
    // The schema's `post.author_id REFERENCES user (id)`, which SQLite checks only when told:
    // a post written for a user deleted meanwhile is refused rather than kept without author.
    connection.pragma_update(None, "foreign_keys", true)
}

/// Drops the tables and creates them empty, like the tutorial's `flask init-db`.
pub fn init_db(path: &Path) -> rusqlite::Result<()> {
    Connection::open(path)?.execute_batch(SCHEMA)
}

/// Whether both of flaskr's tables are there.
fn has_tables(connection: &Connection) -> rusqlite::Result<bool> {
    let found: i64 = connection.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('user', 'post')",
        [],
        |row| row.get(0),
    )?;
    Ok(found == 2)
}
