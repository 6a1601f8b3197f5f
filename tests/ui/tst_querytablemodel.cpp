// The query inspector's table: one row per statement of a phase, numbers through Format with the raw value as
// SortRole, and the N+1 column saying exactly what the run's n-plus-one findings name (the real rule's findings
// on the report fixture's 1 + 3N endpoint).
#include "data/format.h"
#include "diagnosis/nplusone.h"
#include "querytablemodel.h"
#include "reportfixture.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Preflight;
using Role = NPlusOne::Role;
using Phase = QueryTableModel::Phase;

using namespace Preflight::ReportFixture::SingleConnection;

namespace {

QueryStat stat(QueryPhase phase, int endpoint, const QString &text, double calls, double requests, double rows,
               double mean_ms)
{
    QueryStat q;
    q.phase = phase;
    q.endpoint = endpoint;
    q.text = text;
    q.fingerprint = QString::number(qHash(text), 16);
    q.calls = calls;
    q.requests = requests;
    q.calls_per_request = requests > 0 ? calls / requests : 0;
    q.rows = rows;
    q.rows_per_call = rows >= 0 && calls > 0 ? rows / calls : -1;
    q.mean_ms = mean_ms;
    q.total_ms = mean_ms * calls;
    return q;
}

// The report fixture's diagnosed run: customer profile runs 1 + 3N statements (N = 20), search one flagged scan.
RunData fixtureRun()
{
    RunData run = ReportFixture::singleConnectionRun();
    const bool diagnosed = std::any_of(run.findings.begin(), run.findings.end(),
                                       [](const Finding &f) { return f.id == QLatin1String("n-plus-one"); });
    if (!diagnosed)
        qFatal("the fixture run has no n-plus-one finding");
    return run;
}

int rowOf(const QueryTableModel &model, const QString &text, const QString &endpoint = {})
{
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex i = model.index(r, QueryTableModel::QueryColumn);
        if (i.data(QueryTableModel::FullTextRole).toString() == text &&
            (endpoint.isEmpty() || model.index(r, QueryTableModel::EndpointColumn).data().toString() == endpoint))
            return r;
    }
    return -1;
}

QStringList column(const QAbstractItemModel &model, int column, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, column).data(role).toString();
    return out;
}

} // namespace

