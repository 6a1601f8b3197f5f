// slow-endpoint, load-shedding, timeouts, error-rate, health-endpoint-missing: what the client saw.
#include "rules.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace Preflight {

namespace {

constexpr double kSlowAloneConcurrency = 2; // a level counts as "alone" up to 2 users (or rate·S ≤ 2)
constexpr int kSlowMinRequests = 5;
constexpr double kShedShare = 0.01;           // 503/429 share of all requests
constexpr double kDefaultTimeoutRate = 0.005; // used when the gates have no timeout_rate
constexpr double kDefaultErrorRate = 0.001;   // used when the gates have no error_rate

// All endpoints of one level added up (counts over the whole stage, latency over its steady span).
EndpointStats levelTotal(const LevelSummary &level)
{
    EndpointStats total;
    for (const EndpointStats &e : level.endpoints)
        total.merge(e);
    return total;
}

Severity bySeverityShare(double share)
{
    if (share >= 0.2)
        return Severity::Critical;
    if (share >= 0.05)
        return Severity::High;
    if (share >= 0.01)
        return Severity::Medium;
    return Severity::Low;
}

// The timeouts are Preflight's own: arrivals that found every connection busy (open model, limits.max_users) and
// were never sent, while the requests that were sent timed out less often than the gate allows. The backend is not
// blamed; the fix is the generator's connection limit or the rate. Parameter "generator_cap" (1) marks this case for
// the verdict, "sent_p95_ms" is the latency of the requests that were sent (as the backend answered them).
Finding generatorCapTimeouts(const RuleContext &ctx, const LevelSummary &level, uint64_t neverSent,
                             uint64_t sentTimeouts, double share)
{
    const int connections = ctx.run.plan.limits.max_users;
    const EndpointStats stats = levelTotal(level);
    const double sentMean_ms = stats.latency_uncorrected.mean_us() / 1000.0;
    const double sentP95_ms = stats.latency_uncorrected.percentile_ms(95);
    // Little's law: connections / mean latency of a sent request is what the connections can carry.
    const double carried_rps = sentMean_ms > 0 ? connections * 1000.0 / sentMean_ms : -1;
    const double needed = sentMean_ms > 0 ? level.rate * sentMean_ms / 1000.0 : -1;
    Finding f;
    f.id = QStringLiteral("timeouts");
    f.layer = QStringLiteral("configuration");
    f.severity = Severity::Medium; // a limit of the measurement, not of the backend
    f.confidence = 0.9;
    f.title = QStringLiteral("%1 arrivals never sent at %2: Preflight's connection limit (%3) was reached, not a "
                             "backend timeout")
                  .arg(neverSent)
                  .arg(level.loadLabel())
                  .arg(connections);
    f.evidence.push_back(evidence(QStringLiteral("generator_cap"), 1, QString(),
                                  QStringLiteral("every one of Preflight's connections was busy")));
    f.evidence.push_back(evidence(QStringLiteral("never_sent"), double(neverSent), QStringLiteral("requests"),
                                  QStringLiteral("arrivals that waited longer than the %1 ms timeout for a free "
                                                 "connection (counted as timeouts)")
                                      .arg(fmt(ctx.clientTimeout_ms()))));
    f.evidence.push_back(evidence(QStringLiteral("max_connections_client"), connections, QStringLiteral("connections"),
                                  QStringLiteral("limits.max_users: Preflight's open-model connection cap")));
    f.evidence.push_back(evidence(QStringLiteral("rate"), level.rate, QStringLiteral("req/s"),
                                  QStringLiteral("arrival rate asked for")));
    if (sentMean_ms > 0) {
        f.evidence.push_back(evidence(QStringLiteral("sent_mean_ms"), sentMean_ms, QStringLiteral("ms"),
                                      QStringLiteral("mean latency of the requests that were sent")));
        f.evidence.push_back(evidence(QStringLiteral("sent_p95_ms"), sentP95_ms, QStringLiteral("ms"),
                                      QStringLiteral("P95 of the requests that were sent, from their send")));
        f.evidence.push_back(
            evidence(QStringLiteral("carried_rps"), carried_rps, QStringLiteral("req/s"),
                     QStringLiteral("what %1 connections carry at that mean latency (Little's law)").arg(connections)));
    }
    f.evidence.push_back(evidence(QStringLiteral("backend_timeouts"), double(sentTimeouts), QStringLiteral("requests"),
                                  QStringLiteral("requests sent that timed out at the backend")));
    f.evidence.push_back(evidence(QStringLiteral("timeout_rate"), share, QStringLiteral("ratio"),
                                  QStringLiteral("never-sent arrivals included")));
    f.refs.level = int(&level - ctx.levels.data());
    f.summary =
        QStringLiteral("At %1, all %2 of Preflight's connections were busy and %3 arrivals waited longer than the "
                       "timeout without being sent; they count as timeouts (so the corrected percentiles and the "
                       "error gates include them), but the backend never saw them. Of the requests that were sent, "
                       "%4 timed out%5.")
            .arg(level.loadLabel())
            .arg(connections)
            .arg(neverSent)
            .arg(sentTimeouts)
            .arg(sentMean_ms > 0 ? QStringLiteral("; they took %1 ms on average, so %2 connections carry at most %3 "
                                                  "req/s")
                                       .arg(fmt(sentMean_ms, 1))
                                       .arg(connections)
                                       .arg(fmt(carried_rps))
                                 : QString());
    f.recommendation =
        needed > 0
            ? QStringLiteral("Raise limits.max_users to at least %1 (rate × mean latency = %2 requests in flight, "
                             "with headroom) or lower the rate to %3 req/s or less, then re-run; the backend was not "
                             "measured beyond %4 requests at once.")
                  .arg(fmt(std::max(std::ceil(needed * 2), 2.0 * connections)))
                  .arg(fmt(needed, 1))
                  .arg(fmt(std::floor(carried_rps)))
                  .arg(connections)
            : QStringLiteral("Raise limits.max_users or lower the rate, then re-run; the backend was not measured "
                             "beyond %1 requests at once.")
                  .arg(connections);
    return f;
}

} // namespace

