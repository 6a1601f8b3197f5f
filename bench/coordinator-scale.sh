#!/usr/bin/env bash
# What one distributed-run coordinator costs per agent, with simulated agents (docs/benchmarks.md,
# "Distributed: coordinator cost per agent"). Not a test.
#
#   bench/coordinator-scale.sh [--preflight BIN] [--agents "1 10 25 50 100"] [--duration S] [--reps N]
#                              [--requests N] [--connect-rate N] [--agent-wait S] [--sim-processes N]
#                              [--out CSV] [--keep]
#
# For each K: a throw-away CA, coordinator certificate (IP:127.0.0.1) and token made with openssl; a loopback
# target (bench/delayserver.py, 0 ms: the coordinator probes it before the run, the agents are simulated and send
# it nothing); `preflight run PLAN --agents K --listen 127.0.0.1:PORT …` with a sustain plan of S seconds (default
# 30) and 2 endpoints; bench/agents-sim.py with K agents. Over the steady part of the run (from 4 s after the start
# instant to 2 s before the end) it samples the coordinator's utime+stime (/proc/PID/stat, and per thread), its
# VmRSS, the bytes waiting unread in its agent sockets (/proc/net/tcp rx_queue: the coordinator falling behind)
# and the load average. After the run it checks that the store holds exactly what the agents sent (requests
# per endpoint, status counts, percentiles of the merged histograms) and that no output contains the token.
# Prints one line per run; writes a CSV (--out). Traffic goes to 127.0.0.1 only; every run is bounded
# (--agent-wait, default 120 s; the plan's duration; a 60 s grace at the end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
preflight="${PREFLIGHT_BIN:-$root/build/app/preflight}"
agent_counts="1 10 25 50 100"
duration=30
reps=1
requests=300
agent_wait=120
sim_processes=auto # simulator processes: 1 below 100 agents, else 2 (one Python event loop keeps up with ~400)
connect_rate=100 # agents dialling per second (the simulator spreads its K connections over K/N s, at least 1 s)
out="/tmp/preflight-coordinator-scale-$(date +%Y%m%d-%H%M%S).csv"
keep=0
python=/usr/bin/python3 # Debian's, with python3-websockets
while [ $# -gt 0 ]; do
    case "$1" in
    --preflight) preflight="$2"; shift 2 ;;
    --agents) agent_counts="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --connect-rate) connect_rate="$2"; shift 2 ;;
    --agent-wait) agent_wait="$2"; shift 2 ;;
    --sim-processes) sim_processes="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "coordinator-scale.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for tool in openssl sqlite3 "$python"; do
    command -v "$tool" >/dev/null || { echo "coordinator-scale.sh: $tool missing (apt-get install openssl sqlite3 python3)" >&2; exit 2; }
done
"$python" -c 'import websockets' 2>/dev/null ||
    { echo "coordinator-scale.sh: apt-get install -y python3-websockets" >&2; exit 2; }
[ -x "$preflight" ] || { echo "coordinator-scale.sh: no preflight at $preflight; pass --preflight BIN" >&2; exit 2; }

