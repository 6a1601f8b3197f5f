#include "runcomparison.h"

#include <cmath>
#include <map>

namespace Preflight {

namespace {
MetricDelta makeDelta(const QString &metric, double before, double after)
{
    MetricDelta d;
    d.metric = metric;
    d.before = before;
    d.after = after;
    d.delta = after - before;
    d.relative = before != 0 ? d.delta / before : 0.0;
    return d;
}

QString percentText(double relative)
{
    return QStringLiteral("%1%2%").arg(relative >= 0 ? QStringLiteral("+") : QString()).arg(relative * 100, 0, 'f', 1);
}

double spanDuration(const RunData &run, int stage)
{
    double seconds = 0;
    for (const IntervalSnapshot &iv : run.intervals)
        if (stage == -2 || iv.stage_index == stage)
            seconds += iv.duration_s();
    return seconds;
}

QString levelKey(const StageInfo &s)
{
    if (s.from == s.to)
        return QStringLiteral("%1:%2").arg(s.open_model ? QStringLiteral("rate") : QStringLiteral("users")).arg(s.to);
    return QStringLiteral("stage:") + s.label;
}

QString levelLabel(const StageInfo &s)
{
    if (!s.label.isEmpty())
        return s.label;
    return s.open_model ? QStringLiteral("%1 req/s").arg(s.to) : QStringLiteral("%1 users").arg(s.to);
}
} // namespace

QString deltaVerdictId(DeltaVerdict v)
{
    switch (v) {
    case DeltaVerdict::Better:
        return QStringLiteral("better");
    case DeltaVerdict::Worse:
        return QStringLiteral("worse");
    case DeltaVerdict::Unchanged:
        return QStringLiteral("unchanged");
    case DeltaVerdict::Inconclusive:
        break;
    }
    return QStringLiteral("inconclusive");
}

const MetricDelta *ComparisonRow::metric(const QString &name) const
{
    for (const MetricDelta &m : metrics)
        if (m.metric == name)
            return &m;
    return nullptr;
}

MetricDelta RunComparison::compareLatency(const QString &metric, double percentile, const LatencyHistogram &before,
                                          const LatencyHistogram &after)
{
    MetricDelta d = makeDelta(metric, before.percentile_ms(percentile), after.percentile_ms(percentile));
    const double tail = 1.0 - percentile / 100.0;
    const double tailBefore = double(before.count()) * tail, tailAfter = double(after.count()) * tail;
    if (tailBefore < kMinTailSamples || tailAfter < kMinTailSamples) {
        d.verdict = DeltaVerdict::Inconclusive;
        d.reason = QStringLiteral("too few requests beyond P%1 (%2 before, %3 after; need %4)")
                       .arg(percentile)
                       .arg(std::floor(tailBefore))
                       .arg(std::floor(tailAfter))
                       .arg(kMinTailSamples);
        return d;
    }
    const double band = std::max(kRelativeNoise * d.before, kLatencyFloor_ms);
    if (std::abs(d.delta) <= band) {
        d.verdict = DeltaVerdict::Unchanged;
        d.reason =
            QStringLiteral("%1 ms change within the ±%2 ms noise band").arg(d.delta, 0, 'f', 2).arg(band, 0, 'f', 2);
    } else {
        d.verdict = d.delta < 0 ? DeltaVerdict::Better : DeltaVerdict::Worse;
        d.reason = QStringLiteral("%1 beyond the ±%2 ms noise band").arg(percentText(d.relative)).arg(band, 0, 'f', 2);
    }
    return d;
}

MetricDelta RunComparison::compareRate(uint64_t requestsBefore, double durationBefore_s, uint64_t requestsAfter,
                                       double durationAfter_s)
{
    const double before = durationBefore_s > 0 ? double(requestsBefore) / durationBefore_s : 0.0;
    const double after = durationAfter_s > 0 ? double(requestsAfter) / durationAfter_s : 0.0;
    MetricDelta d = makeDelta(QStringLiteral("rps"), before, after);
    if (durationBefore_s <= 0 || durationAfter_s <= 0 || requestsBefore < kMinRequestsForRate ||
        requestsAfter < kMinRequestsForRate) {
        d.verdict = DeltaVerdict::Inconclusive;
        d.reason = QStringLiteral("fewer than %1 requests on one side").arg(kMinRequestsForRate);
        return d;
    }
    // Counts in a fixed time are roughly Poisson: σ(rate) = √n / t.
    const double sigma = std::sqrt(double(requestsBefore) / (durationBefore_s * durationBefore_s) +
                                   double(requestsAfter) / (durationAfter_s * durationAfter_s));
    const double band = std::max(kRelativeNoise * before, 3 * sigma);
    if (std::abs(d.delta) <= band) {
        d.verdict = DeltaVerdict::Unchanged;
        d.reason =
            QStringLiteral("%1 within the ±%2 req/s noise band").arg(percentText(d.relative)).arg(band, 0, 'f', 1);
    } else {
        d.verdict = d.delta > 0 ? DeltaVerdict::Better : DeltaVerdict::Worse;
        d.reason =
            QStringLiteral("%1 beyond the ±%2 req/s noise band").arg(percentText(d.relative)).arg(band, 0, 'f', 1);
    }
    return d;
}

MetricDelta RunComparison::compareErrorRate(uint64_t errorsBefore, uint64_t requestsBefore, uint64_t errorsAfter,
                                            uint64_t requestsAfter)
{
    const double pb = requestsBefore ? double(errorsBefore) / double(requestsBefore) : 0.0;
    const double pa = requestsAfter ? double(errorsAfter) / double(requestsAfter) : 0.0;
    MetricDelta d = makeDelta(QStringLiteral("error_rate"), pb, pa);
    if (requestsBefore < kMinRequestsForRate || requestsAfter < kMinRequestsForRate) {
        d.verdict = DeltaVerdict::Inconclusive;
        d.reason = QStringLiteral("fewer than %1 requests on one side").arg(kMinRequestsForRate);
        return d;
    }
    if (errorsBefore == 0 && errorsAfter == 0) {
        d.verdict = DeltaVerdict::Unchanged;
        d.reason = QStringLiteral("no errors on either side");
        return d;
    }
    const double pooled = double(errorsBefore + errorsAfter) / double(requestsBefore + requestsAfter);
    const double se = std::sqrt(pooled * (1 - pooled) * (1.0 / double(requestsBefore) + 1.0 / double(requestsAfter)));
    const double z = se > 0 ? d.delta / se : 0.0;
    if (std::abs(z) < kErrorZ || std::abs(d.delta) < kErrorRateFloor) {
        d.verdict = DeltaVerdict::Unchanged;
        d.reason = QStringLiteral("%1 → %2 errors per 100 requests is within noise (z = %3)")
                       .arg(pb * 100, 0, 'f', 2)
                       .arg(pa * 100, 0, 'f', 2)
                       .arg(z, 0, 'f', 1);
    } else {
        d.verdict = d.delta < 0 ? DeltaVerdict::Better : DeltaVerdict::Worse;
        d.reason = QStringLiteral("%1% → %2% is significant (z = %3)")
                       .arg(pb * 100, 0, 'f', 2)
                       .arg(pa * 100, 0, 'f', 2)
                       .arg(z, 0, 'f', 1);
    }
    return d;
}

ComparisonRow RunComparison::compareStats(const QString &scope, const QString &key, const QString &label,
                                          const EndpointStats &before, double durationBefore_s,
                                          const EndpointStats &after, double durationAfter_s)
{
    ComparisonRow row;
    row.scope = scope;
    row.key = key;
    row.label = label;
    row.requests_before = before.requests;
    row.requests_after = after.requests;
    row.metrics.push_back(compareLatency(QStringLiteral("p50_ms"), 50, before.latency, after.latency));
    row.metrics.push_back(compareLatency(QStringLiteral("p95_ms"), 95, before.latency, after.latency));
    row.metrics.push_back(compareLatency(QStringLiteral("p99_ms"), 99, before.latency, after.latency));
    row.metrics.push_back(compareRate(before.requests, durationBefore_s, after.requests, durationAfter_s));
    row.metrics.push_back(compareErrorRate(before.errors(), before.requests, after.errors(), after.requests));
    return row;
}

RunComparison RunComparison::compare(const RunData &before, const RunData &after)
{
    RunComparison c;
    c.before_id = before.info.id;
    c.after_id = after.info.id;
    const double runBefore_s = spanDuration(before, -2), runAfter_s = spanDuration(after, -2);
    c.total = compareStats(QStringLiteral("total"), QStringLiteral("total"), QStringLiteral("all endpoints"),
                           before.total(), runBefore_s, after.total(), runAfter_s);

    const std::vector<EndpointStats> totalsBefore = before.endpointTotals(), totalsAfter = after.endpointTotals();
    for (size_t i = 0; i < before.plan.endpoints.size() && i < totalsBefore.size(); ++i) {
        const EndpointSpec &eb = before.plan.endpoints[i];
        size_t match = after.plan.endpoints.size();
        for (size_t j = 0; j < after.plan.endpoints.size() && match == after.plan.endpoints.size(); ++j)
            if (!eb.name.isEmpty() && after.plan.endpoints[j].name == eb.name)
                match = j;
        for (size_t j = 0; j < after.plan.endpoints.size() && match == after.plan.endpoints.size(); ++j)
            if (after.plan.endpoints[j].label() == eb.label())
                match = j;
        if (match >= totalsAfter.size())
            continue;
        c.endpoints.push_back(compareStats(QStringLiteral("endpoint"), eb.name.isEmpty() ? eb.label() : eb.name,
                                           eb.name.isEmpty() ? eb.label() : eb.name, totalsBefore[i], runBefore_s,
                                           totalsAfter[match], runAfter_s));
    }

    std::map<QString, const StageInfo *> afterStages;
    for (const StageInfo &s : after.stages)
        afterStages.emplace(levelKey(s), &s);
    for (const StageInfo &s : before.stages) {
        const auto it = afterStages.find(levelKey(s));
        if (it == afterStages.end())
            continue;
        const double db = spanDuration(before, s.index), da = spanDuration(after, it->second->index);
        if (db <= 0 || da <= 0)
            continue;
        c.levels.push_back(compareStats(QStringLiteral("level"), levelKey(s), levelLabel(s), before.stageTotal(s.index),
                                        db, after.stageTotal(it->second->index), da));
    }
    return c;
}

} // namespace Preflight
