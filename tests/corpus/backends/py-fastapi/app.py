"""User directory API: FastAPI 0.92, sync (def) endpoints on uvicorn (2 worker processes), psycopg2.

Each worker process has its own psycopg2 ThreadedConnectionPool(10, 10) behind a BoundedSemaphore(10):
ThreadedConnectionPool raises PoolError instead of waiting when all its connections are out, and closes a
returned connection when minconn are already idle (so minconn = maxconn, or it churns connections).
FastAPI runs def endpoints in its thread pool (40 threads), so a request waits for a connection on the semaphore.

FLAW only changes the schema (seed.sh): none has an index on users(email), missing-index does not. The code is
the same: GET /users/by-email?email=... is `SELECT ... FROM users WHERE email = %s`.
"""
import os
import threading
from contextlib import contextmanager

import psycopg2.pool
from fastapi import FastAPI, HTTPException, Query

DSN = os.environ["DATABASE_URL"]
POOL_SIZE = 10

_pool = psycopg2.pool.ThreadedConnectionPool(POOL_SIZE, POOL_SIZE, DSN)
_slots = threading.BoundedSemaphore(POOL_SIZE)

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@contextmanager
def db():
    _slots.acquire()
    conn = _pool.getconn()
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        _pool.putconn(conn)
        _slots.release()


COLUMNS = "id, email, name, country, created_at"


def user_row(r):
    return {"id": r[0], "email": r[1], "name": r[2], "country": r[3], "created_at": r[4].isoformat()}


@app.get("/health")
def health():
    with db() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"status": "ok"}


@app.get("/users/by-email")
def user_by_email(email: str = Query(..., max_length=200)):
    with db() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM users WHERE email = %s", (email,))
        row = cur.fetchone()
    if row is None:
        raise HTTPException(status_code=404)
    return user_row(row)


@app.get("/users/{uid}")
def user(uid: int):
    with db() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM users WHERE id = %s", (uid,))
        row = cur.fetchone()
    if row is None:
        raise HTTPException(status_code=404)
    return user_row(row)


@app.get("/users")
def users_by_country(country: str = Query(..., max_length=2), limit: int = Query(20, ge=1, le=100)):
    with db() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM users WHERE country = %s ORDER BY id LIMIT %s", (country, limit))
        rows = cur.fetchall()
    return [user_row(r) for r in rows]
