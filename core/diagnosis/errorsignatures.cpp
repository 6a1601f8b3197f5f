#include "errorsignatures.h"
#include "signaturehit.h"

#include "data/normalizebody.h"
#include "plan/secretresolver.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <mutex>

namespace Preflight {

namespace {

using M = ErrorSignature::Match;

// The catalogue. Order matters: the first match wins, so specific messages come before the generic ones that
// could also match them (Django's OperationalError wraps "database is locked"; "at capacity" is a fallback).
const std::vector<ErrorSignature> kCatalogue = {
    // --- locks ---
    {"sqlite-busy", "sqlite-busy", M::Body,
     R"(database is locked|database table is locked|SQLITE_BUSY|SQLITE_LOCKED|database is busy)",
     "SQLite refused a write because another connection holds the database lock (one writer at a time).",
     "lock-contention",
     "Enable WAL (PRAGMA journal_mode=WAL), set busy_timeout, keep write transactions short, or move write-heavy "
     "traffic to a server database.",
     R"({"error": "sqlite3.OperationalError: database is locked"})"},
    {"pg-deadlock", "pg-deadlock", M::Body, R"(deadlock detected|Deadlock found when trying to get lock)",
     "Two transactions waited on each other's row locks; the database killed one.", "lock-contention",
     "Take row locks in a consistent order (e.g. ORDER BY id FOR UPDATE), keep transactions short, retry the "
     "victim.",
     "ERROR:  deadlock detected\nDETAIL:  Process 48213 waits for ShareLock on transaction 9123; blocked by process "
     "48190.\nHINT:  See server log for query details."},
    {"pg-lock-timeout", "pg-lock-timeout", M::Body,
     R"(canceling statement due to lock timeout|could not obtain lock|Lock wait timeout exceeded)",
     "A statement gave up waiting for a lock another transaction held.", "lock-contention",
     "Find the long transaction holding the lock (pg_locks / pg_stat_activity), shorten it, avoid hot-row updates.",
     R"(psycopg2.errors.LockNotAvailable: canceling statement due to lock timeout
CONTEXT:  while updating tuple (0,17) in relation "accounts")"},
    {"pg-statement-timeout", "pg-statement-timeout", M::Body,
     R"(canceling statement due to statement timeout|maximum statement execution time exceeded)",
     "A query ran longer than statement_timeout and was cancelled.", "slow-endpoint",
     "Make the query cheaper (index, LIMIT, fewer rows) or move it off the request path; check its plan.",
     "django.db.utils.OperationalError: canceling statement due to statement timeout"},
    // --- connection pools ---
    {"sqlalchemy-queuepool-timeout", "pool-timeout", M::Body, R"(QueuePool limit of size \d+ overflow -?\d+ reached)",
     "SQLAlchemy's connection pool was full (pool_size + max_overflow in use) and the wait hit pool_timeout.",
     "pool-exhaustion",
     "Size the pool (pool_size + max_overflow) for the concurrency you serve, release connections promptly, "
     "and keep pool_timeout shorter than the client timeout.",
     "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout "
     "30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)"},
    {"hikaricp-timeout", "pool-timeout", M::Body, R"(Connection is not available, request timed out after)",
     "HikariCP had no free connection within connectionTimeout.", "pool-exhaustion",
     "Raise maximumPoolSize to match the worker threads (within max_connections), shorten transactions, "
     "set leakDetectionThreshold to find connections never returned.",
     "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out "
     "after 30005ms (total=10, active=10, idle=0, waiting=42)"},
    {"rails-pool-timeout", "pool-timeout", M::Body,
     R"(ActiveRecord::ConnectionTimeoutError|could not obtain a connection from the pool)",
     "ActiveRecord's pool had no free connection within checkout_timeout.", "pool-exhaustion",
     "Set the database.yml pool to at least the Puma/Sidekiq threads per process; check for leaked connections.",
     "ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds "
     "(waited 5.004 seconds); all pooled connections were in use)"},
    {"node-pg-pool-timeout", "pool-timeout", M::Body, R"(timeout exceeded when trying to connect)",
     "node-postgres' Pool had no free client within connectionTimeoutMillis.", "pool-exhaustion",
     "Raise Pool max within max_connections, always release() clients (use pool.query), and set "
     "connectionTimeoutMillis below the client timeout.",
     R"js({"message":"timeout exceeded when trying to connect","stack":"Error: timeout exceeded when trying to connect\n    at Timeout._onTimeout (/app/node_modules/pg-pool/index.js:195:27)"})js"},
    {"pool-timeout", "pool-timeout", M::Body,
     R"(connection pool exhausted|pool exhausted|Timeout acquiring a connection|pool timed out|timed out waiting for a (?:free )?connection|PoolTimeout|unable to acquire (?:a )?connection)",
     "The app's database connection pool had no free connection in time.", "pool-exhaustion",
     "Size the pool for the expected concurrency (within max_connections) and set a pool timeout shorter than "
     "the client timeout.",
     "psycopg2.pool.PoolError: connection pool exhausted"},
    // --- database connection limits and failures ---
    {"pg-reserved-slots", "too-many-clients", M::Body, R"(remaining connection slots are reserved)",
     "PostgreSQL is at max_connections minus the reserved superuser slots; new sessions are refused.",
     "max-connections-near",
     "Put a pooler (PgBouncer) in front, cap each app's pool so their sum stays under max_connections, or raise "
     "max_connections with the memory it costs.",
     "psycopg2.OperationalError: connection to server at \"10.0.3.7\", port 5432 failed: FATAL:  remaining "
     "connection slots are reserved for non-replication superuser connections"},
    {"pg-too-many-clients", "too-many-clients", M::Body, R"(sorry, too many clients already|too many clients)",
     "PostgreSQL reached max_connections and refused a new session.", "max-connections-near",
     "Put a pooler (PgBouncer) in front, cap each app's pool so their sum stays under max_connections.",
     "FATAL:  sorry, too many clients already"},
    {"too-many-connections", "too-many-clients", M::Body, R"(too many connections)",
     "The database refused a new connection: its connection limit (global, per role or per database) is reached.",
     "max-connections-near", "Pool connections in the app or a pooler; check per-role/per-database connection limits.",
     "FATAL:  too many connections for role \"shop\""},
    {"pg-connect-failed", "db-connect-failed", M::Body,
     R"(could not connect to server|connection to server (?:at|on socket) .{0,200}failed|Is the server running on host|could not translate host name)",
     "The app could not open a database connection (server down, refusing, or its listen queue full).", "error-rate",
     "Check the database is up and reachable from the app; under load, check max_connections and the pooler.",
     "psycopg2.OperationalError: could not connect to server: Connection refused\n\tIs the server running on host "
     "\"db\" (172.18.0.2) and accepting\n\tTCP/IP connections on port 5432?"},
    {"pg-connection-lost", "db-connection-lost", M::Body,
     R"(server closed the connection unexpectedly|terminating connection due to|SSL SYSCALL error: EOF detected)",
     "The database closed a connection the app was using (restart, crash, idle timeout or a pooler limit).",
     "error-rate", "Enable pool pre-ping / connection validation, check the database log for crashes and OOM kills.",
     "psycopg2.OperationalError: server closed the connection unexpectedly\n\tThis probably means the server "
     "terminated abnormally\n\tbefore or while processing the request."},
    // --- front tiers: proxies and load balancers ---
    {"haproxy-503-no-server", "proxy-unavailable", M::Body, R"(No server is available to handle this request)",
     "HAProxy had no healthy backend with a free slot (maxconn/queue full or health checks failing).", "load-shedding",
     "Check backend health checks and maxconn; add app capacity or let HAProxy queue with timeout queue.",
     "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>"},
    {"haproxy-504", "proxy-timeout", M::Body, R"(The server didn't respond in time)",
     "HAProxy gave up waiting for the backend (timeout server).", "timeouts",
     "Find why the app is slow under this load (other findings); align proxy and app timeouts.",
     "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>"},
    {"haproxy-502", "proxy-bad-gateway", M::Body, R"(The server returned an invalid or incomplete response)",
     "HAProxy got a broken answer from the backend (it crashed or closed mid-response).", "error-rate",
     "Check the app's logs for crashes and worker restarts at this load.",
     "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>"},
    {"envoy-upstream-reset", "proxy-bad-gateway", M::Body,
     R"(upstream connect error or disconnect/reset before headers)",
     "Envoy could not connect to the upstream or it reset the connection before answering.", "error-rate",
     "Check the upstream's listen backlog, worker count and crashes; check Envoy's circuit breakers.",
     "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport "
     "failure reason: delayed connect error: 111"},
    {"envoy-no-healthy-upstream", "proxy-unavailable", M::Body, R"(no healthy upstream)",
     "Envoy marked every upstream host unhealthy (health checks or outlier detection) and rejected the request.",
     "load-shedding", "Check the upstream's health endpoint under load and outlier-detection settings.",
     "no healthy upstream"},
    {"envoy-upstream-timeout", "proxy-timeout", M::Body, R"(upstream request timeout)",
     "Envoy's route timeout expired before the upstream answered.", "timeouts",
     "Find why the app is slow under this load; align route and client timeouts.", "upstream request timeout"},
    {"proxy-502", "proxy-bad-gateway", M::Body, R"(502 Bad Gateway)",
     "The reverse proxy (nginx or similar) got no valid answer from the app: it refused, crashed or closed.",
     "error-rate",
     "Check the app's workers and listen backlog at this load (nginx error.log names the upstream error).",
     "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
     "\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>"},
    {"proxy-504", "proxy-timeout", M::Body, R"(504 Gateway Time-?out)",
     "The reverse proxy gave up waiting for the app (proxy_read_timeout).", "timeouts",
     "Find why the app is slow under this load; align proxy and client timeouts.",
     "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1>"
     "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"},
    {"proxy-503", "proxy-unavailable", M::Body, R"(503 Service (?:Temporarily )?Unavailable)",
     "The front tier answered 503 itself (rate limit, connection limit, maintenance or no upstream).", "load-shedding",
     "Check the proxy's limit_req/limit_conn and upstream settings; add capacity behind it.",
     "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 "
     "Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>"},
    // --- generic framework errors (after the specific messages they may wrap) ---
    {"django-operational-error", "db-operational-error", M::Body, R"(django\.db\.utils\.OperationalError)",
     "Django's database layer failed (connection, timeout or server error) with no more specific message.",
     "error-rate", "Read the wrapped driver message in the app log; check database health at this load.",
     "django.db.utils.OperationalError: SSL connection has been closed unexpectedly"},
    // --- deliberate overload answers ---
    {"at-capacity", "at-capacity", M::Body,
     R"(at capacity|over capacity|too many requests|\brate[ -]?limit|server is busy|overloaded|try again later)",
     "The service rejected the request on purpose: it is at capacity or rate-limiting.", "load-shedding",
     "Expected under deliberate overload; if it happens at the expected load, raise the limit or add capacity.",
     R"({"error":"Service at capacity, please retry"})"},
    {"retry-after", "at-capacity", M::RetryAfterHeader, "",
     "A 429/503 with Retry-After: the service asks clients to back off.", "load-shedding",
     "Expected under deliberate overload; honour Retry-After in clients; add capacity if it happens at the "
     "expected load.",
     R"({"detail":"Please slow down"})"},
};

struct Compiled
{
    const ErrorSignature *entry;
    QRegularExpression re;
};

const std::vector<Compiled> &compiled()
{
    static const std::vector<Compiled> table = [] {
        std::vector<Compiled> out;
        for (const ErrorSignature &s : kCatalogue) {
            QRegularExpression re(QString::fromUtf8(s.pattern), QRegularExpression::CaseInsensitiveOption);
            re.optimize();
            Q_ASSERT(re.isValid());
            out.push_back(Compiled{&s, re});
        }
        return out;
    }();
    return table;
}

} // namespace

const std::vector<ErrorSignature> &errorSignatureCatalogue()
{
    return kCatalogue;
}

const ErrorSignature *errorSignatureById(const QString &id)
{
    for (const ErrorSignature &s : kCatalogue)
        if (id == QLatin1String(s.id))
            return &s;
    return nullptr;
}

const ErrorSignature *recogniseErrorBody(const QByteArray &body, int status, const QString &retryAfter)
{
    if (status == 0)
        return nullptr;
    const QString text = QString::fromUtf8(body);
    for (const Compiled &c : compiled()) {
        if (c.entry->match == M::RetryAfterHeader) {
            if (!retryAfter.isEmpty() && (status == 429 || status == 503))
                return c.entry;
            continue;
        }
        if (c.re.match(text).hasMatch())
            return c.entry;
    }
    return nullptr;
}

std::vector<SignatureHit> recogniseErrorSamples(const RunData &run)
{
    static const QRegularExpression queuePool(QStringLiteral(R"(size (\d+) overflow (\d+))"),
                                              QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression hikari(QStringLiteral(R"(\(total=(\d+),)"));
    std::vector<SignatureHit> hits;
    for (const ErrorSample &sample : run.error_samples) {
        const ErrorSignature *sig = recogniseErrorBody(sample.body, sample.status, sample.retry_after);
        if (!sig)
            continue;
        SignatureHit hit;
        hit.signature = QLatin1String(sig->kind);
        hit.entry = QLatin1String(sig->id);
        hit.supports = QLatin1String(sig->supports);
        hit.endpoint = sample.endpoint;
        hit.status = sample.status;
        hit.count = sample.count;
        hit.stage_index = sample.stage_index;
        QString normalized = normalizeBody(sample.body);
        if (normalized.size() > 160)
            normalized = normalized.left(157) + QStringLiteral("…");
        hit.excerpt = normalized;
        const QString body = QString::fromUtf8(sample.body);
        if (const auto m = queuePool.match(body); m.hasMatch())
            hit.pool_size = m.captured(1).toInt() + m.captured(2).toInt();
        else if (const auto h = hikari.match(body); h.hasMatch())
            hit.pool_size = h.captured(1).toInt();
        hits.push_back(hit);
    }
    return hits;
}

std::vector<ErrorSignatureSummary> summarizeErrors(const RunData &run)
{
    const QString planJson = QString::fromUtf8(QJsonDocument(run.plan.toJson()).toJson(QJsonDocument::Compact));
    std::map<std::pair<QString, QString>, size_t> index;
    std::vector<ErrorSignatureSummary> out;
    for (const ErrorSample &sample : run.error_samples) {
        const ErrorSignature *sig = recogniseErrorBody(sample.body, sample.status, sample.retry_after);
        const QString id = sig ? QLatin1String(sig->id) : QStringLiteral("unrecognised");
        const QString normalized = normalizeBody(sample.body);
        auto [it, inserted] = index.try_emplace({id, normalized}, out.size());
        if (inserted) {
            ErrorSignatureSummary s;
            s.signature = id;
            s.normalized = normalized;
            s.example = SecretResolver::redact(QString::fromUtf8(sample.body), planJson);
            s.first_seen_s = sample.first_seen_s;
            s.last_seen_s = sample.last_seen_s;
            if (sig) {
                s.kind = QLatin1String(sig->kind);
                s.supports = QLatin1String(sig->supports);
                s.meaning = QString::fromUtf8(sig->meaning);
                s.fix = QString::fromUtf8(sig->fix);
            }
            out.push_back(s);
        }
        ErrorSignatureSummary &s = out[it->second];
        s.count += sample.count;
        s.first_seen_s = std::min(s.first_seen_s, sample.first_seen_s);
        s.last_seen_s = std::max(s.last_seen_s, sample.last_seen_s);
        if (std::find(s.endpoint_indices.begin(), s.endpoint_indices.end(), sample.endpoint) ==
            s.endpoint_indices.end())
            s.endpoint_indices.push_back(sample.endpoint);
        if (std::find(s.statuses.begin(), s.statuses.end(), sample.status) == s.statuses.end())
            s.statuses.push_back(sample.status);
        if (!sample.retry_after.isEmpty())
            s.retry_after = sample.retry_after;
    }
    for (ErrorSignatureSummary &s : out) {
        std::sort(s.endpoint_indices.begin(), s.endpoint_indices.end());
        std::sort(s.statuses.begin(), s.statuses.end());
        for (int e : s.endpoint_indices)
            s.endpoints.append(e >= 0 && size_t(e) < run.plan.endpoints.size() ? run.plan.endpoints[size_t(e)].name
                                                                               : QStringLiteral("?"));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ErrorSignatureSummary &a, const ErrorSignatureSummary &b) { return a.count > b.count; });
    return out;
}

} // namespace Preflight
