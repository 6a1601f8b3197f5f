// RunStore: the file (open, identify, migrate, check, recover), the list of runs, rename and delete. Reading a
// run is in runstoreread.cpp, writing in runstorewrite.cpp; the tables' columns are named in storerows.cpp.
#include "runstore.h"

#include "runsummary.h"
#include "sqlitestatement.h"
#include "storerows.h"
#include "storeschema.h"
#include "writerlock.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <unistd.h>

namespace Preflight {

using namespace StoreRows;

namespace {

// 'PFLT': marks a file as a Preflight run store so that a foreign SQLite database is never migrated into one.
constexpr int kApplicationId = 0x50464c54;

} // namespace

QString RunStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/runs.sqlite");
}

RunStore::RunStore() = default;
RunStore::~RunStore() = default;

StoreError RunStore::open(const QString &path, const OpenOptions &options)
{
    close();
    if (path.isEmpty())
        return StoreError::make(StoreError::Kind::Usage, QStringLiteral("no run store file given"));
    if (options.create && !QFileInfo::exists(path)) {
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir))
            return StoreError::make(
                StoreError::Kind::Io,
                QStringLiteral("cannot create the directory %1 for the run store; check permissions "
                               "or choose another file with --store")
                    .arg(QDir::toNativeSeparators(dir)));
    }
    if (options.read_only) {
        StoreError e = m_db.open(path, false, SqliteDatabase::Access::ReadOnly);
        if (!e)
            e = configure(options);
        // A WAL store whose directory cannot be written has no -shm file through which readers take part in
        // locking. When nobody may write the file or its directory either, no writer can be at work and the
        // file is read without locks.
        const QByteArray file = QFile::encodeName(path), dir = QFile::encodeName(QFileInfo(path).absolutePath());
        if (e && (e.kind == StoreError::Kind::ReadOnly || e.kind == StoreError::Kind::Io) &&
            ::access(file.constData(), W_OK) != 0 && ::access(dir.constData(), W_OK) != 0) {
            m_db.close();
            e = m_db.open(path, false, SqliteDatabase::Access::Immutable);
            if (!e)
                e = configure(options);
        }
        if (e)
            m_db.close();
        return e;
    }
    if (StoreError e = m_db.open(path, options.create))
        return e;
    if (StoreError e = configure(options)) {
        m_db.close();
        return e;
    }
    return {};
}

