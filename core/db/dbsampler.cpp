#include "dbsampler.h"

#include "dblog.h"
#include "queryfingerprint.h"
#include "sqliteinspector.h"

#include <set>

namespace Preflight {

namespace {
const QString kActivitySql = QStringLiteral(
    "SELECT a.pid, a.datname = current_database() AS same_db, a.state, a.wait_event_type, a.application_name, "
    "a.usename, host(a.client_addr) AS client, extract(epoch FROM a.backend_start) AS backend_start_s, "
    "extract(epoch FROM now() - a.xact_start) AS xact_age_s, "
    "extract(epoch FROM now() - a.state_change) AS state_age_s, "
    // Only for sessions waiting on a lock (CASE evaluates lazily): who blocks them, on what, and the statements.
    "CASE WHEN a.wait_event_type = 'Lock' THEN array_to_string(pg_blocking_pids(a.pid), ',') END AS blockers, "
    "CASE WHEN a.wait_event_type = 'Lock' THEN (SELECT l.locktype || '|' || coalesce(l.relation::regclass::text, '') "
    "  FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) END AS waiting_lock, "
    "CASE WHEN a.wait_event_type = 'Lock' THEN (SELECT string_agg(DISTINCT c.oid::regclass::text, ',') "
    "  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation AND c.relkind IN ('r', 'p') "
    "  WHERE l.pid = a.pid AND l.granted AND l.mode IN ('RowExclusiveLock', 'RowShareLock')) END AS written, "
    "CASE WHEN a.wait_event_type = 'Lock' OR a.pid IN (SELECT unnest(pg_blocking_pids(w.pid)) FROM pg_stat_activity w "
    "  WHERE w.wait_event_type = 'Lock') THEN a.query END AS query "
    // A role without pg_read_all_stats sees other roles' sessions with backend_type (and state) NULL: they are
    // still client backends of some database, so they count, in no known state.
    "FROM pg_stat_activity a WHERE a.backend_type = 'client backend' OR (a.backend_type IS NULL AND a.datid IS NOT "
    "NULL)");
const QString kSessionsSql =
    QStringLiteral("SELECT extract(epoch FROM now()) AS now_s, current_setting('max_connections') AS max_connections, "
                   "(SELECT sessions FROM pg_stat_database WHERE datname = current_database()) AS sessions");
const QString kSessionsSql13 =
    QStringLiteral("SELECT extract(epoch FROM now()) AS now_s, current_setting('max_connections') AS max_connections, "
                   "NULL AS sessions");
// One waiting session: its statement, the relation and the first blocker's statement, all normalised.
LockWait lockWait(const QStringList &row, const std::map<QString, const QStringList *> &byPid, int cStateAge,
                  int cBlockers, int cLock, int cWritten, int cQuery, int cState)
{
    LockWait w;
    w.wait_s = row[cStateAge].isNull() ? 0 : qMax(0.0, row[cStateAge].toDouble());
    w.query = QueryFingerprint::normalized(row[cQuery]);
    const QString lock = row[cLock];
    w.lock_type = lock.section(QLatin1Char('|'), 0, 0);
    w.relation = lock.section(QLatin1Char('|'), 1);
    if (w.relation.isEmpty())
        w.relation = row[cWritten].section(QLatin1Char(','), 0, 0); // a row lock: the table it writes
    const QStringList blockers = row[cBlockers].split(QLatin1Char(','), Qt::SkipEmptyParts);
    w.blockers = int(blockers.size());
    if (!blockers.isEmpty()) {
        const auto it = byPid.find(blockers.front());
        if (it != byPid.end()) {
            w.blocking_query = QueryFingerprint::normalized((*it->second)[cQuery]);
            w.blocking_state = (*it->second)[cState];
        }
    }
    return w;
}

} // namespace

DbSampler::DbSampler(const QString &conninfo, std::chrono::steady_clock::time_point runStart, const Options &options,
                     QObject *parent)
    : QObject(parent), m_conninfo(conninfo), m_runStart(runStart), m_options(options),
      m_appSessions(options.app_sessions)
{
}

DbSampler::DbSampler(const QString &conninfo, std::chrono::steady_clock::time_point runStart, QObject *parent)
    : DbSampler(conninfo, runStart, Options{}, parent)
{
}

DbSampler::~DbSampler()
{
    stop();
}

void DbSampler::start()
{
    if (m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = false;
        m_snapshots.clear();
    }
    m_pg = std::make_unique<PgConnection>();
    m_thread = std::thread([this] { run(); });
}

void DbSampler::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_pg)
        m_pg->cancel();
    m_thread.join();
    m_pg.reset();
}

