#!/usr/bin/env bash
# uvicorn, 2 worker processes on uvloop (python3-uvloop) with the h11 HTTP parser; each worker has a psycopg2 pool
# of 10 connections (app.py). uvloop matters: with the asyncio loop, uvicorn 0.17 --workers binds its socket with
# proto 0, asyncio then never sets TCP_NODELAY and every keep-alive response stalls ~40 ms (Nagle + delayed ACK).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/uvicorn app:app --host 127.0.0.1 --port "${PORT:?}" --workers 2 --loop uvloop --http h11 --no-access-log --log-level warning
