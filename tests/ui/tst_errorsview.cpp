// The errors view (docs/errors.md): signatures of a run in a sortable table and the example body pane, offscreen.
#include "errorsmodel.h"
#include "errorsview.h"

#include <QAbstractItemModelTester>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace Preflight;

namespace {

RunData runWithErrors()
{
    RunData run;
    EndpointSpec orders, customers;
    orders.name = QStringLiteral("orders");
    customers.name = QStringLiteral("customers");
    run.plan.endpoints = {orders, customers};
    auto add = [&](int endpoint, int status, const QByteArray &body, uint64_t count, double t_s) {
        ErrorSample s;
        s.endpoint = endpoint;
        s.status = status;
        s.body = body;
        s.count = count;
        s.first_seen_s = t_s;
        s.last_seen_s = t_s + 10;
        run.error_samples.push_back(s);
    };
    add(0, 500, "sqlite3.OperationalError: database is locked (txn 17)", 120, 4);
    add(1, 500, "sqlite3.OperationalError: database is locked (txn 99)", 30, 2);
    add(0, 503, "{\"error\":\"Service at capacity, please retry\"}", 400, 8);
    add(1, 500, "<h1>Internal Server Error</h1>", 5, 1);
    return run;
}

} // namespace

class TestErrorsView : public QObject
{
    Q_OBJECT
private slots:
    void modelPassesTheTester()
    {
        ErrorsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(runWithErrors());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(ErrorsModel::NUM_COLUMNS));
        // Most frequent first; SortRole raw, DisplayRole formatted.
        QCOMPARE(model.index(0, ErrorsModel::SignatureColumn).data().toString(), QStringLiteral("at-capacity"));
        QCOMPARE(model.index(0, ErrorsModel::CountColumn).data(ErrorsModel::SortRole).toULongLong(), 400ull);
        QCOMPARE(model.index(1, ErrorsModel::SignatureColumn).data().toString(), QStringLiteral("sqlite-busy"));
        QCOMPARE(model.index(1, ErrorsModel::CountColumn).data().toString(), QStringLiteral("150"));
        QCOMPARE(model.index(1, ErrorsModel::EndpointsColumn).data().toString(), QStringLiteral("orders, customers"));
        QCOMPARE(model.index(1, ErrorsModel::FirstSeenColumn).data(ErrorsModel::SortRole).toDouble(), 2.0);
        QCOMPARE(model.index(1, ErrorsModel::LastSeenColumn).data(ErrorsModel::SortRole).toDouble(), 14.0);
        QCOMPARE(model.index(2, ErrorsModel::SignatureColumn).data().toString(), QStringLiteral("unrecognised"));
        model.setSummaries({});
        QCOMPARE(model.rowCount(), 0);
    }

    void viewShowsTheSelectedExample()
    {
        ErrorsView view(nullptr);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(800, 500);
        view.show();
        view.setRun(runWithErrors());
        QCOMPARE(view.table()->model()->rowCount(), 3);
        QVERIFY(view.exampleView()->toPlainText().contains(QLatin1String("Service at capacity")));
        // Sort by first seen ascending and pick the first row: the unrecognised 500 (t = 1 s).
        view.table()->sortByColumn(ErrorsModel::FirstSeenColumn, Qt::AscendingOrder);
        view.table()->setCurrentIndex(view.table()->model()->index(0, 0));
        QVERIFY(view.exampleView()->toPlainText().contains(QLatin1String("Internal Server Error")));
        view.table()->setCurrentIndex(view.table()->model()->index(1, 0));
        QVERIFY(view.exampleView()->toPlainText().contains(QLatin1String("database is locked (txn ")));
        view.clear();
        QCOMPARE(view.table()->model()->rowCount(), 0);
        QVERIFY(view.exampleView()->toPlainText().isEmpty());
    }
};

QTEST_MAIN(TestErrorsView)
#include "tst_errorsview.moc"
