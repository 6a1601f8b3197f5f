// connection-churn, lock-contention, max-connections-near, idle-in-transaction: what the database's sessions show.
// (n-plus-one and missing-index, from the profiling pass and the plans, live in statementrules.cpp.)
#include "rules.h"

#include "db/queryfingerprint.h"
#include "diagnosis/querycount.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace Preflight {

namespace {

constexpr double kChurnPerRequest = 0.3; // new backends per request that count as churn
constexpr double kChurnHigh = 0.8;
constexpr double kLockShare = 0.2; // waiting on Lock / active
constexpr double kMaxConnectionsNear = 0.8;
constexpr double kIdleTxLong_s = 0.1;           // idle in a transaction longer than a statement-to-commit gap
constexpr double kIdleTxPerRequestMin_s = 0.02; // per request, on average (Little's law) ...
constexpr double kIdleTxLongShare = 0.2;        // ... or ≥ 20% of the app's sessions held idle that long

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
        f.title =
            QStringLiteral("%1 wait on the database lock: %2 errors at %3")
                .arg(write ? QStringLiteral("Writes (%1)").arg(label) : QStringLiteral("Requests to %1").arg(label),
                     pct(rate(top), 0), top.loadLabel());
        f.evidence.push_back(evidence(QStringLiteral("lock_errors"), double(worst->second), QStringLiteral("responses"),
                                      QStringLiteral("error bodies on %1: \"%2\"").arg(label, excerpt)));
        f.evidence.push_back(evidence(QStringLiteral("error_rate"), rate(low), QStringLiteral("ratio"),
                                      QStringLiteral("%1 at %2").arg(label, low.loadLabel())));
        f.evidence.push_back(
            evidence(QStringLiteral("error_rate"), rate(top), QStringLiteral("ratio"),
                     QStringLiteral("%1 at %2%3")
                         .arg(label, top.loadLabel(), growing ? QStringLiteral(" (grows with users)") : QString())));
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
            f.evidence.push_back(
                evidence(QStringLiteral("waiting_on_lock_max"), waitingMax, QStringLiteral("sessions")));
            // Who waits, on what, behind whom (pg_blocking_pids at each sample), most frequent first.
            std::map<QString, int> relations, waiting, blocking;
            int waits = 0;
            for (const DbSample *s : loadedSamples(ctx))
                for (const LockWait &w : s->lock_waits) {
                    ++waits;
                    if (!w.relation.isEmpty())
                        ++relations[w.relation];
                    if (!w.query.isEmpty())
                        ++waiting[w.query];
                    if (!w.blocking_query.isEmpty())
                        ++blocking[w.blocking_query + QStringLiteral("\x1f") + w.blocking_state];
                }
            auto most = [](const std::map<QString, int> &m) {
                return std::max_element(m.begin(), m.end(),
                                        [](const auto &a, const auto &b) { return a.second < b.second; });
            };
            if (!relations.empty()) {
                const auto r = most(relations);
                f.refs.relation = r->first;
                f.evidence.push_back(
                    evidence(QStringLiteral("lock_waits_on_relation"), r->second, QStringLiteral("waits"),
                             QStringLiteral("of %1 lock waits seen were on %2").arg(waits).arg(r->first)));
                if (f.title.startsWith(QLatin1String("Requests wait on database locks")))
                    f.title = QStringLiteral("Writers wait on locks on %1 (%2 of active sessions)")
                                  .arg(r->first, pct(share, 0));
            }
            if (!waiting.empty()) {
                const auto q = most(waiting);
                f.refs.statements.push_back({QueryFingerprint::of(q->first), QStringLiteral("waiting"), q->first});
                f.evidence.push_back(evidence(QStringLiteral("lock_waiting_statement"), q->second,
                                              QStringLiteral("waits"),
                                              QStringLiteral("waiting: %1").arg(shortText(q->first))));
            }
            if (!blocking.empty()) {
                const auto b = most(blocking);
                const QString text = b->first.section(QChar(0x1f), 0, 0);
                const QString state = b->first.section(QChar(0x1f), 1);
                f.refs.statements.push_back({QueryFingerprint::of(text), QStringLiteral("blocking"), text});
                f.evidence.push_back(evidence(
                    QStringLiteral("lock_blocking_statement"), b->second, QStringLiteral("waits"),
                    QStringLiteral("blocked by a session %1, last statement: %2")
                        .arg(state.isEmpty() ? QStringLiteral("in an unknown state") : state, shortText(text))));
            }
            addSessionScopeEvidence(ctx, f);
            if (f.summary.isEmpty())
                f.summary =
                    QStringLiteral("Under load, %1 of the active database sessions wait on a lock held by another "
                                   "transaction.")
                        .arg(pct(share, 0));
        }
    }
    // An embedded SQLite database behind generic error pages: no body names the lock, no session can be seen.
    // Server errors concentrated on the write endpoints and growing with users are the indirect evidence left;
    // the finding says so and stays low (the error-rate finding carries the failures themselves).
    if (confidence <= 0 && ctx.sqlite && order.size() >= 2) {
        const LevelSummary &low = ctx.levels[size_t(order.front())];
        const LevelSummary &top = ctx.levels[size_t(order.back())];
        uint64_t writeErrors = 0, allErrors = 0, writeRequests = 0;
        int worst = -1;
        uint64_t worstErrors = 0;
        for (size_t e = 0; e < top.endpoints.size(); ++e) {
            const uint64_t n = serverErrors(top.endpoints[e]);
            allErrors += n;
            if (ctx.isWriteEndpoint(int(e))) {
                writeErrors += n;
                writeRequests += top.endpoints[e].requests;
                if (n > worstErrors) {
                    worstErrors = n;
                    worst = int(e);
                }
            }
        }
        const double writeRate = writeRequests ? double(writeErrors) / double(writeRequests) : 0;
        double lowRate = 0;
        if (worst >= 0 && size_t(worst) < low.endpoints.size() && low.endpoints[size_t(worst)].requests > 0)
            lowRate =
                double(serverErrors(low.endpoints[size_t(worst)])) / double(low.endpoints[size_t(worst)].requests);
        if (worst >= 0 && allErrors >= 5 && writeErrors * 10 >= allErrors * 8 && writeRate >= 0.01 &&
            writeRate > lowRate + 0.01) {
            const QString label = ctx.endpointLabel(worst);
            confidence = 0.5;
            severity = Severity::Low;
            f.endpoint = ctx.run.plan.endpoints[size_t(worst)].name;
            f.refs.endpoint = worst;
            f.title =
                QStringLiteral("Writes (%1) fail as users grow on an embedded SQLite database: likely its write lock")
                    .arg(label);
            f.evidence.push_back(evidence(
                QStringLiteral("write_error_share"), double(writeErrors) / double(allErrors), QStringLiteral("ratio"),
                QStringLiteral("share of server errors at %1 on write endpoints").arg(top.loadLabel())));
            f.evidence.push_back(evidence(QStringLiteral("error_rate"), lowRate, QStringLiteral("ratio"),
                                          QStringLiteral("%1 at %2").arg(label, low.loadLabel())));
            f.evidence.push_back(
                evidence(QStringLiteral("error_rate"), writeRate, QStringLiteral("ratio"),
                         QStringLiteral("write endpoints at %1 (grows with users)").arg(top.loadLabel())));
            f.evidence.push_back(
                evidence(QStringLiteral("indirect"), 0, QString(),
                         QStringLiteral("indirect: the error pages are generic and SQLite shows no "
                                        "sessions; the app's log (\"database is locked\") would confirm")));
            f.summary =
                QStringLiteral("Server errors grow with users and almost all of them are on %1, a write, while the "
                               "database is one SQLite file that allows one writer at a time.")
                    .arg(label);
        }
    }
    if (confidence <= 0)
        return std::nullopt;
    f.confidence = confidence;
    f.severity = severity;
    if (ctx.sqlite) {
        if (!ctx.run.database.journal_mode.isEmpty())
            f.evidence.push_back(
                evidence(QStringLiteral("journal_mode"), 0, QString(),
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
        f.title =
            QStringLiteral("Database at %1 of max_connections (%2 of %3)").arg(pct(ratio, 0)).arg(peak).arg(maxConn);
        f.evidence.push_back(evidence(QStringLiteral("db_backends_ratio"), ratio, QStringLiteral("ratio"),
                                      QStringLiteral("peak at t = %1 s").arg(fmt(peakAt_s))));
        f.evidence.push_back(evidence(QStringLiteral("peak_backends"), peak, QStringLiteral("sessions")));
        f.evidence.push_back(evidence(QStringLiteral("max_connections"), maxConn, QStringLiteral("sessions")));
    } else {
        f.title = QStringLiteral("The database refuses connections (max_connections reached)");
    }
    if (refused > 0)
        f.evidence.push_back(evidence(QStringLiteral("refused_connections"), double(refused),
                                      QStringLiteral("responses"),
                                      QStringLiteral("error bodies: \"%1\"").arg(excerpt)));
    f.summary = QStringLiteral("The server is close to its connection limit; the next process or pool to grow gets "
                               "\"too many clients\" and its requests fail.");
    f.recommendation =
        QStringLiteral(
            "Keep the sum of all app pools (processes × pool size) below 80% of max_connections%1: lower per-process "
            "pool "
            "sizes or put PgBouncer (transaction pooling) in front; raise max_connections only with memory to spare.")
            .arg(maxConn > 0 ? QStringLiteral(" (%1)").arg(maxConn) : QString());
    return f;
}

std::optional<Finding> ruleIdleInTransaction(const RuleContext &ctx)
{
    if (!ctx.postgres)
        return std::nullopt;
    const std::vector<const DbSample *> samples = loadedSamples(ctx);
    if (samples.empty())
        return std::nullopt;
    // By time, not by count: a session is idle in a transaction for a moment between every statement and its
    // commit; only how long it stays so holds a connection. Runs recorded before format 4 have no ages: no finding.
    double heldSum = 0, heldLongSum = 0, backendsSum = 0, longest = 0;
    int withLong = 0, waiters = 0;
    for (const DbSample *s : samples) {
        if (s->idle_in_transaction > 0 && s->idle_in_transaction_s.empty())
            return std::nullopt;
        heldSum += s->idle_in_transaction;
        backendsSum += std::max(0, s->backends);
        bool hasLong = false;
        for (double age : s->idle_in_transaction_s) {
            longest = std::max(longest, age);
            hasLong = hasLong || age >= kIdleTxLong_s;
            heldLongSum += age >= kIdleTxLong_s ? 1 : 0;
        }
        withLong += hasLong ? 1 : 0;
        for (const LockWait &w : s->lock_waits)
            if (w.blocking_state.startsWith(QLatin1String("idle in transaction")))
                ++waiters;
    }
    const double n = double(samples.size());
    const double heldMean = heldSum / n; // connections held idle in a transaction, on average
    const double share = backendsSum > 0 ? heldSum / backendsSum : 0;
    // Little's law: connections held = request rate × idle time per request.
    double requests = 0, span_s = 0;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        requests += l.rps * l.steady_s;
        span_s += l.steady_s;
    }
    const double rps = span_s > 0 ? requests / span_s : 0;
    const double perRequest_s = rps > 0 ? heldMean / rps : 0;
    // Sessions held idle longer than a statement-to-commit gap, as a share of the app's sessions.
    const double longShare = backendsSum > 0 ? heldLongSum / backendsSum : 0;
    if (longest < kIdleTxLong_s || withLong < 2 ||
        (perRequest_s < kIdleTxPerRequestMin_s && longShare < kIdleTxLongShare))
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("idle-in-transaction");
    f.layer = QStringLiteral("code");
    if (waiters > 0 || share >= 0.5)
        f.severity = Severity::High;
    else if (perRequest_s >= kIdleTxLong_s || share >= 0.2 || longShare >= kIdleTxLongShare)
        f.severity = Severity::Medium;
    else
        f.severity = Severity::Low;
    f.confidence = 0.85;
    f.title = QStringLiteral("Sessions sit idle inside open transactions for about %1 s per request")
                  .arg(fmt(perRequest_s, perRequest_s < 1 ? 2 : 1));
    f.summary = QStringLiteral("Under load the app's sessions spent %1 s per request idle inside a transaction (the "
                               "longest seen: %2 s), holding %3 connections on average (%4 of the app's): a connection "
                               "and its locks stay taken while the app does something else%5.")
                    .arg(fmt(perRequest_s, 2), fmt(longest, 2), fmt(heldMean, 1), pct(share, 0),
                         waiters > 0 ? QStringLiteral(", and other sessions waited on them for locks") : QString());
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_s"), perRequest_s, QStringLiteral("s"),
                                  QStringLiteral("idle time in a transaction per request: connections held (%1 on "
                                                 "average) / request rate (%2 req/s), Little's law")
                                      .arg(fmt(heldMean, 2), fmt(rps, 1))));
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_longest_s"), longest, QStringLiteral("s"),
                                  QStringLiteral("longest now() − state_change of a session idle in a transaction")));
    f.evidence.push_back(evidence(
        QStringLiteral("idle_in_transaction_held"), heldMean, QStringLiteral("sessions"),
        QStringLiteral("%1 of the app's sessions, %2 samples under load").arg(pct(share, 0)).arg(samples.size())));
    if (waiters > 0)
        f.evidence.push_back(
            evidence(QStringLiteral("lock_waits_on_idle"), waiters, QStringLiteral("waits"),
                     QStringLiteral("sessions waiting on a lock held by a session idle in a transaction")));
    addSessionScopeEvidence(ctx, f);
    f.recommendation = QStringLiteral(
        "Commit or roll back before slow work (HTTP calls, rendering, sleeps); end the session's transaction at the "
        "end of each request (autocommit for reads); set idle_in_transaction_session_timeout (e.g. 30 s) as a guard.");
    return f;
}

} // namespace Preflight
