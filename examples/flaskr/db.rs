//! flaskr's database: SQLite in a file, or a PostgreSQL server when `DATABASE_URL` names one,
//! through a pool of connections that requests take one of at a time; the tutorial's schema,
//! created in a new database and re-created by `init-db`; and the queries the views make, each
//! written here once for SQLite and once for PostgreSQL.
//!
//! Flask's tutorial opens a connection for each request (`get_db`) and closes it at the end;
//! the pool keeps its connections open instead, so a request does not pay for opening one, and
//! never more than `POOL_SIZE` are open at once. A SQLite database is in WAL mode: any number of
//! connections read while one writes, and readers see the last committed data. Writes still
//! take turns, SQLite's one writer at a time: a write that finds another under way waits for it
//! rather than failing.
//!
//! PostgreSQL serves the same tables to any number of flaskr instances at once, on this machine
//! or others, so that they share their users and posts (the session is a signed cookie, which
//! any instance reads). Its SQL differs from SQLite's in four ways, handled in each query:
//! parameters are `$1` rather than `?1`, `user` is a reserved word there and is quoted as
//! `"user"`, ids are identity columns rather than `AUTOINCREMENT`, and timestamps are formatted
//! with `to_char` rather than `strftime`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use carafe::HttpError;
use postgres::error::SqlState;
use postgres::NoTls;
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::OptionalExtension;
use serde::Serialize;

/// The tables `user` and `post` in SQLite; the script drops them first.
const SQLITE_SCHEMA: &str = include_str!("schema.sql");

/// The same tables in PostgreSQL; the script drops them first too.
const POSTGRES_SCHEMA: &str = include_str!("schema.postgres.sql");

/// How many connections the pool holds. A view holds one for a statement or two, so a few serve
/// many requests at once; each costs a file handle and a page cache of up to 2 MiB in SQLite,
/// a server process in PostgreSQL.
pub const POOL_SIZE: u32 = 16;

/// How long a SQLite write waits for another connection's write to finish before it fails with
/// "database is locked": as long as Python's `sqlite3.connect`, which Flask's flaskr uses,
/// waits by default.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for a connection when every one is taken, before it is answered
/// 503.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The columns `Post::from_sqlite` reads, the day cut out of the timestamp.
const SQLITE_POSTS: &str = "SELECT p.id, title, body, strftime('%Y-%m-%d', created), \
     author_id, username FROM post p JOIN user u ON p.author_id = u.id";

/// The same columns from PostgreSQL, for `Post::from_postgres`.
const POSTGRES_POSTS: &str = "SELECT p.id, title, body, to_char(created, 'YYYY-MM-DD'), \
     author_id, username FROM post p JOIN \"user\" u ON p.author_id = u.id";

/// A key that no other program takes PostgreSQL's advisory lock with: instances starting at
/// once on a new database hold it in turn while they look for the tables and create them.
const SCHEMA_LOCK: i64 = 0x666c_6173_6b72;

/// Where the database is.
#[derive(Clone, Debug)]
pub enum Location {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database, which must exist. The connection is not encrypted (no TLS), so
    /// the server should be on the same machine or a private network.
    Postgres(Box<postgres::Config>),
}

impl Location {
    /// Where the environment says: `DATABASE_URL` when it is a `postgres://` or
    /// `postgresql://` URL (`postgres://flaskr@db.internal/flaskr`), else the SQLite file
    /// `DATABASE` (`flaskr.sqlite` in the working folder by default). A PostgreSQL URL that
    /// does not parse is an error.
    pub fn from_env() -> Result<Location, postgres::Error> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Location::Postgres(Box::new(url.parse()?)))
            }
            _ => Ok(Location::Sqlite(
                std::env::var_os("DATABASE").map_or_else(|| "flaskr.sqlite".into(), PathBuf::from),
            )),
        }
    }
}

