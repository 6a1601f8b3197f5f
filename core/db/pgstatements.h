#pragma once

#include "data/querystat.h"
#include "dberror.h"

#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace Preflight {

class PgConnection;

// pg_stat_statements snapshots of the target database and the differences between two of them.
// Only statements of the connection's current database are read; Preflight's own statements (they carry
// PgConnection::kMarker) are excluded. Entries are summed per queryid over roles and nesting levels.
// snapshot() blocks for one short read-only query; delta() and toQueryStats() are pure and thread-safe.
class PgStatements
{
public:
    struct Entry
    {
        QString queryid;
        QString text; // normalised by the server ($1 placeholders)
        double calls = 0;
        double rows = 0;
        double total_exec_ms = 0;
    };
    struct Snapshot
    {
        bool valid = false;
        DbError error;                    // why there is no snapshot (see PgCapabilities for the remediation)
        QString stats_reset;              // pg_stat_statements_info.stats_reset (text), empty when unknown
        double dealloc = -1;              // pg_stat_statements_info.dealloc: entries evicted since reset
        std::map<QString, Entry> entries; // by queryid
    };
    struct Delta
    {
        bool valid = false;
        bool reset = false; // stats were reset in between: entries are the "after" values as-is
        QStringList warnings;
        int appeared = 0;           // queryids not in the "before" snapshot
        int vanished = 0;           // queryids gone from the "after" snapshot (evicted or reset)
        std::vector<Entry> entries; // only entries with calls > 0 in the span, by total time descending
    };

    static Snapshot snapshot(PgConnection &conn);
    static Delta delta(const Snapshot &before, const Snapshot &after);
    // One QueryStat per entry: fingerprint via libpg_query, per-request figures when requests > 0; endpoint is
    // the plan endpoint's index for the profiling pass (QueryStat::endpoint), -1 otherwise.
    static std::vector<QueryStat> toQueryStats(const Delta &delta, QueryPhase phase, int endpoint, double requests);
};

} // namespace Preflight
