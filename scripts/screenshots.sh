#!/usr/bin/env bash
# Saves screenshots of each view of the Preflight main window, in a light and a dark palette, after a run of
# `preflight demo` under Xvfb (1440x900). The demo backend runs with its default flaws (single-connection,
# n-plus-one), so there are findings and queries (from its SQLite statement log). Before it, two headless
# demo runs go into the run store (see below). Writes docs/screenshots/VIEW.png and VIEW-dark.png for:
#   main        the live dashboard at the end of the sweep, findings and gate chips (the README shows this one)
#   findings    the most severe finding clicked: its span shaded on the charts
#   queries     the N+1 finding clicked: the Queries dock on its query, with the query's plan tree
#   history     Run history with the two runs selected
#   comparison  the Comparison of the healthy run (before) with the flawed demo run (after)
#   target      the Target panel scrolled to its login step, connection pool and database sections
#   scenario    the Scenario panel with a stages table and the load-shape preview
#   errors      the Errors dock (error signatures, their meaning, an example body) of the stored
#               write-contention run, opened from Run history: the demo run itself has no failed requests
# Usage: scripts/screenshots.sh [BUILD_DIR] [VIEW...]   (default: build, every view; needs xvfb-run)
# The views are set up by ui/screenshotdirector.cpp (PREFLIGHT_SCREENSHOT_VIEWS). About 4 minutes.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-${BUILD_DIR:-$repo/build}}"
[[ "$build" = /* ]] || build="$repo/$build"
shift || true
views="${*:-main findings queries history comparison target scenario errors}"
preflight="$build/app/preflight"
demo="$build/app/demotarget/preflight-demo-target"
out="$repo/docs/screenshots"
for exe in "$preflight" "$demo"; do
    [[ -x "$exe" ]] || { echo "screenshots: $exe not built (cmake --build $build)" >&2; exit 2; }
done
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run missing (apt-get install xvfb)" >&2; exit 2; }
mkdir -p "$out"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Two earlier runs for Run history, Comparison and Errors: write-contention alone (503s on POST /api/items:
# the GUI run has no failed requests, so the Errors view opens this one) and a healthy one (--flaw none,
# the "before" of the comparison). The GUI's store is $XDG_DATA_HOME/preflight/preflight/runs.sqlite; each
# palette gets its own copy.
for flaw in write-contention none; do
    echo "screenshots: headless demo run --flaw $flaw for the run store"
    PREFLIGHT_DEMO_TARGET="$demo" timeout 180 "$preflight" demo --headless --flaw "$flaw" --store "$work/runs.sqlite" \
        >"$work/$flaw.log" 2>&1 || { echo "screenshots: demo run --flaw $flaw failed:" >&2; cat "$work/$flaw.log" >&2; exit 3; }
done

shoot() {  # palette suffix
    local data="$work/data-$1"
    mkdir -p "$data/preflight/preflight"
    cp "$work/runs.sqlite" "$data/preflight/preflight/runs.sqlite"
    # A private settings dir: no restored window state or store path from the user's own sessions.
    XDG_CONFIG_HOME="$work/config-$1" XDG_DATA_HOME="$data" PREFLIGHT_DEMO_TARGET="$demo" \
    PREFLIGHT_PALETTE="$1" PREFLIGHT_AUTOSTART=1 PREFLIGHT_WINDOW_SIZE=1440x900 \
    PREFLIGHT_SCREENSHOT_VIEWS="${views// /,}" PREFLIGHT_SCREENSHOT_DIR="$out" PREFLIGHT_SCREENSHOT_SUFFIX="$2" \
        timeout 240 xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$preflight" demo
}

for v in $views; do rm -f "$out/$v.png" "$out/$v-dark.png"; done
shoot light ""
shoot dark "-dark"
for v in $views; do
    for f in "$out/$v.png" "$out/$v-dark.png"; do
        [[ -s "$f" ]] || { echo "screenshots: $f was not written" >&2; exit 1; }
    done
done
echo "screenshots: wrote $(for v in $views; do printf '%s ' "$v.png" "$v-dark.png"; done)to $out"
