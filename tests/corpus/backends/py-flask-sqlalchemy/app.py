"""Product catalogue API: Flask 2.2 + SQLAlchemy 1.4 Core (QueuePool) + psycopg2.

FLAW (env) selects the configuration a case runs with:
  none         pool_size=5, max_overflow=10 per gunicorn worker; every request is a short transaction.
  small-pool   pool_size=2, max_overflow=1, pool_timeout=2 per worker; each API request holds its connection
               ~40 ms in the database (pg_sleep(0.04) inside the lookup transaction).
  slow-query   like none, but GET /api/products/<id> runs pg_sleep(0.2) inside its SELECT (session active).
  idle-in-tx   like none, but each API request runs its SELECT, then spends 0.5 s in Python (time.sleep,
               standing for a call to another service) before the transaction commits: the session is
               'idle in transaction' for 0.5 s per request.
"""
import os
import time

from flask import Flask, abort, jsonify, request
from sqlalchemy import create_engine, text

FLAW = os.environ.get("FLAW", "none")
if FLAW not in ("none", "small-pool", "slow-query", "idle-in-tx"):
    raise SystemExit(f"unknown FLAW {FLAW!r}")

DATABASE_URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1)

if FLAW == "small-pool":
    engine = create_engine(DATABASE_URL, pool_size=2, max_overflow=1, pool_timeout=2)
else:
    engine = create_engine(DATABASE_URL, pool_size=5, max_overflow=10, pool_timeout=30)

app = Flask(__name__)

# Work the database does for every API request in the small-pool configuration (the connection is held
# and active for ~40 ms); none in the others.
HOLD_SQL = "SELECT pg_sleep(0.04)" if FLAW == "small-pool" else None


def external_call():
    """Stands for a call to another service (pricing, payment) made while the transaction is open."""
    if FLAW == "idle-in-tx":
        time.sleep(0.5)


def product_row(r):
    return {"id": r.id, "category": r.category, "name": r.name, "price": float(r.price)}


@app.get("/health")
def health():
    with engine.connect() as conn:
        conn.execute(text("SELECT 1")).scalar()
    return jsonify(status="ok")


@app.get("/api/products/<int:pid>")
def get_product(pid):
    with engine.begin() as conn:
        if HOLD_SQL:
            conn.execute(text(HOLD_SQL))
        if FLAW == "slow-query":
            row = conn.execute(text(
                "SELECT p.id, p.category, p.name, p.price FROM products p, pg_sleep(0.2) WHERE p.id = :id"),
                {"id": pid}).first()
        else:
            row = conn.execute(text(
                "SELECT id, category, name, price FROM products WHERE id = :id"), {"id": pid}).first()
        external_call()
    if row is None:
        abort(404)
    return jsonify(product_row(row))


@app.get("/api/products")
def list_products():
    category = request.args.get("category", "")
    try:
        limit = max(1, min(int(request.args.get("limit", "20")), 100))
    except ValueError:
        abort(400)
    with engine.begin() as conn:
        if HOLD_SQL:
            conn.execute(text(HOLD_SQL))
        rows = conn.execute(text(
            "SELECT id, category, name, price FROM products WHERE category = :c ORDER BY id LIMIT :n"),
            {"c": category, "n": limit}).all()
        external_call()
    return jsonify([product_row(r) for r in rows])


@app.post("/api/orders")
def create_order():
    body = request.get_json(silent=True) or {}
    try:
        product_id = int(body["product_id"])
        qty = int(body.get("qty", 1))
    except (KeyError, TypeError, ValueError):
        abort(400)
    with engine.begin() as conn:
        if HOLD_SQL:
            conn.execute(text(HOLD_SQL))
        price = conn.execute(text("SELECT price FROM products WHERE id = :id"), {"id": product_id}).scalar()
        if price is None:
            abort(404)
        external_call()
        oid = conn.execute(text(
            "INSERT INTO orders (product_id, qty, total) VALUES (:p, :q, :t) RETURNING id"),
            {"p": product_id, "q": qty, "t": price * qty}).scalar()
    return jsonify(id=oid, product_id=product_id, qty=qty), 201
