#!/usr/bin/env bash
# gunicorn gthread: 2 workers x 8 threads; each worker has its own SQLAlchemy QueuePool (sized by FLAW in app.py).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/gunicorn -k gthread -w 2 --threads 8 -b "127.0.0.1:${PORT:?}" --log-level warning app:app
