#include "pgstatements.h"

#include "dblog.h"
#include "pgcapabilities.h"
#include "pgconnection.h"
#include "queryfingerprint.h"

#include <algorithm>

namespace Preflight {

PgStatements::Snapshot PgStatements::snapshot(PgConnection &conn)
{
    Snapshot snap;
    const QString view = PgCapabilities::statementsView(conn);
    if (view.isEmpty()) {
        snap.error = {DbError::Kind::Query,
                      {},
                      QStringLiteral("pg_stat_statements is not created in this database (CREATE EXTENSION "
                                     "pg_stat_statements;)")};
        return snap;
    }
    QString info = view;
    info.replace(QLatin1String(".pg_stat_statements"), QLatin1String(".pg_stat_statements_info"));
    const QString marker = QString::fromLatin1(PgConnection::kMarker).trimmed();
    const PgResultSet rows =
        conn.query(QStringLiteral("SELECT s.queryid::text AS queryid, sum(s.calls) AS calls, sum(s.rows) AS rows, "
                                  "sum(s.total_exec_time) AS total_ms, min(s.query) AS query FROM %1 s "
                                  "WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                                  "AND s.queryid IS NOT NULL AND left(s.query, $1) <> $2 GROUP BY s.queryid")
                       .arg(view),
                   {QString::number(marker.size()), marker});
    if (!rows.ok()) {
        snap.error = rows.error;
        if (rows.error.sqlstate == QLatin1String("55000"))
            snap.error.message += QStringLiteral(" (add shared_preload_libraries = 'pg_stat_statements' and restart)");
        return snap;
    }
    for (const QStringList &r : rows.rows) {
        Entry e;
        e.queryid = r[0];
        e.calls = r[1].toDouble();
        e.rows = r[2].toDouble();
        e.total_exec_ms = r[3].toDouble();
        e.text = r[4];
        snap.entries[e.queryid] = e;
    }
    const PgResultSet meta = conn.query(QStringLiteral("SELECT stats_reset::text, dealloc FROM %1").arg(info));
    if (meta.ok() && meta.rowCount() == 1) {
        snap.stats_reset = meta.value(0, 0);
        snap.dealloc = meta.value(0, 1).toDouble();
    }
    snap.valid = true;
    return snap;
}

PgStatements::Delta PgStatements::delta(const Snapshot &before, const Snapshot &after)
{
    Delta d;
    if (!before.valid || !after.valid) {
        d.warnings << QStringLiteral("no pg_stat_statements delta: %1")
                          .arg(!before.valid ? before.error.message : after.error.message);
        return d;
    }
    d.valid = true;
    d.reset = !before.stats_reset.isEmpty() && before.stats_reset != after.stats_reset;
    if (d.reset)
        d.warnings << QStringLiteral("pg_stat_statements was reset during the span (stats_reset %1 → %2): counts "
                                     "cover only the time since the reset")
                          .arg(before.stats_reset, after.stats_reset);
    if (!d.reset && before.dealloc >= 0 && after.dealloc > before.dealloc)
        d.warnings << QStringLiteral("pg_stat_statements evicted %1 entries during the span: some counts are low; "
                                     "raise pg_stat_statements.max")
                          .arg(after.dealloc - before.dealloc);
    for (const auto &[id, a] : after.entries) {
        Entry e = a;
        const auto b = before.entries.find(id);
        if (b == before.entries.end()) {
            ++d.appeared;
        } else if (!d.reset && b->second.calls <= a.calls) {
            e.calls -= b->second.calls;
            e.rows -= b->second.rows;
            e.total_exec_ms -= b->second.total_exec_ms;
        } // else: evicted and re-created (counts restarted): "after" as-is
        if (e.calls > 0)
            d.entries.push_back(e);
    }
    for (const auto &[id, b] : before.entries)
        if (!after.entries.count(id))
            ++d.vanished;
    std::sort(d.entries.begin(), d.entries.end(),
              [](const Entry &x, const Entry &y) { return x.total_exec_ms > y.total_exec_ms; });
    return d;
}

std::vector<QueryStat> PgStatements::toQueryStats(const Delta &delta, QueryPhase phase, int endpoint, double requests)
{
    std::vector<QueryStat> out;
    out.reserve(delta.entries.size());
    for (const Entry &e : delta.entries) {
        QueryStat q;
        q.phase = phase;
        q.endpoint = endpoint;
        q.queryid = e.queryid;
        q.text = e.text;
        q.fingerprint = QueryFingerprint::of(e.text);
        q.calls = e.calls;
        q.requests = requests;
        q.calls_per_request = requests > 0 ? e.calls / requests : 0;
        q.rows = e.rows;
        q.rows_per_call = e.calls > 0 ? e.rows / e.calls : 0;
        q.total_ms = e.total_exec_ms;
        q.mean_ms = e.calls > 0 ? e.total_exec_ms / e.calls : 0;
        out.push_back(q);
    }
    return out;
}

} // namespace Preflight
