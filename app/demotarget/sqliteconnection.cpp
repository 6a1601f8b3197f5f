#include "sqliteconnection.h"

#include <QFile>

#include <sqlite3.h>

namespace Demo {

SqliteConnection::~SqliteConnection()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

std::unique_ptr<DbConnection> SqliteConnection::open(const QString &path, int busy_timeout_ms, QString *error)
{
    std::unique_ptr<SqliteConnection> connection(new SqliteConnection);
    // NOMUTEX: a connection is only ever used by the thread that checked it out.
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &connection->m_db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        *error =
            QStringLiteral("cannot open SQLite database %1: %2")
                .arg(path, QString::fromUtf8(connection->m_db ? sqlite3_errmsg(connection->m_db) : sqlite3_errstr(rc)));
        return nullptr;
    }
    sqlite3_busy_timeout(connection->m_db, busy_timeout_ms);
    sqlite3_exec(connection->m_db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    return connection;
}

DbResult SqliteConnection::execImpl(const QByteArray &sql, const std::vector<QByteArray> &params)
{
    DbResult result;
    auto fail = [&](int rc) {
        const int primary = rc & 0xff;
        result.error =
            (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? DbResult::Error::Busy : DbResult::Error::Other;
        result.message = QString::fromUtf8(sqlite3_errmsg(m_db));
        result.rows.clear();
    };
    sqlite3_stmt *statement = nullptr;
    int rc = sqlite3_prepare_v2(m_db, sql.constData(), int(sql.size()), &statement, nullptr);
    if (rc != SQLITE_OK) {
        fail(rc);
        return result;
    }
    for (size_t i = 0; i < params.size(); ++i) {
        bool isInteger = false;
        const qint64 value = params[i].toLongLong(&isInteger);
        if (isInteger && !params[i].startsWith('+') && !params[i].startsWith('0'))
            sqlite3_bind_int64(statement, int(i + 1), value);
        else
            sqlite3_bind_text(statement, int(i + 1), params[i].constData(), int(params[i].size()), SQLITE_TRANSIENT);
    }
    const int columns = sqlite3_column_count(statement);
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        std::vector<QByteArray> row;
        row.reserve(size_t(columns));
        for (int c = 0; c < columns; ++c) {
            const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, c));
            row.emplace_back(text ? QByteArray(text, sqlite3_column_bytes(statement, c)) : QByteArray());
        }
        result.rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE)
        fail(rc);
    else
        result.rows_affected = sqlite3_changes(m_db);
    sqlite3_finalize(statement);
    return result;
}

} // namespace Demo
