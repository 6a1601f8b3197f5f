#include "databasesession.h"

#include "db/pgcapabilities.h"
#include "db/pgconnection.h"
#include "db/planinspector.h"
#include "db/profiler.h"
#include "db/sqliteinspector.h"
#include "db/statementlog.h"
#include "load/requestfactory.h"
#include "load/targetprobe.h"

#include <QFile>

#include <algorithm>
#include <set>

namespace Preflight {

DatabaseSession::DatabaseSession(const DatabaseSpec &spec) : m_spec(spec) {}

DatabaseSession::~DatabaseSession() = default;

bool DatabaseSession::isPostgres() const { return m_pg != nullptr; }

DbError DatabaseSession::open(DbCapabilities *capabilities)
{
    if (m_spec.isSqlite()) {
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
    return {};
}

void DatabaseSession::snapshotBeforeLoad()
{
    if (m_pg && m_statementsAvailable)
        m_before = PgStatements::snapshot(*m_pg);
}

DatabaseSession::Findings DatabaseSession::analyseAfterLoad(const Plan &plan, const RequestFactory &factory,
                                                            double totalRequests, const std::atomic<bool> *stop)
{
    Findings out;
    if (m_sqlite) {
        if (!m_spec.log.isEmpty() && plan.scenario.profile_requests > 0 && !(stop && stop->load()))
            out.queries = profileFromLog(plan, factory, stop, &out.warnings);
        out.plans = out.queries.empty() ? explainSqliteLog(&out.warnings) : explainSqliteQueries(out.queries);
        return out;
    }
    if (!m_pg || !m_statementsAvailable)
        return out;
    const PgStatements::Snapshot after = PgStatements::snapshot(*m_pg);
    if (m_before.valid && after.valid)
        out.queries = Profiler::runStats(m_before, after, totalRequests, &out.warnings);
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

std::vector<QueryPlan> DatabaseSession::explainQueries(const std::vector<QueryStat> &queries, QStringList *warnings)
{
    // The queries worth a plan: the run's costliest ones, and every query an endpoint repeats per request.
    std::vector<const QueryStat *> candidates;
    std::vector<const QueryStat *> run;
    for (const QueryStat &q : queries)
        if (q.phase == QLatin1String("run"))
            run.push_back(&q);
    std::sort(run.begin(), run.end(), [](const QueryStat *a, const QueryStat *b) { return a->total_ms > b->total_ms; });
    for (size_t i = 0; i < run.size() && i < size_t(kTopQueriesToExplain); ++i)
        candidates.push_back(run[i]);
    for (const QueryStat &q : queries)
        if (q.phase == QLatin1String("profile"))
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
    // Each endpoint alone, K sequential requests marked X-Preflight-Profile, and the statements the
    // application logged meanwhile: statements per request without pg_stat_statements.
    std::vector<QueryStat> stats;
    StatementLog log(m_spec.log, /*fromEnd=*/true);
    log.readNew();
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
            request.caFile = plan.target.ca_file.toStdString();
            request.insecure = plan.target.insecure;
            if (TargetProbe::fetch(request).answered)
                ++answered;
        }
        const auto statements = StatementLog::parseAppLog(log.readNew());
        if (answered == 0) {
            *warnings << QStringLiteral("profiling pass: %1 did not answer").arg(plan.endpoints[size_t(e)].name);
            continue;
        }
        const auto perRequest = StatementLog::perRequest(statements, plan.endpoints[size_t(e)].name, answered);
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
