// db-saturation, worker-saturation, generator-saturated: who limits throughput when it stops growing — the
// database (many app sessions working), the app server's workers (a ceiling of k requests in service while the
// database idles), or Preflight itself (its load threads out of CPU).
#include "rules.h"

#include "diagnosis/querycount.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace {

constexpr double kFlatGrowth = 1.2;            // throughput at the top ≤ 1.2 × the level below it ...
constexpr double kFlatLoadStep = 1.5;          // ... while the load grew by ≥ 1.5×
constexpr double kSaturationLatencyGrowth = 2; // P50 at the top ≥ 2 × service time
constexpr double kDbWorkingMin = 2;            // ≥ 2 app sessions working on average at the top
constexpr double kDbWorkingShare = 0.5;        // ... and they are ≥ half of the requests in service
constexpr double kWorkerPlateauMin = 1.5;      // k ≥ 2 (k ≈ 1 is serialized-server)
constexpr double kWorkerDbActiveShare = 0.5;   // the database runs fewer than k/2 app statements at once
constexpr double kGeneratorCpuShare = 0.9;     // load threads busy ≥ 90% of the steady span
constexpr double kStatementSlowdown = 1.5;     // statements ≥ 1.5× slower at the top than at the lowest level

// The two highest closed-model (or open-model, if none) load levels, lower first; empty when fewer than two.
std::vector<int> topTwo(const RuleContext &ctx)
{
    std::vector<int> order = ctx.loadLevels();
    if (order.size() < 2)
        return {};
    const bool open = ctx.levels[size_t(order.back())].open_model;
    std::vector<int> same;
    for (int i : order)
        if (ctx.levels[size_t(i)].open_model == open)
            same.push_back(i);
    if (same.size() < 2)
        return {};
    return {same[same.size() - 2], same.back()};
}

// Requests in service at a level: Little's law on the successful throughput, else the offered concurrency.
double inService(const RuleContext &ctx, const LevelSummary &l)
{
    if (l.effective_parallelism > 0)
        return l.effective_parallelism;
    return std::max(0.0, ctx.offeredConcurrency(l));
}

Severity impactSeverity(const RuleContext &ctx, const LevelSummary &top)
{
    // The ceiling is direct evidence; whether it matters is the gates' call: a limit the expected load never
    // reaches is a capacity note (low), not a launch blocker.
    if (ctx.gates.levelPasses(top))
        return Severity::Low;
    return top.error_rate >= 0.05 || top.timeout_rate >= 0.01 ? Severity::High : Severity::Medium;
}

} // namespace

