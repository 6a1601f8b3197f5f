// single-connection, serialized-server, pool-exhaustion, capacity-knee: what effective parallelism
// (Little's law, P = X·S) says, cross-checked against the database and the pool.
#include "rules.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace {

struct Serialisation
{
    std::vector<int> levels; // the serialised levels (offered concurrency >= 3), increasing load
    double parallelismMax = 0;
    double okRpsMax = 0;    // best successful throughput over them
    int top = -1;           // highest serialised level
    int dbBackendsMax = -1; // over the serialised levels; -1 no samples
    int dbActiveMax = -1;
    double dbActiveMean = -1; // the largest per-level mean of active app sessions; -1 no samples
};

// Serialisation is about one request in service while latency grows with the queue in front of it. When the
// database runs several app statements at once, the flat throughput is saturation (db-saturation), not one
// request at a time, whatever Little's law says (a parallel Seq Scan at 1 user already used every core).
constexpr double kSerialLatencyGrowth = 2.0; // P50 at the top serialised level ≥ 2 × service time
constexpr double kSerialDbActiveMean = 1.5;  // more active app sessions than this on average: not serialised

std::optional<Serialisation> serialisation(const RuleContext &ctx, double maxParallelism = kSerialParallelism)
{
    if (ctx.capacity.service_time_ms <= 0)
        return std::nullopt;
    // The service time must come from a level that was itself (nearly) alone, else P is inflated.
    if (ctx.capacity.service_time_from_load > 2 && !ctx.levels.empty() && !ctx.levels.front().open_model)
        return std::nullopt;
    Serialisation s;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        const double offered = ctx.offeredConcurrency(l);
        if (offered < kSerialMinConcurrency || l.effective_parallelism < 0)
            continue;
        if (l.effective_parallelism > maxParallelism)
            return std::nullopt; // some loaded level ran requests in parallel
        s.levels.push_back(i);
        s.parallelismMax = std::max(s.parallelismMax, l.effective_parallelism);
        s.okRpsMax = std::max(s.okRpsMax, l.ok_rps);
        s.top = i;
        s.dbBackendsMax = std::max(s.dbBackendsMax, l.db_backends_max);
        s.dbActiveMax = std::max(s.dbActiveMax, l.db_active_max);
        s.dbActiveMean = std::max(s.dbActiveMean, l.db_active_mean);
    }
    if (s.levels.size() < 2)
        return std::nullopt;
    const LevelSummary &top = ctx.levels[size_t(s.top)];
    if (top.p50_ms < kSerialLatencyGrowth * ctx.capacity.service_time_ms)
        return std::nullopt; // latency does not grow: a think-time or client limit, not a queue at the server
    if (ctx.postgres && s.dbActiveMean > kSerialDbActiveMean)
        return std::nullopt;
    return s;
}

// The pool's reported maximum over the serialised levels; -1 without pool metrics.
int singlePoolMax(const RuleContext &ctx, const Serialisation &s)
{
    int poolMax = -1;
    for (int i : s.levels)
        poolMax = std::max(poolMax, ctx.levels[size_t(i)].pool_max);
    return poolMax;
}

bool hasSignature(const RuleContext &ctx, const QString &supports)
{
    return std::any_of(ctx.signatures.begin(), ctx.signatures.end(),
                       [&](const SignatureHit &h) { return h.supports == supports; });
}

