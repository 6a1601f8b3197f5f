#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build, open Preflight on its built-in demo backend.
# Pass --headless to print the summary and write the report instead of opening the window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/app/preflight demo "$@"
