#include "dbconnection.h"

#include "pgconnection.h"
#include "sqliteconnection.h"
#include "sqllog.h"

#include <QDateTime>

namespace Demo {

DbConnection::DbConnection() : m_createdAtMs(QDateTime::currentMSecsSinceEpoch()) {}

DbResult DbConnection::exec(const QByteArray &sql, const std::vector<QByteArray> &params)
{
    if (m_sqlLog)
        m_sqlLog->write(SqlLog::currentRequestId(), sql);
    return execImpl(sql, params);
}

std::unique_ptr<DbConnection> DbConnection::open(const DbTarget &target, QString *error)
{
    if (target.kind == DbTarget::Kind::Sqlite)
        return SqliteConnection::open(target.sqlite_path, target.sqlite_busy_timeout_ms, error);
    return PgConnection::open(target.pg_conninfo, target.pg_lock_timeout_ms, error);
}

} // namespace Demo
