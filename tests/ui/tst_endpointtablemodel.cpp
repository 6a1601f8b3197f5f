#include "endpointtablemodel.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Preflight;

namespace {

// One tick in which endpoint i answered requests[i] requests of latency_ms[i] each, errors[i] of them 503.
IntervalSnapshotPtr tick(int index, const std::vector<int> &requests, const std::vector<double> &latency_ms,
                         const std::vector<int> &errors)
{
    auto s = std::make_shared<IntervalSnapshot>();
    s->index = index;
    s->start_s = index * 0.25;
    s->end_s = (index + 1) * 0.25;
    for (size_t i = 0; i < requests.size(); ++i) {
        EndpointStats e;
        e.requests = uint64_t(requests[i]);
        e.http_errors = uint64_t(errors[i]);
        e.ok = e.requests - e.http_errors;
        if (errors[i] > 0)
            e.status_counts[503] = uint64_t(errors[i]);
        e.latency.record(uint64_t(latency_ms[i] * 1000), uint64_t(requests[i]));
        s->endpoints.push_back(e);
    }
    return s;
}

} // namespace

class TestEndpointTableModel : public QObject
{
    Q_OBJECT
private slots:
    void liveSnapshotsUnderTheModelTester()
    {
        EndpointTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEndpoints({QStringLiteral("GET /fast"), QStringLiteral("GET /slow")});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(EndpointTableModel::NUM_COLUMNS));
        for (int i = 0; i < 8; ++i)
            model.addSnapshot(tick(i, {100, 10}, {2.0, 250.0}, {0, 1}));

        const auto raw = [&](int row, int column) {
            return model.index(row, column).data(EndpointTableModel::SortRole);
        };
        const auto shown = [&](int row, int column) {
            return model.index(row, column).data(Qt::DisplayRole).toString();
        };
        QCOMPARE(raw(0, EndpointTableModel::RequestsColumn).toULongLong(), 800ull);
        QCOMPARE(shown(0, EndpointTableModel::RequestsColumn), QStringLiteral("800"));
        // rps covers the last second: four ticks of 100.
        QCOMPARE(raw(0, EndpointTableModel::RpsColumn).toDouble(), 400.0);
        QCOMPARE(raw(1, EndpointTableModel::ErrorRateColumn).toDouble(), 0.1);
        QCOMPARE(shown(1, EndpointTableModel::ErrorRateColumn), QStringLiteral("10.0%"));
        QVERIFY(qAbs(raw(1, EndpointTableModel::P95Column).toDouble() - 250.0) < 2.5);
        QCOMPARE(shown(0, EndpointTableModel::EndpointColumn), QStringLiteral("GET /fast"));
        QVERIFY(shown(1, EndpointTableModel::P99Column).endsWith(QLatin1String(" ms")));
    }

    void sortsByTheRawNumberNotTheText()
    {
        EndpointTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(EndpointTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEndpoints({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        // 9 ms vs 10 ms vs 1.5 s: as text "9.00 ms" would sort after "10.0 ms".
        model.addSnapshot(tick(0, {1, 1, 1}, {9.0, 10.0, 1500.0}, {0, 0, 0}));
        proxy.sort(EndpointTableModel::P50Column, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("c"));
        QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("b"));
        QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("a"));
    }

    void unannouncedEndpointsGetRows()
    {
        EndpointTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addSnapshot(tick(0, {5, 5}, {1.0, 1.0}, {0, 0}));
        QCOMPARE(model.rowCount(), 2);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void showsAFinishedRun()
    {
        RunData run;
        EndpointSpec e;
        e.path = QStringLiteral("/items");
        run.plan.endpoints = {e};
        run.info.duration_s = 2;
        run.intervals.push_back(*tick(0, {50}, {3.0}, {5}));
        run.intervals.push_back(*tick(1, {50}, {3.0}, {5}));
        EndpointTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, EndpointTableModel::EndpointColumn).data().toString(), QStringLiteral("GET /items"));
        QCOMPARE(model.index(0, EndpointTableModel::RpsColumn).data(EndpointTableModel::SortRole).toDouble(), 50.0);
        QCOMPARE(model.index(0, EndpointTableModel::ErrorRateColumn).data().toString(), QStringLiteral("10.0%"));
    }
};

QTEST_GUILESS_MAIN(TestEndpointTableModel)
#include "tst_endpointtablemodel.moc"
