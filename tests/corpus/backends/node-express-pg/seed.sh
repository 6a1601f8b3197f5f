#!/usr/bin/env bash
# Seeds a fresh database `app` (as role app): items (100k, indexed by tag), events, counters.
set -euo pipefail
# Install the npm dependencies here when they are missing (npm ci can take ~20 s on a busy machine), so that
# run.sh answers within its 15 s; run.sh does the same as a fallback.
if [ ! -d "$(dirname "$0")/node_modules" ]; then
  (cd "$(dirname "$0")" && npm ci --silent --no-audit --no-fund)
fi
psql -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE TABLE items (
  id    bigint PRIMARY KEY,
  tag   text NOT NULL,
  name  text NOT NULL,
  price numeric(10,2) NOT NULL
);
INSERT INTO items (id, tag, name, price)
SELECT g, 'tag-' || (g % 200), 'item ' || g, (g % 9973) / 100.0 FROM generate_series(1, 100000) g;
CREATE INDEX items_tag_id_idx ON items (tag, id);

CREATE TABLE events (
  id         bigserial PRIMARY KEY,
  kind       text NOT NULL,
  item_id    bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_kind_idx ON events (kind);

CREATE TABLE counters (
  id   integer PRIMARY KEY,
  name text NOT NULL,
  hits bigint NOT NULL DEFAULT 0
);
INSERT INTO counters (id, name) SELECT g, 'page-' || g FROM generate_series(1, 1000) g;
ANALYZE items; ANALYZE events; ANALYZE counters;
SQL