void addSerialEvidence(const RuleContext &ctx, const Serialisation &s, Finding &f)
{
    const LevelSummary &first = ctx.levels[size_t(s.levels.front())];
    const LevelSummary &top = ctx.levels[size_t(s.top)];
    f.evidence.push_back(evidence(QStringLiteral("service_time_ms"), ctx.capacity.service_time_ms, QStringLiteral("ms"),
                                  QStringLiteral("mean latency at %1")
                                      .arg(ctx.capacity.service_time_from_load == 1
                                               ? QStringLiteral("1 user")
                                               : fmt(ctx.capacity.service_time_from_load) + QStringLiteral(" users"))));
    f.evidence.push_back(evidence(
        QStringLiteral("effective_parallelism"), s.parallelismMax, QString(),
        QStringLiteral("max of throughput × service time from %1 to %2").arg(first.loadLabel(), top.loadLabel())));
    f.evidence.push_back(evidence(QStringLiteral("rps"), first.ok_rps, QStringLiteral("req/s"),
                                  QStringLiteral("successful throughput at %1").arg(first.loadLabel())));
    f.evidence.push_back(evidence(QStringLiteral("rps"), top.ok_rps, QStringLiteral("req/s"),
                                  QStringLiteral("successful throughput at %1").arg(top.loadLabel())));
    f.evidence.push_back(
        evidence(QStringLiteral("p50_ms"), top.p50_ms, QStringLiteral("ms"),
                 QStringLiteral("median latency at %1: %2× the service time (latency grows with users)")
                     .arg(top.loadLabel(), fmt(top.p50_ms / ctx.capacity.service_time_ms, 1))));
}

Severity serialSeverity(const RuleContext &ctx, const Serialisation &s)
{
    const LevelSummary &top = ctx.levels[size_t(s.top)];
    return ctx.gates.levelPasses(top) ? Severity::High : Severity::Critical;
}

} // namespace

std::optional<Finding> ruleSingleConnection(const RuleContext &ctx)
{
    auto s = serialisation(ctx);
    // One app session on the database while users grow is the direct evidence; Little's law only confirms it.
    // The part of a request outside the shared connection (parsing, rendering, the network) overlaps, so P can
    // reach 2 with a single connection (measured 1.9 on Flask + one shared psycopg2 connection).
    constexpr double kOneSessionParallelism = 2.5;
    if (!s && ctx.postgres) {
        s = serialisation(ctx, kOneSessionParallelism);
        if (s && s->dbBackendsMax != 1)
            s.reset();
    }
    if (!s)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("single-connection");
    f.layer = QStringLiteral("configuration");
    f.title = QStringLiteral("Every request is serialised on one DB connection");
    const int poolMax = singlePoolMax(ctx, *s);
    if (poolMax == 1) {
        f.confidence = 0.85;
        f.evidence.push_back(evidence(QStringLiteral("pool_max"), 1, QStringLiteral("connections"),
                                      QStringLiteral("the app's pool metrics report a maximum of one connection")));
        if (ctx.postgres && s->dbBackendsMax == 1)
            f.confidence = 0.95;
    } else if (ctx.postgres && s->dbBackendsMax == 1) {
        // Exactly one: no app session at all means these requests never reached the database (a cached or static
        // endpoint), which then cannot be what serialises them (measured: Go serving a configuration from memory).
        f.confidence = 0.9;
        f.evidence.push_back(evidence(QStringLiteral("db_backends_max"), s->dbBackendsMax, QString(),
                                      QStringLiteral("app sessions on the database while users grew")));
        f.evidence.push_back(evidence(QStringLiteral("db_active_max"), std::max(0, s->dbActiveMax), QString(),
                                      QStringLiteral("active DB sessions at most")));
        addSessionScopeEvidence(ctx, f);
    } else if (ctx.sqlite && !hasSignature(ctx, QStringLiteral("lock-contention")) &&
               !ctx.hostCpuSaturated(ctx.levels[size_t(s->top)])) {
        // An embedded database cannot show its sessions; serialisation with no busy errors points at one
        // shared connection (or one writer), but a single-threaded server would look the same.
        f.confidence = 0.65;
        f.evidence.push_back(evidence(QStringLiteral("database_kind"), 0, QString(),
                                      QStringLiteral("indirect: embedded SQLite database, sessions cannot be counted; "
                                                     "confirm by checking the app's connection setup")));
    } else {
        return std::nullopt;
    }
    addSerialEvidence(ctx, *s, f);
    f.refs.level = s->top;
    f.severity = serialSeverity(ctx, *s);
    // An embedded database shows no sessions: the one-connection reading is indirect (a CPU-bound app on a shared
    // host looks the same: puma + SQLite measured P 1.2 with a connection per thread), so it stays low.
    if (f.confidence < 0.7)
        f.severity = Severity::Low;
    const LevelSummary &top = ctx.levels[size_t(s->top)];
    f.summary = QStringLiteral("Throughput stays at about %1 req/s from %2 to %3 while latency grows with users: the "
                               "backend serves about %4 request at a time%5.")
                    .arg(fmt(s->okRpsMax, 1), ctx.levels[size_t(s->levels.front())].loadLabel(), top.loadLabel(),
                         fmt(s->parallelismMax, 1),
                         ctx.postgres ? QStringLiteral(", and the database sees at most one app session") : QString());
    f.recommendation =
        QStringLiteral(
            "Replace the single shared connection (e.g. an ORM static/singleton pool) with a connection pool sized for "
            "the "
            "expected concurrency (about %1 connections for %2, below the database's max_connections), and set a pool "
            "timeout shorter than the client timeout (%3 ms) so overload fails fast instead of queueing.")
            .arg(fmt(std::max(5.0, std::ceil(top.load() / 2))), top.loadLabel(), fmt(ctx.clientTimeout_ms()));
    return f;
}