std::vector<Finding> ruleSlowEndpoint(const RuleContext &ctx)
{
    std::vector<Finding> out;
    const std::vector<int> order = ctx.loadLevels();
    if (order.empty())
        return out;
    const LevelSummary &alone = ctx.levels[size_t(order.front())];
    const double offered = ctx.offeredConcurrency(alone);
    if (offered < 0 || offered > kSlowAloneConcurrency)
        return out; // no level where endpoints ran (nearly) alone
    const double gate = ctx.gates.threshold(QStringLiteral("p95_ms"), 120);
    for (size_t e = 0; e < alone.endpoints.size(); ++e) {
        const EndpointStats &s = alone.endpoints[e];
        if (s.latency.count() < uint64_t(kSlowMinRequests))
            continue;
        const double p95 = s.latency.percentile_ms(95);
        if (p95 <= gate)
            continue;
        Finding f;
        f.id = QStringLiteral("slow-endpoint");
        f.layer = QStringLiteral("code");
        f.endpoint = ctx.run.plan.endpoints.size() > e ? ctx.run.plan.endpoints[e].name : QString();
        const QString label = ctx.endpointLabel(int(e));
        f.severity = p95 > 2 * gate ? Severity::High : Severity::Medium;
        f.confidence = 0.85;
        f.title = QStringLiteral("%1 is slow on its own: P95 %2 ms at %3").arg(label, fmt(p95), alone.loadLabel());
        f.summary = QStringLiteral("Already at %1, before any contention, %2 takes %3 ms at P95 (gate %4 ms); every "
                                   "request to it also holds a worker and a connection that others wait for.")
                        .arg(alone.loadLabel(), label, fmt(p95), fmt(gate));
        f.evidence.push_back(evidence(QStringLiteral("p95_ms"), p95, QStringLiteral("ms"),
                                      QStringLiteral("%1 at %2").arg(label, alone.loadLabel())));
        f.evidence.push_back(evidence(QStringLiteral("p50_ms"), s.latency.percentile_ms(50), QStringLiteral("ms"),
                                      QStringLiteral("%1 at %2").arg(label, alone.loadLabel())));
        f.evidence.push_back(evidence(QStringLiteral("gate_p95_ms"), gate, QStringLiteral("ms")));
        for (const SignatureHit &h : ctx.signatures)
            if (h.supports == QLatin1String("slow-endpoint") && h.endpoint == int(e))
                f.evidence.push_back(evidence(QStringLiteral("statement_timeouts"), double(h.count),
                                              QStringLiteral("responses"), QStringLiteral("\"%1\"").arg(h.excerpt)));
        f.recommendation =
            QStringLiteral(
                "Profile %1 alone: check its queries (profiling pass, plans) and external calls; add an index, "
                "pagination "
                "or caching, or move the work to a background job so it stops holding workers and connections.")
                .arg(label);
        out.push_back(f);
    }
    return out;
}

