// connection-churn, n-plus-one, missing-index, lock-contention, max-connections-near, idle-in-transaction:
// what the database samples, the profiling pass and the plans show.
#include "rules.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace Preflight {

namespace {

constexpr double kChurnPerRequest = 0.3;        // new backends per request that count as churn
constexpr double kChurnHigh = 0.8;
constexpr double kNPlusOneMinCalls = 5;          // child calls per request
constexpr double kNPlusOneTrack = 0.25;          // |parent rows/call − child calls/req| ≤ 25%
constexpr double kMissingIndexMinRows = 10000;
constexpr double kLockShare = 0.2;               // waiting on Lock / active
constexpr double kMaxConnectionsNear = 0.8;
constexpr double kIdleInTxSampleShare = 0.2;

QString shortText(const QString &text, int max = 120)
{
    const QString s = text.simplified();
    return s.size() > max ? s.left(max - 1) + QStringLiteral("…") : s;
}

int maxConnections(const RuleContext &ctx)
{
    int m = ctx.run.database.max_connections;
    for (const DbSample &s : ctx.run.db_samples)
        if (s.max_connections > 0)
            m = s.max_connections;
    return m;
}

// DB samples inside the steady span of load levels.
std::vector<const DbSample *> loadedSamples(const RuleContext &ctx)
{
    std::vector<std::pair<double, double>> spans;
    for (const StageInfo &st : ctx.run.stages)
        if (st.from > 0 || st.to > 0)
            spans.emplace_back(st.start_s + kLevelWarmup_s, st.start_s + st.duration_s);
    std::vector<const DbSample *> out;
    for (const DbSample &s : ctx.run.db_samples)
        for (const auto &[from, to] : spans)
            if (s.t_s >= from - 1e-9 && s.t_s <= to + 1e-9) {
                out.push_back(&s);
                break;
            }
    return out;
}

} // namespace

std::optional<Finding> ruleConnectionChurn(const RuleContext &ctx)
{
    if (!ctx.postgres)
        return std::nullopt;
    double newBackends = 0, requests = 0;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        if (l.db_new_backends < 0)
            continue;
        // Requests over the time the samples cover (see LevelSummary::db_new_backends_span_s).
        newBackends += l.db_new_backends;
        requests += l.rps * (l.db_new_backends_span_s > 0 ? l.db_new_backends_span_s : l.steady_s);
    }
    if (requests < 20)
        return std::nullopt;
    const double perRequest = newBackends / requests;
    if (perRequest < kChurnPerRequest)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("connection-churn");
    f.layer = QStringLiteral("configuration");
    f.severity = perRequest >= kChurnHigh ? Severity::High : Severity::Medium;
    f.confidence = perRequest >= kChurnHigh ? 0.85 : 0.7;
    f.title = QStringLiteral("A new DB connection per request");
    f.summary = QStringLiteral("The database saw %1 new sessions for %2 requests under load (%3 per request): the app "
                               "opens a connection for each request instead of reusing a pool. Each connection costs "
                               "a backend process, authentication and catalogue warm-up.")
                    .arg(fmt(newBackends), fmt(requests), fmt(perRequest, 2));
    f.evidence.push_back(evidence(QStringLiteral("new_backends_per_request"), perRequest, QString(),
                                  QStringLiteral("sessions started after the previous 1 Hz sample; short sessions "
                                                 "between samples are missed, so this is a lower bound")));
    f.evidence.push_back(evidence(QStringLiteral("new_backends"), newBackends, QStringLiteral("sessions")));
    f.recommendation = QStringLiteral(
        "Create the engine/pool once per process and reuse it (do not connect inside the request handler); if the "
        "app cannot pool, put PgBouncer in front of PostgreSQL.");
    return f;
}