StoreError RunStore::configure(const OpenOptions &options)
{
    // Identify the file before changing anything in it (journal mode included): SQLite reports a
    // non-database file here, and a foreign SQLite database must be refused, not migrated.
    StoreError error;
    qint64 applicationId = 0, tables = 0;
    {
        SqliteStatement id(m_db, "PRAGMA application_id");
        if (id.next())
            applicationId = id.int64(0);
        if (id.error())
            return id.error();
        SqliteStatement count(m_db, "SELECT count(*) FROM sqlite_master");
        if (count.next())
            tables = count.int64(0);
        if (count.error())
            return count.error();
    }
    const int version = m_db.userVersion(&error);
    if (error)
        return error;
    if ((version == 0 && tables > 0) || (version > 0 && applicationId != kApplicationId))
        return StoreError::make(StoreError::Kind::NotAStore,
                                QStringLiteral("%1 is an SQLite database but not a Preflight run store; choose another "
                                               "file with --store")
                                    .arg(QDir::toNativeSeparators(path())));
    if (options.quick_check)
        if ((error = quickCheck()))
            return error;
    if (options.read_only) {
        if (version == 0)
            return StoreError::make(
                StoreError::Kind::NotAStore,
                QStringLiteral("%1 is empty, not a Preflight run store; choose another file with --store")
                    .arg(QDir::toNativeSeparators(path())));
        if (version > StoreSchema::kCurrentVersion)
            return StoreSchema::migrate(m_db); // refuses (TooNew) before writing anything
        if (version < StoreSchema::kCurrentVersion)
            return StoreError::make(
                StoreError::Kind::ReadOnly,
                QStringLiteral("%1 is in store format %2 and this Preflight reads format %3 after "
                               "upgrading it once, which needs write access: make the file and its "
                               "directory writable for one run of `preflight runs`, or read a writable copy")
                    .arg(QDir::toNativeSeparators(path()))
                    .arg(version)
                    .arg(StoreSchema::kCurrentVersion));
        return m_db.exec("PRAGMA foreign_keys = ON");
    }

    if ((error = m_db.exec("PRAGMA journal_mode = WAL")))
        return error;
    if ((error = m_db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")))
        return error;
    if (version == 0) {
        // A new file: stamp it in the same step as migration 1 would be cleaner, but application_id is a
        // header field and setting it on an empty file is harmless if migration 1 then fails.
        const QByteArray pragma = "PRAGMA application_id = " + QByteArray::number(kApplicationId);
        if ((error = m_db.exec(pragma.constData())))
            return error;
    }
    if ((error = StoreSchema::migrate(m_db)))
        return error;
    if (options.recover_interrupted) {
        m_recovered = recoverInterruptedRuns(&error);
        if (error && error.kind != StoreError::Kind::ReadOnly)
            return error;
    }
    return {};
}

void RunStore::close()
{
    m_db.close();
    m_recovered.clear();
}

StoreError RunStore::quickCheck()
{
    SqliteStatement check(m_db, "PRAGMA quick_check(5)");
    QStringList problems;
    while (check.next()) {
        const QString line = check.text(0);
        if (line != QLatin1String("ok"))
            problems.append(line);
    }
    if (check.error())
        return check.error();
    if (!problems.isEmpty())
        return StoreError::make(
            StoreError::Kind::Corrupt,
            QStringLiteral("%1 is damaged (quick_check: %2); keep a copy, try `sqlite3 %1 .recover`, "
                           "or start a new store with --store")
                .arg(QDir::toNativeSeparators(path()), problems.join(QStringLiteral("; "))));
    return {};
}

bool RunStore::writerAlive(const QString &token)
{
    if (token.isEmpty())
        return false;
    WriterLock probe;
    if (!probe.tryTakeOver(WriterLock::lockPath(path(), token)))
        return true;
    probe.release(false);
    return false;
}

std::vector<qint64> RunStore::recoverInterruptedRuns(StoreError *error)
{
    struct Candidate
    {
        qint64 id;
        QString token, heartbeat, host;
        qint64 pid;
    };
    std::vector<Candidate> candidates;
    {
        SqliteStatement q(m_db,
                          "SELECT id, COALESCE(writer_token, ''), COALESCE(heartbeat_at, started_at), "
                          "COALESCE(writer_host, ''), COALESCE(writer_pid, 0) FROM runs WHERE status = 'running'");
        while (q.next())
            candidates.push_back({q.int64(0), q.text(1), q.text(2), q.text(3), q.int64(4)});
        if (q.error()) {
            if (error)
                *error = q.error();
            return {};
        }
    }
    std::vector<qint64> recovered;
    for (const Candidate &c : candidates) {
        // Holding the dead writer's lock while we update guarantees it cannot be a slow-but-alive writer.
        WriterLock lock;
        if (!c.token.isEmpty() && !lock.tryTakeOver(WriterLock::lockPath(path(), c.token)))
            continue;
        SqliteTransaction transaction(m_db);
        StoreError e = transaction.begin();
        RunSummary summary;
        if (!e)
            summary = RunSummary::compute(m_db, c.id, &e);
        if (!e)
            e = summary.write(m_db, c.id);
        if (!e) {
            const QString who =
                c.pid ? QStringLiteral("process %1 on %2").arg(c.pid).arg(c.host) : QStringLiteral("its writer");
            SqliteStatement u(m_db, "UPDATE runs SET status = 'interrupted', status_reason = ?, finished_at = ?, "
                                    "duration_s = MAX(duration_s, ?) WHERE id = ? AND status = 'running'");
            u.bind(1, QStringLiteral("recording stopped unexpectedly (%1 ended without finishing the run; last data "
                                     "written at %2); everything written until then is kept")
                          .arg(who, c.heartbeat))
                .bind(2, c.heartbeat)
                .bind(3, summary.duration_s)
                .bind(4, c.id);
            e = u.exec();
        }
        if (!e)
            e = transaction.commit();
        if (e) {
            if (error)
                *error = e;
            return recovered;
        }
        lock.release(true);
        recovered.push_back(c.id);
    }
    return recovered;
}

std::vector<RunListEntry> RunStore::listRuns(StoreError *error)
{
    std::vector<RunListEntry> runs;
    SqliteStatement q(m_db, "SELECT id, name, started_at, duration_s, status, status_reason, target, scenario, "
                            "verdict, requests, errors, p95_ms FROM runs ORDER BY started_at DESC, id DESC");
    while (q.next()) {
        RunListEntry r;
        r.id = q.int64(0);
        r.name = q.text(1);
        r.started_at = timeFrom(q.text(2));
        r.duration_s = q.real(3);
        r.status = runStatusFromId(q.text(4));
        r.status_reason = q.text(5);
        r.target = q.text(6);
        r.scenario = q.text(7);
        r.verdict = q.text(8);
        r.requests = uint64_t(q.int64(9));
        r.errors = uint64_t(q.int64(10));
        r.p95_ms = q.real(11);
        runs.push_back(r);
    }
    if (error)
        *error = q.error();
    return runs;
}

StoreError RunStore::renameRun(qint64 id, const QString &name)
{
    SqliteStatement u(m_db, "UPDATE runs SET name = ? WHERE id = ?");
    u.bind(1, name).bind(2, id);
    if (StoreError e = u.exec())
        return e;
    return m_db.changes() == 0 ? notFound(id) : StoreError();
}

StoreError RunStore::deleteRun(qint64 id)
{
    QString token;
    RunStatus status = RunStatus::Failed;
    {
        SqliteStatement q(m_db, "SELECT status, COALESCE(writer_token, '') FROM runs WHERE id = ?");
        q.bind(1, id);
        if (!q.next())
            return q.error() ? q.error() : notFound(id);
        status = runStatusFromId(q.text(0));
        token = q.text(1);
    }
    if (status == RunStatus::Running && writerAlive(token))
        return StoreError::make(StoreError::Kind::Busy,
                                QStringLiteral("run %1 is still being recorded; stop it before deleting it").arg(id));
    SqliteTransaction transaction(m_db);
    if (StoreError e = transaction.begin())
        return e;
    SqliteStatement d(m_db, "DELETE FROM runs WHERE id = ?");
    d.bind(1, id);
    if (StoreError e = d.exec())
        return e;
    return transaction.commit();
}

QString RunStore::storedPlanJson(qint64 runId, StoreError *error)
{
    SqliteStatement q(m_db, "SELECT plan_json FROM runs WHERE id = ?");
    q.bind(1, runId);
    if (q.next())
        return q.text(0);
    if (error)
        *error = q.error() ? q.error() : notFound(runId);
    return QString();
}

} // namespace Preflight