std::optional<Finding> ruleLoadShedding(const RuleContext &ctx)
{
    if (ctx.total.requests == 0)
        return std::nullopt;
    uint64_t shed = 0;
    for (int status : {503, 429})
        if (auto it = ctx.total.status_counts.find(status); it != ctx.total.status_counts.end())
            shed += it->second;
    const double share = double(shed) / double(ctx.total.requests);
    if (share < kShedShare)
        return std::nullopt;
    // 503s explained by the app's own failures (locks, pools) are not shedding.
    uint64_t explained = 0, shedSignatures = 0;
    for (const SignatureHit &h : ctx.signatures) {
        if (h.status != 503 && h.status != 429)
            continue;
        (h.supports == QLatin1String("load-shedding") ? shedSignatures : explained) += h.count;
    }
    if (explained * 2 >= shed)
        return std::nullopt;
    QString retryAfter, server;
    uint64_t withRetryAfter = 0;
    for (const ErrorSample &s : ctx.run.error_samples) {
        if (s.status != 503 && s.status != 429)
            continue;
        if (!s.retry_after.isEmpty()) {
            withRetryAfter += s.count;
            retryAfter = s.retry_after;
        }
        if (!s.server.isEmpty())
            server = s.server;
    }
    // DB activity while shedding: does the database do more work as load (and rejections) grow?
    int dbActiveMax = -1;
    for (int i : ctx.loadLevels())
        dbActiveMax = std::max(dbActiveMax, ctx.levels[size_t(i)].db_active_max);
    const bool quietDb = ctx.postgres && dbActiveMax >= 0 && dbActiveMax <= 1;
    if (withRetryAfter == 0 && !quietDb && shedSignatures == 0)
        return std::nullopt; // plain 503s: error-rate covers them
    Finding f;
    f.id = QStringLiteral("load-shedding");
    f.layer = QStringLiteral("configuration");
    f.severity = share >= 0.2 ? Severity::Critical : Severity::High;
    f.confidence = (withRetryAfter > 0 && quietDb) ? 0.85 : 0.65;
    // The bodies say so themselves ("at capacity", a proxy's 503 page, "no healthy upstream").
    if (shedSignatures > 0)
        f.confidence = std::min(0.95, f.confidence + 0.1);
    f.title = QStringLiteral("A front tier rejects %1 of requests with 503%2")
                  .arg(pct(share, 0), withRetryAfter > 0 ? QStringLiteral(" + Retry-After") : QString());
    f.summary = QStringLiteral("%1 requests were turned away (503/429)%2%3: the rejection happens before the "
                               "application does the work.")
                    .arg(shed)
                    .arg(withRetryAfter > 0 ? QStringLiteral(" with Retry-After: %1").arg(retryAfter) : QString(),
                         quietDb ? QStringLiteral(" while the database stayed quiet") : QString());
    f.evidence.push_back(evidence(QStringLiteral("rejected"), double(shed), QStringLiteral("responses"),
                                  QStringLiteral("HTTP 503/429")));
    f.evidence.push_back(evidence(QStringLiteral("rejected_share"), share, QStringLiteral("ratio")));
    if (withRetryAfter > 0)
        f.evidence.push_back(
            evidence(QStringLiteral("retry_after"), retryAfter.toDouble(), QStringLiteral("s"),
                     QStringLiteral("Retry-After: %1 on %2 sampled responses").arg(retryAfter).arg(withRetryAfter)));
    if (!server.isEmpty())
        f.evidence.push_back(
            evidence(QStringLiteral("server"), 0, QString(), QStringLiteral("Server: %1").arg(server)));
    addSignatureEvidence(ctx, QStringLiteral("load-shedding"), f);
    if (ctx.postgres)
        f.evidence.push_back(evidence(QStringLiteral("db_active_max"), std::max(0, dbActiveMax),
                                      QStringLiteral("sessions"),
                                      QStringLiteral("active DB sessions at most while requests were rejected")));
    f.recommendation =
        QStringLiteral(
            "Find the tier that answers 503%1 (reverse proxy, rate limiter, load balancer, app-server backlog) and "
            "raise "
            "its limits (limit_req, max connections, queue size) to the expected load, or scale the app behind it; "
            "clients should honour Retry-After.")
            .arg(server.isEmpty() ? QString() : QStringLiteral(" (Server: %1)").arg(server));
    return f;
}