std::vector<Finding> ruleNPlusOne(const RuleContext &ctx)
{
    std::map<QString, std::vector<const QueryStat *>> byEndpoint;
    for (const QueryStat &q : ctx.run.queries)
        if (q.phase == QLatin1String("profile") && !q.endpoint.isEmpty())
            byEndpoint[q.endpoint].push_back(&q);
    std::vector<Finding> out;
    for (const auto &[endpoint, stats] : byEndpoint) {
        std::vector<const QueryStat *> children;
        for (const QueryStat *q : stats)
            if (q->calls_per_request >= kNPlusOneMinCalls)
                children.push_back(q);
        if (children.empty())
            continue;
        // Parent: about one call per request whose rows per call match the children's calls per request.
        const QueryStat *parent = nullptr;
        std::vector<const QueryStat *> tracking;
        for (const QueryStat *p : stats) {
            if (p->calls_per_request < 0.5 || p->calls_per_request > 1.5 || p->rows_per_call < 2)
                continue;
            std::vector<const QueryStat *> t;
            for (const QueryStat *c : children)
                if (std::abs(c->calls_per_request / p->calls_per_request - p->rows_per_call)
                    <= kNPlusOneTrack * p->rows_per_call)
                    t.push_back(c);
            if (t.size() > tracking.size()) {
                tracking = t;
                parent = p;
            }
        }
        // A statement log (SQLite, server logs) counts calls but not rows, so no parent can be matched by its rows.
        // Then the parent is the endpoint's one statement run once per request, when there is exactly one, and the
        // children are those sharing one N (calls per request within 25% of each other); confidence stays below
        // a rows-confirmed parent.
        const bool rowsKnown = std::any_of(stats.begin(), stats.end(),
                                           [](const QueryStat *q) { return q->rows_per_call >= 0; });
        const QueryStat *onceParent = nullptr;
        if (!parent && !rowsKnown) {
            std::vector<const QueryStat *> once;
            for (const QueryStat *p : stats)
                if (p->calls_per_request >= 0.5 && p->calls_per_request <= 1.5)
                    once.push_back(p);
            std::vector<double> calls;
            for (const QueryStat *c : children)
                calls.push_back(c->calls_per_request);
            std::nth_element(calls.begin(), calls.begin() + long(calls.size() / 2), calls.end());
            const double median = calls[calls.size() / 2];
            for (const QueryStat *c : children)
                if (std::abs(c->calls_per_request - median) <= kNPlusOneTrack * median)
                    tracking.push_back(c);
            if (once.size() == 1)
                onceParent = once.front();
            else
                tracking.clear();
        }
        const std::vector<const QueryStat *> &kids = parent || onceParent ? tracking : children;
        const int k = int(kids.size());
        double kidsCalls = 0;
        for (const QueryStat *c : kids)
            kidsCalls += c->calls_per_request;
        const double n = parent ? parent->rows_per_call
            : onceParent        ? kidsCalls / k
                                : std::round(kids.front()->calls_per_request);
        double total = 0;
        for (const QueryStat *q : stats)
            total += q->calls_per_request;
        const QString label = ctx.endpointLabelByName(endpoint);
        Finding f;
        f.id = QStringLiteral("n-plus-one");
        f.layer = QStringLiteral("code");
        f.endpoint = endpoint;
        f.confidence = parent ? 0.9 : onceParent ? 0.75 : 0.6;
        f.severity = total >= 20 ? Severity::High : Severity::Medium;
        const QString formula = parent || onceParent ? (k == 1 ? QStringLiteral("1 + N") : QStringLiteral("1 + %1N").arg(k))
                                       : (k == 1 ? QStringLiteral("N") : QStringLiteral("%1N").arg(k));
        f.title = QStringLiteral("%1 runs %2 queries").arg(label, formula);
        QStringList childTexts;
        for (const QueryStat *c : kids)
            childTexts << QStringLiteral("`%1`").arg(shortText(c->text));
        f.summary = parent ? QStringLiteral("With N = %1 rows from the parent query, one request runs 1 + %2·%1 = %3 "
                                            "queries (%4 measured in the profiling pass). Parent: `%5`. Per row: %6.")
                                 .arg(fmt(n), QString::number(k), fmt(1 + k * n), fmt(total, 1),
                                      shortText(parent->text), childTexts.join(QStringLiteral(", ")))
                   : onceParent
                       ? QStringLiteral("Each of %1 statements runs N = %2 times per request, after one statement run "
                                        "once per request: 1 + %1·%2 = %3 queries (%4 measured in the profiling pass). "
                                        "Parent (the statement log has no row counts to confirm that it returns the N "
                                        "rows): `%5`. Per row: %6.")
                             .arg(QString::number(k), fmt(n, 1), fmt(1 + k * n, 1), fmt(total, 1),
                                  shortText(onceParent->text), childTexts.join(QStringLiteral(", ")))
                           : QStringLiteral("One request runs %1 queries; %2 run about %3 times per request each, "
                                            "but no parent query returning that many rows was found (it may be "
                                            "outside pg_stat_statements). Repeated: %4.")
                                 .arg(fmt(total, 1)).arg(k).arg(fmt(n), childTexts.join(QStringLiteral(", ")));
        f.evidence.push_back(evidence(QStringLiteral("queries_per_request"), total, QStringLiteral("queries"),
                                      QStringLiteral("all statements per request of %1 (profiling pass, %2 requests)")
                                          .arg(label, fmt(stats.front()->requests))));
        if (parent)
            f.evidence.push_back(evidence(QStringLiteral("parent_rows_per_call"), parent->rows_per_call,
                                          QStringLiteral("rows"), QStringLiteral("parent: %1").arg(shortText(parent->text))));
        if (onceParent)
            f.evidence.push_back(evidence(QStringLiteral("parent_calls_per_request"), onceParent->calls_per_request,
                                          QStringLiteral("calls"),
                                          QStringLiteral("parent (the one statement run once per request; no row counts "
                                                         "in the statement log): %1").arg(shortText(onceParent->text))));
        for (const QueryStat *c : kids)
            f.evidence.push_back(evidence(QStringLiteral("calls_per_request"), c->calls_per_request,
                                          QStringLiteral("calls"), QStringLiteral("child: %1").arg(shortText(c->text))));
        f.evidence.push_back(evidence(QStringLiteral("children_per_row"), k, QString(), QStringLiteral("k in 1 + k·N")));
        f.recommendation = QStringLiteral(
            "Load the related rows in one query per relation instead of one per parent row: a JOIN, or "
            "`WHERE parent_id = ANY($1)` with the parent ids (ORM eager loading: selectinload/joinedload, "
            "prefetch_related, includes). That turns %1 = %2 queries into %3.")
                               .arg(formula, fmt((parent || onceParent ? 1 : 0) + k * n),
                                    QString::number((parent || onceParent ? 1 : 0) + k));
        out.push_back(f);
    }
    return out;
}

