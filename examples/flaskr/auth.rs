//! Registering, logging in and out, under `/auth`; and who is signed in, for every view:
//! Flask's `load_logged_in_user` and `login_required` as extractors.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use carafe::prelude::*;
use carafe::{flash, render_template, FromRequestParts, RequestContext, Session};
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::db::Database;
use super::werkzeug;

/// A registered user, as the templates show them.
#[derive(Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
}

/// Who is signed in, if anyone: Flask's `g.user`, the user whose id the session holds. A
/// session naming a user who no longer exists reads as nobody.
pub struct CurrentUser(pub Option<User>);

impl FromRequestParts for CurrentUser {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        let session = ctx.session();
        let Some(user_id) = session.and_then(|session| session.get::<i64>("user_id")) else {
            return Ok(CurrentUser(None));
        };
        let database = State::<Database>::from_request_parts(ctx)?;
        let connection = database
            .connection()
            .map_err(|unavailable| unavailable.into_response())?;
        let user = connection
            .query_row(
                "SELECT id, username FROM user WHERE id = ?1",
                [user_id],
                |row| {
                    Ok(User {
                        id: row.get(0)?,
                        username: row.get(1)?,
                    })
                },
            )
            .optional();
        match user {
            Ok(user) => Ok(CurrentUser(user)),
            Err(error) => Err(carafe::Error::from(error).into_response()),
        }
    }
}

/// The signed-in user, for views only they may see: Flask's `@login_required`. When nobody
/// is signed in, the browser is sent to the login page and the view does not run.
pub struct LoginRequired(pub User);

impl FromRequestParts for LoginRequired {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        match CurrentUser::from_request_parts(ctx)? {
            CurrentUser(Some(user)) => Ok(LoginRequired(user)),
            CurrentUser(None) => Err(redirect(url_for!(login))),
        }
    }
}

/// `password` hashed with Argon2 and a random salt, in the PHC string format that holds both,
/// as the `user` table stores it.
pub fn hash_password(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt)?;
    Ok(hash.to_string())
}

/// Whether `password` is the one `stored` was hashed from: an Argon2 PHC string, as
/// `hash_password` makes, or a hash Werkzeug made, as Flask's own flaskr stores them (its
/// tutorial's test data among them), so that a database made by Flask's flaskr works with
/// this one. New passwords are still hashed with Argon2. A stored value that is no hash
/// matches nothing.
pub fn password_matches(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        // A PHC string starts with `$`, Werkzeug's with its method.
        Err(_) => werkzeug::check_password_hash(stored, password),
    }
}

/// Whether `error` is an insert refused by a `UNIQUE` column: the username is taken.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// The registration form; posted, a new user, then the login page.
#[route("/register", GET, POST)]
pub fn register(
    method: Method,
    form: Form,
    user: CurrentUser,
    database: State<Database>,
) -> Result<Response, carafe::Error> {
    if method == Method::POST {
        let username = &form["username"];
        let password = &form["password"];
        let error = if username.is_empty() {
            "Username is required.".to_owned()
        } else if password.is_empty() {
            "Password is required.".to_owned()
        } else {
            // Hashed before taking the connection: hashing is slow on purpose, and other
            // requests need the database meanwhile.
            let hash = hash_password(password)?;
            let inserted = database.connection()?.execute(
                "INSERT INTO user (username, password) VALUES (?1, ?2)",
                (username, hash),
            );
            match inserted {
                Ok(_) => return Ok(redirect(url_for!(login))),
                Err(error) if is_unique_violation(&error) => {
                    format!("User {username} is already registered.")
                }
                Err(error) => return Err(error.into()),
            }
        };
        flash(error);
    }
    Ok(render_template!(
        "auth/register.html",
        user => user.0
    ))
}

/// The login form; posted with a known username and its password, a session for that user,
/// then the index.
#[route("/login", GET, POST)]
pub fn login(
    method: Method,
    form: Form,
    session: Session,
    user: CurrentUser,
    database: State<Database>,
) -> Result<Response, carafe::Error> {
    if method == Method::POST {
        let username = &form["username"];
        let password = &form["password"];
        let found = database
            .connection()?
            .query_row(
                "SELECT id, password FROM user WHERE username = ?1",
                [username],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        let error = match found {
            None => "Incorrect username.",
            Some((_, stored)) if !password_matches(password, &stored) => "Incorrect password.",
            Some((user_id, _)) => {
                // A new session for the new user: nothing of the one before carries over.
                session.clear();
                session.insert("user_id", user_id);
                return Ok(redirect(url_for!(super::blog::index)));
            }
        };
        flash(error);
    }
    Ok(render_template!(
        "auth/login.html",
        user => user.0
    ))
}

/// Forgets who was signed in, then the index.
#[route("/logout")]
pub fn logout(session: Session) -> Response {
    session.clear();
    redirect(url_for!(super::blog::index))
}
