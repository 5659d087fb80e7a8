#!/usr/bin/env bash
# Start the action server, then the Rasa server (REST on loopback) or, with
# `shell`, the command-line chat in French. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_PORT=${RASA_PORT:-5005}
export ACTIONS_PORT=${ACTIONS_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://localhost:$ACTIONS_PORT/webhook}
export WEB_PORT=${WEB_PORT:-8080}
# The pages that may open the chat widget's socket.io connection, also given to --cors.
export WEBCHAT_ALLOWED_ORIGINS=${WEBCHAT_ALLOWED_ORIGINS:-http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT}
# Everything listens on loopback: local tools (scripts/score_blind.py) name one visitor per
# conversation in X-Forwarded-For, as nginx would, so the per-address limits count them apart.
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1}
# The action server answers only the Rasa server: loopback unless told otherwise.
export SANIC_HOST=${SANIC_HOST:-127.0.0.1}

"$BIN/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT

if [ "${1:-}" = "shell" ]; then
  "$BIN/python" scripts/rasa_shell_fr.py --model models/ptce.tar.gz --port "$RASA_PORT" \
    --endpoints deploy/endpoints.yml
else
  "$BIN/python" scripts/serve_web.py --port "$WEB_PORT" --quiet &
  web_pid=$!
  trap 'kill $actions_pid $web_pid 2>/dev/null || true' EXIT
  socket_query=""
  [ "$RASA_PORT" = 5005 ] || socket_query="?socket=http://localhost:$RASA_PORT"
  api=()
  if [ "${RASA_ENABLE_API:-false}" = true ]; then
    [ -n "${RASA_API_TOKEN:-}" ] || { echo "RASA_ENABLE_API=true needs RASA_API_TOKEN." >&2; exit 1; }
    api=(--enable-api --auth-token "$RASA_API_TOKEN")
  fi
  echo "Rasa server starting on http://localhost:$RASA_PORT (about 15 s). Try:"
  echo "  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\": \"moi\", \"message\": \"C'\''est quoi un PTCE ?\"}'"
  echo "  or the chat widget on the demo page: http://localhost:$WEB_PORT/$socket_query"
  read -r -a cors_origins <<< "${WEBCHAT_ALLOWED_ORIGINS//,/ }"
  "$BIN/rasa" run --model models/ptce.tar.gz --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints deploy/endpoints.yml --cors "${cors_origins[@]}" "${api[@]}"
fi
