// Capacity model: level summaries, service time, Little's-law plateau, USL fit.
#include "diagnosis/capacitymodel.h"
#include "diagnosis/levelsummary.h"
#include "syntheticrun.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace Preflight;
using namespace Preflight::Synthetic;

class TestCapacity : public QObject
{
    Q_OBJECT
private slots:
    void uslRecoversKnownParameters_data()
    {
        QTest::addColumn<double>("sigma");
        QTest::addColumn<double>("kappa");
        QTest::addColumn<double>("lambda");
        QTest::addColumn<double>("noise");
        QTest::addColumn<QString>("levels");
        QTest::newRow("contention + coherency") << 0.05 << 0.001 << 100.0 << 0.0 << "1,2,4,8,16,32,64,128";
        QTest::newRow("strong coherency") << 0.02 << 0.01 << 250.0 << 0.0 << "1,2,5,10,20,50";
        QTest::newRow("heavy contention") << 0.3 << 0.0005 << 40.0 << 0.0 << "1,2,5,10,20,50,100";
        QTest::newRow("typical sweep, 1% noise") << 0.08 << 0.002 << 120.0 << 0.01 << "1,2,4,8,12,16,24,32,48,64";
    }
    void uslRecoversKnownParameters()
    {
        QFETCH(double, sigma);
        QFETCH(double, kappa);
        QFETCH(double, lambda);
        QFETCH(double, noise);
        QFETCH(QString, levels);
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> u(-1, 1);
        std::vector<double> n, x;
        for (const QString &s : levels.split(QLatin1Char(','))) {
            const double users = s.toDouble();
            n.push_back(users);
            x.push_back(lambda * users / (1 + sigma * (users - 1) + kappa * users * (users - 1)) *
                        (1 + noise * u(rng)));
        }
        const UslFit fit = fitUsl(n, x);
        QVERIFY2(fit.valid, qPrintable(fit.reason));
        QVERIFY2(std::abs(fit.sigma - sigma) <= 0.1 * sigma, qPrintable(QString::number(fit.sigma)));
        QVERIFY2(std::abs(fit.kappa - kappa) <= 0.1 * kappa, qPrintable(QString::number(fit.kappa)));
        QVERIFY(std::abs(fit.lambda - lambda) <= 0.1 * lambda);
        const double peak = std::sqrt((1 - sigma) / kappa);
        QVERIFY(std::abs(fit.peak_users - peak) <= 0.1 * peak);
        QVERIFY(fit.r2 > 0.95);
        QCOMPARE(fit.points, int(n.size()));
    }

    void uslWithoutCoherencyHasNoPeak()
    {
        std::vector<double> n{1, 2, 5, 10, 20}, x;
        for (double v : n)
            x.push_back(100 * v / (1 + 0.1 * (v - 1)));
        const UslFit fit = fitUsl(n, x);
        QVERIFY(fit.valid);
        QVERIFY(fit.kappa < 1e-6);
        QVERIFY(std::abs(fit.sigma - 0.1) < 0.01);
        QVERIFY(fit.peak_users < 0 || fit.peak_users > 1000);
    }

    void uslRefusesFewerThanFourLevels_data()
    {
        QTest::addColumn<QString>("levels");
        QTest::newRow("none") << "";
        QTest::newRow("three") << "1,2,5";
        QTest::newRow("four points, three distinct") << "1,2,2,5";
    }
    void uslRefusesFewerThanFourLevels()
    {
        QFETCH(QString, levels);
        std::vector<double> n, x;
        for (const QString &s : levels.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            n.push_back(s.toDouble());
            x.push_back(10 * s.toDouble());
        }
        const UslFit fit = fitUsl(n, x);
        QVERIFY(!fit.valid);
        QVERIFY(fit.reason.contains(QLatin1String("at least 4")));
    }

