#!/usr/bin/env bash
# Start the action server, then the Rasa server (REST on loopback) or, with
# `shell`, the command-line chat. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}

"$BIN/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT

if [ "${1:-}" = "shell" ]; then
  "$BIN/rasa" shell --model models/ptce.tar.gz
else
  echo "Rasa server starting on http://localhost:$RASA_PORT (about 30 s). Try:"
  echo "  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\": \"moi\", \"message\": \"C'\''est quoi un PTCE ?\"}'"
  "$BIN/rasa" run --model models/ptce.tar.gz --interface 127.0.0.1 --port "$RASA_PORT" --cors "http://localhost:$RASA_PORT"
fi
