#pragma once

#include "storeerror.h"

#include <QtGlobal>

#include <cstdint>

namespace Preflight {

class SqliteDatabase;
struct EndpointStats;

// The few numbers the history list shows for a run, kept in the runs row (schema 2) so listing does not
// merge every histogram. Internal to the run store.
struct RunSummary
{
    uint64_t requests = 0;
    uint64_t errors = 0;   // HTTP >= 400 plus transport errors
    double p95_ms = 0;     // over all endpoints and intervals (corrected latency)
    double duration_s = 0; // end of the last stored interval on the run clock

    static RunSummary fromStats(const EndpointStats &total, double duration_s);
    // Recomputed from the stored intervals of a run (merges its histograms).
    static RunSummary compute(SqliteDatabase &db, qint64 runId, StoreError *error);
    // Writes requests, errors and p95_ms into the runs row (not duration_s).
    StoreError write(SqliteDatabase &db, qint64 runId) const;
};

} // namespace Preflight
