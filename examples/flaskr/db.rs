//! flaskr's database: one SQLite connection the requests take turns on, and the tutorial's
//! schema, created in a new database and re-created by `init-db`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

/// The tables `user` and `post`; the script drops them first.
const SCHEMA: &str = include_str!("schema.sql");

/// The app's database, as views take it: `State<Database>`.
pub struct Database {
    connection: Mutex<Connection>,
}

impl Database {
    /// Opens the database at `path`, creating the file and the tables if they are missing, so
    /// the first start needs no `init-db`.
    pub fn open(path: &Path) -> rusqlite::Result<Database> {
        let connection = Connection::open(path)?;
        if !has_tables(&connection)? {
            connection.execute_batch(SCHEMA)?;
        }
        Ok(Database {
            connection: Mutex::new(connection),
        })
    }

    /// The connection, like Flask's `get_db()`; other requests wait until it is dropped.
    pub fn connection(&self) -> MutexGuard<'_, Connection> {
        // A view that aborts or panics holding it leaves nothing half done: each statement is
        // its own transaction, so the next request can use it as it is.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
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