std::vector<Finding> ruleMissingIndex(const RuleContext &ctx)
{
    struct Hit
    {
        QString relation;
        QStringList columns;
        double relationRows = 0;
        QString filter;
        std::vector<const QueryPlan *> plans;
    };
    std::map<QString, Hit> hits;  // key: relation + columns
    std::function<void(const PlanNode &, const QueryPlan &)> walk = [&](const PlanNode &n, const QueryPlan &plan) {
        const bool seq = n.node_type == QLatin1String("Seq Scan") || n.node_type == QLatin1String("Parallel Seq Scan");
        const bool filtered = !n.filter.isEmpty() || !n.filter_columns.isEmpty();
        const bool large = n.relation_rows >= kMissingIndexMinRows;
        if (seq && filtered && (large || (n.flagged && n.relation_rows < 0))) {
            QStringList cols = n.filter_columns;
            cols.removeDuplicates();
            const QString key = n.relation + QLatin1Char('|') + cols.join(QLatin1Char(','));
            Hit &h = hits[key];
            h.relation = n.relation;
            h.columns = cols;
            h.relationRows = std::max(h.relationRows, n.relation_rows);
            h.filter = n.filter;
            h.plans.push_back(&plan);
        }
        for (const PlanNode &c : n.children)
            walk(c, plan);
    };
    for (const QueryPlan &p : ctx.run.plans)
        if (p.valid)
            walk(p.root, p);

    std::vector<Finding> out;
    for (const auto &[key, h] : hits) {
        Finding f;
        f.id = QStringLiteral("missing-index");
        f.layer = QStringLiteral("database");
        f.confidence = h.columns.isEmpty() ? 0.6 : 0.8;
        const QString cols = h.columns.join(QStringLiteral(", "));
        f.title = h.columns.isEmpty() ? QStringLiteral("Sequential scan of %1 for a filtered query").arg(h.relation)
                                      : QStringLiteral("No index on %1(%2)").arg(h.relation, cols);
        double meanMs = -1, calls = 0;
        for (const QueryPlan *p : h.plans) {
            for (const QueryStat &q : ctx.run.queries) {
                if (q.fingerprint != p->fingerprint || q.fingerprint.isEmpty())
                    continue;
                meanMs = std::max(meanMs, q.mean_ms);
                if (q.phase == QLatin1String("run"))
                    calls += q.calls;
                if (q.phase == QLatin1String("profile") && f.endpoint.isEmpty())
                    f.endpoint = q.endpoint;
            }
            f.evidence.push_back(evidence(QStringLiteral("seq_scan_rows"), h.relationRows, QStringLiteral("rows"),
                                          QStringLiteral("Seq Scan on %1, Filter: %2 — query: %3")
                                              .arg(h.relation, h.filter.isEmpty() ? cols : h.filter, shortText(p->text))));
        }
        if (meanMs >= 0)
            f.evidence.push_back(evidence(QStringLiteral("query_mean_ms"), meanMs, QStringLiteral("ms"),
                                          QStringLiteral("pg_stat_statements mean time of the scanning query")));
        if (calls > 0)
            f.evidence.push_back(evidence(QStringLiteral("query_calls"), calls, QStringLiteral("calls"),
                                          QStringLiteral("calls during the run")));
        f.severity = (h.relationRows >= 100000 || meanMs >= 50 || calls >= 1000) ? Severity::High : Severity::Medium;
        f.summary = QStringLiteral("The planner reads all %1 rows of %2 to find the few that match `%3`; the cost grows "
                                   "with the table and every call competes for I/O and CPU.")
                        .arg(fmt(h.relationRows), h.relation, h.filter.isEmpty() ? cols : h.filter);
        QString indexName = QStringLiteral("idx_%1_%2").arg(h.relation.section(QLatin1Char('.'), -1),
                                                             h.columns.join(QLatin1Char('_')));
        indexName.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_]")), QStringLiteral("_"));
        f.recommendation = h.columns.isEmpty()
            ? QStringLiteral("Add an index on the filtered column(s) of %1 (see the plan's Filter), created "
                             "CONCURRENTLY; then re-check the plan uses it.").arg(h.relation)
            : QStringLiteral("CREATE INDEX CONCURRENTLY %1 ON %2 (%3); — then re-run EXPLAIN to confirm an Index Scan "
                             "(Preflight never runs it).").arg(indexName, h.relation, cols);
        out.push_back(f);
    }
    return out;
}

