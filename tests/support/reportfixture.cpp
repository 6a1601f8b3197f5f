#include "reportfixture.h"

#include "syntheticrun.h"

#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"

#include <cmath>

namespace Preflight::ReportFixture {

namespace {

using namespace Preflight::Synthetic;

const std::vector<int> kSweep{1, 2, 5, 10, 20, 50};

void diagnose(RunData &run)
{
    const GateSet gates = *GateSet::preset(QStringLiteral("launch"));
    applyDiagnosis(analyze(run, gates), &run);
}

void commonInfo(RunData &run, const QString &name)
{
    run.info.name = name;
    run.plan.name = name;
    run.info.started_at = QDateTime(QDate(2025, 11, 24), QTime(14, 30), Qt::UTC);
    run.info.tool_version = QStringLiteral(PREFLIGHT_VERSION);
    run.info.machine = QStringLiteral("build-host (Debian GNU/Linux 12, 2 cores)");
    run.info.workers = 2;
    run.info.scenario = QStringLiteral("sweep");
    run.plan.scenario.preset = QStringLiteral("sweep");
    run.plan.scenario.levels = kSweep;
    run.plan.scenario.step_s = 10;
}

} // namespace

RunData singleConnectionRun()
{
    Spec spec = sweep(kSweep, [](Level &l) {
        EndpointLoad profile = closedLoad(l.users * 0.7, 35); // S ≈ 20 ms, one at a time
        EndpointLoad search = closedLoad(l.users * 0.3, 15);
        if (l.users >= 20) {
            profile.timeout_share = 0.35;
            search.timeout_share = 0.35;
            profile.error_share = 0.05;
            profile.error_status = 500;
        }
        l.endpoints = {profile, search};
        l.db_backends = 1;
        l.db_active = 1;
        l.pool_in_use = 1;
        l.pool_max = 1;
        l.pool_waiting = int(l.users) - 1;
    });
    spec.endpoints = {
        {QStringLiteral("customer profile"), QStringLiteral("GET"),
         QStringLiteral("/api/admin/customers/{id}?include=appointmentDetails")},
        {QStringLiteral("search"), QStringLiteral("GET"), QStringLiteral("/api/v1/search?q=engineering")}};
    spec.db_kind = QStringLiteral("postgresql");
    spec.timeout_ms = 10000;
    RunData run = build(spec);
    commonInfo(run, QStringLiteral("customer API before launch"));
    run.info.target = QStringLiteral("https://127.0.0.1:8443");
    run.info.tls_insecure = true;
    run.plan.target.base_url = QStringLiteral("https://127.0.0.1:8443");
    run.plan.target.insecure = true;
    run.plan.target.headers[QStringLiteral("Authorization")] = QStringLiteral("Bearer ") + QLatin1String(kTokenCanary);
    run.plan.target.headers[QStringLiteral("Accept")] = QStringLiteral("application/json");
    run.plan.database.conninfo =
        QStringLiteral("host=127.0.0.1 port=5432 dbname=app user=app password=") + QLatin1String(kPasswordCanary);
    run.plan.health_path = QStringLiteral("/health");
    run.health.checked = true;
    run.health.status = 200;
    run.health.latency_ms = 3.2;
    run.database.server_version = QStringLiteral("15.10");
    run.database.warnings << QStringLiteral("track_io_timing is off: plan costs only, no I/O timings.");

    using namespace SingleConnection;
    run.queries = {
        profileStat(kCustomerIndex, kCustomers, 1, 1), profileStat(kCustomerIndex, kParent, 1, 20),
        profileStat(kCustomerIndex, kServices, 20, 1), profileStat(kCustomerIndex, kStaff, 20, 1),
        profileStat(kCustomerIndex, kInvoices, 20, 1), profileStat(kSearchIndex, kSearch, 1, 25, 38),
    };
    QueryPlan plan;
    plan.valid = true;
    plan.text = kSearch;
    plan.fingerprint = run.queries.back().fingerprint;
    plan.root.node_type = QStringLiteral("Limit");
    plan.root.plan_rows = 25;
    plan.root.total_cost = 4510;
    PlanNode scan;
    scan.node_type = QStringLiteral("Seq Scan");
    scan.relation = QStringLiteral("items");
    scan.schema = QStringLiteral("public");
    scan.filter = QStringLiteral("(name ~~* $1)");
    scan.filter_columns = {QStringLiteral("name")};
    scan.relation_rows = 250000;
    scan.plan_rows = 25;
    scan.total_cost = 4500;
    scan.flagged = true;
    plan.root.children = {scan};
    run.plans = {plan};

    ErrorSample e500;
    e500.endpoint = 0;
    e500.status = 500;
    e500.body = "sqlalchemy.exc.TimeoutError: QueuePool limit of size 1 overflow 0 reached, connection timed out, "
                "timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)";
    e500.content_type = QStringLiteral("text/plain");
    e500.count = 38;
    e500.first_seen_s = 41.5;
    e500.last_seen_s = 59.75;
    e500.stage_index = 4;
    ErrorSample timeout;
    timeout.endpoint = 1;
    timeout.status = 0;
    timeout.error_class = ErrorClass::Timeout;
    timeout.body = "Operation timed out after 10000 milliseconds with 0 bytes received";
    timeout.count = 326;
    timeout.first_seen_s = 40.2;
    timeout.last_seen_s = 60;
    timeout.stage_index = 4;
    run.error_samples = {e500, timeout};
    diagnose(run);
    return run;
}

RunData healthyRun()
{
    Spec spec = sweep(kSweep, [](Level &l) {
        const double rps = 100.0 * l.users / (1 + 0.02 * (l.users - 1));
        l.endpoints = {closedLoad(l.users * 0.7, rps * 0.7), closedLoad(l.users * 0.3, rps * 0.3)};
        l.db_backends = 10;
        l.db_active = int(std::min(10.0, std::ceil(l.users * 0.3)));
        l.pool_in_use = int(std::min(10.0, std::ceil(l.users * 0.3)));
        l.pool_max = 20;
        l.pool_waiting = 0;
    });
    spec.endpoints = {
        {QStringLiteral("customer profile"), QStringLiteral("GET"),
         QStringLiteral("/api/admin/customers/{id}?include=appointmentDetails")},
        {QStringLiteral("search"), QStringLiteral("GET"), QStringLiteral("/api/v1/search?q=engineering")}};
    spec.db_kind = QStringLiteral("postgresql");
    RunData run = build(spec);
    commonInfo(run, QStringLiteral("customer API after the fix"));
    run.plan.database.conninfo = QStringLiteral("host=127.0.0.1 dbname=app user=app");
    const int customer = 0, search = 1; // "customer profile", "search"
    run.queries = {
        profileStat(customer, QStringLiteral("SELECT * FROM customers WHERE id = $1"), 1, 1),
        profileStat(customer,
                    QStringLiteral("SELECT a.*, s.*, st.* FROM appointments a JOIN services s ON s.id = a.service_id "
                                   "JOIN staff st ON st.id = a.staff_id WHERE a.customer_id = $1"),
                    1, 20, 0.6),
        profileStat(search, QStringLiteral("SELECT id, name FROM items WHERE name ILIKE $1 LIMIT $2"), 1, 25, 0.4),
    };
    diagnose(run);
    return run;
}

RunData longRun(double duration_s, int endpoints, double rps)
{
    Spec spec;
    spec.endpoints.clear();
    for (int e = 0; e < endpoints; ++e)
        spec.endpoints.push_back(
            {QStringLiteral("endpoint %1").arg(e + 1), QStringLiteral("GET"), QStringLiteral("/api/e%1").arg(e + 1)});
    Level l;
    l.rate = rps * endpoints;
    l.duration_s = duration_s;
    for (int e = 0; e < endpoints; ++e) {
        EndpointLoad load;
        load.rps = rps;
        load.latency_ms = 8 + 4 * e;
        load.error_share = 0.0005;
        l.endpoints.push_back(load);
    }
    l.db_backends = 8;
    l.db_active = 3;
    l.pool_in_use = 3;
    l.pool_max = 10;
    spec.levels = {l};
    spec.db_kind = QStringLiteral("postgresql");
    spec.noise = 0.1;
    RunData run = build(spec);
    commonInfo(run, QStringLiteral("one-hour soak"));
    run.info.scenario = QStringLiteral("soak");
    run.plan.scenario.preset = QStringLiteral("soak");
    run.plan.scenario.rate = l.rate;
    run.plan.scenario.duration_s = duration_s;
    diagnose(run);
    return run;
}

} // namespace Preflight::ReportFixture
