#!/usr/bin/env bash
# gunicorn gthread: 1 worker x 16 threads; how the app connects depends on FLAW (see app.py).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/gunicorn -k gthread -w 1 --threads 16 -b "127.0.0.1:${PORT:?}" --log-level warning app:app
