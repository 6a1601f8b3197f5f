#!/usr/bin/env bash
# Seeds a fresh database `app` (as role app): items (50 000, PK + index on category), monthly_totals (indexed).
# FLAW=errors: every 20th item was imported without a currency (NULL), which item.php does not handle.
set -euo pipefail
null_currency=false
[ "${FLAW:-}" = errors ] && null_currency=true
psql -v ON_ERROR_STOP=1 -q -v null_currency="$null_currency" <<'SQL'
CREATE TABLE items (
  id       bigint PRIMARY KEY,
  category text NOT NULL,
  name     text NOT NULL,
  price    numeric(10,2) NOT NULL,
  currency text
);
INSERT INTO items (id, category, name, price, currency)
SELECT g, 'c' || (g % 100), 'item ' || g, (g % 9973) / 100.0,
       CASE WHEN :'null_currency'::boolean AND g % 20 = 0 THEN NULL ELSE 'EUR' END
FROM generate_series(1, 50000) g;
CREATE INDEX items_category_id_idx ON items (category, id);

CREATE TABLE monthly_totals (
  customer_id integer NOT NULL,
  month       date NOT NULL,
  total       numeric(12,2) NOT NULL,
  PRIMARY KEY (customer_id, month)
);
INSERT INTO monthly_totals (customer_id, month, total)
SELECT c, date '2024-01-01' + (m || ' months')::interval, ((c * 31 + m * 7) % 10000) / 10.0
FROM generate_series(1, 5000) c, generate_series(0, 11) m;
ANALYZE items; ANALYZE monthly_totals;
SQL
