#pragma once

#include "data/dbsample.h"
#include "data/querystat.h"
#include "data/rundata.h"
#include "dberror.h"

#include <QString>
#include <QStringList>

#include <vector>

struct sqlite3;

namespace Preflight {

// Read-only inspection of a SQLite target (`sqlite:PATH`) that an application is writing at the same time.
// Opened with SQLITE_OPEN_READONLY (never immutable=1, which would hide the writer's changes and skip
// locking), a short busy timeout, and every read in its own short implicit transaction so the writer is
// never held up for longer than one small query (in rollback-journal mode a reader's SHARED lock does block
// a writer's commit; in WAL mode readers never block the writer, and a short read lets checkpoints proceed).
// One instance per thread; blocking calls are bounded by busy_timeout_ms and count_budget_ms.
class SqliteInspector
{
public:
    struct Options
    {
        int busy_timeout_ms = 100;
        int count_budget_ms = 200;       // per table for count(*); beyond it rows come from max(rowid)
        double large_table_rows = 10000; // SCAN of a table at least this large without an index is flagged
    };
    struct TableInfo
    {
        QString name;
        qint64 rows = -1;            // -1: unknown
        bool rows_estimated = false; // true: max(rowid), count(*) took too long
        qint64 bytes = -1;           // from dbstat when compiled in, else -1
        QStringList indexes;
    };

    SqliteInspector();
    ~SqliteInspector();
    SqliteInspector(const SqliteInspector &) = delete;
    SqliteInspector &operator=(const SqliteInspector &) = delete;

    // path may be "sqlite:PATH" or a plain path.
    DbError open(const QString &path, const Options &options);
    DbError open(const QString &path) { return open(path, Options{}); }
    void close();
    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }

    // kind "sqlite", journal_mode ("wal" | "rollback" from header bytes 18/19), page_size, file_bytes.
    DbCapabilities capabilities() const;
    std::vector<TableInfo> tables();
    // wal_bytes = size of PATH-wal (0 when absent); other counts stay at their "unknown" defaults.
    DbSample sample(double t_s) const;
    // EXPLAIN QUERY PLAN of one read-only statement. Anything that is not exactly one statement that SQLite
    // itself reports read-only (sqlite3_stmt_readonly) is refused without being stepped. SCAN of a table with
    // ≥ large_table_rows rows without an index is flagged (node_type "SCAN", relation = table).
    QueryPlan explainQueryPlan(const QString &sql);

    // "wal" (bytes 18/19 == 2), "rollback" (== 1), empty when unreadable / not a SQLite file.
    static QString journalModeFromHeader(const QString &path);

private:
    qint64 tableRows(const QString &table, bool *estimated);

    sqlite3 *m_db = nullptr;
    QString m_path;
    Options m_options;
    std::vector<TableInfo> m_tableCache;
};

} // namespace Preflight
