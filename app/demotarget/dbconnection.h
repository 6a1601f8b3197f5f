#pragma once

#include "dbresult.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <vector>

namespace Demo {

class SqlLog;

// Where the demo keeps its data: a SQLite file (default) or a PostgreSQL database it owns.
struct DbTarget
{
    enum class Kind { Sqlite, Postgres };
    Kind kind = Kind::Sqlite;
    QString sqlite_path;
    QString pg_conninfo;
    int sqlite_busy_timeout_ms = 5000;
    int pg_lock_timeout_ms = 0; // 0: server default (wait forever)
};

// One database connection, used by one thread at a time. SQL uses `?` placeholders for both backends; the
// PostgreSQL implementation renumbers them. Parameters are sent as text (integers are bound as integers in
// SQLite so LIMIT/comparisons behave).
class DbConnection
{
public:
    virtual ~DbConnection() = default;

    // Executes one statement and, when a log is attached, records it with the calling thread's request id.
    DbResult exec(const QByteArray &sql, const std::vector<QByteArray> &params = {});
    virtual bool isBroken() const = 0;

    void setSqlLog(SqlLog *log) { m_sqlLog = log; }
    qint64 createdAtMs() const { return m_createdAtMs; }

    // Opens a connection; nullptr and *error on failure. PostgreSQL sessions carry
    // application_name=preflight-demo-target.
    static std::unique_ptr<DbConnection> open(const DbTarget &target, QString *error);

protected:
    DbConnection();
    virtual DbResult execImpl(const QByteArray &sql, const std::vector<QByteArray> &params) = 0;

private:
    SqlLog *m_sqlLog = nullptr;
    qint64 m_createdAtMs = 0;
};

} // namespace Demo