    void plateau_data()
    {
        QTest::addColumn<int>("ceiling"); // 0: scales freely
        QTest::addColumn<bool>("reached");
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("load");
        QTest::newRow("one at a time") << 1 << true << 1.0 << 1.0;
        QTest::newRow("pool of 15") << 15 << true << 15.0 << 20.0;
        QTest::newRow("scales") << 0 << false << -1.0 << -1.0;
    }
    void plateau()
    {
        QFETCH(int, ceiling);
        QFETCH(bool, reached);
        QFETCH(double, value);
        QFETCH(double, load);
        const Spec spec = sweep({1, 2, 5, 10, 20, 50}, [&](Level &l) {
            const double inService = ceiling > 0 ? std::min<double>(l.users, ceiling) : l.users;
            l.endpoints = {closedLoad(l.users, inService * 50)}; // S = 20 ms
        });
        const auto levels = summarizeLevels(build(spec));
        const CapacityModel m = buildCapacityModel(levels);
        QVERIFY(std::abs(m.service_time_ms - 20) < 0.5);
        QCOMPARE(m.service_time_from_load, 1.0);
        QCOMPARE(m.plateau_reached, reached);
        if (reached) {
            QVERIFY2(std::abs(m.plateau_value - value) <= 0.05 * value, qPrintable(QString::number(m.plateau_value)));
            QCOMPARE(m.plateau_load, load);
        }
        QVERIFY(m.usl.valid); // six levels
    }

    void levelSummarySkipsWarmupAndReadsSamples()
    {
        Spec spec = sweep(
            {5, 10},
            [](Level &l) {
                l.endpoints = {closedLoad(l.users, l.users * 100)};
                l.endpoints[0].error_share = l.users == 10 ? 0.1 : 0;
                l.db_backends = int(l.users);
                l.db_active = int(l.users) - 1;
                l.pool_max = 20;
                l.pool_in_use = int(l.users);
                l.pool_waiting = 0;
            },
            4);
        spec.db_kind = QStringLiteral("postgresql");
        const RunData run = build(spec);
        const auto levels = summarizeLevels(run);
        QCOMPARE(levels.size(), size_t(2));
        const LevelSummary &a = levels[0], &b = levels[1];
        QCOMPARE(a.users, 5.0);
        QVERIFY(!a.open_model);
        QCOMPARE(a.duration_s, 4.0);
        QCOMPARE(a.steady_s, 3.5);            // first 0.5 s is warm-up
        QCOMPARE(a.requests, uint64_t(2000)); // counts cover the whole stage
        QVERIFY(std::abs(a.rps - 500) < 5);
        QVERIFY(std::abs(a.p50_ms - 10) < 0.5);
        QVERIFY(a.p95_ms > a.p50_ms && a.p99_ms >= a.p95_ms && a.max_ms >= a.p99_ms);
        QCOMPARE(a.db_backends_max, 5);
        QCOMPARE(a.db_active_max, 4);
        QCOMPARE(a.pool_in_use_max, 5);
        QCOMPARE(b.db_backends_max, 10); // the t = 4 s sample of the 5-user stage is warm-up for b
        QVERIFY(std::abs(b.error_rate - 0.1) < 0.03);
        QVERIFY(std::abs(b.success_rate + b.error_rate - 1) < 1e-9);
        QCOMPARE(b.loadLabel(), QStringLiteral("10 users"));
        QVERIFY(std::abs(a.effective_parallelism - 5) < 0.3); // 500 req/s × 10 ms
    }

    void openModelLevels()
    {
        Spec spec;
        Level l;
        l.rate = 50;
        l.duration_s = 10;
        EndpointLoad e;
        e.rps = 50;
        e.latency_ms = 8;
        l.endpoints = {e};
        spec.levels = {l};
        const auto levels = summarizeLevels(build(spec));
        QCOMPARE(levels.size(), size_t(1));
        QVERIFY(levels[0].open_model);
        QCOMPARE(levels[0].rate, 50.0);
        QCOMPARE(levels[0].loadLabel(), QStringLiteral("50 req/s"));
        const CapacityModel m = buildCapacityModel(levels);
        QVERIFY(!m.usl.valid);
        QVERIFY(std::abs(m.service_time_ms - 8) < 0.3);
    }
};

QTEST_GUILESS_MAIN(TestCapacity)
#include "tst_capacity.moc"
