#!/usr/bin/env bash
# Throwaway PostgreSQL 15 for the diagnosis corpus (outside ctest).
#   pg.sh start DIR PORT [MAX_CONNECTIONS]   initdb in DIR (as user postgres when run as root), loopback only,
#                                           pg_stat_statements preloaded; prints nothing on success
#   pg.sh stop DIR
# Superuser: postgres, trust auth on 127.0.0.1. The app role `app` (password app) owns database `app` once a
# backend's seed step creates it; Preflight connects as role `preflight_ro` (pg_read_all_stats, read-only).
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}; dir=${2:?data dir}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  port=${3:?port}; maxconn=${4:-100}
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_pg "$BIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
    -c max_connections=$maxconn -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  /usr/bin/psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE EXTENSION pg_stat_statements;
CREATE ROLE app LOGIN PASSWORD 'app';
CREATE DATABASE app OWNER app;
CREATE ROLE preflight_ro LOGIN PASSWORD 'preflight' IN ROLE pg_read_all_stats;
\c app
CREATE EXTENSION pg_stat_statements;
GRANT CONNECT ON DATABASE app TO preflight_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE app GRANT SELECT ON TABLES TO preflight_ro;
SQL
  ;;
stop)
  as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: pg.sh start DIR PORT [MAX_CONNECTIONS] | stop DIR" >&2; exit 2 ;;
esac
