//! The blog, at the site's root: every post on the index, and writing, editing and deleting
//! one's own posts.

use carafe::prelude::*;
use carafe::{context, flash, render_template};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use super::auth::{CurrentUser, LoginRequired, User};
use super::db::Database;

/// A post with its author's name, as the templates show it.
#[derive(Serialize)]
struct Post {
    id: i64,
    title: String,
    body: String,
    /// The day it was written, `YYYY-MM-DD`.
    created: String,
    author_id: i64,
    username: String,
}

/// The columns `Post::from_row` reads, the day cut out of the timestamp.
const SELECT_POSTS: &str = "SELECT p.id, title, body, strftime('%Y-%m-%d', created), \
     author_id, username FROM post p JOIN user u ON p.author_id = u.id";

impl Post {
    fn from_row(row: &Row) -> rusqlite::Result<Post> {
        Ok(Post {
            id: row.get(0)?,
            title: row.get(1)?,
            body: row.get(2)?,
            created: row.get(3)?,
            author_id: row.get(4)?,
            username: row.get(5)?,
        })
    }
}

/// Every post, newest first.
fn all_posts(connection: &Connection) -> rusqlite::Result<Vec<Post>> {
    // By id too, so that posts written within the same second still come newest first. Kept
    // prepared by the connection: the index asks it on every request, and parsing and
    // planning it again each time costs more than running it.
    let mut statement =
        connection.prepare_cached(&format!("{SELECT_POSTS} ORDER BY created DESC, p.id DESC"))?;
    let posts = statement.query_map([], Post::from_row)?;
    posts.collect()
}

/// The post `id`, for `user` to change: 404 when there is none, 403 when someone else wrote it.
fn get_post(database: &Database, id: i64, user: &User) -> Result<Post, carafe::Error> {
    let post = database
        .connection()?
        .query_row(
            &format!("{SELECT_POSTS} WHERE p.id = ?1"),
            [id],
            Post::from_row,
        )
        .optional()?;
    match post {
        None => {
            abort_with(HttpError::new(404).with_message(format!("Post id {id} doesn't exist.")))
        }
        Some(post) if post.author_id != user.id => abort(403),
        Some(post) => Ok(post),
    }
}

/// Every post, newest first.
#[route("/")]
pub fn index(user: CurrentUser, database: State<Database>) -> Result<Response, carafe::Error> {
    let posts = all_posts(&*database.connection()?)?;
    Ok(render_template!(
        "blog/index.html",
        user => user.0, posts => posts
    ))
}

/// The form for a new post; posted with a title, the post, then the index.
#[route("/create", GET, POST)]
pub fn create(
    LoginRequired(user): LoginRequired,
    method: Method,
    form: Form,
    database: State<Database>,
) -> Result<Response, carafe::Error> {
    if method == Method::POST {
        if let Some((title, body)) = post_fields(&form) {
            database.connection()?.execute(
                "INSERT INTO post (title, body, author_id) VALUES (?1, ?2, ?3)",
                (title, body, user.id),
            )?;
            return Ok(redirect(url_for!(index)));
        }
    }
    Ok(render_template!(
        "blog/create.html",
        user => user, form => sent(&form)
    ))
}

/// The title and body a post's form sent, or `None` (with the message flashed) when the
/// title is missing.
fn post_fields(form: &Form) -> Option<(&str, &str)> {
    let (title, body) = (&form["title"], &form["body"]);
    if title.is_empty() {
        flash("Title is required.");
        return None;
    }
    Some((title, body))
}

/// What a post's form sent, shown in the form again so that a refused post is not lost.
fn sent(form: &Form) -> carafe::minijinja::Value {
    context! {
        title => form.get("title").unwrap_or_default(),
        body => form.get("body").unwrap_or_default(),
    }
}

/// The form to edit one's own post; posted with a title, the post changed, then the index.
#[route("/<int:id>/update", GET, POST)]
pub fn update(
    id: i64,
    LoginRequired(user): LoginRequired,
    method: Method,
    form: Form,
    database: State<Database>,
) -> Result<Response, carafe::Error> {
    let post = get_post(&database, id, &user)?;
    if method == Method::POST {
        if let Some((title, body)) = post_fields(&form) {
            database.connection()?.execute(
                "UPDATE post SET title = ?1, body = ?2 WHERE id = ?3",
                (title, body, id),
            )?;
            return Ok(redirect(url_for!(index)));
        }
    }
    Ok(render_template!(
        "blog/update.html",
        user => user, post => post, form => sent(&form)
    ))
}

/// Deletes one's own post, then the index.
#[route("/<int:id>/delete", POST)]
pub fn delete(
    id: i64,
    LoginRequired(user): LoginRequired,
    database: State<Database>,
) -> Result<Response, carafe::Error> {
    get_post(&database, id, &user)?;
    database
        .connection()?
        .execute("DELETE FROM post WHERE id = ?1", [id])?;
    Ok(redirect(url_for!(index)))
}
