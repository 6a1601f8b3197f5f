#!/usr/bin/env bash
# Builds the server (Go 1.19, GOPATH mode, lib/pq from Debian's golang-github-lib-pq-dev) into a temp dir named
# after the source's hash unless it is already there, and prints the binary's path. Never writes into the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sum=$(sha256sum "$here/main.go" | cut -c1-16)
dir=${TMPDIR:-/tmp}/go-nethttp-pq-$sum
bin=$dir/server
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  (cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$dir/gocache" go build -o "$bin.$$" main.go)
  mv "$bin.$$" "$bin"
fi
echo "$bin"
