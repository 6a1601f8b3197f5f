#!/usr/bin/env bash
# gunicorn sync workers: 3 processes, one request at a time each (no threads); Django 3.2, DEBUG off.
set -euo pipefail
cd "$(dirname "$0")"
export DJANGO_SETTINGS_MODULE=shop.settings
exec /usr/bin/gunicorn -w 3 -b "127.0.0.1:${PORT:?}" --log-level warning shop.wsgi:application