std::optional<Finding> ruleSerializedServer(const RuleContext &ctx)
{
    // Without one DB session (or a pool of one) as direct evidence, Little's law alone must be tight: a CPU-bound
    // backend on a host shared with the load generator reaches P 1.3-1.9 on two cores (measured: Go net/http
    // shedding load, P 1.4), while a server with one request in service stays at 1.0-1.1.
    constexpr double kSerialServerParallelism = 1.25;
    const auto s = serialisation(ctx, kSerialServerParallelism);
    if (!s)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("serialized-server");
    f.layer = QStringLiteral("architecture");
    f.title = QStringLiteral("The server handles one request at a time");
    if (singlePoolMax(ctx, *s) == 1)
        return std::nullopt; // single-connection, from the pool metrics
    // A saturated host shared with the backend gives the same flat throughput (measured: Django, 3 sync workers,
    // ~58 ms of CPU per page on 2 cores, P 1.2, host CPU 100% busy); the diagnosis says so in a note instead.
    const LevelSummary &top = ctx.levels[size_t(s->top)];
    if (ctx.hostCpuSaturated(top))
        return std::nullopt;
    if (ctx.postgres && s->dbBackendsMax > 1) {
        f.confidence = 0.8;
        f.evidence.push_back(evidence(QStringLiteral("db_backends_max"), s->dbBackendsMax, QString(),
                                      QStringLiteral("the app holds several DB sessions: the database is not what "
                                                     "serialises requests")));
        f.evidence.push_back(evidence(QStringLiteral("db_active_mean"), std::max(0.0, s->dbActiveMean), QString(),
                                      QStringLiteral("active app sessions on average: the database runs about one "
                                                     "statement at a time, as the server sends them")));
        addSessionScopeEvidence(ctx, f);
    } else if (ctx.postgres && s->dbBackendsMax == 0) {
        f.confidence = 0.6;
        f.evidence.push_back(evidence(QStringLiteral("db_backends_max"), 0, QString(),
                                      QStringLiteral("no app session on the database while users grew: these "
                                                     "requests do not use it, so it is not what serialises them")));
        addSessionScopeEvidence(ctx, f);
    } else if (!ctx.dbSamples && !ctx.sqlite) {
        f.confidence = 0.5;
        f.evidence.push_back(
            evidence(QStringLiteral("database_kind"), 0, QString(),
                     QStringLiteral("no database configured: configure it (--db) to tell one shared DB "
                                    "connection (single-connection) from a single-threaded server")));
    } else {
        return std::nullopt; // single-connection (or lock-contention) explains it
    }
    addSerialEvidence(ctx, *s, f);
    f.refs.level = s->top;
    if (ctx.targetOnThisHost && top.host_cpu_busy >= 0)
        f.evidence.push_back(evidence(QStringLiteral("host_cpu_busy"), top.host_cpu_busy, QStringLiteral("ratio"),
                                      QStringLiteral("this host's %1 CPUs (shared with the backend) were %2 busy at "
                                                     "%3: CPU was not the limit")
                                          .arg(top.host_cpus)
                                          .arg(pct(top.host_cpu_busy, 0), top.loadLabel())));
    f.severity = serialSeverity(ctx, *s);
    f.summary = QStringLiteral("Throughput stays at about %1 req/s from %2 to %3 while latency grows with users: "
                               "about %4 request is in service at a time.")
                    .arg(fmt(s->okRpsMax, 1), ctx.levels[size_t(s->levels.front())].loadLabel(), top.loadLabel(),
                         fmt(s->parallelismMax, 1));
    f.recommendation = QStringLiteral(
        "Run the app server with several workers or threads (e.g. gunicorn --workers 2×cores+1, uvicorn --workers, "
        "or an async server) and remove any global lock around request handlers; then re-run the sweep to confirm "
        "that throughput grows with users.");
    return f;
}