work="$(mktemp -d /tmp/preflight-coordinator-scale.XXXXXX)"
target_pid=""
coord_pid=""
sim_pid=""
cleanup() {
    for pid in $sim_pid $coord_pid $target_pid; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -f "$work/token"
    if [ "$keep" = 1 ]; then echo "kept $work (token removed)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$work"
rsa=(-newkey rsa:2048 -nodes)
openssl req -x509 "${rsa[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=coordinator-scale CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req "${rsa[@]}" -keyout coordinator.key -out coordinator.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >san.ext
openssl x509 -req -in coordinator.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out coordinator.pem 2>/dev/null
(umask 077 && openssl rand -hex 32 >token)

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
target_port="$(free_port)"
"$python" "$here/delayserver.py" "$target_port" 0 >target.log 2>&1 &
target_pid=$!
"$python" -c '
import socket, sys, time
for _ in range(100):  # the coordinator checks the target first: wait until it answers connections
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("coordinator-scale.sh: the loopback target did not start")' "$target_port"

export QT_QPA_PLATFORM=offscreen
unset PREFLIGHT_AGENT_TOKEN
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); preflight $("$preflight" --version 2>/dev/null | head -1)" >&2
echo "uptime before: $(uptime)" >&2
echo "k,rep,exit,status,load1_start,load1_end,coord_cpu_pct,coord_cpu_pct_schedstat,agents_thread_cpu_pct,main_thread_cpu_pct,rss_start_mb,rss_end_mb,hwm_mb,snapshots_per_s,cpu_us_per_snapshot,schedstat_us_per_snapshot,agents_thread_us_per_snapshot,rx_backlog_max_kb,sim_lag_p99_ms,sim_lag_max_ms,sim_cpu_pct,sim_procs,sim_gather_loop_lag_p50_ms,sim_gather_loop_lag_max_ms,ping_forward_p50_ms,ping_forward_max_ms,ping_return_p50_ms,gathered_after_s,gather_cpu_ms_per_agent,refused,finish_s,requests_sent,requests_stored,counts_match,percentiles_match,error_samples_stored,token_in_output" >"$out"

# The sampler: waits for the start instant the simulator saw, samples the coordinator over the steady window.
sampler='
import json, os, sys, time
import glob
pid, port, progress, duration, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
tck = os.sysconf("SC_CLK_TCK")
def alive():
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1].split()[0] != "Z"
    except OSError:
        return False
def cpu():
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tck
def threads():
    # Per thread: name and CPU time from schedstat (ns resolution; utime/stime tick at 10 ms).
    t = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            name = open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip()
            ns = int(open("/proc/%d/task/%s/schedstat" % (pid, tid)).read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        t[tid] = (name + (" (main)" if tid == str(pid) else ""), ns / 1e9)
    return t
def status(key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
def backlog():
    total = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(path).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].split(":")[1], 16) == port and f[3] == "01":
                total += int(f[4].split(":")[1], 16)
    return total
def load1():
    return float(open("/proc/loadavg").read().split()[0])
def prog():
    # One progress file per simulator process: {path: {"wall", "sent", "start_wall_ms", ...}}
    files = {}
    for path in glob.glob(progress):
        try:
            with open(path) as f:
                files[path] = json.load(f)
        except (OSError, ValueError):
            pass
    return files
def started(files):
    return next((p["start_wall_ms"] for p in files.values() if p.get("start_wall_ms")), None)
def rate(p0, p1):
    return sum((p1[k]["sent"] - p0[k]["sent"]) / max(1e-9, p1[k]["wall"] - p0[k]["wall"]) for k in p1 if k in p0)
start = None
while alive():
    start = started(prog())
    if start:
        break
    time.sleep(0.05)
result = {"started": bool(start)}
if start and alive():
    # Everything before the start instant: the target check, listening, every TLS handshake, authentication
    # and clock pings, assignment.
    result["gather_cpu_s"] = cpu()
    result["gather_rss_mb"] = status("VmRSS")
