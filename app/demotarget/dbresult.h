#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace Demo {

// The outcome of one statement. Values come back as text from both SQLite and PostgreSQL; a NULL reads as an
// empty QByteArray (the demo schema has no column where NULL and "" must be told apart).
struct DbResult
{
    enum class Error {
        None,
        Busy,        // SQLite SQLITE_BUSY/SQLITE_LOCKED ("database is locked")
        LockTimeout, // PostgreSQL 55P03 lock_not_available
        Connection,  // the connection is unusable; the pool must not reuse it
        Other
    };
    Error error = Error::None;
    QString message;
    std::vector<std::vector<QByteArray>> rows;
    qint64 rows_affected = 0;

    bool ok() const { return error == Error::None; }
    QByteArray text(size_t row, size_t column) const
    {
        return row < rows.size() && column < rows[row].size() ? rows[row][column] : QByteArray();
    }
    qint64 integer(size_t row, size_t column) const { return text(row, column).toLongLong(); }
};

} // namespace Demo
