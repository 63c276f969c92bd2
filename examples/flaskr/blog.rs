//! The blog, at the site's root: every post on the index, and writing, editing and deleting
//! one's own posts.

use carafe::prelude::*;
use carafe::{context, flash, render_template};

use super::auth::{CurrentUser, LoginRequired};
use super::db::{Database, Post, User};

/// The post `id`, for `user` to change: 404 when there is none, 403 when someone else wrote it.
fn get_post(database: &Database, id: i64, user: &User) -> Result<Post, carafe::Error> {
    match database.post(id)? {
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
    let posts = database.posts()?;
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
            database.add_post(title, body, user.id)?;
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
            database.update_post(id, title, body)?;
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
    database.delete_post(id)?;
    Ok(redirect(url_for!(index)))
}