std::optional<Finding> ruleLockContention(const RuleContext &ctx)
{
    Finding f;
    f.id = QStringLiteral("lock-contention");
    f.layer = QStringLiteral("database");
    double confidence = 0;
    Severity severity = Severity::Medium;

    // Error bodies: "database is locked", deadlocks, lock timeouts, by endpoint.
    std::map<int, uint64_t> byEndpoint;
    QString excerpt;
    for (const SignatureHit &h : ctx.signatures)
        if (h.supports == QLatin1String("lock-contention")) {
            byEndpoint[h.endpoint] += h.count;
            excerpt = h.excerpt;
        }
    const std::vector<int> order = ctx.loadLevels();
    if (!byEndpoint.empty() && !order.empty()) {
        const auto worst = std::max_element(byEndpoint.begin(), byEndpoint.end(),
                                            [](const auto &a, const auto &b) { return a.second < b.second; });
        const int e = worst->first;
        const LevelSummary &low = ctx.levels[size_t(order.front())];
        const LevelSummary &top = ctx.levels[size_t(order.back())];
        auto rate = [e](const LevelSummary &l) {
            return e >= 0 && size_t(e) < l.endpoints.size() ? l.endpoints[size_t(e)].errorRate() : l.error_rate;
        };
        const bool growing = rate(top) > rate(low) + 0.01;
        const bool write = ctx.isWriteEndpoint(e);
        confidence = 0.6 + (growing ? 0.15 : 0) + (write ? 0.15 : 0);
        severity = rate(top) >= 0.2 ? Severity::Critical : rate(top) >= 0.05 ? Severity::High : Severity::Medium;
        const QString label = e >= 0 ? ctx.endpointLabel(e) : QStringLiteral("the app");
        if (e >= 0)
            f.endpoint = ctx.run.plan.endpoints[size_t(e)].name;
        f.title = QStringLiteral("%1 wait on the database lock: %2 errors at %3")
                      .arg(write ? QStringLiteral("Writes (%1)").arg(label) : QStringLiteral("Requests to %1").arg(label),
                           pct(rate(top), 0), top.loadLabel());
        f.evidence.push_back(evidence(QStringLiteral("lock_errors"), double(worst->second), QStringLiteral("responses"),
                                      QStringLiteral("error bodies on %1: \"%2\"").arg(label, excerpt)));
        f.evidence.push_back(evidence(QStringLiteral("error_rate"), rate(low), QStringLiteral("ratio"),
                                      QStringLiteral("%1 at %2").arg(label, low.loadLabel())));
        f.evidence.push_back(evidence(QStringLiteral("error_rate"), rate(top), QStringLiteral("ratio"),
                                      QStringLiteral("%1 at %2%3").arg(label, top.loadLabel(),
                                                                       growing ? QStringLiteral(" (grows with users)")
                                                                               : QString())));
        f.summary = QStringLiteral("Concurrent requests contend for the database's lock; the losers fail (%1 of %2 at "
                                   "%3)%4.")
                        .arg(pct(rate(top), 0), label, top.loadLabel(),
                             write ? QStringLiteral(", concentrated on the write endpoint") : QString());
    }
    // PostgreSQL: sessions waiting on a Lock while active.
    if (ctx.postgres) {
        double shareSum = 0;
        int n = 0, waitingMax = 0;
        for (const DbSample *s : loadedSamples(ctx)) {
            if (s->active <= 0)
                continue;
            shareSum += double(s->waiting_on_lock) / double(s->active);
            waitingMax = std::max(waitingMax, s->waiting_on_lock);
            ++n;
        }
        const double share = n ? shareSum / n : 0;
        if (share >= kLockShare && waitingMax >= 2) {
            confidence = std::max(confidence, 0.75);
            if (severity == Severity::Medium && share >= 0.4)
                severity = Severity::High;
            if (f.title.isEmpty())
                f.title = QStringLiteral("Requests wait on database locks (%1 of active sessions)").arg(pct(share, 0));
            f.evidence.push_back(evidence(QStringLiteral("lock_wait_share"), share, QStringLiteral("ratio"),
                                          QStringLiteral("mean share of active sessions with wait_event_type = Lock")));
            f.evidence.push_back(evidence(QStringLiteral("waiting_on_lock_max"), waitingMax, QStringLiteral("sessions")));
            if (f.summary.isEmpty())
                f.summary = QStringLiteral("Under load, %1 of the active database sessions wait on a lock held by another "
                                           "transaction.").arg(pct(share, 0));
        }
    }
    if (confidence <= 0)
        return std::nullopt;
    f.confidence = confidence;
    f.severity = severity;
    if (ctx.sqlite) {
        if (!ctx.run.database.journal_mode.isEmpty())
            f.evidence.push_back(evidence(QStringLiteral("journal_mode"), 0, QString(),
                                          QStringLiteral("SQLite journal mode: %1").arg(ctx.run.database.journal_mode)));
        f.recommendation = QStringLiteral(
            "SQLite allows one writer at a time: enable WAL (PRAGMA journal_mode=WAL), set busy_timeout (e.g. 5000 ms) "
            "on every connection, keep write transactions short (BEGIN IMMEDIATE, no slow work inside), and funnel "
            "writes through one writer — or move to PostgreSQL for many concurrent writers.");
    } else {
        f.recommendation = QStringLiteral(
            "Find the blocking statements (pg_blocking_pids() / pg_locks during load), keep transactions short and "
            "touch hot rows last, use SELECT … FOR UPDATE SKIP LOCKED for queue-like tables, and set lock_timeout so "
            "waits fail fast.");
    }
    return f;
}

