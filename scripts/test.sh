#!/usr/bin/env bash
# Quick-start command 2: install what is missing, build, run the whole test suite (PostgreSQL tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# A PostgreSQL test that cannot start its server fails instead of skipping.
export PREFLIGHT_REQUIRE_POSTGRES=1
cd build
ctest --output-on-failure -j 2 --timeout 600
