"""Bookstore API: Flask 2.2 + raw psycopg2 on gunicorn gthread (1 worker x 16 threads).

FLAW (env) selects how the app gets its database connection and what GET /authors/<id>/books does:
  shared-conn       one module-level connection opened at import, shared by every thread behind a
                    threading.Lock taken in before_request and released in teardown_request (the "static
                    connection" mistake): requests run one at a time.
  conn-per-request  psycopg2.connect() at the start of every request, close() at its end.
  n-plus-one        a ThreadedConnectionPool(16, 16): one connection per thread (minconn = maxconn, because
                    psycopg2 closes a returned connection once minconn are idle, so a smaller minconn churns).
                    GET /authors/<id>/books runs one query for the author's 20 books, then per book a SAVEPOINT,
                    one query for its reviews, one for its publisher and a RELEASE SAVEPOINT (1 + 2N, N = 20).
In shared-conn and conn-per-request, GET /authors/<id>/books is the same endpoint done right: one query with joins.
"""
import os
import threading
from contextlib import contextmanager

import psycopg2
import psycopg2.pool
from flask import Flask, abort, jsonify, request

FLAW = os.environ.get("FLAW", "n-plus-one")
if FLAW not in ("shared-conn", "conn-per-request", "n-plus-one"):
    raise SystemExit(f"unknown FLAW {FLAW!r}")
DSN = os.environ["DATABASE_URL"]

app = Flask(__name__)

if FLAW == "shared-conn":
    _conn = psycopg2.connect(DSN)
    _lock = threading.Lock()

    # The connection is not safe to share between concurrent transactions, so each request takes the lock
    # when it starts and gives it back when it ends: requests run one at a time.
    @app.before_request
    def _take_connection():
        _lock.acquire()

    @app.teardown_request
    def _give_connection_back(exc):
        _lock.release()

    @contextmanager
    def db():
        try:
            yield _conn
            _conn.commit()
        except BaseException:
            _conn.rollback()
            raise

elif FLAW == "conn-per-request":
    @contextmanager
    def db():
        conn = psycopg2.connect(DSN)
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()

else:
    _pool = psycopg2.pool.ThreadedConnectionPool(16, 16, DSN)

    @contextmanager
    def db():
        conn = _pool.getconn()
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            _pool.putconn(conn)


@app.get("/health")
def health():
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return jsonify(status="ok")


@app.get("/authors/<int:aid>")
def author(aid):
    # Author profile with aggregate stats over the author's books and their reviews (a few ms of DB work).
    with db() as conn, conn.cursor() as cur:
        cur.execute("""
            SELECT a.id, a.name, count(DISTINCT b.id), count(r.id), coalesce(round(avg(r.rating), 2), 0)
            FROM authors a
            LEFT JOIN books b ON b.author_id = a.id
            LEFT JOIN reviews r ON r.book_id = b.id
            WHERE a.id = %s
            GROUP BY a.id, a.name""", (aid,))
        row = cur.fetchone()
    if row is None:
        abort(404)
    return jsonify(id=row[0], name=row[1], books=row[2], reviews=row[3], avg_rating=float(row[4]))


@app.get("/books/<int:bid>")
def book(bid):
    with db() as conn, conn.cursor() as cur:
        cur.execute("""
            SELECT b.id, b.title, b.year, a.name, p.name
            FROM books b JOIN authors a ON a.id = b.author_id JOIN publishers p ON p.id = b.publisher_id
            WHERE b.id = %s""", (bid,))
        row = cur.fetchone()
    if row is None:
        abort(404)
    return jsonify(id=row[0], title=row[1], year=row[2], author=row[3], publisher=row[4])


@app.get("/authors/<int:aid>/books")
def author_books(aid):
    with db() as conn, conn.cursor() as cur:
        if FLAW != "n-plus-one":
            cur.execute("""
                SELECT b.id, b.title, b.year, p.name,
                       coalesce(json_agg(json_build_object('rating', r.rating, 'body', r.body) ORDER BY r.id)
                                FILTER (WHERE r.id IS NOT NULL), '[]')
                FROM books b
                JOIN publishers p ON p.id = b.publisher_id
                LEFT JOIN reviews r ON r.book_id = b.id
                WHERE b.author_id = %s
                GROUP BY b.id, p.name
                ORDER BY b.id""", (aid,))
            out = [{"id": r[0], "title": r[1], "year": r[2], "publisher": r[3], "reviews": r[4]}
                   for r in cur.fetchall()]
        else:
            cur.execute("SELECT id, title, year, publisher_id FROM books WHERE author_id = %s ORDER BY id",
                        (aid,))
            out = []
            for bid, title, year, publisher_id in cur.fetchall():
                # Each row's work in its own savepoint, so one bad row does not abort the page.
                cur.execute("SAVEPOINT book_row")
                cur.execute("SELECT rating, body FROM reviews WHERE book_id = %s ORDER BY id", (bid,))
                reviews = [{"rating": r, "body": b} for r, b in cur.fetchall()]
                cur.execute("SELECT name FROM publishers WHERE id = %s", (publisher_id,))
                publisher = cur.fetchone()[0]
                cur.execute("RELEASE SAVEPOINT book_row")
                out.append({"id": bid, "title": title, "year": year, "publisher": publisher, "reviews": reviews})
    if not out:
        abort(404)
    return jsonify(out)


@app.post("/reviews")
def add_review():
    body = request.get_json(silent=True) or {}
    try:
        book_id = int(body["book_id"])
        rating = int(body["rating"])
        text = str(body.get("body", ""))
    except (KeyError, TypeError, ValueError):
        abort(400)
    with db() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO reviews (book_id, rating, body) VALUES (%s, %s, %s) RETURNING id",
                    (book_id, rating, text))
        rid = cur.fetchone()[0]
    return jsonify(id=rid), 201
