#pragma once

#include "data/rundata.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace Preflight {

// JSON forms of the run's values: the pieces the run store keeps as JSON text (status/error counts, plan
// trees, evidence, DB sample details, finding refs, string lists) and the whole-run export, schema
// `preflight.run/1`. Each JSON form has one owner here; the store and the export both use it. Pure functions,
// thread-safe. Readers are lenient: a missing key gives the struct's default.
class RunJson
{
public:
    static constexpr const char *kRunSchema = "preflight.run/1";

    static QJsonObject statusCounts(const std::map<int, uint64_t> &counts); // {"200": n}
    static std::map<int, uint64_t> statusCountsFrom(const QJsonObject &o);
    static QJsonObject errorCounts(const ErrorCounts &counts); // {"timeout": n}, zeros left out
    static ErrorCounts errorCountsFrom(const QJsonObject &o);
    static ErrorClass errorClassFrom(const QString &id); // unknown -> Other
    // {"protocols": {"HTTP/2": n}, "connections": k}: EndpointStats' protocol_answers and connections_opened
    // (store column interval_endpoints.transport, "transport" of each interval endpoint in the export).
    static QJsonObject transport(const EndpointStats &stats);
    static void transportFrom(const QJsonObject &o, EndpointStats *stats);
    static QJsonObject intMap(const std::map<QString, int> &m);
    static std::map<QString, int> intMapFrom(const QJsonObject &o);

    static QJsonObject planNode(const PlanNode &node);
    static PlanNode planNodeFrom(const QJsonObject &o);
    static QJsonArray evidence(const std::vector<Evidence> &evidence);
    static std::vector<Evidence> evidenceFrom(const QJsonArray &a);

    // The format-4 fields of a DbSample (store column db_samples.detail; merged into each db_samples[] entry
    // of the export): active_running, idle_in_transaction_s, lock_waits, by_user, excluded, other_databases.
    // dbSampleDetailFrom sets only those fields of *sample; a missing key leaves the default (-1 / empty).
    static QJsonObject dbSampleDetail(const DbSample &sample);
    static void dbSampleDetailFrom(const QJsonObject &o, DbSample *sample);
    static QJsonObject lockWait(const LockWait &wait);
    static LockWait lockWaitFrom(const QJsonObject &o);
    // Finding::refs (store column findings.refs; findings[].refs in the export).
    static QJsonObject findingRefs(const FindingRefs &refs);
    static FindingRefs findingRefsFrom(const QJsonObject &o);

    // Latency percentiles of a histogram in ms: {"p50","p90","p95","p99","p999","max","mean","count"}.
    static QJsonObject latency(const LatencyHistogram &h);

    // The whole run (raw intervals with base64 histograms, samples, findings, ...). The plan is written as
    // stored (secrets redacted). Schema kRunSchema.
    static QJsonObject run(const RunData &run);
    // Reads back everything run() writes: run(*runFrom(run(x))) == run(x). Lenient about missing keys (the
    // struct defaults; the percentile summaries are ignored, histograms are the data). Returns nullopt and a
    // message in *error when the schema is not kRunSchema, a histogram cannot be decoded or an interval names an
    // endpoint that is not there. The plan is read as written (PlanParser::read: not validated again); one the
    // parser cannot read keeps only its name and endpoints and adds a warning to the run.
    static std::optional<RunData> runFrom(const QJsonObject &o, QString *error = nullptr);
};

} // namespace Preflight
