#include "storefixture.h"

#include "plan/planparser.h"

#include <QtGlobal>

#include <algorithm>
#include <random>

namespace Preflight::StoreFixture {

namespace {

const char *kPlanJson = R"({
  "name": "store round trip",
  "target": {"base_url": "http://127.0.0.1:8000",
             "headers": {"Accept": "application/json", "X-Api-Key": "${env:PREFLIGHT_CANARY}"},
             "login": {"method": "POST", "path": "/login",
                       "json": {"username": "admin", "password": "${env:PREFLIGHT_CANARY}"}}},
  "endpoints": [
    {"name": "profile", "method": "GET", "path": "/api/customers/{id}", "weight": 3, "vars": {"id": {"range": [1, 50]}}},
    {"name": "search", "method": "GET", "path": "/api/search?q=x", "weight": 2},
    {"name": "create", "method": "POST", "path": "/api/items", "json": {"name": "item-{seq}"}}
  ],
  "database": {"conninfo": "postgresql://u:CANARY123@127.0.0.1/db"},
  "scenario": {"preset": "sweep", "levels": [1, 5, 10], "step_s": 5}
})";

Plan makePlan()
{
    PlanError error;
    std::optional<Plan> plan = PlanParser::parse(QByteArray(kPlanJson), &error);
    if (!plan)
        qFatal("test plan does not parse: %s", qPrintable(error.toString()));
    return *plan;
}

EndpointStats makeStats(std::mt19937_64 &rng, int endpoint, int interval)
{
    EndpointStats s;
    const int n = 20 + int(rng() % 200);
    std::lognormal_distribution<double> latency(8.0 + endpoint * 0.5 + interval * 0.01, 0.8);
    for (int i = 0; i < n; ++i) {
        const uint64_t us = uint64_t(std::max(1.0, latency(rng)));
        s.latency.record(us);
        s.latency_uncorrected.record(us * 9 / 10 + 1);
        ++s.requests;
        const int roll = int(rng() % 100);
        if (roll < 90) {
            ++s.ok;
            ++s.status_counts[200];
        } else if (roll < 95) {
            ++s.http_errors;
            ++s.status_counts[503];
        } else {
            ++s.transport_errors[size_t(roll % 2 ? ErrorClass::Timeout : ErrorClass::Connect)];
        }
        s.bytes_received += 100 + rng() % 1000;
    }
    return s;
}

} // namespace

