"""The routes of bench/blocking.sh on Flask, served by its threaded development server.

    python blocking_app.py PORT

The same work as bench/src/blocking.rs, whose numbers these repeat: the script's preflight
checks that this server's answers, the hash's included, are the other servers' bytes.
"""

import hashlib
import logging
import sys
import time

from flask import Flask

SLEEP_SECONDS = 0.05
# The rounds of bench/src/blocking.rs, 20 ms there; hashlib takes about twice as long for them.
HASH_ROUNDS = 200_000

app = Flask(__name__)


@app.route("/cheap")
def cheap():
    return "Hello, World!"


@app.route("/sleep")
def sleep():
    time.sleep(SLEEP_SECONDS)
    return "Slept 50 ms"


@app.route("/hash")
def hash_password():
    return hashlib.pbkdf2_hmac("sha256", b"password", b"salt", HASH_ROUNDS).hex()


if __name__ == "__main__":
    # Werkzeug logs every request, which carafe and axum do not: its log off, the servers
    # compared do the same work per request.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
