#include "sqlitestatement.h"

#include "sqlitedatabase.h"

#include <sqlite3.h>

namespace Preflight {

SqliteStatement::SqliteStatement(SqliteDatabase &db, const char *sql) : m_db(db), m_sql(QString::fromUtf8(sql))
{
    if (!db.isOpen()) {
        m_error = StoreError::make(StoreError::Kind::Usage, QStringLiteral("the run store is not open"));
        return;
    }
    check(sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr));
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

void SqliteStatement::check(int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE || m_error.isError())
        return;
    m_error = m_db.errorFor(rc, QStringLiteral("running \"%1\"").arg(m_sql.left(60)));
}

SqliteStatement &SqliteStatement::bind(int index, qint64 value)
{
    if (m_stmt)
        check(sqlite3_bind_int64(m_stmt, index, value));
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double value)
{
    if (m_stmt)
        check(sqlite3_bind_double(m_stmt, index, value));
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const QString &value)
{
    if (!m_stmt)
        return *this;
    const QByteArray utf8 = value.toUtf8();
    check(sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int index, const QByteArray &value)
{
    if (m_stmt)
        check(sqlite3_bind_blob(m_stmt, index, value.constData(), int(value.size()), SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    if (m_stmt)
        check(sqlite3_bind_null(m_stmt, index));
    return *this;
}

bool SqliteStatement::next()
{
    if (!m_stmt || m_error.isError())
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    check(rc);
    return false;
}

StoreError SqliteStatement::exec()
{
    while (next()) {
    }
    reset();
    return m_error;
}

void SqliteStatement::reset()
{
    if (m_stmt)
        sqlite3_reset(m_stmt);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 SqliteStatement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double SqliteStatement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString SqliteStatement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? QString::fromUtf8(data, size) : QString();
}

QByteArray SqliteStatement::blob(int column) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? QByteArray(data, size) : QByteArray();
}

} // namespace Preflight
