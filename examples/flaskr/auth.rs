//! Registering, logging in and out, under `/auth`; and who is signed in, for every view:
//! Flask's `load_logged_in_user` and `login_required` as extractors.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use carafe::prelude::*;
use carafe::{flash, render_template, FromRequestParts, RequestContext, Session};

use super::db::{Database, Registration, User};
use super::werkzeug;

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
        match database.user(user_id) {
            Ok(user) => Ok(CurrentUser(user)),
            // The database's 503 when it has no connection free, else a 500.
            Err(error) => Err(error.into_response()),
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
            match database.add_user(username, &hash)? {
                Registration::Registered => {
                    // Shown by the login page, which may be another instance's.
                    flash(format!("Registered as {username}: log in."));
                    return Ok(redirect(url_for!(login)));
                }
                Registration::NameTaken => format!("User {username} is already registered."),
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
        let error = match database.credentials(username)? {
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