std::optional<Finding> ruleDbSaturation(const RuleContext &ctx)
{
    if (!ctx.postgres || ctx.capacity.service_time_ms <= 0)
        return std::nullopt;
    const std::vector<int> two = topTwo(ctx);
    if (two.empty())
        return std::nullopt;
    const LevelSummary &below = ctx.levels[size_t(two[0])];
    const LevelSummary &top = ctx.levels[size_t(two[1])];
    if (top.db_active_running_mean < 0)
        return std::nullopt; // a run recorded before format 4: no working/waiting split
    const bool flat = top.load() >= kFlatLoadStep * below.load() && top.ok_rps <= kFlatGrowth * below.ok_rps;
    const bool slower = top.p50_ms >= kSaturationLatencyGrowth * ctx.capacity.service_time_ms;
    const double serving = inService(ctx, top);
    const double working = top.db_active_running_mean;
    const double busyRequests = std::max({serving, double(top.in_flight_max), 1.0});
    if (!flat || !slower || working < kDbWorkingMin ||
        working < kDbWorkingShare * std::min(busyRequests, double(std::max(1, top.db_backends_max))))
        return std::nullopt;

    Finding f;
    f.id = QStringLiteral("db-saturation");
    f.layer = QStringLiteral("database");
    f.refs.level = two[1];
    f.title = QStringLiteral("The database is the bottleneck: %1 app sessions working at once at %2")
                  .arg(fmt(working, 1), top.loadLabel());
    f.evidence.push_back(
        evidence(QStringLiteral("db_active_running_mean"), working, QStringLiteral("sessions"),
                 QStringLiteral("app sessions active and not waiting on a lock, the client or a "
                                "sleep, on average at %1 (%2 at %3)")
                     .arg(top.loadLabel(), fmt(std::max(0.0, below.db_active_running_mean), 1), below.loadLabel())));
    f.evidence.push_back(evidence(QStringLiteral("rps"), below.ok_rps, QStringLiteral("req/s"),
                                  QStringLiteral("successful throughput at %1").arg(below.loadLabel())));
    f.evidence.push_back(evidence(QStringLiteral("rps"), top.ok_rps, QStringLiteral("req/s"),
                                  QStringLiteral("successful throughput at %1: flat while the load grew %2×")
                                      .arg(top.loadLabel(), fmt(top.load() / below.load(), 1))));
    f.evidence.push_back(evidence(QStringLiteral("p50_ms"), top.p50_ms, QStringLiteral("ms"),
                                  QStringLiteral("median latency at %1: %2× the service time")
                                      .arg(top.loadLabel(), fmt(top.p50_ms / ctx.capacity.service_time_ms, 1))));
    // A saturated database runs each statement slower as more run at once; behind a pool ceiling the statements
    // keep their speed. The per-stage pg_stat_statements deltas tell them apart.
    auto stageMean = [&](int stage) {
        double ms = 0, calls = 0;
        for (const QueryStat &q : ctx.run.stage_queries)
            if (q.stage == stage && QueryCount::countsAsQuery(q)) {
                ms += q.total_ms;
                calls += q.calls;
            }
        return calls > 0 ? ms / calls : -1.0;
    };
    const LevelSummary &lowest = ctx.levels[size_t(ctx.loadLevels().front())];
    const double lowMean = stageMean(lowest.stage), topMean = stageMean(top.stage);
    if (lowMean > 0 && topMean > 0) {
        if (topMean < kStatementSlowdown * lowMean)
            return std::nullopt;
        f.evidence.push_back(evidence(QStringLiteral("statement_time_growth"), topMean / lowMean, QStringLiteral("×"),
                                      QStringLiteral("mean statement time %1 ms at %2, %3 ms at %4")
                                          .arg(fmt(topMean, 1), top.loadLabel(), fmt(lowMean, 1), lowest.loadLabel())));
    }
    // What takes the database's time in that window: pg_stat_statements deltas of the top stage, else the run.
    std::vector<QueryStat> window;
    for (const QueryStat &q : ctx.run.stage_queries)
        if (q.stage == top.stage && QueryCount::countsAsQuery(q))
            window.push_back(q);
    QString windowName = QStringLiteral("at %1").arg(top.loadLabel());
    if (window.empty()) {
        for (const QueryStat &q : ctx.run.queries)
            if (q.phase == QueryPhase::Run && QueryCount::countsAsQuery(q))
                window.push_back(q);
        windowName = QStringLiteral("over the run");
    }
    double dbTime = 0;
    for (const QueryStat &q : window)
        dbTime += q.total_ms;
    std::stable_sort(window.begin(), window.end(),
                     [](const QueryStat &a, const QueryStat &b) { return a.total_ms > b.total_ms; });
    QStringList named;
    for (size_t i = 0; i < window.size() && i < 3 && dbTime > 0; ++i) {
        const QueryStat &q = window[i];
        const double share = q.total_ms / dbTime;
        if (i > 0 && share < 0.1)
            break;
        f.evidence.push_back(
            evidence(QStringLiteral("statement_time_share"), share, QStringLiteral("ratio"),
                     QStringLiteral("share of database time %1 (%2 calls, mean %3 ms): %4")
                         .arg(windowName, fmt(q.calls), fmt(q.mean_ms, 1), q.text.simplified().left(160))));
        f.refs.statements.push_back({q.fingerprint, QStringLiteral("top"), q.text});
        named << QStringLiteral("`%1` (%2 of the database's time)").arg(q.text.simplified().left(100), pct(share, 0));
    }
    addSessionScopeEvidence(ctx, f);
    f.confidence = named.isEmpty() ? 0.7 : 0.8;
    f.severity = impactSeverity(ctx, top);
    f.summary = QStringLiteral("From %1 to %2 throughput stays at about %3 req/s while latency grows, and the database "
                               "is busy running about %4 app statements at once (not waiting on locks): it has no "
                               "capacity left.%5")
                    .arg(below.loadLabel(), top.loadLabel(), fmt(top.ok_rps, 1), fmt(working, 1),
                         named.isEmpty() ? QString()
                                         : QStringLiteral(" Most of its time goes to ") +
                                               named.join(QStringLiteral(", ")) + QLatin1Char('.'));
    f.recommendation = QStringLiteral(
        "Make the statements that take the database's time cheaper: an index where a plan scans (see missing-index), "
        "fewer calls per request (cache results that change rarely, batch per-row queries), or a smaller result; "
        "only then give the database more CPU or a read replica. Capping the app's pool below the database's cores "
        "keeps latency predictable under overload.");
    return f;
}

