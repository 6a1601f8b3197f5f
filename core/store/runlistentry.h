#pragma once

#include "data/rundata.h"

#include <QDateTime>
#include <QString>

namespace Preflight {

// One row of the run history (RunStore::listRuns, `preflight runs`, the GUI history list).
struct RunListEntry
{
    qint64 id = -1;
    QString name;
    QDateTime started_at; // UTC
    double duration_s = 0;
    RunStatus status = RunStatus::Running;
    QString status_reason;
    QString target; // base URL without credentials
    QString scenario;
    QString verdict; // ready | not-ready | inconclusive | ""
    uint64_t requests = 0;
    uint64_t errors = 0;
    double p95_ms = 0; // all endpoints, corrected latency

    double errorRate() const { return requests ? double(errors) / double(requests) : 0.0; }
};

} // namespace Preflight
