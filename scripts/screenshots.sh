#!/usr/bin/env bash
# Saves screenshots of the Preflight main window after a short run against the demo backend (or, when it
# was not built, a loopback python http.server), in a light and a dark palette:
#   docs/screenshots/main.png, main-dark.png (a plan run), demo.png, demo-dark.png (`preflight demo`)
# Usage: scripts/screenshots.sh [BUILD_DIR]      (default: build; needs xvfb-run)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-${BUILD_DIR:-$repo/build}}"
[[ "$build" = /* ]] || build="$repo/$build"
preflight="$build/app/preflight"
demo="$build/app/demotarget/preflight-demo-target"
out="$repo/docs/screenshots"
[[ -x "$preflight" ]] || { echo "screenshots: $preflight not built (cmake --build $build --target preflight)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run missing (apt-get install xvfb)" >&2; exit 2; }
mkdir -p "$out"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A target on loopback: the demo backend with its single-connection flaw (latency climbs with users),
# otherwise a static file server.
if [[ -x "$demo" ]]; then
    "$demo" --port 0 --flaw single-connection --work-ms 2 >"$work/demo.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        url="$(sed -n 's/^LISTENING \(http[^ ]*\).*/\1/p' "$work/demo.log" | head -1)"
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "${url:-}" ]] || { echo "screenshots: demo target did not start:" >&2; cat "$work/demo.log" >&2; exit 3; }
    cat >"$work/plan.preflight.json" <<JSON
{
  "name": "demo API (single-connection flaw)",
  "target": {"base_url": "$url", "timeout_ms": 5000},
  "endpoints": [
    {"name": "customer", "method": "GET", "path": "/api/v1/customers/{id}", "weight": 3,
     "vars": {"id": {"range": [1, 500]}}},
    {"name": "search", "method": "GET", "path": "/api/v1/search?q=engineering", "weight": 2},
    {"name": "orders", "method": "GET", "path": "/api/v1/orders?customer={id}", "weight": 1,
     "vars": {"id": {"range": [1, 500]}}}
  ],
  "health": {"path": "/health"},
  "scenario": {"preset": "sweep", "levels": [1, 2, 5, 10, 20], "step_s": 4},
  "gates": "launch"
}
JSON
else
    mkdir -p "$work/www" && echo ok >"$work/www/index.html"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >"$work/http.log" 2>&1 &
    server_pid=$!
    url="http://127.0.0.1:$port"
    sleep 1
    cat >"$work/plan.preflight.json" <<JSON
{
  "name": "static loopback server",
  "target": {"base_url": "$url"},
  "endpoints": [{"method": "GET", "path": "/", "weight": 1}],
  "scenario": {"preset": "sweep", "levels": [1, 2, 4], "step_s": 5},
  "gates": "launch"
}
JSON
fi
echo "screenshots: target $url"

shoot() {  # palette file
    # A private settings dir: no restored window state from the user's own sessions.
    XDG_CONFIG_HOME="$work/config-$1" \
    PREFLIGHT_PALETTE="$1" PREFLIGHT_PLAN="$work/plan.preflight.json" PREFLIGHT_AUTOSTART=1 \
    PREFLIGHT_SCREENSHOT="$2" PREFLIGHT_SCREENSHOT_AFTER_S=40 PREFLIGHT_WINDOW_SIZE=1440x900 \
        timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" "$preflight"
    [[ -s "$2" ]] || { echo "screenshots: $2 was not written" >&2; exit 1; }
    echo "screenshots: wrote $2"
}

shoot light "$out/main.png"
shoot dark "$out/main-dark.png"

# `preflight demo` as a newcomer sees it: the GUI starts the demo backend itself (default flaws
# single-connection,n-plus-one), loads the demo plan, runs its sweep; the shot is taken when the run has
# been diagnosed (gate chips, capacity chart with the knee, findings).
demo_shot() {  # palette file
    XDG_CONFIG_HOME="$work/config-demo-$1" XDG_DATA_HOME="$work/data-demo-$1" PREFLIGHT_DEMO_TARGET="$demo" \
    PREFLIGHT_PALETTE="$1" PREFLIGHT_AUTOSTART=1 \
    PREFLIGHT_SCREENSHOT="$2" PREFLIGHT_SCREENSHOT_AFTER_S=120 PREFLIGHT_WINDOW_SIZE=1440x900 \
        timeout 200 xvfb-run -a -s "-screen 0 1600x1000x24" "$preflight" demo
    [[ -s "$2" ]] || { echo "screenshots: $2 was not written" >&2; exit 1; }
    echo "screenshots: wrote $2"
}
if [[ -x "$demo" ]]; then
    demo_shot light "$out/demo.png"
    demo_shot dark "$out/demo-dark.png"
fi
