#!/usr/bin/env bash
# Creates the SQLite file at $SQLITE_PATH: notes (+ authors). FLAW decides size, indexes and journal mode.
set -euo pipefail
: "${SQLITE_PATH:?}"
rm -f "$SQLITE_PATH" "$SQLITE_PATH-wal" "$SQLITE_PATH-shm" "$SQLITE_PATH-journal"
case "${FLAW:-none}" in
  scan) rows=200000; journal=wal ;;
  busy) rows=20000;  journal=delete ;;
  *)    rows=50000;  journal=wal ;;
esac
sqlite3 "$SQLITE_PATH" <<SQL
PRAGMA journal_mode = $journal;
CREATE TABLE notes (
  id         INTEGER PRIMARY KEY,
  author     TEXT NOT NULL,
  title      TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE authors (
  name        TEXT PRIMARY KEY,
  note_count  INTEGER NOT NULL DEFAULT 0,
  last_digest TEXT
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO notes (id, author, title, body, created_at)
SELECT i, 'author-' || (i % 500), 'note-' || i,
       'Body of note ' || i || ': ' || substr(hex(randomblob(48)), 1, 80), 1700000000 + i
FROM n;
INSERT INTO authors (name, note_count) SELECT author, count(*) FROM notes GROUP BY author;
-- Lookups by author are indexed; there is no index on title (the scan configuration searches by it).
CREATE INDEX notes_author_idx ON notes (author, id);
ANALYZE;
SQL