class TestQueryTableModel : public QObject
{
    Q_OBJECT
private slots:
    void resetsUnderTheModelTester()
    {
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(QueryTableModel::SortRole);
        proxy.sort(QueryTableModel::MeanColumn, Qt::DescendingOrder);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(QueryTableModel::NUM_COLUMNS));
        RunData run = fixtureRun();
        run.queries.push_back(stat(QueryPhase::Run, -1, kSearch, 900, 0, 22500, 35));
        model.setRun(run);
        QCOMPARE(model.rowCount(), 6);
        model.setPhase(Phase::Run);
        QCOMPARE(model.rowCount(), 1);
        model.setPhase(Phase::Profile);
        QCOMPARE(model.rowCount(), 6);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.statementCount(Phase::Profile), 0);
    }

    void profileRowsInRecordedEndpointOrder()
    {
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(fixtureRun());
        // Endpoints as recorded; within one, the most repeated statement first (stable for equal counts).
        QCOMPARE(column(model, QueryTableModel::EndpointColumn),
                 (QStringList{kCustomerEndpoint, kCustomerEndpoint, kCustomerEndpoint, kCustomerEndpoint,
                              kCustomerEndpoint, kSearchEndpoint}));
        QCOMPARE(column(model, QueryTableModel::QueryColumn, QueryTableModel::FullTextRole),
                 (QStringList{kServices, kStaff, kInvoices, kCustomers, kParent, kSearch}));
    }

    void numbersThroughFormatAndRawSortRole_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<double>("raw");
        QTest::addColumn<QString>("display");
        // Fixture: 20 profiled requests; per-row statements 20 calls/request, 1 row, 0.2 ms; the search 38 ms.
        QTest::newRow("calls/request, whole")
            << kServices << int(QueryTableModel::CallsPerRequestColumn) << 20.0 << QStringLiteral("20");
        QTest::newRow("rows/call of the parent")
            << kParent << int(QueryTableModel::RowsPerCallColumn) << 20.0 << QStringLiteral("20");
        QTest::newRow("mean below a millisecond")
            << kStaff << int(QueryTableModel::MeanColumn) << 0.2 << QStringLiteral("0.20 ms");
        QTest::newRow("total over 400 calls")
            << kStaff << int(QueryTableModel::TotalColumn) << 80.0 << QStringLiteral("80.0 ms");
        QTest::newRow("mean of the slow search")
            << kSearch << int(QueryTableModel::MeanColumn) << 38.0 << QStringLiteral("38.0 ms");
        QTest::newRow("total of the slow search")
            << kSearch << int(QueryTableModel::TotalColumn) << 760.0 << QStringLiteral("760 ms");
    }
    void numbersThroughFormatAndRawSortRole()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(double, raw);
        QFETCH(QString, display);
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(fixtureRun());
        const int row = rowOf(model, text);
        QVERIFY(row >= 0);
        const QModelIndex index = model.index(row, column);
        QCOMPARE(index.data(QueryTableModel::SortRole).toDouble(), raw);
        QCOMPARE(index.data().toString(), display);
        const QString viaFormat = column == QueryTableModel::MeanColumn || column == QueryTableModel::TotalColumn
                                      ? Format::milliseconds(raw)
                                      : Format::amount(raw);
        QCOMPARE(index.data().toString(), viaFormat);
        QCOMPARE(index.data(Qt::TextAlignmentRole).value<Qt::Alignment>(), Qt::AlignRight | Qt::AlignVCenter);
    }

    // A statement log without durations or row counts: the time columns say "not measured", not "0.00 ms".
    void untimedLogStatementsShowNoTime()
    {
        RunData run;
        run.plan.endpoints.resize(1);
        run.plan.endpoints[0].name = QStringLiteral("profile");
        QueryStat logged = stat(QueryPhase::Profile, 0, QStringLiteral("SELECT 1 FROM t"), 20, 20, -1, 0);
        run.queries.push_back(logged);
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.rowCount(), 1);
        for (int column : {int(QueryTableModel::MeanColumn), int(QueryTableModel::TotalColumn)}) {
            const QModelIndex index = model.index(0, column);
            QCOMPARE(index.data(QueryTableModel::SortRole).toDouble(), -1.0);
            QCOMPARE(index.data().toString(), Format::milliseconds(-1));
        }
        QCOMPARE(model.index(0, QueryTableModel::CallsPerRequestColumn).data().toString(), QStringLiteral("1"));
    }

    void nPlusOneColumnReadsTheFindings_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("role");
        QTest::addColumn<QString>("shown");
        QTest::newRow("parent") << kParent << int(Role::Parent) << QStringLiteral("parent");
        QTest::newRow("child services") << kServices << int(Role::Child) << QStringLiteral("per row");
        QTest::newRow("child staff") << kStaff << int(Role::Child) << QStringLiteral("per row");
        QTest::newRow("child invoices") << kInvoices << int(Role::Child) << QStringLiteral("per row");
        QTest::newRow("same endpoint, not named") << kCustomers << int(Role::None) << QString();
        QTest::newRow("other endpoint") << kSearch << int(Role::None) << QString();
    }
    void nPlusOneColumnReadsTheFindings()
    {
        QFETCH(QString, text);
        QFETCH(int, role);
        QFETCH(QString, shown);
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const RunData run = fixtureRun();
        model.setRun(run);
        const int row = rowOf(model, text);
        QVERIFY(row >= 0);
        const QModelIndex index = model.index(row, QueryTableModel::NPlusOneColumn);
        QCOMPARE(index.data(QueryTableModel::NPlusOneRole).toInt(), role);
        QCOMPARE(index.data(QueryTableModel::SortRole).toInt(), role);
        QCOMPARE(model.index(row, QueryTableModel::QueryColumn).data(QueryTableModel::NPlusOneRole).toInt(), role);
        QCOMPARE(int(model.row(row).role), role);
        QCOMPARE(index.data().toString(), shown);
        const QString tip = index.data(Qt::ToolTipRole).toString();
        if (role == int(Role::None)) {
            QVERIFY(tip.isEmpty());
            QVERIFY(model.row(row).finding_title.isEmpty());
        } else {
            const auto finding = std::find_if(run.findings.begin(), run.findings.end(),
                                              [](const Finding &f) { return f.id == QLatin1String("n-plus-one"); });
            QCOMPARE(model.row(row).finding_title, finding->title);
            QVERIFY2(tip.startsWith(finding->title), qPrintable(tip));
        }
        // Per-row statements stand out.
        QCOMPARE(index.data(Qt::FontRole).value<QFont>().bold(), role == int(Role::Child));
    }

    void noFindingsNoMarks()
    {
        RunData run = fixtureRun();
        run.findings.clear();
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.rowCount(), 6);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.index(r, QueryTableModel::NPlusOneColumn).data(QueryTableModel::NPlusOneRole).toInt(),
                     int(Role::None));
    }

    void aFindingMarksOnlyItsOwnEndpoint()
    {
        RunData run = fixtureRun();
        // The same per-row statement on another endpoint, added after the diagnosis: no finding names it there.
        run.queries.push_back(stat(QueryPhase::Profile, kSearchIndex, kStaff, 400, 20, 400, 0.2));
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        const int onCustomer = rowOf(model, kStaff, kCustomerEndpoint);
        const int onSearch = rowOf(model, kStaff, kSearchEndpoint);
        QVERIFY(onCustomer >= 0 && onSearch >= 0 && onCustomer != onSearch);
        QCOMPARE(model.row(onCustomer).role, Role::Child);
        QCOMPARE(model.row(onSearch).role, Role::None);
    }

    void wholeRunStatementsByTotalTime()
    {
        RunData run = fixtureRun();
        run.queries.push_back(stat(QueryPhase::Run, -1, kStaff, 12000, 600, 12000, 0.25)); // 3000 ms
        run.queries.push_back(stat(QueryPhase::Run, -1, kSearch, 600, 600, 15000, 40));    // 24000 ms
        run.queries.push_back(stat(QueryPhase::Log, -1, kCustomers, 600, 0, -1, 0.5));     // 300 ms, a log
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.statementCount(Phase::Run), 3);
        QCOMPARE(model.statementCount(Phase::Profile), 6);
        model.setPhase(Phase::Run);
        QCOMPARE(model.phase(), Phase::Run);
        QCOMPARE(column(model, QueryTableModel::QueryColumn, QueryTableModel::FullTextRole),
                 (QStringList{kSearch, kStaff, kCustomers}));
        // A whole-run statement matches the finding by its text (any endpoint).
        QCOMPARE(model.row(1).role, Role::Child);
        // Without a request count there is no per-request figure; without row counts no rows per call.
        const QModelIndex cpr = model.index(2, QueryTableModel::CallsPerRequestColumn);
        QCOMPARE(cpr.data(QueryTableModel::SortRole).toDouble(), -1.0);
        QCOMPARE(cpr.data().toString(), QString(QChar(0x2013)));
        QCOMPARE(model.index(2, QueryTableModel::RowsPerCallColumn).data().toString(), QString(QChar(0x2013)));
        QCOMPARE(model.index(0, QueryTableModel::CallsPerRequestColumn).data().toString(), QStringLiteral("1"));
    }

    void queryIdsOfOneFingerprintAddUp()
    {
        RunData run;
        // pg_stat_statements kept two queryids for one statement (a search_path change): one row, deltas summed.
        QueryStat a = stat(QueryPhase::Profile, kCustomerIndex, kStaff, 300, 20, 300, 0.2);
        QueryStat b = stat(QueryPhase::Profile, kCustomerIndex, kStaff, 100, 20, 100, 0.6);
        a.queryid = QStringLiteral("1");
        b.queryid = QStringLiteral("2");
        run.queries = {a, b, stat(QueryPhase::Profile, kCustomerIndex, kCustomers, 20, 20, 20, 1)};
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.rowCount(), 2);
        const QueryStat &merged = model.row(rowOf(model, kStaff)).stat;
        QCOMPARE(merged.calls, 400.0);
        QCOMPARE(merged.calls_per_request, 20.0);
        QCOMPARE(merged.total_ms, 120.0);
        QCOMPARE(merged.mean_ms, 0.3);
        QCOMPARE(merged.rows_per_call, 1.0);
    }

    void profileRowsAreWhatQueryCountCounts()
    {
        RunData run;
        // A savepoint per row (transaction control, not a query) and an app that inlines literals (one
        // pg_stat_statements entry per value, one fingerprint).
        const QueryPhase profile = QueryPhase::Profile;
        run.queries = {stat(profile, kCustomerIndex, kParent, 20, 20, 400, 0.5),
                       stat(profile, kCustomerIndex, QStringLiteral("SAVEPOINT sa_savepoint_1"), 400, 20, 0, 0.01)};
        for (int id : {3, 4, 5, 6}) {
            QueryStat q = stat(profile, kCustomerIndex, QStringLiteral("SELECT * FROM services WHERE id = %1").arg(id),
                               100 + id, 20, 100 + id, 0.2);
            q.fingerprint = QStringLiteral("services-by-id");
            run.queries.push_back(q);
        }
        QueryTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        QCOMPARE(model.statementCount(Phase::Profile), 2);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(rowOf(model, QStringLiteral("SAVEPOINT sa_savepoint_1")), -1);
        // One row for the four literals, the most called one's text, the calls of all four.
        const int grouped = model.findRow(QStringLiteral("SELECT * FROM services WHERE id = 3"), kCustomerIndex,
                                          QStringLiteral("services-by-id"));
        QCOMPARE(grouped, 0);
        QCOMPARE(model.row(grouped).stat.text, QStringLiteral("SELECT * FROM services WHERE id = 6"));
        QCOMPARE(model.row(grouped).stat.calls_per_request, (103.0 + 104 + 105 + 106) / 20);
        // Without the fingerprint a member's text is not the row's.
        QCOMPARE(model.findRow(QStringLiteral("SELECT * FROM services WHERE id = 3"), kCustomerIndex), -1);
    }

    void sortingUsesTheRawNumbers()
    {
        RunData run;
        // As text "9.00 ms" sorts after "10.0 ms" and "120 ms"; as numbers it comes first.
        run.queries = {stat(QueryPhase::Profile, kCustomerIndex, kStaff, 20, 20, 20, 10),
                       stat(QueryPhase::Profile, kCustomerIndex, kServices, 20, 20, 20, 9),
                       stat(QueryPhase::Profile, kCustomerIndex, kInvoices, 20, 20, 20, 120)};
        QueryTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(QueryTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRun(run);
        proxy.sort(QueryTableModel::MeanColumn, Qt::AscendingOrder);
        QCOMPARE(column(proxy, QueryTableModel::MeanColumn),
                 (QStringList{QStringLiteral("9.00 ms"), QStringLiteral("10.0 ms"), QStringLiteral("120 ms")}));
    }

    void findRow_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("endpoint");  // index into the plan's endpoints; -1: any
        QTest::addColumn<QString>("found"); // the row's text; empty: -1
        QTest::newRow("exact") << kStaff << -1 << kStaff;
        QTest::newRow("whitespace differs") << QStringLiteral("SELECT *\n  FROM staff\tWHERE id = $1") << -1 << kStaff;
        QTest::newRow("on its endpoint") << kSearch << kSearchIndex << kSearch;
        QTest::newRow("on another endpoint") << kSearch << kCustomerIndex << QString();
        QTest::newRow("unknown") << QStringLiteral("SELECT 1") << -1 << QString();
    }
    void findRow()
    {
        QFETCH(QString, text);
        QFETCH(int, endpoint);
        QFETCH(QString, found);
        QueryTableModel model;
        model.setRun(fixtureRun());
        const int row = model.findRow(text, endpoint);
        if (found.isEmpty()) {
            QCOMPARE(row, -1);
        } else {
            QVERIFY(row >= 0);
            QCOMPARE(model.row(row).stat.text, found);
        }
    }

    void headersNameEveryColumn()
    {
        QueryTableModel model;
        for (int c = 0; c < QueryTableModel::NUM_COLUMNS; ++c)
            QVERIFY2(!model.headerData(c, Qt::Horizontal).toString().isEmpty(), qPrintable(QString::number(c)));
        QVERIFY(
            !model.headerData(QueryTableModel::NPlusOneColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }
};

QTEST_MAIN(TestQueryTableModel)
#include "tst_querytablemodel.moc"
