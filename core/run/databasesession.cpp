#include "databasesession.h"

#include "db/pgcapabilities.h"
#include "db/pgconnection.h"
#include "db/planinspector.h"
#include "db/profiler.h"
#include "db/sqliteinspector.h"
#include "db/statementlog.h"
#include "load/requestfactory.h"
#include "load/targetprobe.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QThread>

#include <algorithm>
#include <set>

namespace Preflight {

DatabaseSession::DatabaseSession(const DatabaseSpec &spec) : m_spec(spec) {}

DatabaseSession::~DatabaseSession() = default;

bool DatabaseSession::isPostgres() const
{
    return m_pg != nullptr;
}

DbError DatabaseSession::open(DbCapabilities *capabilities)
{
    if (m_spec.isSqlite()) {
        // For a run, a database file that is not there is a database that cannot be reached (exit 3), like a
        // PostgreSQL database that does not exist; what is there but is no database is a plan error.
        const QString path = m_spec.conninfo.mid(int(qstrlen("sqlite:")));
        if (!path.isEmpty() && !QFileInfo::exists(path))
            return {DbError::Kind::Unreachable,
                    {},
                    QStringLiteral("the SQLite file %1 does not exist: check the sqlite: path (Preflight opens it "
                                   "read-only and never creates it)")
                        .arg(path)};
        m_sqlite = std::make_unique<SqliteInspector>();
        const DbError error = m_sqlite->open(m_spec.conninfo.mid(int(qstrlen("sqlite:"))));
        if (!error.ok()) {
            m_sqlite.reset();
            return error;
        }
        *capabilities = m_sqlite->capabilities();
        return {};
    }
    m_pg = std::make_unique<PgConnection>();
    const DbError error = m_pg->open(m_spec.conninfo);
    if (!error.ok()) {
        m_pg.reset();
        return error;
    }
    *capabilities = PgCapabilities::check(*m_pg);
    m_statementsAvailable = capabilities->pg_stat_statements == QLatin1String("ok");
    m_database = m_pg->database();
    if (!m_statementsAvailable && !m_spec.log.isEmpty())
        checkServerLog(capabilities);
    m_capabilities = *capabilities;
    return {};
}

void DatabaseSession::checkServerLog(DbCapabilities *capabilities)
{
    // database.log stands in for pg_stat_statements: say now, before the load, what would make its counts wrong.
    StatementLog probe(m_spec.log, /*fromEnd=*/false);
    const QByteArray head = probe.head();
    if (!probe.error().isEmpty()) {
        capabilities->warnings << QStringLiteral("cannot read database.log %1 (%2): statements per request cannot be "
                                                 "read from it. Give the user running "
                                                 "Preflight read access (for a server log: log_file_mode = 0640 and "
                                                 "membership in the server's group).")
                                      .arg(m_spec.log, probe.error());
        return;
    }
    const StatementLog::Format format = StatementLog::detect(m_spec.log, head);
    if (format == StatementLog::Format::AppLog)
        return;
    const PgResultSet settings = m_pg->query(QStringLiteral(
        "SELECT current_setting('log_line_prefix') AS prefix, current_setting('log_min_duration_statement') AS "
        "min_duration, current_setting('log_statement') AS log_statement"));
    if (!settings.ok() || settings.rowCount() != 1)
        return;
    m_logLinePrefix = settings.value(0, QStringLiteral("prefix"));
    const QString minDuration = settings.value(0, QStringLiteral("min_duration"));
    const QString logStatement = settings.value(0, QStringLiteral("log_statement"));
    m_serverLogsEveryStatement = minDuration == QLatin1String("0") || logStatement == QLatin1String("all");
    if (!m_serverLogsEveryStatement)
        capabilities->warnings
            << QStringLiteral(
                   "the server logs only some statements (log_min_duration_statement = %1, log_statement = %2), so "
                   "statements per request read from database.log would be too low: set log_min_duration_statement = 0 "
                   "in postgresql.conf and reload for the run (Preflight never changes server settings).")
                   .arg(minDuration, logStatement);
    if (format != StatementLog::Format::PostgresCsv && format != StatementLog::Format::PostgresJson &&
        !StatementLog::prefixNamesDatabase(m_logLinePrefix))
        capabilities->warnings
            << QStringLiteral(
                   "log_line_prefix '%1' does not name the database (%d), so statements of every database on the "
                   "server "
                   "in %2 are counted for \"%3\": add %d and %a, e.g. log_line_prefix = '%m [%p] %q%u@%d/%a ', or use "
                   "log_destination = 'csvlog'.")
                   .arg(m_logLinePrefix, m_spec.log, m_database);
}

QString DatabaseSession::perQueryNote(bool logTried, bool logFoundStatements) const
{
    const QString &state = m_capabilities.pg_stat_statements;
    QString why;
    if (state == QLatin1String("missing"))
        why = QStringLiteral("the extension is not created in database \"%1\"").arg(m_database);
    else if (state == QLatin1String("not-preloaded"))
        why = QStringLiteral("the server does not load its library (shared_preload_libraries)");
    else if (state == QLatin1String("insufficient-privilege"))
        why = QStringLiteral("Preflight's role may not see the application's statements");
    else
        why = QStringLiteral("it could not be read");
    const QString fix = m_capabilities.remediation.isEmpty()
                            ? QString()
                            : QStringLiteral(" To get it: %1").arg(m_capabilities.remediation.join(QLatin1Char(' ')));
    if (logTried && logFoundStatements)
        return QStringLiteral("pg_stat_statements is %1 (%2): queries per request come from the statement log %3 "
                              "instead: statement counts per fingerprint over the profiling pass, without row counts "
                              "or whole-run totals.%4")
            .arg(state, why, m_spec.log, fix);
    const QString missing = QStringLiteral(
        "queries per request, the query table, query plans and the n-plus-one and missing-index checks are missing "
        "from this run.");
    if (logTried)
        return QStringLiteral("No per-query evidence: pg_stat_statements is %1 (%2), and the statement log %3 held "
                              "no statements of database \"%4\" for the profiling requests (is it the server's "
                              "current log, written with log_min_duration_statement = 0?), so %5%6")
            .arg(state, why, m_spec.log, m_database, missing, fix);
    return QStringLiteral("No per-query evidence: pg_stat_statements is %1 (%2) and no database.log names a statement "
                          "log to stand in, so %3%4 Or set database.log to a PostgreSQL log written with "
                          "log_min_duration_statement = 0.")
        .arg(state, why, missing, fix);
}

void DatabaseSession::snapshotBeforeLoad()
{
    if (m_pg && m_statementsAvailable)
        m_before = PgStatements::snapshot(*m_pg);
}

DatabaseSession::Findings DatabaseSession::analyseAfterLoad(const Plan &plan, const RequestFactory &factory,
                                                            const LoadSpan &load, const std::atomic<bool> *stop)
{
    Findings out;
    if (m_sqlite) {
        if (!m_spec.log.isEmpty() && plan.scenario.profile_requests > 0 && !(stop && stop->load()))
            out.queries = profileFromLog(plan, factory, stop, &out.warnings);
        out.plans = out.queries.empty() ? explainSqliteLog(&out.warnings) : explainSqliteQueries(out.queries);
        return out;
    }
    if (!m_pg)
        return out;
    if (!m_statementsAvailable) {
        const bool fromLog = !m_spec.log.isEmpty() && plan.scenario.profile_requests > 0 && !(stop && stop->load());
        if (fromLog) {
            out.queries = profileFromLog(plan, factory, stop, &out.warnings);
            out.plans = explainQueries(out.queries, &out.warnings);
        }
        out.warnings << perQueryNote(fromLog, !out.queries.empty());
        return out;
    }
    const PgStatements::Snapshot after = PgStatements::snapshot(*m_pg);
    if (m_before.valid && after.valid)
        out.queries = Profiler::runStats(m_before, after, load.total_requests, &out.warnings);
    out.stage_queries = stageStats(m_before, after, load);
    if (plan.scenario.profile_requests > 0 && !(stop && stop->load())) {
        Profiler::Options options;
        options.requests_per_endpoint = plan.scenario.profile_requests;
        Profiler profiler(*m_pg, plan, factory, options);
        const Profiler::Result profile = profiler.run(stop);
        const std::vector<QueryStat> stats = profile.stats();
        out.queries.insert(out.queries.end(), stats.begin(), stats.end());
        out.warnings << profile.warnings;
    }
    out.plans = explainQueries(out.queries, &out.warnings);
    return out;
}

std::vector<QueryStat> DatabaseSession::stageStats(const PgStatements::Snapshot &loadStart,
                                                   const PgStatements::Snapshot &loadEnd, const LoadSpan &load)
{
    std::vector<QueryStat> out;
    const int stages = int(load.stage_requests.size());
    if (stages < 2)
        return out; // one stage is the whole run: the "run" phase already says it
    // The last stage that served requests ends with the load; every earlier boundary must have its snapshot.
    int lastReached = 0;
    for (int stage = 0; stage < stages; ++stage)
        if (load.stage_requests[size_t(stage)] > 0)
            lastReached = stage;
    auto boundary = [&](int stage) -> const PgStatements::Snapshot * {
        if (stage == 0)
            return &loadStart;
        if (stage > lastReached)
            return &loadEnd;
        const auto it = load.stage_starts.find(stage);
        return it == load.stage_starts.end() ? nullptr : &it->second;
    };
    for (int stage = 0; stage <= lastReached; ++stage) {
        const PgStatements::Snapshot *from = boundary(stage);
        const PgStatements::Snapshot *to = boundary(stage + 1);
        if (!from || !to || !from->valid || !to->valid)
            continue;
        // A reset inside one stage is that stage's business: its figures are the after-values as they are.
        std::vector<QueryStat> stats = PgStatements::toQueryStats(PgStatements::delta(*from, *to), QueryPhase::Stage,
                                                                  -1, load.stage_requests[size_t(stage)]);
        for (QueryStat &q : stats) {
            q.stage = stage;
            out.push_back(std::move(q));
        }
    }
    return out;
}

std::vector<QueryPlan> DatabaseSession::explainQueries(const std::vector<QueryStat> &queries, QStringList *warnings)
{
    // The queries worth a plan: the run's costliest ones, and every query an endpoint repeats per request.
    std::vector<const QueryStat *> candidates;
    std::vector<const QueryStat *> run;
    for (const QueryStat &q : queries)
        if (q.phase == QueryPhase::Run)
            run.push_back(&q);
    std::sort(run.begin(), run.end(), [](const QueryStat *a, const QueryStat *b) { return a->total_ms > b->total_ms; });
    for (size_t i = 0; i < run.size() && i < size_t(kTopQueriesToExplain); ++i)
        candidates.push_back(run[i]);
    for (const QueryStat &q : queries)
        if (q.phase == QueryPhase::Profile)
            candidates.push_back(&q);

    std::vector<QueryPlan> plans;
    std::set<QString> seen;
    PlanInspector inspector(*m_pg);
    for (const QueryStat *q : candidates) {
        const QString key = q->fingerprint.isEmpty() ? q->text : q->fingerprint;
        if (!seen.insert(key).second || plans.size() >= 20)
            continue;
        QueryPlan plan = inspector.explain(q->text);
        plan.fingerprint = q->fingerprint;
        plan.text = q->text;
        if (plan.valid)
            plans.push_back(std::move(plan));
        else if (!plan.error.startsWith(QLatin1String("refused:")))
            *warnings << QStringLiteral("no plan for \"%1\": %2").arg(q->text.left(80), plan.error);
    }
    return plans;
}

std::vector<QueryStat> DatabaseSession::profileFromLog(const Plan &plan, const RequestFactory &factory,
                                                       const std::atomic<bool> *stop, QStringList *warnings)
{
    // Each endpoint alone, K sequential requests marked X-Preflight-Profile, and the statements logged
    // meanwhile: statements per request without pg_stat_statements.
    std::vector<QueryStat> stats;
    StatementLog log(m_spec.log, /*fromEnd=*/true);
    StatementLog::Format format = StatementLog::detect(m_spec.log, log.head());
    StatementLog::Filter filter;
    filter.database = m_database;
    filter.line_prefix = m_logLinePrefix;
    log.readNew();
    if (!log.error().isEmpty()) {
        *warnings << QStringLiteral("profiling pass: cannot read database.log %1: %2").arg(m_spec.log, log.error());
        return stats;
    }

    // A server log is written by the server, with logging_collector through a pipe and a logger process, so
    // what a backend logged a moment ago may not be in the file yet. The server keeps the order of its
    // messages, so once a marker statement of Preflight's own session is in the file, everything logged
    // before it is too: read up to the marker's line and keep the rest for the next endpoint.
    QByteArray carried;
    const QByteArray nonce = QByteArray::number(QRandomGenerator::global()->generate(), 16);
    int marks = 0;
    bool markerWorks = m_pg && m_serverLogsEveryStatement;
    auto readThroughMarker = [&]() -> QByteArray {
        QByteArray text = std::move(carried) + log.readNew();
        carried.clear();
        if (!markerWorks || !(StatementLog::isServerLog(format) || format == StatementLog::Format::Unknown))
            return text;
        const QByteArray mark = "preflight-log-sync-" + nonce + '-' + QByteArray::number(++marks);
        m_pg->query(QStringLiteral("SELECT '%1' AS mark").arg(QString::fromLatin1(mark)));
        QDeadlineTimer deadline(3000);
        qsizetype at = text.indexOf(mark);
        while (at < 0 && !deadline.hasExpired()) {
            const QByteArray more = log.readNew();
            if (more.isEmpty())
                QThread::msleep(20);
            text += more;
            at = text.indexOf(mark);
        }
        if (at < 0) {
            markerWorks = false;
            *warnings << QStringLiteral("profiling pass: Preflight's own marker statement never reached %1, so the "
                                        "statements read from it may belong to the wrong endpoint (is it this "
                                        "server's current log?)")
                             .arg(m_spec.log);
            return text;
        }
        const qsizetype end = text.indexOf('\n', at);
        carried = end < 0 ? QByteArray() : text.mid(end + 1);
        text.truncate(end < 0 ? text.size() : end + 1);
        return text;
    };
    readThroughMarker(); // what the load itself logged

    FastRandom random(7);
    for (int e = 0; e < factory.endpointCount() && size_t(e) < plan.endpoints.size(); ++e) {
        int answered = 0;
        for (int k = 0; k < plan.scenario.profile_requests && !(stop && stop->load()); ++k) {
            TargetProbe::Request request;
            request.method = factory.method(e);
            factory.buildUrl(e, random, uint64_t(900000000 + k), request.url);
            factory.buildBody(e, uint64_t(900000000 + k), request.body);
            request.headers = factory.headers(e);
            request.headers.push_back("X-Preflight-Profile: 1");
            request.timeout_ms = factory.timeoutMs(e);
            request.transport = TransportOptions::fromTarget(plan.target);
            if (TargetProbe::fetch(request).answered)
                ++answered;
        }
        const QByteArray text = readThroughMarker();
        if (format == StatementLog::Format::Unknown)
            format = StatementLog::detect(m_spec.log, text);
        const auto statements = StatementLog::parse(format, text, filter);
        if (answered == 0) {
            *warnings << QStringLiteral("profiling pass: %1 did not answer").arg(plan.endpoints[size_t(e)].name);
            continue;
        }
        const auto perRequest = StatementLog::perRequest(statements, e, answered);
        stats.insert(stats.end(), perRequest.begin(), perRequest.end());
    }
    return stats;
}

std::vector<QueryPlan> DatabaseSession::explainSqliteQueries(const std::vector<QueryStat> &queries)
{
    std::vector<QueryPlan> plans;
    std::set<QString> seen;
    for (const QueryStat &q : queries) {
        if (!seen.insert(q.fingerprint.isEmpty() ? q.text : q.fingerprint).second || plans.size() >= 20)
            continue;
        QueryPlan plan = m_sqlite->explainQueryPlan(q.text);
        plan.fingerprint = q.fingerprint;
        if (plan.valid)
            plans.push_back(std::move(plan));
    }
    return plans;
}

std::vector<QueryPlan> DatabaseSession::explainSqliteLog(QStringList *warnings)
{
    if (m_spec.log.isEmpty())
        return {};
    QFile file(m_spec.log);
    if (!file.open(QIODevice::ReadOnly)) {
        *warnings << QStringLiteral("cannot read the SQL log %1: %2").arg(m_spec.log, file.errorString());
        return {};
    }
    // The log may be large: the last 8 MB hold the run's statements.
    if (file.size() > 8 << 20)
        file.seek(file.size() - (8 << 20));
    const auto statements = StatementLog::parseAppLog(file.readAll());
    std::map<QString, std::pair<int, QString>> byFingerprint;
    for (const auto &s : statements) {
        auto &entry = byFingerprint[s.fingerprint.isEmpty() ? s.sql : s.fingerprint];
        ++entry.first;
        entry.second = s.sql;
    }
    std::vector<std::pair<int, QString>> ranked;
    for (const auto &[key, entry] : byFingerprint)
        ranked.push_back(entry);
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    std::vector<QueryPlan> plans;
    for (size_t i = 0; i < ranked.size() && i < 10; ++i) {
        QueryPlan plan = m_sqlite->explainQueryPlan(ranked[i].second);
        if (plan.valid)
            plans.push_back(std::move(plan));
    }
    return plans;
}

} // namespace Preflight
