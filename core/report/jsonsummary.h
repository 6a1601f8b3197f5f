#pragma once

#include "data/rundata.h"
#include "diagnosis/capacitymodel.h"
#include "diagnosis/levelsummary.h"

#include <QByteArray>
#include <QJsonObject>

namespace Preflight {

// The machine-readable summary of a run, schema `preflight.summary/1` (docs/architecture.md). Every key of the
// schema is present; what a run could not measure is null. Never contains a secret: the target is the
// redacted URL and no conninfo is written.
class JsonSummary
{
public:
    static constexpr const char *kSchema = "preflight.summary/1";

    // capacity may be null (not analysed): "capacity" is then null.
    static QJsonObject build(const RunData &run, const std::vector<LevelSummary> &levels,
                             const CapacityModel *capacity);
    static QByteArray toBytes(const QJsonObject &summary);
    // JSON for a latency histogram: {"p50","p90","p95","p99","p999","max","mean"} in ms.
    static QJsonObject latencyObject(const LatencyHistogram &h);
};

} // namespace Preflight