std::optional<Finding> ruleMaxConnectionsNear(const RuleContext &ctx)
{
    const int maxConn = maxConnections(ctx);
    int peak = -1;
    double peakAt_s = 0;
    for (const DbSample &s : ctx.run.db_samples) {
        const int n = s.total_connections >= 0 ? s.total_connections : s.backends;
        if (n > peak) {
            peak = n;
            peakAt_s = s.t_s;
        }
    }
    uint64_t refused = 0;
    QString excerpt;
    for (const SignatureHit &h : ctx.signatures)
        if (h.supports == QLatin1String("max-connections-near")) {
            refused += h.count;
            excerpt = h.excerpt;
        }
    const double ratio = maxConn > 0 && peak >= 0 ? double(peak) / double(maxConn) : -1;
    if (ratio < kMaxConnectionsNear && refused == 0)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("max-connections-near");
    f.layer = QStringLiteral("capacity");
    f.severity = (ratio >= 0.95 || refused > 0) ? Severity::Critical : Severity::High;
    f.confidence = ratio >= kMaxConnectionsNear ? 0.9 : 0.7;
    if (ratio >= 0) {
        f.title = QStringLiteral("Database at %1 of max_connections (%2 of %3)").arg(pct(ratio, 0)).arg(peak).arg(maxConn);
        f.evidence.push_back(evidence(QStringLiteral("db_backends_ratio"), ratio, QStringLiteral("ratio"),
                                      QStringLiteral("peak at t = %1 s").arg(fmt(peakAt_s))));
        f.evidence.push_back(evidence(QStringLiteral("peak_backends"), peak, QStringLiteral("sessions")));
        f.evidence.push_back(evidence(QStringLiteral("max_connections"), maxConn, QStringLiteral("sessions")));
    } else {
        f.title = QStringLiteral("The database refuses connections (max_connections reached)");
    }
    if (refused > 0)
        f.evidence.push_back(evidence(QStringLiteral("refused_connections"), double(refused), QStringLiteral("responses"),
                                      QStringLiteral("error bodies: \"%1\"").arg(excerpt)));
    f.summary = QStringLiteral("The server is close to its connection limit; the next process or pool to grow gets "
                               "\"too many clients\" and its requests fail.");
    f.recommendation = QStringLiteral(
        "Keep the sum of all app pools (processes × pool size) below 80% of max_connections%1: lower per-process pool "
        "sizes or put PgBouncer (transaction pooling) in front; raise max_connections only with memory to spare.")
                           .arg(maxConn > 0 ? QStringLiteral(" (%1)").arg(maxConn) : QString());
    return f;
}