std::optional<Finding> ruleWorkerSaturation(const RuleContext &ctx)
{
    const CapacityModel &c = ctx.capacity;
    if (!c.plateau_reached || c.plateau_value < kWorkerPlateauMin || c.service_time_ms <= 0)
        return std::nullopt;
    const std::vector<int> order = ctx.loadLevels();
    if (order.empty())
        return std::nullopt;
    const LevelSummary &top = ctx.levels[size_t(order.back())];
    if (top.open_model)
        return std::nullopt;
    const int k = int(std::lround(c.plateau_value));
    if (ctx.offeredConcurrency(top) < k + 2 || top.p50_ms < 1.5 * c.service_time_ms)
        return std::nullopt; // nothing queued in front of the ceiling
    // Pool evidence points at the database, not the workers.
    if (top.pool_max > 0 && top.pool_in_use_max >= top.pool_max)
        return std::nullopt;
    if (std::any_of(ctx.signatures.begin(), ctx.signatures.end(),
                    [](const SignatureHit &h) { return h.supports == QLatin1String("pool-exhaustion"); }))
        return std::nullopt;
    // The database over the plateau levels: mostly idle, and the app's sessions mostly not in use.
    double activeMean = -1, busyShare = -1;
    int plateauLevels = 0;
    for (int i : order) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        if (l.open_model || l.load() < c.plateau_load)
            continue;
        ++plateauLevels;
        activeMean = std::max(activeMean, l.db_active_mean);
        busyShare = std::max(busyShare, l.db_busy_share_mean);
    }
    const bool dbSeen = ctx.postgres && activeMean >= 0;
    if (dbSeen && (activeMean > kWorkerDbActiveShare * k || busyShare >= 0.5))
        return std::nullopt; // the database is busy: db-saturation, pool-exhaustion or lock-contention

    Finding f;
    f.id = QStringLiteral("worker-saturation");
    f.layer = QStringLiteral("configuration");
    f.refs.level = order.back();
    f.title = QStringLiteral("The app server runs at most %1 requests at once").arg(k);
    f.evidence.push_back(
        evidence(QStringLiteral("worker_limit"), k, QStringLiteral("requests"),
                 QStringLiteral("requests in service at once: the plateau of throughput × service time "
                                "(Little's law) from %1 on, over %2 level(s)")
                     .arg(usersLabel(c.plateau_load))
                     .arg(plateauLevels)));
    f.evidence.push_back(evidence(QStringLiteral("effective_parallelism"), c.plateau_value, QString(),
                                  QStringLiteral("mean over the plateau; service time %1 ms at %2")
                                      .arg(fmt(c.service_time_ms, 1), usersLabel(c.service_time_from_load))));
    f.evidence.push_back(evidence(QStringLiteral("offered_concurrency"), ctx.offeredConcurrency(top),
                                  QStringLiteral("requests"),
                                  QStringLiteral("requests the users kept outstanding at %1").arg(top.loadLabel())));
    f.evidence.push_back(
        evidence(QStringLiteral("p50_ms"), top.p50_ms, QStringLiteral("ms"),
                 QStringLiteral("median latency at %1: %2× the service time (requests queue for a worker)")
                     .arg(top.loadLabel(), fmt(top.p50_ms / c.service_time_ms, 1))));
    if (dbSeen) {
        f.confidence = 0.8;
        f.severity = impactSeverity(ctx, top);
        f.evidence.push_back(evidence(QStringLiteral("db_active_mean"), activeMean, QStringLiteral("sessions"),
                                      QStringLiteral("active app sessions on average over the plateau: the database "
                                                     "is mostly idle")));
        if (busyShare >= 0)
            f.evidence.push_back(evidence(QStringLiteral("db_busy_share"), busyShare, QStringLiteral("ratio"),
                                          QStringLiteral("share of the app's sessions in use: no pool is exhausted")));
        addSessionScopeEvidence(ctx, f);
    } else {
        // Without the database's view the ceiling could be a pool or the database itself: say so, and stay low.
        f.confidence = 0.5;
        f.severity = Severity::Low;
        f.evidence.push_back(evidence(QStringLiteral("database_kind"), 0, QString(),
                                      QStringLiteral("no PostgreSQL sessions to tell a worker limit from a pool or a "
                                                     "busy database: configure --db to confirm")));
    }
    // The host's CPUs, when the backend shares them (loopback target): saturated, they are as likely the ceiling as
    // the workers (Django, 3 sync workers, plateaued at 2 on a host 100% busy), so the finding stays a low note.
    if (ctx.targetOnThisHost && top.host_cpu_busy >= 0) {
        const bool saturated = ctx.hostCpuSaturated(top);
        f.evidence.push_back(evidence(
            QStringLiteral("host_cpu_busy"), top.host_cpu_busy, QStringLiteral("ratio"),
            QStringLiteral("this host's %1 CPUs (shared with the backend) were %2 busy at %3: %4")
                .arg(top.host_cpus)
                .arg(pct(top.host_cpu_busy, 0), top.loadLabel(),
                     saturated ? QStringLiteral("the ceiling may be CPU, not workers; measure from another machine")
                               : QStringLiteral("CPU was not the ceiling"))));
        if (saturated) {
            f.severity = Severity::Low;
            f.confidence = std::min(f.confidence, 0.5);
        }
    }
    f.summary =
        QStringLiteral("Throughput stops growing at about %1 req/s once %2 requests are in service, and latency "
                       "grows with users while the database %3: the app server has %2 workers (processes, "
                       "threads or FPM children), or its host has no CPU left, and the rest wait.")
            .arg(fmt(top.ok_rps, 1))
            .arg(k)
            .arg(dbSeen ? QStringLiteral("stays mostly idle") : QStringLiteral("was not watched"));
    f.recommendation =
        QStringLiteral(
            "Raise the app server's concurrency to match the expected load (gunicorn --workers/--threads or an async "
            "worker class, puma threads, PHP-FPM pm.max_children, more replicas), or move slow non-database work "
            "(calls to other services, rendering) out of the request; re-run the sweep to confirm throughput grows "
            "past "
            "%1 requests at once.")
            .arg(k);
    return f;
}

