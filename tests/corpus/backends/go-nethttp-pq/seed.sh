#!/usr/bin/env bash
# Seeds a fresh database `app` (as role app): accounts (100 000, PK) and events (300 000 rows, 12 kinds).
set -euo pipefail
# Build the server now if it is missing (a cold build takes ~6 s), so that run.sh answers within its 15 s.
bash "$(dirname "$0")/build.sh" >/dev/null
psql -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE TABLE accounts (
  id      bigint PRIMARY KEY,
  name    text NOT NULL,
  email   text NOT NULL,
  balance numeric(12,2) NOT NULL
);
INSERT INTO accounts (id, name, email, balance)
SELECT g, 'account ' || g, 'user' || g || '@example.com', (g * 37 % 100000) / 100.0
FROM generate_series(1, 100000) g;

CREATE TABLE events (
  id         bigint PRIMARY KEY,
  account_id bigint NOT NULL,
  kind       text NOT NULL,
  amount     numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO events (id, account_id, kind, amount, created_at)
SELECT g, 1 + g % 100000, 'kind-' || (g % 12), (g::bigint * 7919 % 1000000) / 100.0,
       timestamptz '2024-01-01' + (g || ' seconds')::interval
FROM generate_series(1, 300000) g;
ANALYZE accounts; ANALYZE events;
SQL
