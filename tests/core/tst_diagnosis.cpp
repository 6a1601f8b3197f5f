// Diagnosis rules on synthetic runs: each flaw names its finding; healthy runs and noise name nothing.
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "diagnosis/signaturehit.h"
#include "syntheticrun.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Preflight;
using namespace Preflight::Synthetic;

namespace {

const std::vector<int> kSweep{1, 2, 5, 10, 20, 50};

// Scales nearly linearly: X(N) = 100·N / (1 + 0.02(N−1)) req/s, S = 10 ms.
double healthyRps(double n)
{
    return 100.0 * n / (1 + 0.02 * (n - 1));
}

Spec healthySpec(const QString &db = QStringLiteral("postgresql"))
{
    Spec spec = sweep(kSweep, [](Level &l) {
        l.endpoints = {closedLoad(l.users, healthyRps(l.users))};
        l.db_backends = 10;
        l.db_active = int(std::min(10.0, std::ceil(l.users * 0.3)));
    });
    spec.db_kind = db;
    return spec;
}

ErrorSample errorSample(int endpoint, int status, const QByteArray &body, uint64_t count)
{
    ErrorSample s;
    s.endpoint = endpoint;
    s.status = status;
    s.body = body;
    s.count = count;
    s.stage_index = 2;
    return s;
}

RunData scenario(const QString &name, double noise = 0, unsigned seed = 1)
{
    Spec spec;
    if (name == QLatin1String("healthy")) {
        spec = healthySpec();
    } else if (name == QLatin1String("healthy-nodb")) {
        spec = healthySpec(QStringLiteral("none"));
    } else if (name == QLatin1String("single-connection") || name == QLatin1String("single-connection-timeouts") ||
               name == QLatin1String("serialized-server") || name == QLatin1String("serialized-server-pg") ||
               name == QLatin1String("serialized-server-pg-unused")) {
        const bool timeouts = name == QLatin1String("single-connection-timeouts");
        const bool pgWithPool = name == QLatin1String("serialized-server-pg");
        const bool pgUnused = name == QLatin1String("serialized-server-pg-unused"); // the requests never reach it
        spec = sweep(kSweep, [&](Level &l) {
            l.endpoints = {closedLoad(l.users, 50)}; // S = 20 ms, one at a time
            if (timeouts && l.users >= 50)
                l.endpoints[0].timeout_share = 0.59;
            l.db_backends = pgUnused ? 0 : pgWithPool ? 5 : 1;
            l.db_active = pgUnused ? 0 : 1;
        });
        spec.db_kind = name.startsWith(QLatin1String("serialized-server")) && !pgWithPool && !pgUnused
                           ? QStringLiteral("none")
                           : QStringLiteral("postgresql");
    } else if (name == QLatin1String("single-connection-pool-metrics")) {
        spec = sweep(kSweep, [&](Level &l) {
            l.endpoints = {closedLoad(l.users, 50)};
            l.pool_max = 1;
            l.pool_in_use = 1;
            l.pool_waiting = int(l.users) - 1;
        });
    } else if (name == QLatin1String("sustain-50")) {
        Level l;
        l.rate = 50;
        l.duration_s = 30;
        EndpointLoad e;
        e.rps = 50;
        e.latency_ms = 6;
        l.endpoints = {e};
        l.db_backends = 5;
        l.db_active = 1;
        spec.levels = {l};
        spec.db_kind = QStringLiteral("postgresql");
    } else if (name == QLatin1String("pool-15")) {
        spec = sweep(kSweep, [](Level &l) {
            l.endpoints = {closedLoad(l.users, 50.0 * std::min(l.users, 15.0))};
            l.db_backends = int(std::min(l.users, 15.0));
            l.db_active = l.db_backends;
        });
        spec.db_kind = QStringLiteral("postgresql");
    } else if (name == QLatin1String("pool-metrics")) {
        spec = sweep(kSweep, [](Level &l) {
            l.endpoints = {closedLoad(l.users, 50.0 * std::min(l.users, 15.0))};
            l.pool_max = 15;
            l.pool_in_use = int(std::min(l.users, 15.0));
            l.pool_waiting = int(std::max(0.0, l.users - 15));
        });
    } else if (name == QLatin1String("churn")) {
        spec = sweep(kSweep, [](Level &l) {
            l.endpoints = {closedLoad(l.users, healthyRps(l.users))};
            l.db_backends = int(std::ceil(l.users * 0.3));
            l.db_new_backends_per_s = healthyRps(l.users);
        });
        spec.db_kind = QStringLiteral("postgresql");
    } else if (name == QLatin1String("n-plus-one") || name == QLatin1String("missing-index")) {
        spec = healthySpec();
        spec.endpoints = {{QStringLiteral("customer"), QStringLiteral("GET"),
                           QStringLiteral("/customers/{id}?include=appointments")}};
    } else if (name == QLatin1String("lock-contention")) {
        spec = sweep(kSweep, [](Level &l) {
            EndpointLoad get = closedLoad(l.users / 2, healthyRps(l.users) / 2);
            EndpointLoad post = get;
            const double share[] = {0, 0, 0.05, 0.15, 0.35, 0.6};
            const auto idx = std::find(kSweep.begin(), kSweep.end(), int(l.users)) - kSweep.begin();
            post.error_share = share[idx];
            post.error_status = 503;
            l.endpoints = {get, post};
        });
        spec.endpoints = {{QStringLiteral("list"), QStringLiteral("GET"), QStringLiteral("/items")},
                          {QStringLiteral("create"), QStringLiteral("POST"), QStringLiteral("/items")}};
        spec.db_kind = QStringLiteral("sqlite");
    } else if (name == QLatin1String("slow-endpoint")) {
        spec = sweep(kSweep, [](Level &l) {
            EndpointLoad fast = closedLoad(l.users, healthyRps(l.users));
            EndpointLoad slow;
            slow.rps = 3 * std::sqrt(l.users);
            slow.latency_ms = 300;
            l.endpoints = {fast, slow};
        });
        spec.endpoints = {{QStringLiteral("list"), QStringLiteral("GET"), QStringLiteral("/items")},
                          {QStringLiteral("report"), QStringLiteral("GET"), QStringLiteral("/report")}};
    } else if (name == QLatin1String("load-shedding")) {
        spec = sweep(kSweep, [](Level &l) {
            l.endpoints = {closedLoad(l.users, healthyRps(l.users))};
            if (l.users >= 20) {
                l.endpoints[0].error_share = 0.3;
                l.endpoints[0].error_status = 503;
                l.endpoints[0].error_latency_ms = 1;
            }
            l.db_backends = 2;
            l.db_active = 1;
        });
        spec.db_kind = QStringLiteral("postgresql");
    } else if (name == QLatin1String("timeouts")) {
        spec = sweep(kSweep, [](Level &l) {
            l.endpoints = {closedLoad(l.users, healthyRps(l.users))};
            if (l.users >= 20)
                l.endpoints[0].timeout_share = 0.03;
        });
    } else if (name == QLatin1String("health-404")) {
        spec = healthySpec();
    } else if (name == QLatin1String("max-connections-near")) {
        spec = healthySpec();
        for (Level &l : spec.levels)
            l.db_total_connections = 85;
    } else if (name == QLatin1String("idle-in-transaction")) {
        spec = healthySpec();
        for (Level &l : spec.levels)
            l.db_idle_in_transaction = 3;
    } else {
        qFatal("unknown scenario");
    }
    spec.noise = noise;
    spec.seed = seed;
    RunData run = build(spec);
    const int customer = 0; // n-plus-one, missing-index: the plan's one endpoint, "customer"

    if (name == QLatin1String("n-plus-one")) {
        run.queries = {
            profileStat(customer, QStringLiteral("SELECT * FROM customers WHERE id = $1"), 1, 1),
            profileStat(customer, QStringLiteral("SELECT id FROM appointments WHERE customer_id = $1"), 1, 20),
            profileStat(customer, QStringLiteral("SELECT * FROM services WHERE id = $1"), 20, 1),
            profileStat(customer, QStringLiteral("SELECT * FROM staff WHERE id = $1"), 20, 1),
            profileStat(customer, QStringLiteral("SELECT * FROM invoices WHERE appointment_id = $1"), 20, 1),
        };
    } else if (name == QLatin1String("missing-index")) {
        QueryPlan plan;
        plan.valid = true;
        plan.text = QStringLiteral("SELECT * FROM orders WHERE customer_ref = $1");
        plan.fingerprint = QStringLiteral("abc123");
        plan.root.node_type = QStringLiteral("Seq Scan");
        plan.root.relation = QStringLiteral("orders");
        plan.root.filter = QStringLiteral("(customer_ref = $1)");
        plan.root.filter_columns = {QStringLiteral("customer_ref")};
        plan.root.relation_rows = 200000;
        plan.root.plan_rows = 3;
        plan.root.flagged = true;
        run.plans = {plan};
        QueryStat q = profileStat(customer, plan.text, 1, 3);
        q.fingerprint = plan.fingerprint;
        q.mean_ms = 45;
        run.queries = {q};
    } else if (name == QLatin1String("lock-contention")) {
        uint64_t locked = 0;
        for (const IntervalSnapshot &in : run.intervals)
            if (auto it = in.endpoints[1].status_counts.find(503); it != in.endpoints[1].status_counts.end())
                locked += it->second;
        run.error_samples = {errorSample(1, 503, "sqlite3.OperationalError: database is locked", locked)};
    } else if (name == QLatin1String("load-shedding")) {
        ErrorSample s =
            errorSample(0, 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", 900);
        s.retry_after = QStringLiteral("5");
        s.server = QStringLiteral("nginx");
        run.error_samples = {s};
    } else if (name == QLatin1String("health-404")) {
        run.plan.health_path = QStringLiteral("/health");
        run.health.checked = true;
        run.health.status = 404;
    }
    return run;
}

const Finding *findingById(const Diagnosis &d, const QString &id)
{
    for (const Finding &f : d.findings)
        if (f.id == id)
            return &f;
    return nullptr;
}

double evidenceValue(const Finding &f, const QString &metric)
{
    for (const Evidence &e : f.evidence)
        if (e.metric == metric)
            return e.value;
    return NAN;
}

QString describe(const Diagnosis &d)
{
    QStringList parts;
    for (const Finding &f : d.findings)
        parts << QStringLiteral("%1[%2 %3] %4").arg(f.id, severityId(f.severity)).arg(f.confidence).arg(f.title);
    return parts.join(QStringLiteral(" | "));
}

QStringList ids(const char *commaSeparated)
{
    return QString::fromLatin1(commaSeparated).split(QLatin1Char(','), Qt::SkipEmptyParts);
}

GateSet launch()
{
    return *GateSet::preset(QStringLiteral("launch"));
}

} // namespace

class TestDiagnosis : public QObject
{
    Q_OBJECT
private slots:
    void rulesNameTheCause_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("titleContains");
        QTest::addColumn<QStringList>("absent");
        QTest::addColumn<QString>("verdict");
        const QString notReady = QStringLiteral("not-ready");
        QTest::newRow("single connection")
            << "single-connection"
            << "single-connection"
            << "serialised on one DB connection" << ids("serialized-server,pool-exhaustion") << notReady;
        QTest::newRow("single connection, timeouts folded in")
            << "single-connection-timeouts"
            << "single-connection"
            << "one DB connection" << ids("timeouts,serialized-server") << notReady;
        QTest::newRow("single connection (pool metrics max 1, no DB)")
            << "single-connection-pool-metrics"
            << "single-connection"
            << "one DB connection" << ids("serialized-server,pool-exhaustion") << notReady;
        QTest::newRow("serialized server, no DB")
            << "serialized-server"
            << "serialized-server"
            << "one request at a time" << ids("single-connection,pool-exhaustion") << notReady;
        QTest::newRow("serialized server, DB has 5 sessions")
            << "serialized-server-pg"
            << "serialized-server"
            << "one request at a time" << ids("single-connection") << notReady;
        QTest::newRow("pool of 15 (DB sessions)")
            << "pool-15"
            << "pool-exhaustion"
            << "Pool ceiling of 15 connections reached" << ids("single-connection,serialized-server") << notReady;
        QTest::newRow("pool of 15 (pool metrics)")
            << "pool-metrics"
            << "pool-exhaustion"
            << "Pool ceiling of 15 connections reached" << ids("single-connection") << notReady;
        QTest::newRow("connection churn") << "churn"
                                          << "connection-churn"
                                          << "new DB connection per request" << ids("pool-exhaustion") << "ready";
        QTest::newRow("n+1") << "n-plus-one"
                             << "n-plus-one"
                             << "GET /customers/{id} runs 1 + 3N queries" << ids("missing-index") << "ready";
        QTest::newRow("missing index") << "missing-index"
                                       << "missing-index"
                                       << "orders(customer_ref)" << ids("n-plus-one") << "ready";
        QTest::newRow("lock contention (SQLite busy)") << "lock-contention"
                                                       << "lock-contention"
                                                       << "Writes (POST /items) wait on the database lock"
                                                       << ids("load-shedding,error-rate,single-connection") << notReady;
        // 1% of the traffic: the run-wide P95 passes the launch gate, the finding still names the endpoint.
        QTest::newRow("slow endpoint") << "slow-endpoint"
                                       << "slow-endpoint"
                                       << "GET /report is slow on its own" << ids("serialized-server") << "ready";
        QTest::newRow("load shedding") << "load-shedding"
                                       << "load-shedding"
                                       << "503 + Retry-After" << ids("error-rate,lock-contention") << notReady;
        QTest::newRow("timeouts") << "timeouts"
                                  << "timeouts"
                                  << "time out" << ids("error-rate") << notReady;
        QTest::newRow("health 404") << "health-404"
                                    << "health-endpoint-missing"
                                    << "404" << ids("") << "ready";
        QTest::newRow("max connections near") << "max-connections-near"
                                              << "max-connections-near"
                                              << "85 of 100" << ids("") << "ready";
        QTest::newRow("idle in transaction") << "idle-in-transaction"
                                             << "idle-in-transaction"
                                             << "idle inside open transactions" << ids("") << "ready";
    }
    void rulesNameTheCause()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, id);
        QFETCH(QString, titleContains);
        QFETCH(QStringList, absent);
        QFETCH(QString, verdict);
        const Diagnosis d = analyze(::scenario(scenario), launch());
        const Finding *f = findingById(d, id);
        QVERIFY2(f, qPrintable(describe(d)));
        QVERIFY2(f->title.contains(titleContains), qPrintable(f->title));
        QVERIFY(!f->evidence.empty());
        QVERIFY(!f->recommendation.isEmpty());
        QVERIFY(f->confidence > 0 && f->confidence <= 1);
        for (const QString &other : absent)
            QVERIFY2(!findingById(d, other), qPrintable(describe(d)));
        QCOMPARE(d.verdict, verdict);
    }

    void healthyRunNamesNothingAboveLow_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<double>("noise");
        QTest::addColumn<uint>("seed");
        QTest::newRow("clean, PostgreSQL") << "healthy" << 0.0 << 1u;
        QTest::newRow("clean, no DB") << "healthy-nodb" << 0.0 << 1u;
        for (uint seed = 1; seed <= 5; ++seed)
            QTest::addRow("±5%% noise, seed %u", seed) << "healthy" << 0.05 << seed;
        QTest::newRow("open model, sustain 50 req/s") << "sustain-50" << 0.0 << 1u;
        QTest::newRow("open model, sustain 50 req/s, ±5% noise") << "sustain-50" << 0.05 << 3u;
    }
    void healthyRunNamesNothingAboveLow()
    {
        QFETCH(QString, scenario);
        QFETCH(double, noise);
        QFETCH(uint, seed);
        const Diagnosis d = analyze(::scenario(scenario, noise, seed), launch());
        for (const Finding &f : d.findings)
            QVERIFY2(f.severity >= Severity::Low, qPrintable(describe(d)));
        QCOMPARE(d.verdict, QStringLiteral("ready"));
        QVERIFY(d.gates_pass);
    }

    void noiseDoesNotFlipVerdict_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("id");
        for (uint seed = 1; seed <= 3; ++seed) {
            QTest::addRow("single-connection seed %u", seed) << "single-connection"
                                                             << "single-connection";
            QTest::addRow("pool-15 seed %u", seed) << "pool-15"
                                                   << "pool-exhaustion";
            QTest::addRow("serialized seed %u", seed) << "serialized-server"
                                                      << "serialized-server";
        }
    }
    void noiseDoesNotFlipVerdict()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, id);
        const Diagnosis clean = analyze(::scenario(scenario), launch());
        for (unsigned seed : {11u, 12u, 13u}) {
            const Diagnosis noisy = analyze(::scenario(scenario, 0.05, seed), launch());
            QCOMPARE(noisy.verdict, clean.verdict);
            QVERIFY2(findingById(noisy, id), qPrintable(describe(noisy)));
        }
    }

    void poolExhaustionReportsK()
    {
        const Diagnosis d = analyze(scenario(QStringLiteral("pool-15")), launch());
        const Finding *f = findingById(d, QStringLiteral("pool-exhaustion"));
        QVERIFY(f);
        QCOMPARE(evidenceValue(*f, QStringLiteral("pool_size")), 15.0);
        QVERIFY(f->confidence >= 0.8);
        QVERIFY(f->recommendation.contains(QLatin1String("max_connections = 100")));
        // The launch gate "no pool-exhaustion" fails on it.
        const auto gate = std::find_if(d.gates.begin(), d.gates.end(), [](const GateCheck &c) {
            return c.id == QLatin1String("no_finding:pool-exhaustion");
        });
        QVERIFY(gate != d.gates.end());
        QVERIFY(gate->measured && !gate->pass);
    }

    void poolSizeFromQueuePoolMessage()
    {
        RunData run = scenario(QStringLiteral("timeouts"));
        run.error_samples = {errorSample(0, 500,
                                         "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
                                         "connection timed out, timeout 30.00",
                                         40)};
        const Diagnosis d = analyze(run, launch());
        const Finding *f = findingById(d, QStringLiteral("pool-exhaustion"));
        QVERIFY2(f, qPrintable(describe(d)));
        QCOMPARE(f->title, QStringLiteral("Pool ceiling of 15 connections reached"));
        QVERIFY(!findingById(d, QStringLiteral("timeouts"))); // folded in as a symptom
    }

    void nPlusOneNamesFormulaAndQueries()
    {
        const Diagnosis d = analyze(scenario(QStringLiteral("n-plus-one")), launch());
        const Finding *f = findingById(d, QStringLiteral("n-plus-one"));
        QVERIFY(f);
        QCOMPARE(f->endpoint, QStringLiteral("customer"));
        QCOMPARE(evidenceValue(*f, QStringLiteral("children_per_row")), 3.0);
        QCOMPARE(evidenceValue(*f, QStringLiteral("parent_rows_per_call")), 20.0);
        QCOMPARE(evidenceValue(*f, QStringLiteral("queries_per_request")), 62.0); // 1 + 3·20 + the customer lookup
        QVERIFY2(f->summary.contains(QString::fromUtf8("1 + 3·20 = 61")), qPrintable(f->summary));
        QVERIFY(f->summary.contains(QLatin1String("SELECT id FROM appointments")));
        QVERIFY(f->summary.contains(QLatin1String("SELECT * FROM staff")));
        QCOMPARE(f->severity, Severity::High);
    }

    void missingIndexSuggestsTheIndex()
    {
        const Diagnosis d = analyze(scenario(QStringLiteral("missing-index")), launch());
        const Finding *f = findingById(d, QStringLiteral("missing-index"));
        QVERIFY(f);
        QVERIFY2(f->recommendation.contains(QLatin1String("CREATE INDEX CONCURRENTLY idx_orders_customer_ref ON orders "
                                                          "(customer_ref)")),
                 qPrintable(f->recommendation));
        QCOMPARE(evidenceValue(*f, QStringLiteral("relation_rows")), 200000.0);
        QCOMPARE(f->endpoint, QStringLiteral("customer"));
    }

    void missingEvidenceLowersConfidence()
    {
        const Diagnosis noDb = analyze(scenario(QStringLiteral("serialized-server")), launch());
        const Finding *f = findingById(noDb, QStringLiteral("serialized-server"));
        QVERIFY(f);
        QVERIFY(f->confidence <= 0.5);
        const bool saysHow = std::any_of(f->evidence.begin(), f->evidence.end(),
                                         [](const Evidence &e) { return e.note.contains(QLatin1String("--db")); });
        QVERIFY(saysHow);
        const Diagnosis withDb = analyze(scenario(QStringLiteral("single-connection")), launch());
        QVERIFY(findingById(withDb, QStringLiteral("single-connection"))->confidence > f->confidence);
        QVERIFY(std::any_of(noDb.notes.begin(), noDb.notes.end(),
                            [](const QString &n) { return n.contains(QLatin1String("No database configured")); }));
    }

    // A backend sharing a saturated host with Preflight shows flat throughput at any parallelism: that is CPU, not
    // one request at a time. The host's CPU only speaks for the backend when the target is on this host.
    void hostCpuSaturationIsNotSerialisation_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<double>("hostBusy");
        QTest::addColumn<bool>("serialised");
        QTest::addColumn<bool>("note");
        QTest::addRow("loopback, saturated") << "http://127.0.0.1:8000" << 0.97 << false << true;
        QTest::addRow("loopback, headroom") << "http://localhost:8000" << 0.55 << true << false;
        QTest::addRow("loopback, not measured") << "http://127.0.0.1:8000" << -1.0 << true << false;
        QTest::addRow("remote, saturated") << "https://api.example.com" << 0.97 << true << false;
    }

    void hostCpuSaturationIsNotSerialisation()
    {
        QFETCH(QString, baseUrl);
        QFETCH(double, hostBusy);
        QFETCH(bool, serialised);
        QFETCH(bool, note);
        RunData run = scenario(QStringLiteral("serialized-server"));
        run.plan.target.base_url = baseUrl;
        for (IntervalSnapshot &iv : run.intervals) {
            iv.host_cpu_busy = hostBusy;
            iv.host_cpus = hostBusy >= 0 ? 2 : 0;
        }
        const Diagnosis d = analyze(run, launch());
        const Finding *f = findingById(d, QStringLiteral("serialized-server"));
        QCOMPARE(f != nullptr, serialised);
        const bool noted = std::any_of(d.notes.begin(), d.notes.end(), [](const QString &n) {
            return n.contains(QLatin1String("2 CPUs were 97% busy")) && n.contains(QLatin1String("another machine"));
        });
        QCOMPARE(noted, note);
        if (f && hostBusy >= 0 && baseUrl.contains(QLatin1String("localhost"))) {
            const bool cited = std::any_of(f->evidence.begin(), f->evidence.end(), [](const Evidence &e) {
                return e.metric == QLatin1String("host_cpu_busy") && e.note.contains(QLatin1String("55% busy"));
            });
            QVERIFY(cited);
        }
    }

    // Flat throughput with no app session on the database at all: the requests never used it (a configuration
    // served from memory), so one shared DB connection cannot be the cause (the go-nethttp-pq-generator recording
    // raised a high single-connection with "0 app sessions" as its evidence before this).
    void noAppSessionIsNoSharedConnection()
    {
        RunData run = scenario(QStringLiteral("serialized-server-pg-unused"));
        const Diagnosis d = analyze(run, launch());
        QVERIFY(!findingById(d, QStringLiteral("single-connection")));
        const Finding *f = findingById(d, QStringLiteral("serialized-server"));
        QVERIFY(f);
        QCOMPARE(f->confidence, 0.6);
        QCOMPARE(evidenceValue(*f, QStringLiteral("db_backends_max")), 0.0);
        // The same run with one app session is the shared connection.
        const Diagnosis one = analyze(scenario(QStringLiteral("single-connection")), launch());
        QVERIFY(findingById(one, QStringLiteral("single-connection")));
    }

    void findingsAreOrderedBySeverity()
    {
        RunData run = scenario(QStringLiteral("single-connection"));
        run.plan.health_path = QStringLiteral("/health");
        run.health.checked = true;
        run.health.status = 404;
        const Diagnosis d = analyze(run, launch());
        QVERIFY(d.findings.size() >= 3);
        QCOMPARE(d.findings.front().id, QStringLiteral("single-connection"));
        for (size_t i = 1; i < d.findings.size(); ++i)
            QVERIFY(d.findings[i - 1].severity <= d.findings[i].severity);
    }

    void signaturesAreRecognised_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("signature");
        QTest::addColumn<int>("poolSize");
        QTest::newRow("sqlite busy") << QByteArray("{\"error\": \"database is locked\"}") << "sqlite-busy" << -1;
        QTest::newRow("queue pool") << QByteArray("QueuePool limit of size 5 overflow 10 reached, connection timed out")
                                    << "pool-timeout" << 15;
        QTest::newRow("too many clients")
            << QByteArray("FATAL: remaining connection slots are reserved for non-replication superuser connections")
            << "too-many-clients" << -1;
        QTest::newRow("deadlock") << QByteArray("ERROR: deadlock detected") << "pg-deadlock" << -1;
        QTest::newRow("unrelated") << QByteArray("<h1>Internal Server Error</h1>") << "" << -1;
    }
    void signaturesAreRecognised()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, signature);
        QFETCH(int, poolSize);
        RunData run;
        run.error_samples = {errorSample(0, 500, body, 3)};
        const auto hits = recogniseErrorSamples(run);
        if (signature.isEmpty()) {
            QVERIFY(hits.empty());
            return;
        }
        QCOMPARE(hits.size(), size_t(1));
        QCOMPARE(hits[0].signature, signature);
        QCOMPARE(hits[0].pool_size, poolSize);
        QCOMPARE(hits[0].count, uint64_t(3));
    }

    void applyStoresConclusions()
    {
        RunData run = scenario(QStringLiteral("pool-15"));
        const Diagnosis d = analyze(run, launch());
        applyDiagnosis(d, &run);
        QCOMPARE(run.verdict, QStringLiteral("not-ready"));
        QCOMPARE(run.gate_preset, QStringLiteral("launch"));
        QCOMPARE(run.gates.size(), d.gates.size());
        QCOMPARE(run.findings.size(), d.findings.size());
    }

    void duplicatesMerge()
    {
        Finding a;
        a.id = QStringLiteral("missing-index");
        a.title = QStringLiteral("No index on orders(customer_ref)");
        a.severity = Severity::Medium;
        a.evidence = {Evidence{QStringLiteral("seq_scan_rows"), 200000, QStringLiteral("rows"), QStringLiteral("q1")}};
        Finding b = a;
        b.severity = Severity::High;
        b.evidence = {Evidence{QStringLiteral("seq_scan_rows"), 200000, QStringLiteral("rows"), QStringLiteral("q2")}};
        const std::vector<Finding> merged = mergeFindings({a, b});
        QCOMPARE(merged.size(), size_t(1));
        QCOMPARE(merged.front().severity, Severity::High);
        QCOMPARE(merged.front().evidence.size(), size_t(2));
    }

    void verdictInconclusive_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("verdict");
        QTest::newRow("no requests") << "empty"
                                     << "inconclusive";
        QTest::newRow("too short") << "short"
                                   << "inconclusive";
        QTest::newRow("aborted, gates pass so far") << "aborted-healthy"
                                                    << "inconclusive";
        QTest::newRow("aborted with failed gates") << "aborted-broken"
                                                   << "not-ready";
        QTest::newRow("revised without a 2x level") << "revised"
                                                    << "inconclusive";
    }
    void verdictInconclusive()
    {
        QFETCH(QString, how);
        QFETCH(QString, verdict);
        GateSet gates = launch();
        RunData run;
        if (how == QLatin1String("empty")) {
            run = build(Spec{});
        } else if (how == QLatin1String("short")) {
            Spec spec = sweep(
                {1}, [](Level &l) { l.endpoints = {closedLoad(1, 100)}; }, 2);
            run = build(spec);
        } else if (how == QLatin1String("aborted-healthy")) {
            run = scenario(QStringLiteral("healthy"));
            run.info.status = RunStatus::Aborted;
        } else if (how == QLatin1String("aborted-broken")) {
            run = scenario(QStringLiteral("single-connection"));
            run.info.status = RunStatus::Aborted;
        } else if (how == QLatin1String("revised")) {
            run = scenario(QStringLiteral("healthy"));
            gates = *GateSet::preset(QStringLiteral("revised"));
        }
        const Diagnosis d = analyze(run, gates);
        QVERIFY2(d.verdict == verdict, qPrintable(d.verdict + QStringLiteral(": ") + d.verdict_reason));
        QVERIFY(!d.verdict_reason.isEmpty());
    }

    void revisedWithExpectedLoad()
    {
        GateSet gates = *GateSet::preset(QStringLiteral("revised"));
        gates.setExpectedLoad(20, -1); // 2× = 50 users exists in the sweep
        const Diagnosis d = analyze(scenario(QStringLiteral("healthy")), gates);
        QVERIFY2(d.verdict == QLatin1String("ready"), qPrintable(d.verdict_reason));
    }

    void supportedUsersWithinGates()
    {
        // Single connection, S = 20 ms: P95 ≈ 1.2·N·20 ms stays ≤ 120 ms up to 2 users (48 ms) … 5 users (120 ms).
        const Diagnosis d = analyze(scenario(QStringLiteral("single-connection")), launch());
        QVERIFY(d.capacity.supported_load >= 2 && d.capacity.supported_load < 10);
        const Diagnosis healthy = analyze(scenario(QStringLiteral("healthy")), launch());
        QCOMPARE(healthy.capacity.supported_load, 50.0);
    }

    void safetyGuard_data()
    {
        QTest::addColumn<double>("errorShare");
        QTest::addColumn<int>("totalConnections");
        QTest::addColumn<double>("runFor_s");
        QTest::addColumn<bool>("aborts");
        QTest::newRow("healthy") << 0.0 << 20 << 20.0 << false;
        QTest::newRow("errors 35%") << 0.35 << 20 << 20.0 << true;
        QTest::newRow("errors 20% is not above") << 0.2 << 20 << 20.0 << false;
        QTest::newRow("errors during warm-up only") << 0.5 << 20 << 12.0 << false;
        QTest::newRow("backends 81 of 100") << 0.0 << 81 << 20.0 << true;
        QTest::newRow("backends 80 of 100") << 0.0 << 80 << 20.0 << false;
    }
    void safetyGuard()
    {
        QFETCH(double, errorShare);
        QFETCH(int, totalConnections);
        QFETCH(double, runFor_s);
        QFETCH(bool, aborts);
        Spec spec = sweep(
            {10},
            [&](Level &l) {
                l.endpoints = {closedLoad(10, 200)};
                l.endpoints[0].error_share = errorShare;
                l.db_backends = 10;
                l.db_total_connections = totalConnections;
            },
            runFor_s);
        spec.db_kind = QStringLiteral("postgresql");
        const RunData run = build(spec);
        const auto reason = Preflight::safetyGuard(run.intervals, run.db_samples);
        QCOMPARE(bool(reason), aborts);
        if (reason)
            QVERIFY(reason->contains(QLatin1String("error rate")) ||
                    reason->contains(QLatin1String("max_connections")));
    }
};

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"
