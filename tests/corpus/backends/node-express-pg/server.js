'use strict';
// Express 4 + node-postgres Pool, one process. FLAW picks the configuration (see README.md).
const crypto = require('crypto');
const express = require('express');
const { Pool } = require('pg');

const FLAW = process.env.FLAW || 'none';
const PORT = parseInt(process.env.PORT || '8080', 10);

// node-postgres defaults to max 10; the max-conn configuration raises it to 40.
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: FLAW === 'max-conn' ? 40 : 10,
  idleTimeoutMillis: 30000,
  application_name: 'node-express-pg',
});
pool.on('error', (err) => console.error('idle client error', err.message));

const app = express();
app.disable('x-powered-by');
app.use(express.json());

// The blocking configuration keeps API keys as PBKDF2 hashes (as one should) and checks the presented key on every
// request with the synchronous pbkdf2Sync: ≈ 15–20 ms of CPU on the event loop per request, during which the process
// serves nobody else. The database is not involved: its pool keeps several connections.
const API_KEY_SALT = 'corpus-salt';
const API_KEY_ITERATIONS = 25000;
const API_KEY_HASH = crypto.pbkdf2Sync('corpus-api-key', API_KEY_SALT, API_KEY_ITERATIONS, 32, 'sha256');
if (FLAW === 'blocking') {
  app.use('/api', (req, res, next) => {
    const presented = String(req.get('x-api-key') || '');
    const hash = crypto.pbkdf2Sync(presented, API_KEY_SALT, API_KEY_ITERATIONS, 32, 'sha256');
    if (!crypto.timingSafeEqual(hash, API_KEY_HASH)) return res.status(401).json({ error: 'bad api key' });
    next();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

app.get('/healthz', async (req, res, next) => {
  try {
    await pool.query('SELECT 1');
    res.json({ status: 'ok' });
  } catch (err) { next(err); }
});

app.get('/api/items/:id', async (req, res, next) => {
  try {
    const id = parseInt(req.params.id, 10);
    if (FLAW === 'max-conn') {
      // The handler checks a client out, reads the item, then calls a (simulated) pricing service for ~50 ms
      // before reading the stock row: the connection stays checked out the whole time.
      const client = await pool.connect();
      try {
        const { rows } = await client.query('SELECT id, tag, name, price FROM items WHERE id = $1', [id]);
        if (rows.length === 0) return res.status(404).json({ error: 'not found' });
        await sleep(50);
        const stock = await client.query('SELECT count(*)::int AS n FROM events WHERE kind = $1', ['stock-' + id]);
        return res.json({ ...rows[0], stock_events: stock.rows[0].n });
      } finally {
        client.release();
      }
    }
    const { rows } = await pool.query('SELECT id, tag, name, price FROM items WHERE id = $1', [id]);
    if (rows.length === 0) return res.status(404).json({ error: 'not found' });
    res.json(rows[0]);
  } catch (err) { next(err); }
});

app.get('/api/items', async (req, res, next) => {
  try {
    const tag = String(req.query.tag || 'tag-1');
    const limit = Math.min(parseInt(req.query.limit || '20', 10) || 20, 100);
    const { rows } = await pool.query(
      'SELECT id, tag, name, price FROM items WHERE tag = $1 ORDER BY id DESC LIMIT $2', [tag, limit]);
    res.json({ items: rows });
  } catch (err) { next(err); }
});

app.post('/api/events', async (req, res, next) => {
  try {
    const kind = String((req.body && req.body.kind) || 'view');
    const itemId = parseInt((req.body && req.body.item_id) || '0', 10) || null;
    const { rows } = await pool.query(
      'INSERT INTO events (kind, item_id) VALUES ($1, $2) RETURNING id', [kind, itemId]);
    res.status(201).json({ id: rows[0].id });
  } catch (err) { next(err); }
});

// A page-view counter: one row per page, bumped inside a transaction that also does a little work (50 ms).
app.post('/api/counters/:id/hit', async (req, res, next) => {
  const client = await pool.connect().catch(next);
  if (!client) return;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query('UPDATE counters SET hits = hits + 1 WHERE id = $1 RETURNING hits',
                                        [parseInt(req.params.id, 10)]);
    await client.query('SELECT pg_sleep(0.05)');
    await client.query('COMMIT');
    if (rows.length === 0) return res.status(404).json({ error: 'not found' });
    res.json({ hits: rows[0].hits });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    next(err);
  } finally {
    client.release();
  }
});

app.get('/api/counters/:id', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, name, hits FROM counters WHERE id = $1', [parseInt(req.params.id, 10)]);
    if (rows.length === 0) return res.status(404).json({ error: 'not found' });
    res.json(rows[0]);
  } catch (err) { next(err); }
});

// Production error handler: log the error, answer a generic 500 without details.
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  console.error(err.message);
  res.status(500).type('text/plain').send('Internal Server Error');
});

const server = app.listen(PORT, '127.0.0.1', () => console.log(`node-express-pg (${FLAW}) on 127.0.0.1:${PORT}`));
const shutdown = () => { server.close(); pool.end().finally(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
