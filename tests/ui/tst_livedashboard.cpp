// The latency chart's gate lines are the thresholds of the run's gate set (GateSet owns them): a preset, a custom
// gates file chosen in the scenario panel or named by the plan, and for a diagnosed run the thresholds its gate
// checks were judged by.
#include "diagnosis/gates.h"
#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "findingspanel.h"
#include "livedashboard.h"
#include "mainwindow.h"
#include "reportfixture.h"
#include "run/runcontroller.h"
#include "runpresenter.h"
#include "scenariopanel.h"
#include "statusline.h"

#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

class TestLiveDashboard : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    // A custom gates file on the launch preset with its own P95 (and no P99 check).
    QString customGates()
    {
        const QString path = m_dir.filePath(QStringLiteral("checkout.json"));
        QFile f(path);
        const QByteArray json = R"({"preset": "launch", "p95_ms": 150, "p99_ms": null})";
        if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size())
            return {};
        return path;
    }

    static double presetThreshold(const QString &preset, const QString &id)
    {
        return GateSet::preset(preset)->threshold(id, -1);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_livedashboard"));
        QVERIFY(m_dir.isValid());
    }

    void linesFollowTheGateSet_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::newRow("launch") << QStringLiteral("launch");
        QTest::newRow("revised") << QStringLiteral("revised");
    }
    void linesFollowTheGateSet()
    {
        QFETCH(QString, preset);
        LiveDashboard dashboard;
        dashboard.setGates(*GateSet::preset(preset));
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P50), presetThreshold(preset, QStringLiteral("p50_ms")));
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P95), presetThreshold(preset, QStringLiteral("p95_ms")));
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P99), presetThreshold(preset, QStringLiteral("p99_ms")));
    }

    void launchUntilTold()
    {
        LiveDashboard dashboard;
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P95),
                 presetThreshold(QStringLiteral("launch"), QStringLiteral("p95_ms")));
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P50), -1.0); // launch checks no P50
    }

    void customGatesFileOfThePlanReachesTheDashboard()
    {
        const QString path = customGates();
        QVERIFY(!path.isEmpty());
        RunController controller;
        LiveDashboard dashboard;
        EndpointTableModel endpoints;
        StatusLine status;
        FindingsPanel findings;
        ErrorBanner banner;
        RunPresenter presenter(&controller, {&dashboard, &endpoints, &status, &findings, &banner, nullptr, nullptr});
        Plan plan;
        plan.gates = path;
        presenter.prepare(plan);
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P95), 150.0);
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P99), -1.0); // the file removes the preset's P99 check
    }

    void customGatesFileChosenInTheScenarioPanelReachesTheDashboard()
    {
        const QString path = customGates();
        MainWindow window;
        QCOMPARE(window.dashboard()->latencyGate(LiveDashboard::P95),
                 presetThreshold(QStringLiteral("launch"), QStringLiteral("p95_ms")));
        QVERIFY(window.scenarioPanel()->useGatesFile(path));
        QCOMPARE(window.dashboard()->latencyGate(LiveDashboard::P95), 150.0);
        QCOMPARE(window.dashboard()->latencyGate(LiveDashboard::P99), -1.0);
    }

    void aDiagnosedRunShowsTheThresholdsItWasJudgedBy()
    {
        RunData run = ReportFixture::healthyRun(); // judged by launch
        for (GateCheck &c : run.gates)
            if (c.id == QLatin1String("p95_ms"))
                c.threshold = 175; // as a custom gate set would have stored it
        LiveDashboard dashboard;
        dashboard.setGates(*GateSet::preset(QStringLiteral("revised")));
        dashboard.showRun(run);
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P95), 175.0);
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P99),
                 presetThreshold(QStringLiteral("launch"), QStringLiteral("p99_ms")));
        QCOMPARE(dashboard.latencyGate(LiveDashboard::P50), -1.0); // the run's gates had no P50 check
    }
};

QTEST_MAIN(TestLiveDashboard)
#include "tst_livedashboard.moc"