if start:
    t0, t1 = start / 1000.0 + 4.0, start / 1000.0 + duration - 2.0
    while time.time() < t0 and alive():
        time.sleep(0.05)
    if alive():
        p0, c0, th0, w0 = prog(), cpu(), threads(), time.time()
        rss0, l0 = status("VmRSS"), load1()
        rx, rss = [], []
        while time.time() < t1 and alive():
            rx.append(backlog())
            rss.append((round(time.time() - t0, 2), status("VmRSS")))
            time.sleep(0.5)
        if alive():
            p1, c1, th1, w1 = prog(), cpu(), threads(), time.time()
            busy = {}
            for tid, (name, t) in th1.items():
                if tid in th0:
                    busy[name + ":" + tid] = t - th0[tid][1]
            dt = w1 - w0
            snaps = rate(p0, p1)
            agents = sum(v for k, v in busy.items() if k.startswith("preflight-agent"))
            main = sum(v for k, v in busy.items() if " (main):" in k)
            precise = sum(busy.values())
            result.update({
                "window_s": dt, "load1_start": l0, "load1_end": load1(),
                "cpu_pct": 100.0 * (c1 - c0) / dt, "cpu_pct_schedstat": 100.0 * precise / dt,
                "agents_thread_pct": 100.0 * agents / dt, "main_thread_pct": 100.0 * main / dt,
                "threads_pct": {k: round(100.0 * v / dt, 3) for k, v in sorted(busy.items(), key=lambda kv: -kv[1])},
                "rss_start_mb": rss0, "rss_end_mb": status("VmRSS"), "hwm_mb": status("VmHWM"),
                "snapshots_per_s": snaps,
                "cpu_us_per_snapshot": 1e6 * (c1 - c0) / dt / snaps if snaps else None,
                "schedstat_us_per_snapshot": 1e6 * precise / dt / snaps if snaps else None,
                "agents_us_per_snapshot": 1e6 * agents / dt / snaps if snaps else None,
                "rx_backlog_max_kb": max(rx) / 1024.0 if rx else 0.0,
                "rx_backlog_mean_kb": sum(rx) / len(rx) / 1024.0 if rx else 0.0,
                "rss_series_mb": rss,
            })
json.dump(result, open(out, "w"), indent=1)
'

# After the run: the store against what the simulator sent.
verify='
import json, sqlite3, sys
store, summary, sim = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
db = sqlite3.connect(store)
run_id, status, reason = db.execute("SELECT id, status, status_reason FROM runs ORDER BY id DESC LIMIT 1").fetchone()
stored = {str(e): n for e, n in db.execute(
    "SELECT endpoint_idx, SUM(requests) FROM interval_endpoints WHERE run_id=? GROUP BY endpoint_idx", (run_id,))}
codes = {}
for e, text in db.execute("SELECT endpoint_idx, status_counts FROM interval_endpoints WHERE run_id=?", (run_id,)):
    for k, v in json.loads(text).items():
        codes.setdefault(str(e), {})
        codes[str(e)][k] = codes[str(e)].get(k, 0) + v
samples = db.execute("SELECT COUNT(*) FROM error_samples WHERE run_id=?", (run_id,)).fetchone()[0]
intervals = db.execute("SELECT COUNT(*) FROM intervals WHERE run_id=?", (run_id,)).fetchone()[0]
counts_match = stored == sim["requests_by_endpoint"] and codes == sim["status_by_endpoint"]
try:
    s = json.load(open(summary))
    lat = s["totals"]["latency_ms"]
    want = sim["latency_ms"]
    pct_match = all(abs(lat[k] - want[k]) <= 0.0015 for k in ("p50", "p90", "p99", "p999", "max", "mean")) \
        and s["totals"]["requests"] == sim["requests"]
except (OSError, ValueError, KeyError, TypeError):
    pct_match = False
print(json.dumps({"status": status, "reason": reason[:300], "requests_stored": sum(stored.values()),
                  "counts_match": counts_match, "percentiles_match": pct_match, "error_samples": samples,
                  "intervals": intervals}))
'

# The simulator processes' totals as one: requests and status counts add, histograms merge (then percentiles).
merge_stats='
import base64, importlib.util, json, sys
sys.dont_write_bytecode = True  # no bench/__pycache__
spec = importlib.util.spec_from_file_location("sim", "'"$here"'/agents-sim.py")
sim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sim)
parts = [json.load(open(p)) for p in sys.argv[2:]]
out = {"agents": 0, "snapshots_sent": 0, "agents_done": 0, "outcomes": {}, "requests_by_endpoint": {},
       "status_by_endpoint": {}, "error_samples_sent": 0, "sim_cpu_s": 0.0, "processes": len(parts)}
