#include "sqlitedatabase.h"

#include <QDir>
#include <QFileInfo>
#include <QUrl>

#include <sqlite3.h>

namespace Preflight {

SqliteDatabase::~SqliteDatabase()
{
    close();
}

StoreError SqliteDatabase::open(const QString &path, bool create, Access access)
{
    close();
    m_path = path;
    const QFileInfo info(path);
    if (!create && !info.exists())
        return StoreError::make(StoreError::Kind::NotFound,
                                QStringLiteral("%1: no run store at this path; run `preflight run --store %1` to "
                                               "create one, or pass the right file with --store")
                                    .arg(QDir::toNativeSeparators(path)));
    if (info.exists() && info.isDir())
        return StoreError::make(
            StoreError::Kind::NotAStore,
            QStringLiteral("%1 is a directory; give the run store's file name (e.g. %1/runs.sqlite)")
                .arg(QDir::toNativeSeparators(path)));
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    QByteArray name = QFile::encodeName(path);
    if (access != Access::ReadWrite) {
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
        name = "file:" + QUrl::toPercentEncoding(QFileInfo(path).absoluteFilePath(), "/") +
               (access == Access::Immutable ? "?immutable=1" : "?mode=ro");
    }
    const int rc = sqlite3_open_v2(name.constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        StoreError e = errorFor(rc, QStringLiteral("opening the run store"));
        close();
        return e;
    }
    sqlite3_extended_result_codes(m_db, 1);
    // A concurrent writer (another Preflight saving a run) holds the write lock for one short batch;
    // wait for it rather than failing.
    sqlite3_busy_timeout(m_db, 5000);
    return {};
}

void SqliteDatabase::close()
{
    if (m_db)
        sqlite3_close_v2(m_db);
    m_db = nullptr;
}

StoreError SqliteDatabase::exec(const char *sql)
{
    if (!m_db)
        return StoreError::make(StoreError::Kind::Usage, QStringLiteral("the run store is not open"));
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK)
        return errorFor(rc, QStringLiteral("updating the run store"));
    return {};
}

StoreError SqliteDatabase::errorFor(int rc, const QString &what) const
{
    const QString file = QDir::toNativeSeparators(m_path);
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
    using K = StoreError::Kind;
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return StoreError::make(K::NotAStore,
                                QStringLiteral("%1 is not a Preflight run store (not an SQLite database); choose "
                                               "another file with --store")
                                    .arg(file),
                                rc);
    case SQLITE_CORRUPT:
        return StoreError::make(K::Corrupt,
                                QStringLiteral("%1 is damaged (%2 while %3); keep a copy, try `sqlite3 %1 .recover`, "
                                               "or start a new store with --store")
                                    .arg(file, detail, what),
                                rc);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return StoreError::make(
            K::Busy, QStringLiteral("%1 is locked by another program (%2); close it and retry").arg(file, what), rc);
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return StoreError::make(K::ReadOnly,
                                QStringLiteral("%1 is read-only (%2 while %3); make the file and its directory "
                                               "writable or choose another file with --store")
                                    .arg(file, detail, what),
                                rc);
    case SQLITE_FULL:
        return StoreError::make(K::Io, QStringLiteral("disk full while %2 in %1; free some space").arg(file, what), rc);
    case SQLITE_CANTOPEN:
        return StoreError::make(
            K::Io,
            QStringLiteral("cannot open %1 (%2); check that the directory exists and is writable").arg(file, detail),
            rc);
    case SQLITE_IOERR:
        return StoreError::make(K::Io, QStringLiteral("I/O error on %1 while %2 (%3)").arg(file, what, detail), rc);
    default:
        break;
    }
    return StoreError::make(K::Sql, QStringLiteral("%1: SQLite error while %2: %3").arg(file, what, detail), rc);
}

int SqliteDatabase::userVersion(StoreError *error) const
{
    sqlite3_stmt *stmt = nullptr;
    int rc = sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, &stmt, nullptr);
    int version = -1;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            version = sqlite3_column_int(stmt, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK && error)
        *error = errorFor(rc, QStringLiteral("reading the schema version"));
    return version;
}

qint64 SqliteDatabase::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int SqliteDatabase::changes() const
{
    return sqlite3_changes(m_db);
}

SqliteTransaction::SqliteTransaction(SqliteDatabase &db) : m_db(db) {}

SqliteTransaction::~SqliteTransaction()
{
    if (m_open)
        m_db.exec("ROLLBACK");
}

StoreError SqliteTransaction::begin()
{
    StoreError e = m_db.exec("BEGIN IMMEDIATE");
    m_open = !e.isError();
    return e;
}

StoreError SqliteTransaction::commit()
{
    StoreError e = m_db.exec("COMMIT");
    if (!e.isError())
        m_open = false;
    return e;
}

} // namespace Preflight