std::optional<Finding> ruleTimeouts(const RuleContext &ctx)
{
    if (ctx.total.requests == 0)
        return std::nullopt;
    const double share = double(ctx.total.timeouts()) / double(ctx.total.requests);
    const double gate = ctx.gates.threshold(QStringLiteral("timeout_rate"), kDefaultTimeoutRate);
    if (ctx.total.timeouts() == 0 || share < gate)
        return std::nullopt;
    // Open model: an arrival that found every one of Preflight's connections busy for a timeout is counted as a
    // timeout (HdrHistogram's rule) but the backend never saw it. Only the rest are the backend's.
    uint64_t neverSent = 0;
    const LevelSummary *capped = nullptr; // the level that left the most arrivals unsent
    for (const LevelSummary &l : ctx.levels) {
        neverSent += l.never_sent;
        if (l.never_sent > 0 && (!capped || l.never_sent > capped->never_sent))
            capped = &l;
    }
    neverSent = std::min(neverSent, ctx.total.timeouts());
    const uint64_t sentTimeouts = ctx.total.timeouts() - neverSent;
    if (capped && double(sentTimeouts) / double(ctx.total.requests) < gate)
        return generatorCapTimeouts(ctx, *capped, neverSent, sentTimeouts, share);
    Finding f;
    f.id = QStringLiteral("timeouts");
    f.layer = QStringLiteral("capacity");
    f.severity = share >= 0.1 ? Severity::Critical : share >= 0.01 ? Severity::High : Severity::Medium;
    f.confidence = 0.95; // measured directly
    f.title =
        QStringLiteral("%1 of requests time out (client timeout %2 ms)").arg(pct(share), fmt(ctx.clientTimeout_ms()));
    f.evidence.push_back(
        evidence(QStringLiteral("timeouts"), double(ctx.total.timeouts()), QStringLiteral("requests")));
    f.evidence.push_back(evidence(QStringLiteral("timeout_rate"), share, QStringLiteral("ratio")));
    if (neverSent > 0)
        f.evidence.push_back(evidence(QStringLiteral("never_sent"), double(neverSent), QStringLiteral("requests"),
                                      QStringLiteral("of the timeouts, arrivals Preflight never sent (all %1 "
                                                     "connections busy); %2 timed out at the backend")
                                          .arg(ctx.run.plan.limits.max_users)
                                          .arg(sentTimeouts)));
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        if (l.timeouts > 0) {
            f.evidence.push_back(evidence(QStringLiteral("timeout_rate"), l.timeout_rate, QStringLiteral("ratio"),
                                          QStringLiteral("first level with timeouts: %1").arg(l.loadLabel())));
            break;
        }
    }
    addSignatureEvidence(ctx, QStringLiteral("timeouts"), f); // a proxy's 504 pages: it gave up too
    f.summary = QStringLiteral("Clients gave up waiting on %1 requests. Timeouts are a symptom: the requests queued "
                               "somewhere (see the other findings).")
                    .arg(ctx.total.timeouts());
    f.recommendation =
        QStringLiteral(
            "Fix the queueing named by the other findings; meanwhile make the server fail fast — pool timeout and "
            "statement_timeout shorter than the client's %1 ms — so overload returns an error instead of a hung "
            "request.")
            .arg(fmt(ctx.clientTimeout_ms()));
    return f;
}

