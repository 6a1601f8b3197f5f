#!/usr/bin/env bash
# Records the diagnosis corpus (docs/diagnosis.md "Corpus"): for each case of tests/corpus/backends/*/cases.json,
# starts a throwaway PostgreSQL 15 (or a SQLite file), seeds it, starts the backend on loopback, runs
# `preflight run` with the backend's plan, and exports the stored run to tests/data/corpus/<case>.run.json, which
# tests/core/tst_diagnosiscorpus.cpp replays through the diagnoser in CI. Outside ctest: ~1-2 min per case.
#
#   scripts/record-corpus.sh                 every case
#   scripts/record-corpus.sh NAME...         only these cases (case names, or a backend name for all its cases)
# Env: PREFLIGHT (the binary; default build/app/preflight), CORPUS_OUT (default tests/data/corpus).
# Record on a quiet machine: the healthy controls must pass the launch gates on 2 shared cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preflight=${PREFLIGHT:-$root/build/app/preflight}
out=${CORPUS_OUT:-$root/tests/data/corpus}
pgport=${CORPUS_PG_PORT:-55499}
httpport=${CORPUS_HTTP_PORT:-18199}
[ -x "$preflight" ] || { echo "record-corpus: $preflight not built (bash scripts/build.sh)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d /tmp/preflight-corpus.XXXXXX)
chmod 755 "$work"
backend_pid=""
cleanup() {
  [ -n "$backend_pid" ] && kill -TERM -- "-$backend_pid" 2>/dev/null || true
  sleep 1
  [ -n "$backend_pid" ] && kill -KILL -- "-$backend_pid" 2>/dev/null || true
  bash "$root/tests/corpus/pg.sh" stop "$work/pg" 2>/dev/null || true
}
trap 'cleanup; rm -rf "$work"' EXIT

wanted=("$@")
want() {   # case name, backend name
  [ ${#wanted[@]} -eq 0 ] && return 0
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] || [ "$w" = "$2" ] && return 0; done
  return 1
}

/usr/bin/python3 - "$root" > "$work/cases.tsv" <<'PY'
import json, sys, glob, os
root = sys.argv[1]
for f in sorted(glob.glob(os.path.join(root, "tests/corpus/backends/*/cases.json"))):
    d = json.load(open(f))
    for c in d["cases"]:
        cpus = c.get("cpus", {})
        print("\t".join([d["backend"], os.path.dirname(f), d.get("db", "postgresql"), c["name"], c["flaw"], c["plan"],
                         str(c.get("max_connections", 100)), "1" if c.get("statement_log") else "0",
                         cpus.get("backend", "-"), cpus.get("preflight", "-")]))
PY

recorded=0
# A case may pin the backend and Preflight to separate CPUs ("cpus": {"backend": "0", "preflight": "1"}), as a
# production setup keeps the load generator off the backend's machine.
while IFS=$'\t' read -r backend dir db name flaw plan maxconn statement_log backend_cpus preflight_cpus; do
  want "$name" "$backend" || continue
  echo "== $name ($db, FLAW=$flaw)" >&2
  case_dir="$work/$name"; mkdir -p "$case_dir"; chmod 777 "$case_dir"
  # CORPUS_API_KEY: the key the backends that check one expect (plans name it as ${env:CORPUS_API_KEY}).
  export FLAW="$flaw" PORT="$httpport" CORPUS_API_KEY=corpus-api-key
  if [ "$db" = "postgresql" ]; then
    rm -rf "$work/pg"
    bash "$root/tests/corpus/pg.sh" start "$work/pg" "$pgport" "$maxconn"
    export PGHOST=127.0.0.1 PGPORT="$pgport" PGUSER=app PGPASSWORD=app PGDATABASE=app
    export DATABASE_URL="postgresql://app:app@127.0.0.1:$pgport/app"
    conninfo="host=127.0.0.1 port=$pgport dbname=app user=preflight_ro password=preflight"
    unset SQLITE_PATH SQL_LOG_PATH || true
  else
    export SQLITE_PATH="$case_dir/app.sqlite3"
    conninfo="sqlite:$SQLITE_PATH"
    if [ "$statement_log" = "1" ]; then export SQL_LOG_PATH="$case_dir/sql.log"; : > "$SQL_LOG_PATH"; else unset SQL_LOG_PATH || true; fi
  fi
  (cd "$dir" && bash seed.sh) > "$case_dir/seed.log" 2>&1 || { echo "record-corpus: seed failed for $name:" >&2; tail -20 "$case_dir/seed.log" >&2; cleanup; continue; }
  backend_pin=(); [ "$backend_cpus" != "-" ] && backend_pin=(taskset -c "$backend_cpus")
  preflight_pin=(); [ "$preflight_cpus" != "-" ] && preflight_pin=(taskset -c "$preflight_cpus")
  setsid "${backend_pin[@]}" bash -c "cd '$dir' && exec bash run.sh" > "$case_dir/backend.log" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 60); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$httpport/" && break
    sleep 0.5
  done
  # The plan a user would write, with the database this machine gives it (the plan itself names none).
  /usr/bin/python3 - "$dir/$plan" "$case_dir/plan.json" "$conninfo" "${SQL_LOG_PATH:-}" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
plan["target"]["base_url"] = plan["target"].get("base_url", "http://127.0.0.1:8080")
db = {"conninfo": sys.argv[3]}
if sys.argv[4]:
    db["log"] = sys.argv[4]
plan["database"] = db
plan.setdefault("name", "corpus")
json.dump(plan, open(sys.argv[2], "w"), indent=1)
PY
  set +e
  "${preflight_pin[@]}" "$preflight" run "$case_dir/plan.json" --target "http://127.0.0.1:$httpport" --store "$case_dir/store.sqlite" \
      --json "$case_dir/summary.json" --quiet > "$case_dir/run.log" 2>&1
  rc=$?
  set -e
  id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["id"])' "$case_dir/summary.json" 2>/dev/null || true)
  if [ -z "$id" ]; then
    echo "record-corpus: $name produced no run (exit $rc):" >&2; tail -20 "$case_dir/run.log" >&2
  else
    "$preflight" export "$id" --store "$case_dir/store.sqlite" --json "$out/$name.run.json"
    /usr/bin/python3 - "$case_dir/summary.json" "$rc" <<'PY' >&2
import json, sys
s = json.load(open(sys.argv[1]))
lv = " ".join("%s:%.0frps/p50 %.0fms/db%s" % (l.get("users", l.get("rate")), l["rps"], l["latency_ms"]["p50"], l.get("db_active_max")) for l in s["levels"])
print("   exit %s verdict %s | %s" % (sys.argv[2], s["verdict"], lv))
for f in s["findings"]:
    print("   %-8s %-20s %s" % (f["severity"], f["id"], f["title"]))
PY
    recorded=$((recorded + 1))
  fi
  kill -TERM -- "-$backend_pid" 2>/dev/null || true; sleep 1; kill -KILL -- "-$backend_pid" 2>/dev/null || true
  wait "$backend_pid" 2>/dev/null || true
  backend_pid=""
  [ "$db" = "postgresql" ] && bash "$root/tests/corpus/pg.sh" stop "$work/pg"
done < "$work/cases.tsv"
echo "record-corpus: $recorded case(s) recorded into $out" >&2