double DbSampler::runSeconds() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_runStart).count();
}

bool DbSampler::waitNextTick(std::chrono::steady_clock::time_point &next)
{
    next += std::chrono::milliseconds(qMax(10, m_options.interval_ms));
    const auto now = std::chrono::steady_clock::now();
    if (next < now) // fell behind (slow server): skip ticks rather than burst
        next = now;
    while (true) {
        auto until = next;
        bool forSnapshot = false;
        if (!m_snapshotTimes_s.empty()) {
            const auto mark = m_runStart + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(m_snapshotTimes_s.begin()->second));
            if (mark < until) {
                until = mark;
                forSnapshot = true;
            }
        }
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_wake.wait_until(lock, until, [this] { return m_stop; }))
                return false;
        }
        if (!forSnapshot)
            return true;
        takeDueSnapshots();
    }
}

void DbSampler::setStatementsSnapshotTimes(const std::map<int, double> &stageStarts_s)
{
    Q_ASSERT(!m_thread.joinable());
    m_snapshotTimes_s = stageStarts_s;
}

std::map<int, PgStatements::Snapshot> DbSampler::statementsSnapshots() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_snapshots;
}

void DbSampler::takeDueSnapshots()
{
    std::vector<int> stages;
    const double now_s = runSeconds();
    while (!m_snapshotTimes_s.empty() && m_snapshotTimes_s.begin()->second <= now_s) {
        stages.push_back(m_snapshotTimes_s.begin()->first);
        m_snapshotTimes_s.erase(m_snapshotTimes_s.begin());
    }
    if (stages.empty() || !m_pg || !m_pg->isOpen())
        return; // SQLite, or no session yet: those stages get no boundary (their deltas are left out)
    // One snapshot serves every stage asked for since the last one (stages shorter than a round trip).
    const PgStatements::Snapshot snapshot = PgStatements::snapshot(*m_pg);
    if (!snapshot.valid && snapshot.error.kind != DbError::Kind::Cancelled)
        warnOnce(
            QStringLiteral("pg_stat_statements snapshot at a stage boundary failed: %1").arg(snapshot.error.message));
    std::lock_guard<std::mutex> lock(m_mutex);
    for (int stage : stages)
        m_snapshots[stage] = snapshot;
}

void DbSampler::warnOnce(const QString &message)
{
    if (message == m_lastWarning)
        return;
    m_lastWarning = message;
    qCWarning(lcPreflightDb) << "db sampler:" << message;
    Q_EMIT samplerWarning(message);
}

void DbSampler::run()
{
    if (m_conninfo.startsWith(QLatin1String("sqlite:")))
        runSqlite();
    else
        runPostgres();
}

void DbSampler::runSqlite()
{
    SqliteInspector inspector;
    auto next = std::chrono::steady_clock::now();
    do {
        if (!inspector.isOpen()) {
            const DbError e = inspector.open(m_conninfo);
            if (!e.ok()) {
                warnOnce(e.message);
                continue;
            }
        }
        Q_EMIT sampleAvailable(inspector.sample(runSeconds()));
    } while (waitNextTick(next));
}

