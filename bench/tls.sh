#!/usr/bin/env bash
# Preflight over TLS against peers on loopback nginx (docs/benchmarks.md). Not a test.
#
#   bench/tls.sh [--preflight BIN] [--reps N] [--duration S] [--conns N]
#
# Two series, alternating tools, nginx and the client pinned to different cores (SERVER_CPU, CLIENT_CPU):
#   https-keepalive  HTTP/1.1 over TLS, N connections kept alive: preflight --http 1.1 vs hey
#   h2-streams       HTTP/2 over TLS, N concurrent streams on one connection: preflight (target.multiplex N,
#                    N users) vs h2load -c 1 -m N
# The certificate comes from a CA made here by openssl; preflight verifies it (--ca-file), hey and h2load do not
# verify certificates at all. Prints one line per run and the medians; writes a CSV (--out).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
preflight="$root/build/app/preflight"
reps=3
duration=10
conns=50
out="/tmp/preflight-tls-bench-$(date +%Y%m%d-%H%M%S).csv"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
while [ $# -gt 0 ]; do
    case "$1" in
    --preflight) preflight="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "tls.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in /usr/sbin/nginx openssl hey h2load taskset python3; do
    command -v "$tool" >/dev/null || { echo "tls.sh: $tool missing (apt-get install nginx openssl hey nghttp2-client util-linux python3)" >&2; exit 2; }
done
[ -x "$preflight" ] || { echo "tls.sh: no preflight at $preflight; pass --preflight" >&2; exit 2; }

work="$(mktemp -d /tmp/preflight-tls.XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$work"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
    -out server.pem 2>/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >nginx.conf <<CONF
worker_processes 1;
daemon off;
master_process off;
error_log $work/error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    http2_max_concurrent_streams 256;
    ssl_session_cache shared:SSL:1m;
    server {
        listen 127.0.0.1:$port ssl http2 backlog=4096;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
CONF
taskset -c "$server_cpu" /usr/sbin/nginx -p "$work" -c "$work/nginx.conf" &
server_pid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="https://127.0.0.1:$port/"
cat >plan.json <<PLAN
{"target": {"base_url": "https://127.0.0.1:$port", "http_version": "2", "multiplex": $conns,
            "tls": {"ca_file": "$work/ca.pem"}},
 "endpoints": [{"method": "GET", "path": "/"}],
 "scenario": {"preset": "sustain", "users": $conns, "duration_s": $duration}}
PLAN

echo "series,tool,rep,requests,rps,p50_ms,cpu_s,cpu_us_per_request,connections,loadavg_1m" >"$out"
run() {  # series tool rep
    local series="$1" tool="$2" rep="$3" load requests rps p50 conn=""
    load="$(cut -d' ' -f1 /proc/loadavg)"
    case "$series/$tool" in
    https-keepalive/preflight | h2-streams/preflight)
        local args=(run --target "$url" --http 1.1 --ca-file "$work/ca.pem" --users "$conns" --duration "$duration")
        [ "$series" = h2-streams ] && args=(run plan.json)
        /usr/bin/time -f "%U %S" -o time.txt taskset -c "$client_cpu" "$preflight" "${args[@]}" --workers 1 \
            --json out.json --quiet --store store.db >log.txt 2>&1 || { cat log.txt >&2; return 1; }
        read -r requests rps p50 conn < <(python3 -c '
import json; d = json.load(open("out.json")); t = d["totals"]; e = d["endpoints"][0]
print(t["requests"], t["rps"], t["latency_ms"]["p50"], e.get("connections_opened", ""))')
        ;;
    https-keepalive/hey)
        /usr/bin/time -f "%U %S" -o time.txt taskset -c "$client_cpu" hey -c "$conns" -z "${duration}s" "$url" >log.txt 2>&1
        requests="$(awk '/responses/ && /\[[0-9]+\]/ {n += $2} END {print n + 0}' log.txt)"
        rps="$(awk '/Requests\/sec:/ {print $2}' log.txt)"
        p50="$(awk '/ 50% in/ {printf "%.3f", $3 * 1000}' log.txt)"
        ;;
    h2-streams/h2load)
        /usr/bin/time -f "%U %S" -o time.txt taskset -c "$client_cpu" h2load -c 1 -m "$conns" -D "$duration" "$url" >log.txt 2>&1
        requests="$(awk '/^requests:/ {print $6}' log.txt)" # "requests: N total, N started, N done, N succeeded"
        rps="$(awk '/^finished in/ {print $4}' log.txt)"
        p50=""
        conn=1
        ;;
    esac
    local user sys
    read -r user sys < <(tail -n 1 time.txt)
    local cpu per; cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')"
    per="$(awk -v c="$cpu" -v n="$requests" 'BEGIN {printf "%.2f", (n > 0 ? c * 1e6 / n : 0)}')"
    echo "$series,$tool,$rep,$requests,$rps,$p50,$cpu,$per,$conn,$load" >>"$out"
    printf '  %-16s %-9s rep %s: %9.0f req/s  p50 %6s ms  %6.2f us/req  connections %s  (load %s)\n' \
        "$series" "$tool" "$rep" "$rps" "${p50:--}" "$per" "${conn:--}" "$load" >&2
}
echo "tls.sh: preflight=$preflight, $conns connections/streams, ${duration}s x $reps reps, client cpu $client_cpu, server cpu $server_cpu" >&2
for rep in $(seq 1 "$reps"); do
    run https-keepalive preflight "$rep"; run https-keepalive hey "$rep"
    run h2-streams preflight "$rep"; run h2-streams h2load "$rep"
done
python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for key in sorted({(r["series"], r["tool"]) for r in rows}):
    sel = [r for r in rows if (r["series"], r["tool"]) == key]
    med[key] = (statistics.median(float(r["rps"]) for r in sel), statistics.median(float(r["cpu_us_per_request"]) for r in sel))
    print(f"median {key[0]:16} {key[1]:9} {med[key][0]:9.0f} req/s  {med[key][1]:6.2f} us/req")
for series, peer in (("https-keepalive", "hey"), ("h2-streams", "h2load")):
    if (series, "preflight") in med and (series, peer) in med:
        print(f"ratio  {series:16} preflight/{peer}: {med[(series, 'preflight')][0] / med[(series, peer)][0]:.2f}x req/s, "
              f"{med[(series, 'preflight')][1] / med[(series, peer)][1]:.2f}x CPU per request")
PY
echo "tls.sh: results in $out" >&2
