#include "sqliteinspector.h"

#include "dblog.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <sqlite3.h>

#include <functional>
#include <map>

namespace Preflight {

namespace {

QString quoteIdent(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QString stripPrefix(const QString &p)
{
    return p.startsWith(QLatin1String("sqlite:")) ? p.mid(7) : p;
}

struct Stmt
{
    sqlite3_stmt *s = nullptr;
    ~Stmt() { sqlite3_finalize(s); }
};

} // namespace

SqliteInspector::SqliteInspector() = default;
SqliteInspector::~SqliteInspector()
{
    close();
}

QString SqliteInspector::journalModeFromHeader(const QString &path)
{
    QFile f(stripPrefix(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray header = f.read(100);
    if (header.size() < 100 || !header.startsWith("SQLite format 3"))
        return {};
    const int write = static_cast<unsigned char>(header[18]), read = static_cast<unsigned char>(header[19]);
    if (write == 2 || read == 2)
        return QStringLiteral("wal");
    return QStringLiteral("rollback");
}

DbError SqliteInspector::open(const QString &path, const Options &options)
{
    close();
    m_path = stripPrefix(path);
    m_options = options;
    if (!QFileInfo::exists(m_path))
        return {DbError::Kind::Config,
                {},
                QStringLiteral("the SQLite file %1 does not exist: check the sqlite: path").arg(m_path)};
    if (QFileInfo(m_path).isDir())
        return {DbError::Kind::Config,
                {},
                QStringLiteral(
                    "%1 is a directory, not an SQLite database file: give the file's path, e.g. sqlite:%1/app.db")
                    .arg(m_path)};
    if (journalModeFromHeader(m_path).isEmpty())
        return {DbError::Kind::Config,
                {},
                QStringLiteral("%1 is not an SQLite 3 database (its first bytes are not an SQLite header): check the "
                               "sqlite: path")
                    .arg(m_path)};
    // Read-only, never immutable=1: the application is writing, we must take part in locking.
    const int rc = sqlite3_open_v2(QFile::encodeName(m_path).constData(), &m_db,
                                   SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString why = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
        close();
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("cannot open %1 read-only: %2 (a WAL database also needs its directory to be "
                               "readable and the -shm file to exist or be creatable)")
                    .arg(m_path, why)};
    }
    sqlite3_busy_timeout(m_db, options.busy_timeout_ms);
    return {};
}

void SqliteInspector::close()
{
    if (m_db)
        sqlite3_close_v2(m_db);
    m_db = nullptr;
    m_tableCache.clear();
}

DbCapabilities SqliteInspector::capabilities() const
{
    DbCapabilities caps;
    caps.kind = QStringLiteral("sqlite");
    caps.server_version = QString::fromLatin1(sqlite3_libversion());
    caps.journal_mode = journalModeFromHeader(m_path);
    caps.file_bytes = QFileInfo(m_path).size();
    QFile f(m_path);
    if (f.open(QIODevice::ReadOnly)) {
        const QByteArray h = f.read(100);
        if (h.size() >= 18) {
            const int raw = (static_cast<unsigned char>(h[16]) << 8) | static_cast<unsigned char>(h[17]);
            caps.page_size = raw == 1 ? 65536 : raw;
        }
    }
    if (caps.journal_mode == QLatin1String("rollback"))
        caps.warnings << QStringLiteral("%1 uses a rollback journal: every write locks the whole file against readers "
                                        "and other writers. PRAGMA journal_mode=WAL lets readers run during writes.")
                             .arg(QFileInfo(m_path).fileName());
    return caps;
}

qint64 SqliteInspector::tableRows(const QString &table, bool *estimated)
{
    *estimated = false;
    // Bound count(*) on a huge table: the progress handler interrupts it after count_budget_ms.
    struct Ctx
    {
        QElapsedTimer timer;
        int budget_ms;
    } ctx{QElapsedTimer(), m_options.count_budget_ms};
    ctx.timer.start();
    sqlite3_progress_handler(
        m_db, 10000,
        [](void *arg) -> int {
            auto *c = static_cast<Ctx *>(arg);
            return c->timer.hasExpired(c->budget_ms) ? 1 : 0;
        },
        &ctx);
    qint64 rows = -1;
    {
        Stmt st;
        const QByteArray sql = QStringLiteral("SELECT count(*) FROM %1").arg(quoteIdent(table)).toUtf8();
        if (sqlite3_prepare_v2(m_db, sql.constData(), -1, &st.s, nullptr) == SQLITE_OK &&
            sqlite3_step(st.s) == SQLITE_ROW)
            rows = sqlite3_column_int64(st.s, 0);
    }
    sqlite3_progress_handler(m_db, 0, nullptr, nullptr);
    if (rows < 0) {
        Stmt st;
        const QByteArray sql = QStringLiteral("SELECT max(rowid) FROM %1").arg(quoteIdent(table)).toUtf8();
        if (sqlite3_prepare_v2(m_db, sql.constData(), -1, &st.s, nullptr) == SQLITE_OK &&
            sqlite3_step(st.s) == SQLITE_ROW) {
            rows = sqlite3_column_int64(st.s, 0);
            *estimated = true;
        }
    }
    return rows;
}

std::vector<SqliteInspector::TableInfo> SqliteInspector::tables()
{
    std::vector<TableInfo> out;
    if (!m_db)
        return out;
    std::map<QString, TableInfo> byName;
    {
        Stmt st;
        if (sqlite3_prepare_v2(m_db,
                               "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table','index') "
                               "AND name NOT LIKE 'sqlite_%'",
                               -1, &st.s, nullptr) != SQLITE_OK)
            return out;
        int rc;
        while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
            const QString type = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st.s, 0)));
            const QString name = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st.s, 1)));
            const QString table = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st.s, 2)));
            byName[table].name = table;
            if (type == QLatin1String("index"))
                byName[table].indexes << name;
        }
        if (rc == SQLITE_BUSY)
            qCInfo(lcPreflightDb) << "sqlite schema read busy:" << m_path;
    }
    {
        Stmt st; // dbstat is optional (SQLITE_ENABLE_DBSTAT_VTAB); without it sizes stay unknown
        if (sqlite3_prepare_v2(m_db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &st.s, nullptr) ==
            SQLITE_OK) {
            while (sqlite3_step(st.s) == SQLITE_ROW) {
                const QString name = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st.s, 0)));
                if (auto it = byName.find(name); it != byName.end())
                    it->second.bytes = sqlite3_column_int64(st.s, 1);
            }
        }
    }
    for (auto &[name, info] : byName) {
        info.rows = tableRows(name, &info.rows_estimated);
        out.push_back(info);
    }
    m_tableCache = out;
    return out;
}

