// `preflight demo`'s arguments, read once for the CLI (--headless) and the GUI: what each option sets, the
// forms accepted, and errors that name the fix.
#include "demo/demoarguments.h"
#include "demo/demoplan.h"

#include <QTest>

using namespace Preflight;

class TestDemoArguments : public QObject
{
    Q_OBJECT
private slots:
    void parsesWhatEachOptionSets_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("flaws");
        QTest::addColumn<QString>("db");
        QTest::addColumn<bool>("headless");
        QTest::addColumn<QList<int>>("levels");
        QTest::addColumn<double>("step");
        QTest::addColumn<QStringList>("headlessOnly");
        const QStringList defaults{QStringLiteral("single-connection"), QStringLiteral("n-plus-one")};
        QTest::newRow("defaults") << QStringList{} << defaults << QString() << false << QList<int>{} << -1.0
                                  << QStringList{};
        QTest::newRow("flaw list") << QStringList{QStringLiteral("--flaw"), QStringLiteral("small-pool,missing-index")}
                                   << QStringList{QStringLiteral("small-pool"), QStringLiteral("missing-index")}
                                   << QString() << false << QList<int>{} << -1.0 << QStringList{};
        QTest::newRow("equals forms") << QStringList{QStringLiteral("--flaw=none"), QStringLiteral("--db=dbname=demo")}
                                      << QStringList{QStringLiteral("none")} << QStringLiteral("dbname=demo") << false
                                      << QList<int>{} << -1.0 << QStringList{};
        QTest::newRow("sweep") << QStringList{QStringLiteral("--levels"), QStringLiteral("1,5,20"),
                                              QStringLiteral("--step=2.5")}
                               << defaults << QString() << false << QList<int>{1, 5, 20} << 2.5 << QStringList{};
        QTest::newRow("headless outputs")
            << QStringList{QStringLiteral("--headless"), QStringLiteral("--report"), QStringLiteral("r.html"),
                           QStringLiteral("--json=s.json"), QStringLiteral("--quiet")}
            << defaults << QString() << true << QList<int>{} << -1.0
            << QStringList{QStringLiteral("--report"), QStringLiteral("--json"), QStringLiteral("--quiet")};
    }
    void parsesWhatEachOptionSets()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, flaws);
        QFETCH(QString, db);
        QFETCH(bool, headless);
        QFETCH(QList<int>, levels);
        QFETCH(double, step);
        QFETCH(QStringList, headlessOnly);
        QString error;
        const std::optional<DemoArguments> parsed = DemoArguments::parse(args, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->launcher.flaws, flaws);
        QCOMPARE(parsed->launcher.db, db);
        QCOMPARE(parsed->headless, headless);
        QCOMPARE(QList<int>(parsed->levels.begin(), parsed->levels.end()), levels);
        QCOMPARE(parsed->step_s, step);
        QCOMPARE(parsed->headlessOnly(), headlessOnly);
        QVERIFY(!parsed->help);
    }

    void wrongArgumentsNameTheFix_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fix");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--flaw")} << QStringLiteral("--help");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("--help");
        QTest::newRow("positional") << QStringList{QStringLiteral("extra")} << QStringLiteral("--help");
        QTest::newRow("levels") << QStringList{QStringLiteral("--levels"), QStringLiteral("1,zero")}
                                << QStringLiteral("e.g. 1,5,20");
        QTest::newRow("step") << QStringList{QStringLiteral("--step"), QStringLiteral("-1")}
                              << QStringLiteral("e.g. 5");
    }
    void wrongArgumentsNameTheFix()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, fix);
        QString error;
        QVERIFY(!DemoArguments::parse(args, &error));
        QVERIFY2(error.contains(fix), qPrintable(error));
    }

    void helpIsAskedForAndDescribed()
    {
        QString error;
        const std::optional<DemoArguments> parsed = DemoArguments::parse({QStringLiteral("--help")}, &error);
        QVERIFY(parsed && parsed->help);
        const QString help = DemoArguments::helpText();
        QVERIFY2(help.startsWith(QLatin1String("Usage: preflight demo")), qPrintable(help));
        for (const char *option : {"--flaw", "--db", "--headless", "--levels", "--step", "--report", "--json"})
            QVERIFY2(help.contains(QLatin1String(option)), option);
    }

    void levelsAndStepReachTheDemoPlan()
    {
        QString error;
        const std::optional<DemoArguments> parsed =
            DemoArguments::parse({QStringLiteral("--levels=2,4"), QStringLiteral("--step=3")}, &error);
        QVERIFY(parsed);
        Plan plan = demoPlan(QStringLiteral("http://127.0.0.1:1"), QString());
        const std::vector<int> before = plan.scenario.levels;
        parsed->applyTo(&plan);
        QCOMPARE(plan.scenario.levels, (std::vector<int>{2, 4}));
        QCOMPARE(plan.scenario.step_s, 3.0);
        Plan untouched = demoPlan(QStringLiteral("http://127.0.0.1:1"), QString());
        DemoArguments().applyTo(&untouched);
        QCOMPARE(untouched.scenario.levels, before);
    }
};

QTEST_GUILESS_MAIN(TestDemoArguments)
#include "tst_demoarguments.moc"
