#pragma once

#include "storeerror.h"

#include <QString>

struct sqlite3;

namespace Preflight {

// RAII owner of one sqlite3 connection (internal to the run store). Converts every rc into a StoreError
// naming the file and what to do. Not thread-safe: one thread uses a connection at a time (a connection
// may be handed to another thread while no one else touches it).
class SqliteDatabase
{
public:
    SqliteDatabase() = default;
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    enum class Access {
        ReadWrite, // with create: made when missing
        ReadOnly,  // never written; takes part in locking (needs the -shm file of a WAL store, or the right to create
                   // it)
        Immutable, // never written, no locking: only for a file nobody can write (read-only file and directory)
    };

    // Opens (or with create, creates) the file. Does not read it yet: SQLite reports a non-database file
    // on the first statement, which is what RunStore::open does next.
    StoreError open(const QString &path, bool create, Access access = Access::ReadWrite);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    sqlite3 *handle() const { return m_db; }
    QString path() const { return m_path; }

    // Runs one or more statements without results.
    StoreError exec(const char *sql);
    // The error value for rc, with `what` saying what Preflight was doing ("reading run 4").
    StoreError errorFor(int rc, const QString &what) const;

    int userVersion(StoreError *error) const;
    qint64 lastInsertId() const;
    int changes() const;

private:
    sqlite3 *m_db = nullptr;
    QString m_path;
};

// BEGIN IMMEDIATE … COMMIT, rolled back when it goes out of scope uncommitted.
class SqliteTransaction
{
public:
    explicit SqliteTransaction(SqliteDatabase &db);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    StoreError begin();
    StoreError commit();

private:
    SqliteDatabase &m_db;
    bool m_open = false;
};

} // namespace Preflight
