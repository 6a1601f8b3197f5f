#pragma once

#include "storeerror.h"

#include <QByteArray>
#include <QString>

struct sqlite3_stmt;

namespace Preflight {

class SqliteDatabase;

// A prepared statement (internal to the run store). Bind indexes are 1-based, column indexes 0-based.
// Errors are kept in error() so that a sequence of binds/steps can be checked once.
class SqliteStatement
{
public:
    SqliteStatement(SqliteDatabase &db, const char *sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_stmt && !m_error.isError(); }
    const StoreError &error() const { return m_error; }

    SqliteStatement &bind(int index, qint64 value);
    SqliteStatement &bind(int index, int value) { return bind(index, qint64(value)); }
    SqliteStatement &bind(int index, quint64 value) { return bind(index, qint64(value)); }
    SqliteStatement &bind(int index, unsigned long value) { return bind(index, qint64(value)); }
    SqliteStatement &bind(int index, bool value) { return bind(index, qint64(value ? 1 : 0)); }
    SqliteStatement &bind(int index, double value);
    SqliteStatement &bind(int index, const QString &value); // a null QString binds '' (use bindNull for NULL)
    SqliteStatement &bindBlob(int index, const QByteArray &value);
    SqliteStatement &bindNull(int index);

    // Steps once: true when a row is available; false at the end or on error (see error()).
    bool next();
    // Steps to completion and resets for reuse (bindings kept). Returns the error, if any.
    StoreError exec();
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;

private:
    SqliteDatabase &m_db;
    sqlite3_stmt *m_stmt = nullptr;
    StoreError m_error;
    QString m_sql;

    void check(int rc);
};

} // namespace Preflight
