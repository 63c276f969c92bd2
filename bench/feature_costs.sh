#!/usr/bin/env bash
# What the features of a whole app cost a request, each against the same answer without it,
# in instructions per request (bench/callgrind.sh count): a session read, a template render of
# a small page, a static file of 4 KiB (against axum with tower-http's ServeDir), one
# after_request hook, one tower layer (CorsLayer).
#
#   bash bench/feature_costs.sh
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WHOLE_APP=$BENCH/whole_app
PORT=${PORT:-18091}
count() { bash "$BENCH/callgrind.sh" count "$@"; }

# A signed session cookie, from the app itself.
CARAFE_PEER_WHOLE_APP=$WHOLE_APP WORKERS=1 "$BENCH/target/release/carafe_peer" "$PORT" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break; sleep 0.1; done
cookie=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/login" | tr -d '\r' | awk -F'[:;] *' 'tolower($1) == "set-cookie" { print $2 }')
kill "$pid"; wait "$pid" 2>/dev/null || true

row() { printf '%-44s %12s\n' "$1" "$2"; }
row "what" "instr/req"
row "carafe /plaintext" "$(count carafe_peer plaintext)"
row "carafe /plaintext, one after_request hook" "$(CARAFE_PEER_HOOK=after_request count carafe_peer plaintext)"
row "carafe /plaintext, CorsLayer::permissive()" "$(CARAFE_PEER_LAYER=cors count carafe_peer plaintext)"
export CARAFE_PEER_WHOLE_APP=$WHOLE_APP
row "carafe /plaintext, app with a secret key" "$(count carafe_peer plaintext)"
row "carafe /session (reads the session)" "$(FIXED_LOAD_COOKIE=$cookie count carafe_peer /session)"
row "carafe /page-constant (the page written out)" "$(count carafe_peer /page-constant)"
row "carafe /page (the page rendered)" "$(count carafe_peer /page)"
row "carafe /static/file.txt (4 KiB)" "$(count carafe_peer /static/file.txt)"
unset CARAFE_PEER_WHOLE_APP
row "axum /plaintext" "$(count axum_peer plaintext)"
row "axum /static/file.txt (ServeDir, 4 KiB)" "$(AXUM_PEER_STATIC=$WHOLE_APP/static count axum_peer /static/file.txt)"
