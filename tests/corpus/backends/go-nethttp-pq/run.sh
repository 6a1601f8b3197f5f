#!/usr/bin/env bash
# Runs the server in the foreground on 127.0.0.1:$PORT. build.sh builds it into a temp dir when the binary is
# missing (seed.sh already did, so this is normally instant); $GO_BINARY may name a built one instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${GO_BINARY:-}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  bin=$(bash "$here/build.sh")
fi
exec "$bin"
