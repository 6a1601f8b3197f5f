#!/usr/bin/env bash
# Builds the server (Go 1.19, GOPATH mode, lib/pq from Debian's golang-github-lib-pq-dev) into a temp dir named
# after the source's hash unless it is already there (or $GO_BINARY names a built one), then runs it in the
# foreground on 127.0.0.1:$PORT. The binary is never written into the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${GO_BINARY:-}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  sum=$(sha256sum "$here/main.go" | cut -c1-16)
  dir=${TMPDIR:-/tmp}/go-nethttp-pq-$sum
  bin=$dir/server
  if [ ! -x "$bin" ]; then
    mkdir -p "$dir"
    (cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$dir/gocache" go build -o "$bin.tmp" main.go)
    mv "$bin.tmp" "$bin"
  fi
fi
exec "$bin"