std::optional<Finding> rulePoolExhaustion(const RuleContext &ctx)
{
    constexpr double kLatencyClimb = 1.5; // P50 at the top vs at the start of the ceiling
    Finding f;
    f.id = QStringLiteral("pool-exhaustion");
    f.layer = QStringLiteral("configuration");
    int k = -1;
    double confidence = 0;
    const std::vector<int> order = ctx.loadLevels();

    // 1. Pool metrics: in_use reached max with waiters (or more requests in flight than the pool holds).
    for (int i : order) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        if (l.pool_max > 0 && l.pool_in_use_max >= l.pool_max &&
            (l.pool_waiting_max > 0 || l.in_flight_max > l.pool_max)) {
            k = l.pool_max;
            confidence = 0.9;
            f.evidence.push_back(
                evidence(QStringLiteral("pool_in_use_max"), l.pool_in_use_max, QString(),
                         QStringLiteral("pool in use = max (%1) at %2").arg(l.pool_max).arg(l.loadLabel())));
            if (l.pool_waiting_max > 0)
                f.evidence.push_back(
                    evidence(QStringLiteral("pool_waiting_max"), l.pool_waiting_max, QString(),
                             QStringLiteral("requests waiting for a connection at %1").arg(l.loadLabel())));
            break;
        }
    }
    // 2. Error bodies: pool timeouts ("QueuePool limit of size 5 overflow 10 reached").
    uint64_t poolTimeouts = 0;
    QString excerpt;
    for (const SignatureHit &h : ctx.signatures) {
        if (h.supports != QLatin1String("pool-exhaustion"))
            continue;
        poolTimeouts += h.count;
        excerpt = h.excerpt;
        if (k < 0 && h.pool_size > 0)
            k = h.pool_size;
    }
    if (poolTimeouts > 0) {
        confidence = std::max(confidence, 0.85);
        f.evidence.push_back(evidence(QStringLiteral("pool_timeouts"), double(poolTimeouts),
                                      QStringLiteral("responses"),
                                      QStringLiteral("error bodies: \"%1\"").arg(excerpt)));
    }
    // 3. DB sessions: app backends plateau at k while more requests are in flight and latency climbs.
    if (ctx.postgres) {
        int ceiling = -1;
        for (int i : order)
            ceiling = std::max(ceiling, ctx.levels[size_t(i)].db_backends_max);
        int firstAt = -1, atCeiling = 0, busyLevels = 0;
        double newBackends = 0, requests = 0, busyShareSum = 0;
        for (int i : order) {
            const LevelSummary &l = ctx.levels[size_t(i)];
            const int inFlight = std::max<int>(l.in_flight_max, int(ctx.offeredConcurrency(l)));
            if (l.db_backends_max >= ceiling - 1 && ceiling >= 2 && inFlight > ceiling + 1) {
                ++atCeiling;
                if (firstAt < 0)
                    firstAt = i;
                if (l.db_new_backends >= 0) {
                    newBackends += l.db_new_backends;
                    requests += l.rps * (l.db_new_backends_span_s > 0 ? l.db_new_backends_span_s : l.steady_s);
                }
                if (l.db_busy_share_mean >= 0) {
                    busyShareSum += l.db_busy_share_mean;
                    ++busyLevels;
                }
            }
        }
        // Requests queue for a pool only while its connections are busy. Persistent connections that sit idle
        // while the requests wait (one per sync worker) point at the workers, not the pool (worker-saturation).
        constexpr double kPoolBusyShare = 0.5;
        const double busyShare = busyLevels ? busyShareSum / busyLevels : -1;
        if (busyShare >= 0 && busyShare < kPoolBusyShare)
            firstAt = -1;
        // A pool's sessions live on; sessions opened per request (connection-churn) also level off at a few
        // backends when connecting is what costs (measured: 3 on conn-per-request), which is no pool ceiling.
        constexpr double kPooledChurnMax = 0.3; // connection-churn's threshold
        if (requests >= 20 && newBackends / requests >= kPooledChurnMax)
            firstAt = -1;
        const bool plateauMatches = ctx.capacity.plateau_reached && ceiling >= 2 &&
                                    ctx.capacity.plateau_value >= 0.5 * ceiling &&
                                    ctx.capacity.plateau_value <= 1.5 * ceiling;
        if (firstAt >= 0 && !order.empty()) {
            const LevelSummary &start = ctx.levels[size_t(firstAt)];
            const LevelSummary &top = ctx.levels[size_t(order.back())];
            const bool climbing = top.p50_ms >= kLatencyClimb * std::max(ctx.capacity.service_time_ms, 1e-3) &&
                                  top.p50_ms > start.p50_ms * 1.1;
            if (climbing && (plateauMatches || confidence > 0)) {
                if (k < 0)
                    k = ceiling;
                confidence = std::max(confidence, plateauMatches ? 0.85 : 0.7);
                f.evidence.push_back(evidence(QStringLiteral("db_backends_max"), ceiling, QString(),
                                              QStringLiteral("app DB sessions plateau from %1 on (%2 levels), "
                                                             "while up to %3 requests were in flight")
                                                  .arg(start.loadLabel())
                                                  .arg(atCeiling)
                                                  .arg(top.in_flight_max)));
                f.evidence.push_back(evidence(QStringLiteral("p50_ms"), top.p50_ms, QStringLiteral("ms"),
                                              QStringLiteral("median latency at %1 (%2 ms at %3)")
                                                  .arg(top.loadLabel(), fmt(start.p50_ms, 1), start.loadLabel())));
                if (busyShare >= 0)
                    f.evidence.push_back(evidence(QStringLiteral("db_busy_share"), busyShare, QStringLiteral("ratio"),
                                                  QStringLiteral("share of the app's sessions active or in a "
                                                                 "transaction at the ceiling: the pool is in use")));
                addSessionScopeEvidence(ctx, f);
            }
        }
        if (plateauMatches && confidence > 0)
            f.evidence.push_back(evidence(QStringLiteral("effective_parallelism"), ctx.capacity.plateau_value,
                                          QString(),
                                          QStringLiteral("throughput × service time stops growing from %1")
                                              .arg(usersLabel(ctx.capacity.plateau_load))));
    }
    if (k < 2 && !(k < 0 && confidence > 0))
        return std::nullopt; // k = 1 is single-connection; nothing at all: no finding
    f.confidence = confidence;
    const LevelSummary *top = order.empty() ? nullptr : &ctx.levels[size_t(order.back())];
    f.severity = top && !ctx.gates.levelPasses(*top) && (top->error_rate >= 0.05 || top->timeout_rate >= 0.01)
                     ? Severity::Critical
                     : Severity::High;
    if (k > 0) {
        f.title = QStringLiteral("Pool ceiling of %1 connections reached").arg(k);
        f.evidence.insert(f.evidence.begin(), evidence(QStringLiteral("pool_size"), k, QStringLiteral("connections"),
                                                       QStringLiteral("the ceiling requests queue behind")));
    } else {
        f.title = QStringLiteral("Requests time out waiting for a pool connection");
    }
    f.summary = QStringLiteral("Requests queue for a bounded pool%1: once more than %2 requests are in flight, the "
                               "extra ones wait for a connection and latency climbs with users.")
                    .arg(k > 0 ? QStringLiteral(" of %1 connections").arg(k) : QString(),
                         k > 0 ? QString::number(k) : QStringLiteral("its size in"));
    int maxConn = ctx.run.database.max_connections;
    for (const DbSample &s : ctx.run.db_samples)
        if (s.max_connections > 0)
            maxConn = s.max_connections;
    f.recommendation =
        QStringLiteral(
            "Size the pool for the expected concurrency (at least %1 for %2%3), or cap concurrency in front of the "
            "app; "
            "set a pool timeout shorter than the client timeout (%4 ms); and shorten the time each request holds a "
            "connection (no slow work inside a transaction).")
            .arg(top ? fmt(std::max<double>(k, top->load())) : QStringLiteral("the users"),
                 top ? top->loadLabel() : QStringLiteral("the expected load"),
                 maxConn > 0 ? QStringLiteral(", staying below max_connections = %1 across all app "
                                              "processes")
                                   .arg(maxConn)
                             : QString(),
                 fmt(ctx.clientTimeout_ms()));
    return f;
}

