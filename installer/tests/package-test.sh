#!/usr/bin/env bash
# installer/package (ctest): build the .deb from BUILD_DIR, unpack it into a scratch root, validate the
# desktop entry and AppStream metainfo, then run the installed `preflight --version` and a one-second
# `preflight run` against a loopback HTTP server. Loopback only; everything lives in a temp dir.
#   installer/tests/package-test.sh BUILD_DIR
set -euo pipefail

build_dir=$(cd "${1:?usage: package-test.sh BUILD_DIR}" && pwd)
cpack=${CPACK:-cpack}
expected_version=${PREFLIGHT_EXPECTED_VERSION:-}
app_id=dev.preflight.Preflight

work=$(mktemp -d "${TMPDIR:-/tmp}/preflight-package-test.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

for tool in dpkg-deb desktop-file-validate appstreamcli python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done

step "cpack -G DEB (output in $work/out)"
# -B keeps the package and CPack's staging tree out of the build dir, so parallel runs do not collide.
(cd "$build_dir" && "$cpack" -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB failed"
}
debs=("$work"/out/preflight_*.deb)
[[ -f ${debs[0]} ]] || fail "no preflight_*.deb in $work/out"
deb=${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

step "control fields"
control=$(dpkg-deb -f "$deb")
echo "$control" | grep -E '^(Package|Version|Architecture|Section|Maintainer|Depends):'
echo "$control" | grep -q '^Section: devel$' || fail "Section is not devel"
echo "$control" | grep -q '^Maintainer: .*<.*@.*>$' || fail "Maintainer has no address"
# shlibdeps ran: the libraries the executables link appear as dependencies.
depends=$(echo "$control" | sed -n 's/^Depends: //p')
for lib in libc6 libqt6core6 libcurl4 libpq5 libsqlite3-0; do
    [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (shlibdeps): $depends"
done

step "dpkg-deb -x into a scratch root"
root=$work/root
dpkg-deb -x "$deb" "$root"
expected_files=(
    usr/bin/preflight
    usr/share/applications/$app_id.desktop
    usr/share/metainfo/$app_id.metainfo.xml
    usr/share/icons/hicolor/scalable/apps/$app_id.svg
    usr/share/icons/hicolor/16x16/apps/$app_id.png
    usr/share/icons/hicolor/256x256/apps/$app_id.png
    usr/share/man/man1/preflight.1.gz
    usr/share/bash-completion/completions/preflight
    usr/share/doc/preflight/copyright
    usr/share/doc/preflight/changelog.Debian.gz
)
for f in "${expected_files[@]}"; do
    [[ -e $root/$f ]] || fail "the package lacks /$f"
done

step "desktop-file-validate"
desktop-file-validate "$root/usr/share/applications/$app_id.desktop"
step "appstreamcli validate --no-net"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml"
step "bash completion"
bash -c "source '$root/usr/share/bash-completion/completions/preflight'
COMP_WORDS=(preflight r); COMP_CWORD=1; _preflight; [[ \" \${COMPREPLY[*]} \" == *' run '* ]]" \
    || fail "completion does not offer 'run' for 'preflight r'"

# The installed binaries use the system's libraries; a fresh HOME keeps the run store out of the user's.
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$HOME"
export QT_QPA_PLATFORM=offscreen
preflight=$root/usr/bin/preflight

step "preflight --version"
version_output=$(timeout 30 "$preflight" --version)
echo "$version_output"
[[ $version_output == "preflight "* ]] || fail "unexpected --version output: $version_output"
if [[ -n $expected_version ]]; then
    [[ $version_output == "preflight $expected_version" ]] || fail "expected preflight $expected_version"
fi

step "loopback HTTP server"
# The server binds port 0 itself and reports the port, so there is no window for another process to take it.
cat >"$work/server.py" <<'EOF'
import http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
EOF
mkdir -p "$work/www" && echo ok >"$work/www/index.html"
(cd "$work/www" && exec python3 "$work/server.py" "$work/port") &
server_pid=$!
for _ in $(seq 100); do
    [[ -s $work/port ]] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the loopback server exited"
    sleep 0.1
done
[[ -s $work/port ]] || fail "the loopback server did not report its port"
port=$(cat "$work/port")
echo "http://127.0.0.1:$port"

step "preflight run --target http://127.0.0.1:$port --users 2 --duration 1 --quiet"
rc=0
timeout 60 "$preflight" run --target "http://127.0.0.1:$port" --users 2 --duration 1 --quiet \
    --store "$work/runs.sqlite" --json "$work/summary.json" || rc=$?
[[ $rc -eq 0 ]] || fail "preflight run exited with $rc, expected 0"
python3 - "$work/summary.json" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1]))
requests = summary["totals"]["requests"]
assert summary["schema"] == "preflight.summary/1", summary["schema"]
assert requests > 0, "no requests were sent"
print(f"summary: {requests} requests, status {summary['run']['status']}")
EOF

step "lintian"
if command -v lintian >/dev/null; then
    # Errors fail the test; warnings are listed (docs/install.md says which are expected).
    lintian --fail-on error --tag-display-limit 0 "$deb" || fail "lintian reported errors"
else
    echo "lintian not installed; skipped"
fi

echo "PASS: $(basename "$deb")"
