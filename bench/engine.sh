#!/usr/bin/env bash
# Preflight's load engine against wrk and hey on loopback (docs/benchmarks.md). Not a test.
#
#   bench/engine.sh [options]
#     --preflight BIN   preflight executable (default: build-bench/app/preflight, then build/app/preflight)
#     --out FILE.csv    machine-readable results (default: /tmp/preflight-bench-<time>.csv)
#     --reps N          repetitions per tool and connection count (default 3)
#     --duration S      seconds per run (default 10)
#     --conns "LIST"    connection counts (default "1 10 50 200")
#     --no-throughput   skip the nginx series
#     --no-delay        skip the 10 ms backend series
#     --delay-conns "LIST"  connection counts against the 10 ms backend (default "10 50")
#     --tools "LIST"    tools of the nginx series (default "preflight preflight-raw wrk hey"); preflight is the
#                       libcurl path (--engine curl), preflight-raw the raw HTTP/1.1 path (--engine raw)
#     --floor           also run bench/curlfloor.c (a bare libcurl-multi loop: the floor for a libcurl engine)
#     --soak S          also run one full-speed preflight run of S seconds (50 users) against nginx and
#                       sample its RSS every 10 s (600 for the documented 10-minute figure); SOAK_ENGINE=curl|raw
#                       picks the load path (default auto: raw against nginx)
#
# Server and client are pinned to different cores (SERVER_CPU, CLIENT_CPU; default 0 and 1). Everything
# runs on 127.0.0.1; the nginx (and the delay server) this script starts are stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

preflight=""
out="/tmp/preflight-bench-$(date +%Y%m%d-%H%M%S).csv"
reps=3
duration=10
conns="1 10 50 200"
delay_conns="10 50"
do_throughput=1
do_delay=1
soak=0
floor=0
tool_list="preflight preflight-raw wrk hey"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"

while [ $# -gt 0 ]; do
    case "$1" in
    --preflight) preflight="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --delay-conns) delay_conns="$2"; shift 2 ;;
    --no-throughput) do_throughput=0; shift ;;
    --no-delay) do_delay=0; shift ;;
    --soak) soak="$2"; shift 2 ;;
    --floor) floor=1; shift ;;
    --tools) tool_list="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "engine.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$preflight" ]; then
    for candidate in "$root/build-bench/app/preflight" "$root/build/app/preflight"; do
        if [ -x "$candidate" ]; then preflight="$candidate"; break; fi
    done
fi
[ -x "${preflight:-}" ] || { echo "engine.sh: no preflight executable; build it or pass --preflight" >&2; exit 2; }

# --- tools --------------------------------------------------------------------------------------------
missing=()
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v hey >/dev/null || missing+=(hey)
[ -x /usr/bin/time ] || missing+=(time)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "engine.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- servers ------------------------------------------------------------------------------------------
work="$(mktemp -d /tmp/preflight-bench.XXXXXX)"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "engine.sh: server on port $1 did not come up" >&2; return 1
}

start_nginx() {
    local port="$1"
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
EOF
    taskset -c "$server_cpu" /usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
    server_pid=$!
    wait_port "$port"
}

start_delay_server() {
    local port="$1" delay_ms="$2"
    taskset -c "$server_cpu" python3 "$here/delayserver.py" "$port" "$delay_ms" &
    server_pid=$!
    wait_port "$port"
}

# --- one measurement ----------------------------------------------------------------------------------
# Each run: client pinned to client_cpu, user+sys CPU of the client process from /usr/bin/time.
# Appends: suite,tool,connections,rep,requests,duration_s,rps,p50_ms,p99_ms,errors,cpu_user_s,cpu_sys_s,
#          cpu_us_per_request,max_rss_kb,loadavg_1m
echo "suite,tool,connections,rep,requests,duration_s,rps,p50_ms,p99_ms,errors,cpu_user_s,cpu_sys_s,cpu_us_per_request,max_rss_kb,loadavg_1m" >"$out"

to_ms() {  # wrk/hey latency with unit -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s" || u == "secs") n *= 1000
        printf "%.3f", n }'
}

measure() {
    local suite="$1" tool="$2" c="$3" rep="$4" url="$5"
    local log="$work/$tool.log" timef="$work/time.txt" json="$work/preflight.json"
    local load; load="$(cut -d' ' -f1 /proc/loadavg)"
    local requests duration_s rps p50 p99 errors
    case "$tool" in
    preflight|preflight-raw)
        rm -f "$json"
        local engine=curl; [ "$tool" = preflight-raw ] && engine=raw
        /usr/bin/time -f "%U %S %M" -o "$timef" taskset -c "$client_cpu" "$preflight" run --target "$url" \
            --users "$c" --duration "$duration" --workers 1 --engine "$engine" --json "$json" --quiet \
            --store "$work/store.db" >"$log" 2>&1 || true
        if [ ! -s "$json" ]; then echo "engine.sh: preflight failed:" >&2; cat "$log" >&2; return 1; fi
        read -r requests duration_s rps p50 p99 errors < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); t = d["totals"]