std::optional<Finding> ruleErrorRate(const RuleContext &ctx)
{
    if (ctx.total.requests == 0)
        return std::nullopt;
    const uint64_t serverFailures = serverErrors(ctx.total);
    // Failures inside the client (a host that does not resolve, a TLS setup the client refused, a URL libcurl could
    // not use) never reached the app: they are no evidence against the backend.
    auto clientSide = [](const EndpointStats &e) {
        return e.transport_errors[size_t(ErrorClass::Dns)] + e.transport_errors[size_t(ErrorClass::Tls)] +
               e.transport_errors[size_t(ErrorClass::Other)];
    };
    const uint64_t clientFailures = clientSide(ctx.total);
    const uint64_t transport = ctx.total.transportErrorTotal() - ctx.total.timeouts() - clientFailures;
    const uint64_t errors = serverFailures + transport;
    const double share = double(errors) / double(ctx.total.requests);
    const double gate = ctx.gates.threshold(QStringLiteral("error_rate"), kDefaultErrorRate);
    if (errors == 0 || share < gate)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("error-rate");
    f.layer = QStringLiteral("code");
    f.severity = bySeverityShare(share);
    f.confidence = 0.95;
    f.title = QStringLiteral("%1 of requests fail").arg(pct(share));
    f.evidence.push_back(evidence(QStringLiteral("error_rate"), share, QStringLiteral("ratio"),
                                  QStringLiteral("5xx and transport errors (timeouts counted separately)")));
    for (const auto &[status, count] : ctx.total.status_counts)
        if (status >= 500)
            f.evidence.push_back(evidence(QStringLiteral("status_%1").arg(status), double(count),
                                          QStringLiteral("responses"), QStringLiteral("HTTP %1").arg(status)));
    for (int c = 0; c < kErrorClassCount; ++c) {
        const ErrorClass k = ErrorClass(c);
        if (k == ErrorClass::Timeout || k == ErrorClass::Dns || k == ErrorClass::Tls || k == ErrorClass::Other ||
            ctx.total.transport_errors[size_t(c)] == 0)
            continue;
        f.evidence.push_back(evidence(QStringLiteral("transport_%1").arg(errorClassId(ErrorClass(c))),
                                      double(ctx.total.transport_errors[size_t(c)]), QStringLiteral("requests"),
                                      errorClassLabel(ErrorClass(c))));
    }
    if (clientFailures > 0)
        f.evidence.push_back(evidence(QStringLiteral("client_side_failures"), double(clientFailures),
                                      QStringLiteral("requests"),
                                      QStringLiteral("failed inside the client (DNS, TLS, unusable URL): not counted "
                                                     "against the backend")));
    addSignatureEvidence(ctx, QStringLiteral("error-rate"), f); // bad gateways, lost DB connections
    // One endpoint carrying most errors?
    const std::vector<EndpointStats> perEndpoint = ctx.run.endpointTotals();
    for (size_t e = 0; e < perEndpoint.size(); ++e) {
        const uint64_t epErrors = perEndpoint[e].transportErrorTotal() - perEndpoint[e].timeouts() -
                                  clientSide(perEndpoint[e]) + serverErrors(perEndpoint[e]);
        if (epErrors * 10 >= errors * 8 && perEndpoint.size() > 1) {
            f.endpoint = ctx.run.plan.endpoints[e].name;
            f.title = QStringLiteral("%1 fails %2 of its requests")
                          .arg(ctx.endpointLabel(int(e)), pct(perEndpoint[e].errorRate()));
        }
    }
    QString sampleNote;
    for (const ErrorSample &s : ctx.run.error_samples)
        if (s.status >= 500 && !s.body.isEmpty()) {
            sampleNote = QString::fromUtf8(s.body.left(160)).simplified();
            break;
        }
    f.summary =
        QStringLiteral("%1 of %2 requests failed with a server or transport error%3.")
            .arg(errors)
            .arg(ctx.total.requests)
            .arg(sampleNote.isEmpty() ? QString() : QStringLiteral("; a sampled body reads \"%1\"").arg(sampleNote));
    f.recommendation = QStringLiteral(
        "Read the sampled error bodies and the app's logs for the failing class; fix the cause named by the other "
        "findings, and return 503 with Retry-After for deliberate overload rather than 500.");
    return f;
}