std::optional<Finding> ruleCapacityKnee(const RuleContext &ctx)
{
    constexpr double kMinR2 = 0.8;
    const CapacityModel &c = ctx.capacity;
    constexpr double kMaxBeyondSweep = 2; // a knee more than 2× past the largest level is not "seen"
    double maxUsers = 0;
    for (const LevelSummary &l : ctx.levels)
        if (!l.open_model)
            maxUsers = std::max(maxUsers, l.users);
    const bool usl =
        c.usl.valid && c.usl.r2 >= kMinR2 && c.usl.peak_users > 0 && c.usl.peak_users <= kMaxBeyondSweep * maxUsers;
    if (!usl && !c.plateau_reached)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("capacity-knee");
    f.severity = Severity::Info;
    f.layer = QStringLiteral("capacity");
    f.confidence = usl ? std::min(0.9, c.usl.r2) : 0.6;
    if (usl) {
        f.title = QStringLiteral("Throughput peaks near %1 users (%2 req/s)")
                      .arg(fmt(c.usl.peak_users), fmt(c.usl.peak_rps, 1));
        f.evidence.push_back(evidence(QStringLiteral("usl_peak_users"), c.usl.peak_users, QStringLiteral("users")));
        f.evidence.push_back(evidence(QStringLiteral("usl_peak_rps"), c.usl.peak_rps, QStringLiteral("req/s")));
        f.evidence.push_back(
            evidence(QStringLiteral("usl_sigma"), c.usl.sigma, QString(), QStringLiteral("contention")));
        f.evidence.push_back(
            evidence(QStringLiteral("usl_kappa"), c.usl.kappa, QString(), QStringLiteral("coherency")));
        f.evidence.push_back(evidence(QStringLiteral("usl_r2"), c.usl.r2, QString(),
                                      QStringLiteral("fit over %1 levels").arg(c.usl.points)));
    } else {
        f.title = QStringLiteral("Throughput stops growing at %1").arg(usersLabel(c.plateau_load));
    }
    if (c.plateau_reached) {
        f.evidence.push_back(evidence(QStringLiteral("effective_parallelism"), c.plateau_value, QString(),
                                      QStringLiteral("plateau from %1: about %2 request(s) served at once "
                                                     "(a pool or worker limit of that size, or CPU saturation)")
                                          .arg(usersLabel(c.plateau_load), fmt(c.plateau_value))));
    }
    f.summary = QStringLiteral("Adding users beyond this point adds queueing, not throughput.");
    f.recommendation = QStringLiteral(
        "Plan capacity below the knee (keep the expected load under about 70% of the peak), and look at the other "
        "findings for what limits it; scale out horizontally if the peak is below the expected load.");
    return f;
}

} // namespace Preflight