RunData makeRun(int intervals)
{
    std::mt19937_64 rng(7);
    RunData run;
    run.plan = makePlan();
    run.info.name = QStringLiteral("synthetic");
    run.info.started_at = QDateTime::fromString(QStringLiteral("2024-05-06T07:08:09.123Z"), Qt::ISODateWithMs);
    run.info.status = RunStatus::Completed;
    run.info.tool_version = QStringLiteral("0.1.0");
    run.info.machine = QStringLiteral("testhost (Debian 12)");
    run.info.target = QStringLiteral("http://127.0.0.1:8000");
    run.info.scenario = QStringLiteral("sweep");
    run.info.workers = 2;
    run.info.engine = QStringLiteral("raw");
    const double levels[] = {1, 5, 10};
    for (int i = 0; i < 3; ++i)
        run.stages.push_back({i, i * 5.0, 5.0, false, levels[i], levels[i], QStringLiteral("%1 users").arg(levels[i])});
    for (int i = 0; i < intervals; ++i) {
        IntervalSnapshot iv;
        iv.index = i;
        iv.start_s = i * 0.25;
        iv.end_s = (i + 1) * 0.25;
        iv.stage_index = std::min(2, i / 20);
        iv.target_users = levels[iv.stage_index];
        iv.in_flight = i % 7;
        iv.started = 100 + uint64_t(i);
        for (int e = 0; e < 3; ++e)
            iv.endpoints.push_back(e == 2 && i % 5 == 0 ? EndpointStats() : makeStats(rng, e, i));
        run.intervals.push_back(iv);
    }
    for (int i = 0; i < 15; ++i) {
        DbSample s;
        s.t_s = i;
        s.backends = 5 + i;
        s.active = i % 4;
        s.idle = 2;
        s.waiting_on_lock = i % 2;
        s.max_connections = 100;
        s.total_connections = 12;
        s.by_wait_event_type[QStringLiteral("Lock")] = i % 2;
        s.by_application[QStringLiteral("app")] = 5 + i;
        run.db_samples.push_back(s);
        PoolSample p;
        p.t_s = i + 0.5;
        p.ok = i != 3;
        p.in_use = i % 6;
        p.idle = 5 - i % 6;
        p.max = 5;
        p.waiting = i > 10 ? 3 : 0;
        p.error = p.ok ? QString() : QStringLiteral("health endpoint answered 404");
        run.pool_samples.push_back(p);
    }
    run.database.kind = QStringLiteral("postgresql");
    run.database.server_version = QStringLiteral("15.6");
    run.database.max_connections = 100;
    run.database.pg_stat_statements = QStringLiteral("ok");
    run.database.warnings = QStringList{QStringLiteral("track_io_timing is off")};
    run.health = {true, 200, QString(), 1.5};
    run.queries.push_back({QueryPhase::Profile, 0 /* "profile" */, QStringLiteral("123"), QStringLiteral("abcd"),
                           QStringLiteral("SELECT * FROM orders WHERE customer_id = $1"), 600, 20, 30, 1200, 2, 0.4,
                           240});
    QueryStat level = run.queries.back();
    level.phase = QueryPhase::Stage;
    level.endpoint = -1;
    level.stage = 1;
    run.stage_queries.push_back(level);
    QueryPlan plan;
    plan.fingerprint = QStringLiteral("abcd");
    plan.text = QStringLiteral("SELECT * FROM orders WHERE customer_id = $1");
    plan.valid = true;
    plan.root.node_type = QStringLiteral("Gather");
    PlanNode scan;
    scan.node_type = QStringLiteral("Seq Scan");
    scan.relation = QStringLiteral("orders");
    scan.filter = QStringLiteral("(customer_id = $1)");
    scan.filter_columns = QStringList{QStringLiteral("customer_id")};
    scan.relation_rows = 50000;
    scan.flagged = true;
    plan.root.children.push_back(scan);
    run.plans.push_back(plan);
    ErrorSample es;
    es.endpoint = 1;
    es.status = 503;
    es.retry_after = QStringLiteral("5");
    es.body = QByteArray("Service Unavailable\xff\x00 binary", 30);
    es.first_seen_s = 3.2;
    es.last_seen_s = 14.9;
    es.stage_index = 1;
    es.count = 41;
    run.error_samples.push_back(es);
    Finding f;
    f.id = QStringLiteral("n-plus-one");
    f.severity = Severity::High;
    f.title = QStringLiteral("N+1 queries on profile");
    f.summary = QStringLiteral("1 + 30 queries per request");
    f.endpoint = QStringLiteral("profile");
    f.evidence = {{QStringLiteral("calls_per_request"), 30, QString(), QStringLiteral("orders by customer")}};
    f.recommendation = QStringLiteral("load orders with one query");
    f.layer = QStringLiteral("code");
    f.confidence = 0.9;
    run.findings.push_back(f);
    Finding knee;
    knee.id = QStringLiteral("capacity-knee");
    knee.title = QStringLiteral("Throughput peaks at 5 users");
    run.findings.push_back(knee);
    run.gate_preset = QStringLiteral("launch");
    run.gates.push_back({QStringLiteral("p95_ms"), QStringLiteral("P95 ≤ 120 ms"), 120, 80, true, true,
                         QStringLiteral("ms"), QStringLiteral("at 10 users")});
    run.gates.push_back({QStringLiteral("error_rate"), QStringLiteral("error rate < 0.1%"), 0.001, 0.1, true, false,
                         QStringLiteral("ratio"), QString()});
    run.verdict = QStringLiteral("not-ready");
    run.warnings = QStringList{QStringLiteral("pool metrics missing for 1 s")};
    return run;
}

} // namespace Preflight::StoreFixture