void DbSampler::runPostgres()
{
    PgConnection &conn = *m_pg;
    auto next = std::chrono::steady_clock::now();
    bool haveBaseline = false;
    std::set<QString> prevBackends; // pid|backend_start of the previous sample's target backends
    double baseSessions = -1;
    quint64 baseOwnSessions = 0;
    qint64 cumulativeByStart = 0; // backends seen with backend_start after the previous sample
    qint64 reported = 0;          // new backends reported so far
    do {
        if (!conn.isOpen()) {
            const DbError e = conn.open(m_conninfo, m_options.connection);
            if (!e.ok()) {
                warnOnce(QStringLiteral("database sampling paused: %1").arg(e.message));
                continue;
            }
            haveBaseline = false; // a new session: restart the session counters
        }
        const auto results = conn.transaction(
            {{kActivitySql, {}}, {conn.serverVersionNum() >= 140000 ? kSessionsSql : kSessionsSql13, {}}},
            PgConnection::Finish::Commit);
        if (results.size() < 2 || !results[0].ok() || !results[1].ok()) {
            for (const PgResultSet &r : results) {
                if (!r.ok()) {
                    if (r.error.kind != DbError::Kind::Cancelled)
                        warnOnce(QStringLiteral("database sample failed: %1").arg(r.error.message));
                    break;
                }
            }
            continue;
        }
        const PgResultSet &act = results[0];
        const PgResultSet &meta = results[1];
        DbSample s;
        s.t_s = runSeconds();
        s.max_connections = meta.value(0, QStringLiteral("max_connections")).toInt();
        const QString sessionsText = meta.value(0, QStringLiteral("sessions"));
        const int ownPid = conn.backendPid();
        const int cPid = act.column(QStringLiteral("pid")), cSame = act.column(QStringLiteral("same_db")),
                  cState = act.column(QStringLiteral("state")), cWait = act.column(QStringLiteral("wait_event_type")),
                  cApp = act.column(QStringLiteral("application_name")), cClient = act.column(QStringLiteral("client")),
                  cUser = act.column(QStringLiteral("usename")), cStateAge = act.column(QStringLiteral("state_age_s")),
                  cStart = act.column(QStringLiteral("backend_start_s")),
                  cAge = act.column(QStringLiteral("xact_age_s")), cBlockers = act.column(QStringLiteral("blockers")),
                  cLock = act.column(QStringLiteral("waiting_lock")), cWritten = act.column(QStringLiteral("written")),
                  cQuery = act.column(QStringLiteral("query"));
        s.total_connections = act.rowCount();
        s.active_running = 0;
        s.other_databases = 0;
        int startedSincePrev = 0;
        std::set<QString> seen;
        std::map<QString, const QStringList *> byPid; // for naming blockers
        for (const QStringList &row : act.rows)
            byPid[row[cPid]] = &row;
        for (const QStringList &row : act.rows) {
            const QString app = row[cApp];
            if (row[cPid].toInt() == ownPid)
                continue;
            if (row[cSame] != QLatin1String("t")) {
                ++s.other_databases;
                continue;
            }
            const QString excluded = m_appSessions.exclusionReason(app, row[cUser], row[cClient]);
            if (!excluded.isEmpty()) {
                ++s.excluded[excluded];
                continue;
            }
            ++s.backends;
            const QString state = row[cState];
            const QString wait = row[cWait];
            if (state == QLatin1String("active")) {
                ++s.active;
                // Working: on CPU (no wait event) or waiting on I/O or the server's own locks. Lock waits, client
                // reads, sleeps (pg_sleep: Timeout), extensions and IPC are not the database being busy.
                if (wait.isEmpty() || wait == QLatin1String("IO") || wait == QLatin1String("LWLock") ||
                    wait == QLatin1String("BufferPin"))
                    ++s.active_running;
            } else if (state == QLatin1String("idle")) {
                ++s.idle;
            } else if (state.startsWith(QLatin1String("idle in transaction"))) {
                ++s.idle_in_transaction;
                if (!row[cStateAge].isNull())
                    s.idle_in_transaction_s.push_back(qMax(0.0, row[cStateAge].toDouble()));
            }
            if (!wait.isEmpty()) {
                ++s.by_wait_event_type[wait];
                if (wait == QLatin1String("Lock")) {
                    ++s.waiting_on_lock;
                    s.lock_waits.push_back(lockWait(row, byPid, cStateAge, cBlockers, cLock, cWritten, cQuery, cState));
                }
            }
            QString who = app;
            if (who.isEmpty())
                who = row[cClient].isEmpty() ? QStringLiteral("local") : row[cClient];
            ++s.by_application[who];
            if (!row[cUser].isEmpty())
                ++s.by_user[row[cUser]];
            if (!row[cAge].isNull())
                s.longest_transaction_s = qMax(s.longest_transaction_s, row[cAge].toDouble());
            const QString key = row[cPid] + QLatin1Char('|') + row[cStart];
            if (haveBaseline && !prevBackends.count(key))
                ++startedSincePrev;
            seen.insert(key);
        }
        bool sessionsOk = false;
        const double sessions = sessionsText.toDouble(&sessionsOk);
        if (!haveBaseline) {
            haveBaseline = true;
            baseSessions = sessionsOk ? sessions : -1;
            baseOwnSessions = PgConnection::sessionsOpened();
            cumulativeByStart = 0;
            reported = 0;
        } else {
            cumulativeByStart += startedSincePrev;
            qint64 cumulative = cumulativeByStart;
            if (sessionsOk && baseSessions >= 0) {
                const qint64 own = qint64(PgConnection::sessionsOpened() - baseOwnSessions);
                cumulative = qMax(cumulative, qint64(sessions - baseSessions) - own);
            }
            s.new_backends = int(qMax<qint64>(0, cumulative - reported));
            reported += s.new_backends;
        }
        prevBackends = std::move(seen);
        Q_EMIT sampleAvailable(s);
        takeDueSnapshots();
    } while (waitNextTick(next));
    conn.close();
}

} // namespace Preflight