std::optional<Finding> ruleIdleInTransaction(const RuleContext &ctx)
{
    if (!ctx.postgres)
        return std::nullopt;
    const std::vector<const DbSample *> samples = loadedSamples(ctx);
    int with = 0, maxIdle = 0, backendsAtMax = 0;
    double longest = 0;
    for (const DbSample *s : samples) {
        if (s->idle_in_transaction > 0) {
            ++with;
            if (s->idle_in_transaction > maxIdle) {
                maxIdle = s->idle_in_transaction;
                backendsAtMax = s->backends;
            }
        }
        longest = std::max(longest, s->longest_transaction_s);
    }
    if (samples.empty() || with < 3 || double(with) / double(samples.size()) < kIdleInTxSampleShare)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("idle-in-transaction");
    f.layer = QStringLiteral("code");
    f.severity = (maxIdle >= 5 || (backendsAtMax > 0 && double(maxIdle) / backendsAtMax >= 0.25)) ? Severity::High
                                                                                                : Severity::Medium;
    f.confidence = 0.8;
    f.title = QStringLiteral("Sessions sit idle inside open transactions (up to %1)").arg(maxIdle);
    f.summary = QStringLiteral("In %1 of %2 samples under load, sessions were idle in a transaction: they hold a "
                               "connection (and their locks) while the app does something else.")
                    .arg(with).arg(samples.size());
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_max"), maxIdle, QStringLiteral("sessions"),
                                  QStringLiteral("of %1 app sessions at that moment").arg(backendsAtMax)));
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_samples"), double(with) / double(samples.size()),
                                  QStringLiteral("ratio"), QStringLiteral("share of samples under load")));
    if (longest > 0)
        f.evidence.push_back(evidence(QStringLiteral("longest_transaction_s"), longest, QStringLiteral("s")));
    f.recommendation = QStringLiteral(
        "Commit or roll back before slow work (HTTP calls, rendering, sleeps); end the session's transaction at the "
        "end of each request (autocommit for reads); set idle_in_transaction_session_timeout (e.g. 30 s) as a guard.");
    return f;
}

} // namespace Preflight
