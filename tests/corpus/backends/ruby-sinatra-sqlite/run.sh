#!/usr/bin/env bash
# Starts the Sinatra app under puma in the foreground on 127.0.0.1:$PORT: 2 worker processes x 4 threads
# (app preloaded in the master; each thread opens its own SQLite connection after the fork, on first use).
set -euo pipefail
cd "$(dirname "$0")"
export RACK_ENV=production
exec /usr/bin/puma -q -e production -w 2 -t 4:4 --preload -b "tcp://127.0.0.1:${PORT:?}" config.ru
