#!/usr/bin/env bash
# Seeds the tables the Django models map (managed = False): 2000 customers, 20 000 orders (customer_id indexed),
# 3 items per order (60 000 order_items, order_id indexed).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" <<'SQL'
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL);
CREATE TABLE orders (
  id          serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  status      text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE TABLE order_items (
  id           serial PRIMARY KEY,
  order_id     integer NOT NULL REFERENCES orders (id),
  product_name text NOT NULL,
  qty          integer NOT NULL,
  price        numeric(10,2) NOT NULL
);
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
INSERT INTO customers (name, email) SELECT 'Customer ' || g, 'customer' || g || '@example.com'
FROM generate_series(1, 2000) g;
INSERT INTO orders (customer_id, status, created_at)
SELECT 1 + (g * 7919) % 2000, (ARRAY['new','paid','shipped','delivered'])[1 + g % 4],
       timestamptz '2024-01-01' + g * interval '7 minutes'
FROM generate_series(1, 20000) g;
INSERT INTO order_items (order_id, product_name, qty, price)
SELECT 1 + (g - 1) / 3, 'product ' || (g % 500), 1 + g % 4, round((5 + (g * 13) % 200)::numeric, 2)
FROM generate_series(1, 60000) g;
ANALYZE customers;
ANALYZE orders;
ANALYZE order_items;
SQL