std::optional<Finding> ruleGeneratorSaturated(const RuleContext &ctx)
{
    double worstCpu = -1, worstLag = -1;
    const LevelSummary *worst = nullptr;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        // A client spinning on refused or reset connections is busy because the backend is gone, not too slow.
        if (l.error_rate >= 0.5)
            continue;
        if (l.client_cpu_share > worstCpu) {
            worstCpu = l.client_cpu_share;
            worst = &l;
        }
        worstLag = std::max(worstLag, l.send_lag_ms_max);
    }
    constexpr double kSendLagMax_ms = 100;
    const bool cpu = worstCpu >= kGeneratorCpuShare;
    const bool lag = worstLag >= kSendLagMax_ms;
    if (!worst || (!cpu && !lag))
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("generator-saturated");
    f.layer = QStringLiteral("capacity");
    f.severity = Severity::Medium;
    f.confidence = 0.85;
    f.title = QStringLiteral("Preflight itself limited the load at %1").arg(worst->loadLabel());
    if (cpu)
        f.evidence.push_back(evidence(
            QStringLiteral("client_cpu_share"), worstCpu, QStringLiteral("ratio"),
            QStringLiteral("CPU Preflight's load threads used at %1 (of their capacity)").arg(worst->loadLabel())));
    if (lag)
        f.evidence.push_back(evidence(QStringLiteral("send_lag_ms"), worstLag, QStringLiteral("ms"),
                                      QStringLiteral("largest delay of a send behind its schedule")));
    f.summary = QStringLiteral("The load generator ran out of CPU (or fell behind its schedule), so the throughput and "
                               "latency measured there describe Preflight's limit as much as the backend's; the "
                               "verdict is inconclusive.");
    f.recommendation = QStringLiteral(
        "Give Preflight more load threads (--workers) or a machine of its own (agents), keep it off the backend's "
        "cores, or lower the load; then re-run.");
    return f;
}

} // namespace Preflight
