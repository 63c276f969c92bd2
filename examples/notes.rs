//! A notes API split as a Flask app would split it: a blueprint under `/api/v1` with its own
//! JSON 404 page, URLs built with `url_for!`, and the site's front page redirecting to the API.
//!
//! ```text
//! cargo run --example notes
//! curl -i http://localhost:5000/                          # 302, Location: /api/v1/notes
//! curl -i http://localhost:5000/api/v1/notes              # 200 [{"id":1,"text":"buy milk","url":"/api/v1/notes/1"}]
//! curl -i -X POST http://localhost:5000/api/v1/notes -H "Content-Type: application/json" -d '{"text":"call Sam"}'   # 201, Location: /api/v1/notes/2
//! curl -i http://localhost:5000/api/v1/notes/9            # 404 {"error":"no note 9"}
//! cargo run --example notes -- routes                     # the routes, with their full paths
//! ```

use carafe::prelude::*;

/// The notes, in order of creation; a note's id is its position, from 1.
type Notes = RwLock<Vec<String>>;

mod api {
    use carafe::prelude::*;
    use serde::Deserialize;

    use super::Notes;

    #[get("/notes")]
    pub fn list_notes(notes: State<Notes>) -> Json<serde_json::Value> {
        let notes = notes.read().unwrap();
        let listed: Vec<_> = (1..=notes.len())
            .map(|id| {
                json!({
                    "id": id,
                    "text": notes[id - 1],
                    "url": url_for!(get_note, note_id = id).as_str(),
                })
            })
            .collect();
        Json(json!(listed))
    }

    #[get("/notes/<int:note_id>")]
    pub fn get_note(note_id: usize, notes: State<Notes>) -> impl IntoResponse {
        let notes = notes.read().unwrap();
        match note_id.checked_sub(1).and_then(|index| notes.get(index)) {
            Some(text) => Json(json!({ "id": note_id, "text": text })),
            None => abort_with(HttpError::new(404).with_message(format!("no note {note_id}"))),
        }
    }

    #[derive(Deserialize)]
    pub struct NewNote {
        text: String,
    }

    #[post("/notes")]
    pub fn create_note(Json(note): Json<NewNote>, notes: State<Notes>) -> impl IntoResponse {
        let mut notes = notes.write().unwrap();
        notes.push(note.text);
        let id = notes.len();
        let created = Json(json!({ "id": id }));
        (
            created,
            201,
            [("Location", url_for!(get_note, note_id = id))],
        )
    }
}

/// The front page sends browsers to the API, wherever the blueprint is mounted.
#[get("/")]
fn index() -> Response {
    redirect(url_for!(api::list_notes))
}

/// The app with one note, shared with the tests.
pub fn app() -> App {
    let api = Blueprint::new("/api/v1")
        .mount(routes![api::list_notes, api::get_note, api::create_note])
        // The API's errors in JSON; the rest of the site keeps the HTML pages.
        .error_handler(404, |error: HttpError| {
            Json(json!({ "error": error.message() }))
        });
    App::new()
        .state(Notes::new(vec!["buy milk".to_owned()]))
        .mount(routes![index])
        .register(api)
}

fn main() {
    app().run();
}
