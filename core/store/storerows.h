#pragma once

#include "rowmapper.h"

#include "data/dbsample.h"
#include "data/errorsample.h"
#include "data/finding.h"
#include "data/intervalsnapshot.h"
#include "data/querystat.h"
#include "data/rundata.h"
#include "plan/plan.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace Preflight::StoreRows {

// One mapper per stored struct (internal to the run store): the column lists of the run store's tables, the
// current schema (storeschema.cpp holds the history of how the tables came to be). Keys bound and read by
// the caller, in this order:
const RowMapper<EndpointSpec> &endpoints();          // run_endpoints: run_id, idx (position in the plan)
const RowMapper<StageInfo> &stages();                // stages: run_id
const RowMapper<IntervalSnapshot> &intervals();      // intervals: run_id (upsert on run_id, idx)
const RowMapper<EndpointStats> &intervalEndpoints(); // interval_endpoints: run_id, interval_idx, endpoint_idx
const RowMapper<DbSample> &dbSamples();              // db_samples: run_id
const RowMapper<PoolSample> &poolSamples();          // pool_samples: run_id
const RowMapper<DbCapabilities> &capabilities();     // capabilities: run_id (one row per run)
const RowMapper<QueryStat> &queryStats();            // query_stats: run_id
const RowMapper<QueryPlan> &queryPlans();            // query_plans: run_id
const RowMapper<ErrorSample> &errorSamples();        // error_samples: run_id
const RowMapper<Finding> &findings();                // findings: run_id
const RowMapper<GateCheck> &gateChecks();            // gate_checks: run_id

// JSON-in-a-column helpers shared with the runs table.
QString json(const QJsonObject &o);
QString json(const QJsonArray &a);
QJsonObject objectFrom(const QString &text);
QJsonArray arrayFrom(const QString &text);
QStringList stringsFrom(const QString &text);
QString scrubbedList(const QStringList &list, const QString &planJson); // a JSON array of scrubbed strings

// Time stamps as stored: ISO 8601 UTC with milliseconds.
QString nowUtc();
QString timeText(const QDateTime &t); // invalid: now
QDateTime timeFrom(const QString &text);

// The error of a run id the store does not hold, naming how to find the right one.
StoreError notFound(qint64 id);

} // namespace Preflight::StoreRows
