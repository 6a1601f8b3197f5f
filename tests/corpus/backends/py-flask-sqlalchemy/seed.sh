#!/usr/bin/env bash
# Seeds the product catalogue: 5000 products in 20 categories (category indexed), an empty orders table.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" <<'SQL'
CREATE TABLE products (
  id       serial PRIMARY KEY,
  category text NOT NULL,
  name     text NOT NULL,
  price    numeric(10,2) NOT NULL
);
CREATE INDEX products_category_idx ON products (category);
CREATE TABLE orders (
  id         serial PRIMARY KEY,
  product_id integer NOT NULL REFERENCES products (id),
  qty        integer NOT NULL,
  total      numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO products (category, name, price)
SELECT 'cat' || (g % 20), 'product ' || g, round((1 + (g * 37) % 500)::numeric / 3, 2)
FROM generate_series(1, 5000) AS g;
ANALYZE products;
ANALYZE orders;
SQL
