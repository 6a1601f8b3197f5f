#!/usr/bin/env bash
# Seeds 1 000 000 users (id primary key; country and created_at indexed). FLAW=none also indexes email;
# FLAW=missing-index leaves email unindexed.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" <<'SQL'
CREATE TABLE users (
  id         serial PRIMARY KEY,
  email      text NOT NULL,
  name       text NOT NULL,
  country    char(2) NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO users (email, name, country, created_at)
SELECT 'user' || g || '@example.com', 'User ' || g,
       (ARRAY['US','DE','FR','GB','IN','BR','JP','CA','ES','IT'])[1 + g % 10],
       timestamptz '2020-01-01' + (g % 100000) * interval '15 minutes'
FROM generate_series(1, 1000000) AS g;
CREATE INDEX users_country_idx ON users (country);
CREATE INDEX users_created_at_idx ON users (created_at);
SQL
if [ "${FLAW:-none}" != "missing-index" ]; then
  psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" -c "CREATE UNIQUE INDEX users_email_idx ON users (email);"
fi
psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" -c "VACUUM ANALYZE users;"
