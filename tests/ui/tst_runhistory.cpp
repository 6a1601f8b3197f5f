#include "capacitychart.h"
#include "comparisonmodel.h"
#include "comparisonview.h"
#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "livedashboard.h"
#include "mainwindow.h"
#include "runhistorypanel.h"
#include "runlistmodel.h"
#include "statusline.h"
#include "store/runstore.h"
#include "syntheticrun.h"
#include "timeserieschart.h"

#include "findingspanel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;
using namespace Preflight::Synthetic;

namespace {

// A five-level sweep of two endpoints whose throughput flattens at `ceiling` req/s.
RunData sweepRun(const QString &name, double ceiling, int day)
{
    Spec spec = sweep(
        {1, 2, 5, 10, 20},
        [ceiling](Level &l) {
            const double rps = std::min(100.0 * l.users, ceiling);
            l.endpoints = {closedLoad(l.users, rps * 0.7), closedLoad(l.users, rps * 0.3)};
            l.db_backends = 5;
            l.db_active = int(std::min(5.0, l.users));
            l.pool_in_use = int(std::min(5.0, l.users));
            l.pool_max = 5;
        },
        4);
    spec.endpoints = {{QStringLiteral("list"), QStringLiteral("GET"), QStringLiteral("/items")},
                      {QStringLiteral("search"), QStringLiteral("GET"), QStringLiteral("/search")}};
    spec.db_kind = QStringLiteral("postgresql");
    RunData run = build(spec);
    run.info.name = name;
    run.info.started_at = QDateTime(QDate(2026, 3, day), QTime(9, 0), Qt::UTC);
    QueryStat q;
    q.phase = QueryPhase::Profile;
    q.endpoint = 0; // "list"
    q.text = QStringLiteral("SELECT * FROM items WHERE id = $1");
    q.calls_per_request = 3;
    run.queries.push_back(q);
    Finding f;
    f.id = QStringLiteral("n-plus-one");
    f.severity = Severity::High;
    f.title = QStringLiteral("N+1 queries on list");
    f.summary = QStringLiteral("3 queries per request");
    f.endpoint = QStringLiteral("list");
    f.evidence.push_back({QStringLiteral("queries_per_request"), 3, QString(), QString()});
    // References as the n-plus-one rule sets them: the endpoint and the statement repeated per row.
    f.refs.endpoint = 0;
    f.refs.statements.push_back({q.fingerprint, QStringLiteral("child"), q.text});
    run.findings.push_back(f);
    return run;
}

} // namespace

