#!/usr/bin/env bash
# Seeds the bookstore: 50 publishers, 1000 authors with exactly 20 books each (20 000 books, author_id indexed),
# 3 reviews per book (60 000 reviews, book_id indexed).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -q "$DATABASE_URL" <<'SQL'
CREATE TABLE publishers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
  id           serial PRIMARY KEY,
  author_id    integer NOT NULL REFERENCES authors (id),
  publisher_id integer NOT NULL REFERENCES publishers (id),
  title        text NOT NULL,
  year         integer NOT NULL
);
CREATE INDEX books_author_id_idx ON books (author_id);
CREATE TABLE reviews (
  id      serial PRIMARY KEY,
  book_id integer NOT NULL REFERENCES books (id),
  rating  integer NOT NULL,
  body    text NOT NULL
);
CREATE INDEX reviews_book_id_idx ON reviews (book_id);
INSERT INTO publishers (name) SELECT 'publisher ' || g FROM generate_series(1, 50) g;
INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, 1000) g;
INSERT INTO books (author_id, publisher_id, title, year)
SELECT 1 + (g - 1) / 20, 1 + g % 50, 'book ' || g, 1950 + g % 70 FROM generate_series(1, 20000) g;
INSERT INTO reviews (book_id, rating, body)
SELECT 1 + (g - 1) / 3, 1 + abs(hashint4(g)) % 5, 'review ' || g || ' of a book, with a few words of text' FROM generate_series(1, 60000) g;
ANALYZE publishers;
ANALYZE authors;
ANALYZE books;
ANALYZE reviews;
SQL
