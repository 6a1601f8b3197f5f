#include "runsummary.h"

#include "data/endpointstats.h"
#include "sqlitedatabase.h"
#include "sqlitestatement.h"

namespace Preflight {

RunSummary RunSummary::fromStats(const EndpointStats &total, double duration_s)
{
    RunSummary s;
    s.requests = total.requests;
    s.errors = total.errors();
    s.p95_ms = total.latency.percentile_ms(95);
    s.duration_s = duration_s;
    return s;
}

RunSummary RunSummary::compute(SqliteDatabase &db, qint64 runId, StoreError *error)
{
    // Only columns of schema 1 are read here: migration 2 calls this on a file that is still at schema 1.
    SqliteStatement q(db, "SELECT requests, http_errors, transport_errors, latency FROM interval_endpoints "
                          "WHERE run_id = ?");
    q.bind(1, runId);
    EndpointStats total;
    while (q.next()) {
        EndpointStats e;
        e.requests = uint64_t(q.int64(0));
        e.http_errors = uint64_t(q.int64(1));
        e.transport_errors[0] = uint64_t(q.int64(2)); // only the sum matters for the summary
        LatencyHistogram::deserialize(q.blob(3), &e.latency);
        total.merge(e);
    }
    double end_s = 0;
    SqliteStatement last(db, "SELECT COALESCE(MAX(end_s), 0) FROM intervals WHERE run_id = ?");
    last.bind(1, runId);
    if (last.next())
        end_s = last.real(0);
    if (error) {
        if (q.error())
            *error = q.error();
        else if (last.error())
            *error = last.error();
    }
    return fromStats(total, end_s);
}

StoreError RunSummary::write(SqliteDatabase &db, qint64 runId) const
{
    SqliteStatement u(db, "UPDATE runs SET requests = ?, errors = ?, p95_ms = ? WHERE id = ?");
    u.bind(1, requests).bind(2, errors).bind(3, p95_ms).bind(4, runId);
    return u.exec();
}

} // namespace Preflight