class TestRunHistory : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_runhistory"));
    }

    void runListModelFollowsTheTemplate()
    {
        RunListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        RunListEntry a;
        a.id = 7;
        a.name = QStringLiteral("Friday, after the fix");
        a.started_at = QDateTime(QDate(2026, 3, 6), QTime(9, 0), Qt::UTC);
        a.duration_s = 65;
        a.status = RunStatus::Completed;
        a.verdict = QStringLiteral("ready");
        a.requests = 2000;
        a.errors = 20;
        a.p95_ms = 42;
        RunListEntry b = a;
        b.id = 3;
        b.verdict.clear();
        b.requests = 0;
        model.setRuns({a, b});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(RunListModel::NUM_COLUMNS));
        QCOMPARE(model.index(0, RunListModel::ErrorRateColumn).data().toString(), QStringLiteral("1.00%"));
        QCOMPARE(model.index(0, RunListModel::ErrorRateColumn).data(RunListModel::SortRole).toDouble(), 0.01);
        QCOMPARE(model.index(0, RunListModel::DurationColumn).data().toString(), QStringLiteral("1:05"));
        QCOMPARE(model.index(1, RunListModel::VerdictColumn).data().toString(), QStringLiteral("–"));
        QCOMPARE(model.index(1, RunListModel::P95Column).data().toString(), QStringLiteral("–"));
        QCOMPARE(model.index(1, RunListModel::NameColumn).data(RunListModel::IdRole).toLongLong(), 3);
        QCOMPARE(model.rowOf(7), 0);
        QCOMPARE(model.rowOf(99), -1);
        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void comparisonModelColoursByVerdict()
    {
        ComparisonModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const RunComparison comparison = RunComparison::compare(sweepRun(QStringLiteral("before"), 150, 2),
                                                                sweepRun(QStringLiteral("after"), 900, 6));
        model.setComparison(comparison);
        QCOMPARE(model.rowCount(), int(1 + comparison.endpoints.size() + comparison.levels.size()));
        QCOMPARE(model.index(0, ComparisonModel::ScopeColumn).data().toString(), QStringLiteral("total"));
        // Throughput went up a lot: "better", green, and the text shows both values and the change.
        const QModelIndex rps = model.index(0, ComparisonModel::RpsColumn);
        QCOMPARE(rps.data(ComparisonModel::VerdictRole).toInt(), int(DeltaVerdict::Better));
        QCOMPARE(rps.data(Qt::ForegroundRole).value<QColor>(), ComparisonModel::verdictColor(DeltaVerdict::Better));
        QVERIFY(rps.data().toString().contains(QStringLiteral("→")));
        QVERIFY(rps.data().toString().contains(QLatin1Char('+')));
        QVERIFY(rps.data(ComparisonModel::SortRole).toDouble() > 0.5);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void opensRenamesComparesAndDeletesStoredRuns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        qint64 before = -1, after = -1;
        {
            RunStore store;
            QVERIFY(!store.open(path));
            StoreError error;
            before = store.saveRun(sweepRun(QStringLiteral("Monday, before the fix"), 150, 2), &error).value_or(-1);
            QVERIFY2(before > 0, qPrintable(error.message));
            after = store.saveRun(sweepRun(QStringLiteral("Friday, after the fix"), 900, 6), &error).value_or(-1);
            QVERIFY2(after > 0, qPrintable(error.message));
        }

        MainWindow window;
        window.show();
        RunHistoryPanel *history = window.historyPanel();
        QAbstractItemModelTester tester(history->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(history->view()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        history->setStorePath(path);
        QTRY_COMPARE_WITH_TIMEOUT(history->model()->rowCount(), 2, 20000);

        // Open: every view shows the stored run.
        history->openRun(before);
        LiveDashboard *dashboard = window.dashboard();
        QTRY_VERIFY_WITH_TIMEOUT(dashboard->latencyChart()->shownPoints(LiveDashboard::P95) > 10, 20000);
        QVERIFY(dashboard->throughputChart()->shownPoints(LiveDashboard::RequestsPerSecond) > 10);
        QVERIFY(dashboard->connectionsChart()->shownPoints(LiveDashboard::PoolInUse) > 0);
        QCOMPARE(dashboard->capacityChart()->pointCount(), 5);
        QCOMPARE(window.endpointModel()->rowCount(), 2);
        QVERIFY(window.endpointModel()
                    ->index(0, EndpointTableModel::RequestsColumn)
                    .data(EndpointTableModel::SortRole)
                    .toULongLong() > 0);
        QCOMPARE(window.endpointModel()
                     ->index(0, EndpointTableModel::QueriesColumn)
                     .data(EndpointTableModel::SortRole)
                     .toDouble(),
                 3.0);
        QCOMPARE(window.endpointModel()->index(1, EndpointTableModel::QueriesColumn).data().toString(),
                 QStringLiteral("–"));
        QVERIFY(window.banner()->message().contains(QLatin1String("Monday, before the fix")));

        // Clicking a finding shows its evidence: shaded span, endpoint row, latency of that endpoint.
        QVERIFY(window.findingsPanel()->cardCount() >= 1);
        const QString phase = window.statusLine()->text();
        QVERIFY(window.findingsPanel()->activateFinding(QStringLiteral("n-plus-one")));
        // The repeated query is named in a passing status message; the run's own status line is unchanged.
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QLatin1String("Evidence query: ")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(window.statusLine()->text(), phase);
        QVERIFY(dashboard->latencyChart()->hasHighlight());
        QVERIFY(dashboard->connectionsChart()->hasHighlight());
        QCOMPARE(dashboard->latencyEndpoint(), 0);
        QCOMPARE(window.endpointView()->selectionModel()->selectedRows().size(), 1);
        dashboard->endpointPicker()->setCurrentIndex(0);

        // The latency picker redraws the stored run for one endpoint.
        const int allPoints = dashboard->latencyChart()->shownPoints(LiveDashboard::P95);
        dashboard->endpointPicker()->setCurrentIndex(2);
        QCOMPARE(dashboard->latencyEndpoint(), 1);
        QVERIFY(dashboard->latencyChart()->shownPoints(LiveDashboard::P95) > 0);
        QVERIFY(dashboard->latencyChart()->shownPoints(LiveDashboard::P95) <= allPoints);

        // Rename.
        history->renameRun(before, QStringLiteral("Monday"));
        QTRY_VERIFY_WITH_TIMEOUT(history->model()->rowOf(before) >= 0 &&
                                     history->model()->entry(history->model()->rowOf(before))->name ==
                                         QLatin1String("Monday"),
                                 20000);

        // Compare: rows for the total, both endpoints and the levels, coloured by verdict.
        QSignalSpy compared(history, &RunHistoryPanel::comparisonReady);
        history->compareRuns(before, after);
        QTRY_COMPARE_WITH_TIMEOUT(compared.count(), 1, 20000);
        ComparisonModel *comparison = window.comparisonView()->model();
        QVERIFY(comparison->rowCount() >= 3);
        QCOMPARE(comparison->index(0, ComparisonModel::RpsColumn).data(ComparisonModel::VerdictRole).toInt(),
                 int(DeltaVerdict::Better));

        // Delete.
        history->deleteRun(before);
        QTRY_COMPARE_WITH_TIMEOUT(history->model()->rowCount(), 1, 20000);
        QCOMPARE(history->model()->entry(0)->id, after);
    }

    void aDamagedStoreIsReportedInTheBanner()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-a-store.sqlite"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
        file.close();
        MainWindow window;
        window.show();
        window.historyPanel()->setStorePath(path);
        QTRY_VERIFY_WITH_TIMEOUT(!window.banner()->isHidden() && window.banner()->kind() == ErrorBanner::Kind::Error,
                                 20000);
        QCOMPARE(window.historyPanel()->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestRunHistory)
#include "tst_runhistory.moc"
