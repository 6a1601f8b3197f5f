#!/usr/bin/env bash
# Installs what Preflight needs to build, test and run on Debian 12. Idempotent; skips apt when all is there.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache git
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev qt6-httpserver-dev qt6-websockets-dev qtkeychain-qt6-dev libgl-dev
  libcurl4-openssl-dev libpq-dev libsqlite3-dev sqlite3 libpg-query-dev libhttp-parser-dev
  postgresql-15 postgresql-contrib
  xvfb xauth poppler-utils
  desktop-file-utils appstream lintian file clang-format
  openssl python3-jsonschema python3-yaml
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "preflight: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