hists = {}
for p in parts:
    for k in ("agents", "snapshots_sent", "agents_done", "error_samples_sent", "sim_cpu_s"):
        out[k] += p.get(k) or 0
    for t, n in p["outcomes"].items():
        out["outcomes"][t] = out["outcomes"].get(t, 0) + n
    for e, n in p["requests_by_endpoint"].items():
        out["requests_by_endpoint"][e] = out["requests_by_endpoint"].get(e, 0) + n
    for e, codes in p["status_by_endpoint"].items():
        st = out["status_by_endpoint"].setdefault(e, {})
        for c, n in codes.items():
            st[c] = st.get(c, 0) + n
    for e, b in p.get("histograms", {}).items():
        hists.setdefault(e, sim.Histogram()).merge(sim.Histogram.deserialize(base64.b64decode(b)))
out["requests"] = sum(out["requests_by_endpoint"].values())
total = sim.Histogram()
for h in hists.values():
    total.merge(h)
out["latency_ms"] = total.summary_ms() if total.count else None
worst = lambda key, q: max([(p.get(key) or {}).get(q) or 0 for p in parts] or [0])
# Across processes: the worst process figure (a conservative p99).
out["sim_lag_ms"] = {"p50": worst("sim_lag_ms", "p50"), "p99": worst("sim_lag_ms", "p99"), "max": worst("sim_lag_ms", "max")}
out["ping_forward_ms"] = {q: worst("ping_forward_ms", q) for q in ("p50", "p90", "p99", "max")}
out["ping_return_ms"] = {q: worst("ping_return_ms", q) for q in ("p50", "p90", "p99", "max")}
out["sim_loop_lag_max_ms"] = {ph: worst("sim_loop_lag_max_ms", ph) for ph in ("gather", "assigned", "run")}
out["sim_loop_lag_ms"] = {ph: {q: max([((p.get("sim_loop_lag_ms") or {}).get(ph) or {}).get(q) or 0 for p in parts])
                               for q in ("p50", "p99", "max")} for ph in ("gather", "assigned", "run")}
out["gathered_after_s"] = max([p.get("gathered_after_s") or 0 for p in parts]) or None
out["start_wall_ms"] = next((p["start_wall_ms"] for p in parts if p.get("start_wall_ms")), None)
json.dump(out, open(sys.argv[1], "w"), indent=1)
'