DbSample SqliteInspector::sample(double t_s) const
{
    DbSample s;
    s.t_s = t_s;
    const QFileInfo wal(m_path + QStringLiteral("-wal"));
    s.wal_bytes = wal.exists() ? wal.size() : 0;
    return s;
}

QueryPlan SqliteInspector::explainQueryPlan(const QString &sql)
{
    QueryPlan plan;
    plan.text = sql;
    if (!m_db) {
        plan.error = QStringLiteral("the SQLite database is not open");
        return plan;
    }
    const QByteArray text = sql.toUtf8();
    {
        Stmt st;
        const char *tail = nullptr;
        if (sqlite3_prepare_v2(m_db, text.constData(), int(text.size()), &st.s, &tail) != SQLITE_OK || !st.s) {
            plan.error = QStringLiteral("refused: does not prepare: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_db)));
            return plan;
        }
        if (!sqlite3_stmt_readonly(st.s)) {
            plan.error = QStringLiteral("refused: not a read-only statement");
            return plan;
        }
        if (tail && *tail) {
            Stmt rest;
            if (sqlite3_prepare_v2(m_db, tail, -1, &rest.s, nullptr) != SQLITE_OK || rest.s) {
                plan.error = QStringLiteral("refused: more than one statement");
                return plan;
            }
        }
        const QString kind = QString::fromUtf8(text).trimmed().section(QLatin1Char(' '), 0, 0).toUpper();
        if (kind != QLatin1String("SELECT") && kind != QLatin1String("WITH") && kind != QLatin1String("VALUES")) {
            plan.error = QStringLiteral("refused: only SELECT is inspected");
            return plan;
        }
    }
    if (m_tableCache.empty())
        tables();
    std::map<QString, qint64> rowsOf;
    std::map<QString, bool> hasIndex;
    for (const TableInfo &t : m_tableCache) {
        rowsOf[t.name.toLower()] = t.rows;
        hasIndex[t.name.toLower()] = !t.indexes.isEmpty();
    }

    Stmt st;
    const QByteArray eqp = "EXPLAIN QUERY PLAN " + text;
    if (sqlite3_prepare_v2(m_db, eqp.constData(), int(eqp.size()), &st.s, nullptr) != SQLITE_OK) {
        plan.error = QStringLiteral("EXPLAIN QUERY PLAN failed: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_db)));
        return plan;
    }
    // Rows come parent-first: (id, parent, notused, detail).
    std::map<int, std::vector<int>> childrenOf;
    std::map<int, PlanNode> nodes;
    std::vector<int> order;
    static const QRegularExpression scanRe(
        QStringLiteral(R"(^(SCAN|SEARCH)\s+(?:TABLE\s+)?(\S+)(?:\s+AS\s+\S+)?(.*)$)"));
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
        const int id = sqlite3_column_int(st.s, 0);
        const int parent = sqlite3_column_int(st.s, 1);
        const QString detail = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st.s, 3)));
        PlanNode n;
        n.node_type = detail;
        n.filter = detail;
        const auto m = scanRe.match(detail);
        if (m.hasMatch()) {
            n.node_type = m.captured(1);
            n.relation = m.captured(2);
            const QString rest = m.captured(3);
            const qsizetype idx = rest.indexOf(QLatin1String("INDEX "));
            if (idx >= 0)
                n.index_name = rest.mid(idx + 6).section(QLatin1Char(' '), 0, 0);
            const auto rows = rowsOf.find(n.relation.toLower());
            n.relation_rows = rows == rowsOf.end() ? -1 : double(rows->second);
            n.flagged = n.node_type == QLatin1String("SCAN") && !rest.contains(QLatin1String("INDEX")) &&
                        n.relation_rows >= m_options.large_table_rows;
        }
        nodes[id] = n;
        childrenOf[parent].push_back(id);
        order.push_back(id);
    }
    if (rc != SQLITE_DONE) {
        plan.error = QStringLiteral("EXPLAIN QUERY PLAN failed: %1").arg(QString::fromUtf8(sqlite3_errmsg(m_db)));
        return plan;
    }
    std::function<PlanNode(int)> build = [&](int id) {
        PlanNode n = nodes[id];
        for (int c : childrenOf[id])
            n.children.push_back(build(c));
        return n;
    };
    plan.root.node_type = QStringLiteral("QUERY PLAN");
    for (int top : childrenOf[0])
        plan.root.children.push_back(build(top));
    plan.valid = true;
    return plan;
}

} // namespace Preflight
