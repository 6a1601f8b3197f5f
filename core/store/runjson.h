#pragma once

#include "data/rundata.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Preflight {

// JSON forms of the run's values: the pieces the run store keeps as JSON text (status/error counts, plan
// trees, evidence, string lists) and the whole-run export, schema `preflight.run/1`. Pure functions,
// thread-safe. Readers are lenient: a missing key gives the struct's default.
class RunJson
{
public:
    static constexpr const char *kRunSchema = "preflight.run/1";

    static QJsonObject statusCounts(const std::map<int, uint64_t> &counts);       // {"200": n}
    static std::map<int, uint64_t> statusCountsFrom(const QJsonObject &o);
    static QJsonObject errorCounts(const ErrorCounts &counts);                    // {"timeout": n}, zeros left out
    static ErrorCounts errorCountsFrom(const QJsonObject &o);
    static QJsonObject intMap(const std::map<QString, int> &m);
    static std::map<QString, int> intMapFrom(const QJsonObject &o);

    static QJsonObject planNode(const PlanNode &node);
    static PlanNode planNodeFrom(const QJsonObject &o);
    static QJsonArray evidence(const std::vector<Evidence> &evidence);
    static std::vector<Evidence> evidenceFrom(const QJsonArray &a);

    // Latency percentiles of a histogram in ms: {"p50","p90","p95","p99","p999","max","mean","count"}.
    static QJsonObject latency(const LatencyHistogram &h);

    // The whole run (raw intervals with base64 histograms, samples, findings, ...). The plan is written as
    // stored (secrets redacted). Schema kRunSchema.
    static QJsonObject run(const RunData &run);
};

} // namespace Preflight