for k in $agent_counts; do
    for rep in $(seq 1 "$reps"); do
        port="$(free_port)"
        users=$((2 * k))
        max_users=$((users > 256 ? users : 256))
        cat >"plan-$k.json" <<PLAN
{
  "name": "coordinator scale, $k simulated agents",
  "target": {"base_url": "http://127.0.0.1:$target_port"},
  "health": {"path": "/"},
  "endpoints": [
    {"name": "home", "method": "GET", "path": "/"},
    {"name": "items", "method": "GET", "path": "/items"}
  ],
  "scenario": {"preset": "sustain", "users": $users, "duration_s": $duration},
  "limits": {"max_users": $max_users, "max_duration_s": 900}
}
PLAN
        tag="k$k-r$rep"
        rm -f "store-$tag.sqlite" progress-"$tag"-*.json sim-"$tag"-*.json
        procs=$sim_processes
        [ "$procs" = auto ] && procs=$((k < 100 ? 1 : 2))
        per=$(((k + procs - 1) / procs))
        spread="$("$python" -c "print(max(1.0, $k / $connect_rate))")"
        "$preflight" run "plan-$k.json" --agents "$k" --listen "127.0.0.1:$port" --agent-cert coordinator.pem \
            --agent-key coordinator.key --agent-token-file token --agent-wait "$agent_wait" --store "store-$tag.sqlite" \
            --json "summary-$tag.json" --quiet >"coordinator-$tag.log" 2>&1 &
        coord_pid=$!
        sim_pid=""
        for ((first = 0; first < k; first += per)); do
            n=$((k - first < per ? k - first : per))
            "$python" "$here/agents-sim.py" --coordinator "wss://127.0.0.1:$port" --agents "$n" --first-agent "$first" \
                --ca-file ca.pem --agent-token-file token --requests "$requests" --connect-timeout "$agent_wait" \
                --connect-spread "$spread" --stats "sim-$tag-$first.json" --progress "progress-$tag-$first.json" \
                >>"sim-$tag.log" 2>&1 &
            sim_pid="$sim_pid $!"
        done
        "$python" -c "$sampler" "$coord_pid" "$port" "progress-$tag-*.json" "$duration" "sample-$tag.json" &
        sampler_pid=$!
        # Bounded: agents gathered within --agent-wait, then the schedule, then a grace period.
        limit=$((SECONDS + agent_wait + duration + 60))
        sims_alive() { for pid in $sim_pid; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
        while sims_alive && [ $SECONDS -lt $limit ]; do sleep 0.2; done
        sim_end=$(date +%s.%N)
        while kill -0 "$coord_pid" 2>/dev/null && [ $SECONDS -lt $limit ]; do sleep 0.05; done
        coord_end=$(date +%s.%N)
        for pid in $sim_pid $coord_pid; do
            if kill -0 "$pid" 2>/dev/null; then echo "run $tag: $pid still running at the bound; killed" >&2; kill "$pid"; fi
        done
        coord_exit=0; wait "$coord_pid" || coord_exit=$?
        for pid in $sim_pid; do wait "$pid" || true; done
        # A simulator that never got going (the coordinator failed first) writes no stats: merge what exists.
        sim_parts=(); for f in sim-"$tag"-*.json; do [ -f "$f" ] && sim_parts+=("$f"); done
        [ ${#sim_parts[@]} -eq 0 ] && echo "run $tag: the simulators wrote no stats" >&2
        "$python" -c "$merge_stats" "sim-$tag.json" "${sim_parts[@]}" || echo "run $tag: could not merge the simulators' stats" >&2
        wait "$sampler_pid" || true
        coord_pid=""; sim_pid=""
        finish_s=$("$python" -c "print(round($coord_end - $sim_end, 2))")
        token_seen=no
        for f in coordinator-$tag.log sim-$tag.log summary-$tag.json sim-$tag.json sample-$tag.json; do
            if [ -f "$f" ] && grep -qF -f token "$f"; then token_seen=yes; fi
        done
        if [ -f "store-$tag.sqlite" ] && grep -qaF -f token "store-$tag.sqlite"; then token_seen=yes; fi
        check='{"status":"none","requests_stored":0,"counts_match":false,"percentiles_match":false,"error_samples":0}'
        if [ -f "store-$tag.sqlite" ] && [ -f "sim-$tag.json" ]; then
            check="$("$python" -c "$verify" "store-$tag.sqlite" "summary-$tag.json" "sim-$tag.json" 2>/dev/null || echo "$check")"
        fi
        echo "$check" >"check-$tag.json"
        "$python" - "$k" "$rep" "$coord_exit" "$finish_s" "$token_seen" "sample-$tag.json" "sim-$tag.json" \
            "check-$tag.json" "sim-$tag.log" "coordinator-$tag.log" "$out" "$duration" <<'PY'
import json, sys
k, rep, code, finish, token_seen, sample, sim, check, simlog, coordlog, out, duration = sys.argv[1:]
def load(p):
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return {}
s, m, c = load(sample), load(sim), load(check)
f = lambda v, d=1: "" if v is None else ("%.*f" % (d, v))
lag = m.get("sim_lag_ms") or {}
loop_lag = m.get("sim_loop_lag_max_ms") or {}
fwd = m.get("ping_forward_ms") or {}
ret = m.get("ping_return_ms") or {}
gather = (m.get("sim_loop_lag_ms") or {}).get("gather") or {}
coord_text = open(coordlog, errors="replace").read()
refused = sum(n for text, n in (m.get("outcomes") or {}).items()
              if text.startswith("2 the coordinator refused") and "barrier timed out" not in text)
sim_cpu_pct = 100.0 * m["sim_cpu_s"] / (float(duration) + 5) if m.get("sim_cpu_s") is not None else None
row = [k, rep, code, c.get("status", ""), f(s.get("load1_start"), 2), f(s.get("load1_end"), 2),
       f(s.get("cpu_pct"), 2), f(s.get("cpu_pct_schedstat"), 2), f(s.get("agents_thread_pct"), 2), f(s.get("main_thread_pct"), 2),
       f(s.get("rss_start_mb")), f(s.get("rss_end_mb")), f(s.get("hwm_mb")), f(s.get("snapshots_per_s")),
       f(s.get("cpu_us_per_snapshot")), f(s.get("schedstat_us_per_snapshot")), f(s.get("agents_us_per_snapshot")), f(s.get("rx_backlog_max_kb")),
       f(lag.get("p99")), f(lag.get("max")), f(sim_cpu_pct), m.get("processes", 1), f(gather.get("p50")),
       f(loop_lag.get("gather")), f(fwd.get("p50")), f(fwd.get("max")), f(ret.get("p50")), f(m.get("gathered_after_s"), 2),
       f(1000.0 * s["gather_cpu_s"] / float(k) if s.get("gather_cpu_s") is not None else None, 2), refused, finish, m.get("requests", ""),
       c.get("requests_stored", ""), c.get("counts_match", ""), c.get("percentiles_match", ""),
       c.get("error_samples", ""), token_seen]
open(out, "a").write(",".join(str(x) for x in row) + "\n")
print("K=%-4s rep %s exit %s %-9s load %s→%s  coordinator %s%% of a core (schedstat %s%%; agents thread %s%%, main %s%%)  "
      "RSS %s→%s MB  %s snapshots/s  %s µs/snapshot (schedstat %s)  backlog max %s kB  sim lag p99 %s ms  store %s/%s requests match=%s pct=%s  "
      "error samples %s  token in output: %s" % (
          k, rep, code, c.get("status", "?"), f(s.get("load1_start"), 2), f(s.get("load1_end"), 2),
          f(s.get("cpu_pct")), f(s.get("cpu_pct_schedstat")), f(s.get("agents_thread_pct")), f(s.get("main_thread_pct")),
          f(s.get("rss_start_mb")), f(s.get("rss_end_mb")), f(s.get("snapshots_per_s"), 0), f(s.get("cpu_us_per_snapshot")),
          f(s.get("schedstat_us_per_snapshot")),
          f(s.get("rx_backlog_max_kb")), f(lag.get("p99")), c.get("requests_stored"), m.get("requests"),
          c.get("counts_match"), c.get("percentiles_match"), c.get("error_samples"), token_seen), flush=True)
print("      %s simulator process(es), gathered %s s after launch; their loop lag while gathering p50 %s max %s ms; "
      "ping t0→agent p50 %s max %s ms, pong t1→next t0 p50 %s ms; agents refused %d" % (
          m.get("processes", 1), m.get("gathered_after_s"), gather.get("p50"), loop_lag.get("gather"), fwd.get("p50"),
          fwd.get("max"), ret.get("p50"), refused))
if c.get("reason"):
    print("      status reason: " + c["reason"])
if code != "0" and coord_text:
    print("      coordinator: " + coord_text.strip()[:400] + (" …" if len(coord_text) > 400 else "")
          + " (%d bytes)" % len(coord_text))
if s.get("threads_pct"):
    print("      threads (% of a core): " + ", ".join("%s %s" % kv for kv in list(s["threads_pct"].items())[:6]))
PY
    done
done
echo "uptime after: $(uptime)" >&2
echo "CSV: $out" >&2
