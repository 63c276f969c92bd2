"""The database bench/whole_app.sh serves both flaskrs on, carafe's and Flask's alike.

    python whole_app_db.py SCHEMA OUT USERNAME PASSWORD ITERATIONS POSTS

Runs the tutorial's SCHEMA into a new database at OUT, then adds one user, USERNAME, whose
PASSWORD Werkzeug hashes with pbkdf2:sha256 and ITERATIONS rounds (a hash both apps check: Flask's
with Werkzeug itself, carafe's with examples/flaskr/werkzeug.rs), and POSTS posts by that user,
one an hour, each with the same paragraph of text. Run it with the Python that has Werkzeug.
"""

import sqlite3
import sys
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

BODY = (
    "Flask calls itself a micro framework: it keeps the core simple and leaves the choice "
    "of database, form validation and the rest to extensions. This post is one of the "
    "blog's seeded entries, long enough to look like a paragraph someone wrote.\n"
    "A second line, so that the body holds a newline as typed posts do."
)


def main(schema, out, username, password, iterations, posts):
    database = sqlite3.connect(out)
    with open(schema, encoding="utf-8") as script:
        database.executescript(script.read())
    hashed = generate_password_hash(password, f"pbkdf2:sha256:{int(iterations)}")
    author = database.execute(
        "INSERT INTO user (username, password) VALUES (?, ?)", (username, hashed)
    ).lastrowid
    start = datetime(2026, 1, 1)
    database.executemany(
        "INSERT INTO post (title, body, author_id, created) VALUES (?, ?, ?, ?)",
        [
            (
                f"Post number {number}",
                BODY,
                author,
                (start + timedelta(hours=number)).strftime("%Y-%m-%d %H:%M:%S"),
            )
            for number in range(1, int(posts) + 1)
        ],
    )
    database.commit()
    database.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