std::optional<Finding> ruleHealthEndpointMissing(const RuleContext &ctx)
{
    const HealthResult &h = ctx.run.health;
    if (!h.checked || (h.status >= 200 && h.status < 300))
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("health-endpoint-missing");
    f.layer = QStringLiteral("configuration");
    f.confidence = 0.95;
    const QString path =
        ctx.run.plan.health_path.isEmpty() ? QStringLiteral("the health path") : ctx.run.plan.health_path;
    if (h.status == 0) {
        f.severity = Severity::Medium;
        f.title = QStringLiteral("No answer from %1").arg(path);
        f.evidence.push_back(evidence(QStringLiteral("health_status"), 0, QString(),
                                      QStringLiteral("transport error: %1").arg(h.error)));
    } else {
        f.severity = h.status >= 500 ? Severity::High : Severity::Medium;
        f.title = h.status == 404 ? QStringLiteral("No health endpoint: %1 answers 404").arg(path)
                                  : QStringLiteral("Health check %1 answers %2").arg(path).arg(h.status);
        f.evidence.push_back(
            evidence(QStringLiteral("health_status"), h.status, QString(), QStringLiteral("HTTP status")));
    }
    f.summary = QStringLiteral("Load balancers and orchestrators cannot tell a healthy instance from a broken one, so "
                               "traffic keeps flowing to instances that fail.");
    f.recommendation =
        QStringLiteral("Serve %1 with 200 when the app can serve (a cheap DB round-trip such as SELECT 1 with a short "
                       "timeout), 503 "
                       "otherwise; optionally include pool metrics (in_use, idle, max, waiting) for Preflight to read.")
            .arg(path);
    return f;
}

std::vector<Finding> runAllRules(const RuleContext &ctx)
{
    std::vector<Finding> out;
    auto add = [&](std::optional<Finding> f) {
        if (f)
            out.push_back(std::move(*f));
    };
    auto addAll = [&](std::vector<Finding> fs) {
        for (Finding &f : fs)
            out.push_back(std::move(f));
    };
    add(ruleSingleConnection(ctx));
    add(ruleSerializedServer(ctx));
    add(rulePoolExhaustion(ctx));
    add(ruleConnectionChurn(ctx));
    addAll(ruleNPlusOne(ctx));
    addAll(ruleMissingIndex(ctx));
    add(ruleLockContention(ctx));
    addAll(ruleSlowEndpoint(ctx));
    add(ruleLoadShedding(ctx));
    add(ruleTimeouts(ctx));
    add(ruleErrorRate(ctx));
    add(ruleHealthEndpointMissing(ctx));
    add(ruleMaxConnectionsNear(ctx));
    add(ruleIdleInTransaction(ctx));
    // Without per-stage statement times, many busy sessions behind a pool ceiling are the pool's (k sessions at
    // work is what a full pool looks like); with them, db-saturation has already checked the slowdown.
    if (std::optional<Finding> saturation = ruleDbSaturation(ctx)) {
        const bool slowdownMeasured = saturation->parameter(QStringLiteral("statement_time_growth")).has_value();
        const bool pool = std::any_of(out.begin(), out.end(),
                                      [](const Finding &f) { return f.id == QLatin1String("pool-exhaustion"); });
        if (slowdownMeasured || !pool)
            out.push_back(std::move(*saturation));
    }
    // A ceiling of k in service is the pool's when the pool rule found one; the workers' otherwise.
    const bool poolCeiling = std::any_of(out.begin(), out.end(), [](const Finding &f) {
        return f.id == QLatin1String("pool-exhaustion") || f.id == QLatin1String("lock-contention") ||
               f.id == QLatin1String("db-saturation");
    });
    if (!poolCeiling)
        add(ruleWorkerSaturation(ctx));
    add(ruleGeneratorSaturated(ctx));
    add(ruleCapacityKnee(ctx));
    return out;
}

} // namespace Preflight