/// The file, or the PostgreSQL database's name and server (never its password).
impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(formatter, "{}", path.display()),
            Location::Postgres(config) => {
                // PostgreSQL's defaults: the database named as the user, on the local socket.
                let name = config
                    .get_dbname()
                    .or(config.get_user())
                    .unwrap_or_default();
                write!(formatter, "the PostgreSQL database {name}")?;
                for host in config.get_hosts() {
                    match host {
                        postgres::config::Host::Tcp(name) => write!(formatter, " on {name}")?,
                        postgres::config::Host::Unix(path) => {
                            write!(formatter, " on {}", path.display())?
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

/// A registered user, as the templates show them.
#[derive(Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
}

/// A post with its author's name, as the templates show it.
#[derive(Serialize)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The day it was written, `YYYY-MM-DD`, in UTC.
    pub created: String,
    pub author_id: i64,
    pub username: String,
}

/// What became of a registration.
pub enum Registration {
    Registered,
    /// Someone has the name already.
    NameTaken,
}

/// The app's database, as views take it: `State<Database>`. A clone shares the same pool.
#[derive(Clone)]
pub struct Database {
    pool: ConnectionPool,
}

#[derive(Clone)]
enum ConnectionPool {
    Sqlite(Pool<SqliteConnectionManager>),
    Postgres(Arc<PostgresPool>),
}

/// A pool of PostgreSQL connections that closes them on a thread of its own once the app drops
/// it. A `postgres::Client` closes its connection by waiting inside a tokio runtime of its own,
/// which tokio refuses on a thread that runs another runtime's tasks (it panics, and a panic
/// while the app is dropped aborts the process), and a stopping app drops its state on such a
/// thread.
struct PostgresPool(Option<Pool<PostgresConnectionManager<NoTls>>>);

impl PostgresPool {
    fn get(&self) -> Result<PooledConnection<PostgresConnectionManager<NoTls>>, r2d2::Error> {
        self.0
            .as_ref()
            .expect("the pool is taken only as it drops")
            .get()
    }
}

impl Drop for PostgresPool {
    fn drop(&mut self) {
        let pool = self.0.take();
        std::thread::scope(|scope| {
            scope.spawn(move || drop(pool));
        });
    }
}

/// A connection of the pool, like the one Flask's `get_db()` gives, which goes back to the pool
/// when dropped: a `rusqlite::Connection` or a `postgres::Client`, as the database is.
pub enum Connection {
    Sqlite(PooledConnection<SqliteConnectionManager>),
    Postgres(PooledConnection<PostgresConnectionManager<NoTls>>),
}

impl Database {
    /// Opens the database at `location`, creating its tables if they are missing, so the first
    /// start needs no `init-db`, and fills the pool; a SQLite file is created if missing too,
    /// and switched to WAL mode.
    pub fn open(location: &Location) -> Result<Database, carafe::Error> {
        let pool = match location {
            Location::Sqlite(path) => ConnectionPool::Sqlite(open_sqlite(path)?),
            Location::Postgres(config) => {
                ConnectionPool::Postgres(Arc::new(PostgresPool(Some(open_postgres(config)?))))
            }
        };
        Ok(Database { pool })
    }

    /// Whether the database is PostgreSQL's.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, ConnectionPool::Postgres(_))
    }

    /// A connection of the pool. When none comes free within `CONNECTION_TIMEOUT`, a 503 that
    /// the view returns with `?`.
    pub fn connection(&self) -> Result<Connection, HttpError> {
        let taken = match &self.pool {
            ConnectionPool::Sqlite(pool) => pool.get().map(Connection::Sqlite),
            ConnectionPool::Postgres(pool) => pool.get().map(Connection::Postgres),
        };
        taken.map_err(|error| {
            tracing::warn!("no database connection for a request: {error}");
            HttpError::new(503).with_message("The database is busy. Try again in a moment.")
        })
    }

    /// The user whose id is `id`, if there is one.
    pub fn user(&self, id: i64) -> Result<Option<User>, carafe::Error> {
        Ok(match self.connection()? {
            Connection::Sqlite(connection) => connection
                .query_row("SELECT id, username FROM user WHERE id = ?1", [id], |row| {
                    Ok(User {
                        id: row.get(0)?,
                        username: row.get(1)?,
                    })
                })
                .optional()?,
            Connection::Postgres(mut connection) => connection
                .query_opt(r#"SELECT id, username FROM "user" WHERE id = $1"#, &[&id])?
                .map(|row| -> Result<User, postgres::Error> {
                    Ok(User {
                        id: row.try_get(0)?,
                        username: row.try_get(1)?,
                    })
                })
                .transpose()?,
        })
    }

    /// The id and stored password hash of the user named `username`, if there is one.
    pub fn credentials(&self, username: &str) -> Result<Option<(i64, String)>, carafe::Error> {
        Ok(match self.connection()? {
            Connection::Sqlite(connection) => connection
                .query_row(
                    "SELECT id, password FROM user WHERE username = ?1",
                    [username],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?,
            Connection::Postgres(mut connection) => connection
                .query_opt(
                    r#"SELECT id, password FROM "user" WHERE username = $1"#,
                    &[&username],
                )?
                .map(|row| Ok::<_, postgres::Error>((row.try_get(0)?, row.try_get(1)?)))
                .transpose()?,
        })
    }

    /// A new user named `username` whose password hashes to `password_hash`, unless the name
    /// is taken: the column is `UNIQUE`, so two registrations of one name at once cannot both
    /// succeed.
    pub fn add_user(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<Registration, carafe::Error> {
        match self.connection()? {
            Connection::Sqlite(connection) => {
                let inserted = connection.execute(
                    "INSERT INTO user (username, password) VALUES (?1, ?2)",
                    [username, password_hash],
                );
                match inserted {
                    Ok(_) => Ok(Registration::Registered),
                    Err(rusqlite::Error::SqliteFailure(failure, _))
                        if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
                    {
                        Ok(Registration::NameTaken)
                    }
                    Err(error) => Err(error.into()),
                }
            }
            Connection::Postgres(mut connection) => {
                let inserted = connection.execute(
                    r#"INSERT INTO "user" (username, password) VALUES ($1, $2)"#,
                    &[&username, &password_hash],
                );
                match inserted {
                    Ok(_) => Ok(Registration::Registered),
                    Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                        Ok(Registration::NameTaken)
                    }
                    Err(error) => Err(error.into()),
                }
            }
        }
    }

    /// Every post, newest first.
    pub fn posts(&self) -> Result<Vec<Post>, carafe::Error> {
        // By id too, so that posts written within the same second (SQLite's timestamps count
        // whole seconds) still come newest first.
        const NEWEST_FIRST: &str = "ORDER BY created DESC, p.id DESC";
        Ok(match self.connection()? {
            Connection::Sqlite(connection) => {
                // Kept prepared by the connection: the index asks it on every request, and
                // parsing and planning it again each time costs more than running it.
                let mut statement =
                    connection.prepare_cached(&format!("{SQLITE_POSTS} {NEWEST_FIRST}"))?;
                let posts = statement.query_map([], Post::from_sqlite)?;
                posts.collect::<rusqlite::Result<_>>()?
            }
            Connection::Postgres(mut connection) => connection
                .query(&format!("{POSTGRES_POSTS} {NEWEST_FIRST}"), &[])?
                .iter()
                .map(Post::from_postgres)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The post whose id is `id`, if there is one.
    pub fn post(&self, id: i64) -> Result<Option<Post>, carafe::Error> {
        Ok(match self.connection()? {
            Connection::Sqlite(connection) => connection
                .query_row(
                    &format!("{SQLITE_POSTS} WHERE p.id = ?1"),
                    [id],
                    Post::from_sqlite,
                )
                .optional()?,
            Connection::Postgres(mut connection) => connection
                .query_opt(&format!("{POSTGRES_POSTS} WHERE p.id = $1"), &[&id])?
                .as_ref()
                .map(Post::from_postgres)
                .transpose()?,
        })
    }

    /// A new post by the user `author_id`, written now.
    pub fn add_post(&self, title: &str, body: &str, author_id: i64) -> Result<(), carafe::Error> {
        match self.connection()? {
            Connection::Sqlite(connection) => {
                connection.execute(
                    "INSERT INTO post (title, body, author_id) VALUES (?1, ?2, ?3)",
                    (title, body, author_id),
                )?;
            }
            Connection::Postgres(mut connection) => {
                connection.execute(
                    "INSERT INTO post (title, body, author_id) VALUES ($1, $2, $3)",
                    &[&title, &body, &author_id],
                )?;
            }
        }
        Ok(())
    }

    /// The post `id` with a new title and body.
    pub fn update_post(&self, id: i64, title: &str, body: &str) -> Result<(), carafe::Error> {
        match self.connection()? {
            Connection::Sqlite(connection) => {
                connection.execute(
                    "UPDATE post SET title = ?1, body = ?2 WHERE id = ?3",
                    (title, body, id),
                )?;
            }
            Connection::Postgres(mut connection) => {
                connection.execute(
                    "UPDATE post SET title = $1, body = $2 WHERE id = $3",
                    &[&title, &body, &id],
                )?;
            }
        }
        Ok(())
    }

    /// Deletes the post `id`.
    pub fn delete_post(&self, id: i64) -> Result<(), carafe::Error> {
        match self.connection()? {
            Connection::Sqlite(connection) => {
                connection.execute("DELETE FROM post WHERE id = ?1", [id])?;
            }
            Connection::Postgres(mut connection) => {
                connection.execute("DELETE FROM post WHERE id = $1", &[&id])?;
            }
        }
        Ok(())
    }
}

impl Post {
    /// A row of `SQLITE_POSTS`.
    fn from_sqlite(row: &rusqlite::Row) -> rusqlite::Result<Post> {
        Ok(Post {
            id: row.get(0)?,
            title: row.get(1)?,
            body: row.get(2)?,
            created: row.get(3)?,
            author_id: row.get(4)?,
            username: row.get(5)?,
        })
    }

    /// A row of `POSTGRES_POSTS`.
    fn from_postgres(row: &postgres::Row) -> Result<Post, postgres::Error> {
        Ok(Post {
            id: row.try_get(0)?,
            title: row.try_get(1)?,
            body: row.try_get(2)?,
            created: row.try_get(3)?,
            author_id: row.try_get(4)?,
            username: row.try_get(5)?,
        })
    }
}

/// Drops the tables and creates them empty, like the tutorial's `flask init-db`.
pub fn init_db(location: &Location) -> Result<(), carafe::Error> {
    match location {
        Location::Sqlite(path) => rusqlite::Connection::open(path)?.execute_batch(SQLITE_SCHEMA)?,
        Location::Postgres(config) => config.connect(NoTls)?.batch_execute(POSTGRES_SCHEMA)?,
    }
    Ok(())
}

fn open_sqlite(path: &Path) -> Result<Pool<SqliteConnectionManager>, carafe::Error> {
    let connection = rusqlite::Connection::open(path)?;
    // The journal mode is the file's own, kept across connections and restarts: set once,
    // before the pool's connections open.
    connection.pragma_update(None, "journal_mode", "wal")?;
    if !has_sqlite_tables(&connection)? {
        connection.execute_batch(SQLITE_SCHEMA)?;
    }
    let manager = SqliteConnectionManager::file(path).with_init(configure_sqlite);
    // Opens every connection now, so a database that cannot be used fails here.
    let pool = Pool::builder()
        .max_size(POOL_SIZE)
        .connection_timeout(CONNECTION_TIMEOUT)
        .build(manager)?;
    Ok(pool)
}

/// What each of the pool's SQLite connections is set to as it opens: settings that belong to a
/// connection, not to the file.
fn configure_sqlite(connection: &mut rusqlite::Connection) -> rusqlite::Result<()> {
    // rusqlite's default too; set here because concurrent writers rely on it.
    connection.busy_timeout(LOCK_TIMEOUT)?;
    // The schema's `post.author_id REFERENCES user (id)`, which SQLite checks only when told:
    // a post written for a user deleted meanwhile is refused rather than kept without author.
    connection.pragma_update(None, "foreign_keys", true)
}

/// Whether both of flaskr's tables are in the SQLite file.
fn has_sqlite_tables(connection: &rusqlite::Connection) -> rusqlite::Result<bool> {
    let found: i64 = connection.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('user', 'post')",
        [],
        |row| row.get(0),
    )?;
    Ok(found == 2)
}

fn open_postgres(
    config: &postgres::Config,
) -> Result<Pool<PostgresConnectionManager<NoTls>>, carafe::Error> {
    let manager = PostgresConnectionManager::new(config.clone(), NoTls);
    // Opens every connection now, so a server that cannot be reached fails here.
    let pool = Pool::builder()
        .max_size(POOL_SIZE)
        .connection_timeout(CONNECTION_TIMEOUT)
        .build(manager)?;
    let mut connection = pool.get()?;
    // In one transaction, under a lock: another instance starting at the same moment waits,
    // then finds the tables made. PostgreSQL creates tables within a transaction.
    let mut transaction = connection.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    let has_tables: bool = transaction
        .query_one(
            r#"SELECT to_regclass('"user"') IS NOT NULL AND to_regclass('post') IS NOT NULL"#,
            &[],
        )?
        .try_get(0)?;
    if !has_tables {
        transaction.batch_execute(POSTGRES_SCHEMA)?;
    }
    transaction.commit()?;
    Ok(pool)
}
