#!/usr/bin/env bash
# Starts the Express app in the foreground on 127.0.0.1:$PORT (single node process).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  npm ci --silent --no-audit --no-fund
fi
exec node server.js