print(t["requests"], d["run"]["duration_s"], t["rps"], t["latency_ms"]["p50"], t["latency_ms"]["p99"], t["errors"])' "$json")
        ;;
    wrk)
        /usr/bin/time -f "%U %S %M" -o "$timef" taskset -c "$client_cpu" wrk -t1 -c"$c" -d"${duration}s" \
            --latency "$url" >"$log" 2>&1 || true
        requests="$(awk '/requests in/ {print $1}' "$log")"
        duration_s="$(awk '/requests in/ {v=$4; sub(/s,$/, "", v); print v}' "$log")"
        rps="$(awk '/^Requests\/sec:/ {print $2}' "$log")"
        p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$log")")"
        p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$log")")"
        errors="$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i} END {print n + 0}' "$log")"
        ;;
    curlfloor)
        /usr/bin/time -f "%U %S %M" -o "$timef" taskset -c "$client_cpu" "$work/curlfloor" "$url" "$c" "$duration" \
            >"$log" 2>&1 || true
        read -r requests duration_s <"$log"
        rps="$(awk -v n="$requests" -v d="$duration_s" 'BEGIN { printf "%.2f", n / d }')"
        p50=""; p99=""; errors=0  # the floor loop reads no clock per request
        ;;
    hey)
        /usr/bin/time -f "%U %S %M" -o "$timef" taskset -c "$client_cpu" hey -c "$c" -z "${duration}s" \
            "$url" >"$log" 2>&1 || true
        requests="$(awk '/responses/ && /\[[0-9]+\]/ {n += $2} END {print n + 0}' "$log")"
        duration_s="$(awk '/^ *Total:/ {print $2; exit}' "$log")"
        rps="$(awk '/Requests\/sec:/ {print $2}' "$log")"
        p50="$(awk '/ 50% in/ {printf "%.3f", $3 * 1000}' "$log")"
        p99="$(awk '/ 99% in/ {printf "%.3f", $3 * 1000}' "$log")"
        errors="$(awk '/responses/ && /\[[0-9]+\]/ {code = $1; gsub(/[^0-9]/, "", code); if (code + 0 >= 400) n += $2}
                      /^Error distribution/ {e = 1; next} e && /\[[0-9]+\]/ {v = $1; gsub(/[^0-9]/, "", v); n += v}
                      END {print n + 0}' "$log")"
        ;;
    esac
    local user sys rss
    read -r user sys rss < <(tail -n 1 "$timef")  # time prepends a line when the exit status is non-zero
    local per_req; per_req="$(awk -v u="$user" -v s="$sys" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0) ? (u + s) * 1e6 / n : 0 }')"
    echo "$suite,$tool,$c,$rep,$requests,$duration_s,$rps,$p50,$p99,$errors,$user,$sys,$per_req,$rss,$load" >>"$out"
    printf '  %-10s %-9s c=%-4s rep %s: %9.0f req/s  p50 %7s ms  p99 %7s ms  %6.2f us/req  (load %s)\n' \
        "$suite" "$tool" "$c" "$rep" "$rps" "${p50:--}" "${p99:--}" "$per_req" "$load" >&2
}

series() {  # suite url conns tools...
    local suite="$1" url="$2" list="$3"; shift 3
    for rep in $(seq 1 "$reps"); do
        for c in $list; do
            for tool in "$@"; do
                measure "$suite" "$tool" "$c" "$rep" "$url"
            done
        done
    done
}

echo "engine.sh: preflight=$preflight client cpu $client_cpu, server cpu $server_cpu, ${duration}s x $reps reps" >&2
echo "engine.sh: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

if [ "$do_throughput" = 1 ]; then
    read -r -a tools <<<"$tool_list"
    if [ "$floor" = 1 ]; then
        cc -O2 -o "$work/curlfloor" "$here/curlfloor.c" -lcurl
        tools+=(curlfloor)
    fi
    port="$(free_port)"; start_nginx "$port"
    series nginx "http://127.0.0.1:$port/" "$conns" "${tools[@]}"
    stop_server
fi

if [ "$do_delay" = 1 ]; then
    port="$(free_port)"; start_delay_server "$port" 10
    read -r -a delay_tools <<<"$tool_list"
    series delay10ms "http://127.0.0.1:$port/" "$delay_conns" "${delay_tools[@]}"
    stop_server
fi

if [ "$soak" -gt 0 ]; then
    soak_csv="${out%.csv}-soak.csv"
    port="$(free_port)"; start_nginx "$port"
    echo "elapsed_s,vmrss_kb,vmhwm_kb,cpu_ticks" >"$soak_csv"
    taskset -c "$client_cpu" "$preflight" run --target "http://127.0.0.1:$port/" --users 50 \
        --duration "$soak" --max-duration "$soak" --workers 1 --engine "${SOAK_ENGINE:-auto}" --json "$work/soak.json" --quiet \
        --store "$work/soak.db" >"$work/soak.log" 2>&1 &
    pid=$!
    t0=$(date +%s)
    while kill -0 "$pid" 2>/dev/null; do
        rss="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
        hwm="$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
        ticks="$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)"
        [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$rss,$hwm,$ticks" >>"$soak_csv"
        sleep 10
    done
    wait "$pid" || true
    stop_server
    python3 - "$soak_csv" "$work/soak.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
first, last = rows[1] if len(rows) > 1 else rows[0], rows[-1]
print(f"soak: {d['totals']['requests']} requests, {d['totals']['rps']:.0f} req/s over {d['run']['duration_s']} s")
print(f"soak: VmRSS at {first['elapsed_s']} s {first['vmrss_kb']} kB, at {last['elapsed_s']} s {last['vmrss_kb']} kB; "
      f"VmHWM {last['vmhwm_kb']} kB ({len(rows)} samples in {sys.argv[1]})")
EOF
fi

python3 "$here/summarize.py" "$out"
echo "engine.sh: results in $out" >&2
