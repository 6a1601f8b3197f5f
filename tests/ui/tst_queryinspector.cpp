// The query inspector dock: a run's statements in the table, the selected statement's plan beside it, evidence
// links that focus a statement (and say false for one the run does not have), and the empty states that say why
// there is nothing to show.
#include "plantreemodel.h"
#include "queryinspector.h"
#include "reportfixture.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace Preflight;
using Phase = QueryTableModel::Phase;

using namespace Preflight::ReportFixture::SingleConnection;

namespace {

const QString kWholeRunOnly = QStringLiteral("SELECT count(*) FROM audit_log");

QueryStat wholeRun(const QString &text, double calls, double mean_ms)
{
    QueryStat q;
    q.phase = QueryPhase::Run;
    q.text = text;
    q.fingerprint = QString::number(qHash(text), 16);
    q.calls = calls;
    q.mean_ms = mean_ms;
    q.total_ms = calls * mean_ms;
    return q;
}

// The report fixture's diagnosed run (1 + 3N on "customer profile", a flagged plan for the search) plus whole-run
// statements, one of which was never profiled.
RunDataPtr fixtureRun()
{
    RunData run = ReportFixture::singleConnectionRun();
    run.info.id = 7;
    run.queries.push_back(wholeRun(kStaff, 12000, 0.25));
    run.queries.push_back(wholeRun(kWholeRunOnly, 10, 3));
    return std::make_shared<const RunData>(run);
}

class Testers
{
public:
    explicit Testers(QueryInspector &inspector)
        : m_model(inspector.queryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest),
          m_proxy(inspector.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest),
          m_plan(inspector.planModel(), QAbstractItemModelTester::FailureReportingMode::QtTest)
    {
    }

private:
    QAbstractItemModelTester m_model, m_proxy, m_plan;
};

// Clicks the row of the table whose statement has this text (as a user would).
bool clickRow(QueryInspector &inspector, const QString &text)
{
    QTableView *table = inspector.table();
    for (int r = 0; r < table->model()->rowCount(); ++r) {
        const QModelIndex i = table->model()->index(r, QueryTableModel::QueryColumn);
        if (i.data(QueryTableModel::FullTextRole).toString() != text)
            continue;
        table->scrollTo(i);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(i).center());
        return true;
    }
    return false;
}

} // namespace

class TestQueryInspector : public QObject
{
    Q_OBJECT
private slots:
    // Every test gets a fresh inspector, shown at a size where every row can be clicked, its models under testers.
    void init()
    {
        m_inspector = std::make_unique<QueryInspector>();
        m_testers = std::make_unique<Testers>(*m_inspector);
        m_inspector->resize(1000, 500);
        m_inspector->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_inspector.get()));
    }
    void cleanup()
    {
        m_testers.reset();
        m_inspector.reset();
    }

    void setRunFillsTheTableAndSelectsTheFirstStatement()
    {
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(fixtureRun());
        QCOMPARE(inspector.proxy()->rowCount(), 6);
        QCOMPARE(inspector.queryModel()->phase(), Phase::Profile);
        QVERIFY(inspector.stateText().isEmpty());
        QVERIFY(inspector.table()->isVisible());
        QVERIFY(!inspector.table()->isColumnHidden(QueryTableModel::EndpointColumn));
        const QueryTableModel::Row *row = inspector.currentStatement();
        QVERIFY(row);
        QCOMPARE(row->stat.text, kServices); // most repeated first
        // No plan was captured for it; the note says so rather than showing an old plan.
        QVERIFY(inspector.planModel()->isEmpty());
        QCOMPARE(inspector.planNote(), QStringLiteral("No plan captured for this query."));
    }

    void selectingARowShowsItsPlan()
    {
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(fixtureRun());
        QVERIFY(clickRow(inspector, kSearch));
        QCOMPARE(inspector.currentStatement()->stat.text, kSearch);
        PlanTreeModel *plan = inspector.planModel();
        QVERIFY(!plan->isEmpty());
        const QModelIndex root = plan->index(0, PlanTreeModel::NodeTypeColumn);
        QCOMPARE(root.data().toString(), QStringLiteral("Limit"));
        const QModelIndex scan = plan->index(0, 0, root);
        QCOMPARE(scan.data().toString(), QStringLiteral("Seq Scan"));
        QVERIFY(scan.data(PlanTreeModel::FlaggedRole).toBool());
        QVERIFY(inspector.planView()->isExpanded(root));
        const QString note = inspector.planNote();
        QVERIFY2(note.contains(QLatin1String("1 flagged scan")), qPrintable(note));
        QVERIFY2(note.contains(QLatin1String("Costliest step: Seq Scan on public.items")), qPrintable(note));

        // Another row: its plan goes, the note says there is none.
        QVERIFY(clickRow(inspector, kStaff));
        QCOMPARE(inspector.currentStatement()->stat.text, kStaff);
        QVERIFY(plan->isEmpty());
        QCOMPARE(inspector.planNote(), QStringLiteral("No plan captured for this query."));
    }

    void aPlanThatFailedSaysWhy()
    {
        RunData run = *fixtureRun();
        run.plans.front().valid = false;
        run.plans.front().error = QStringLiteral("EXPLAIN refused: statement_timeout");
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(std::make_shared<const RunData>(run));
        QVERIFY(inspector.focusQuery(kSearch));
        QVERIFY(inspector.planModel()->isEmpty());
        QCOMPARE(inspector.planNote(), QStringLiteral("No plan: EXPLAIN refused: statement_timeout"));
    }

    void focusQuery_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("endpoint");
        QTest::addColumn<int>("phase");
        QTest::addColumn<QString>("rowEndpoint");
        QTest::newRow("profiled, on its endpoint") << kSearch << 1 << int(Phase::Profile) << kSearchEndpoint;
        QTest::newRow("profiled, whitespace differs")
            << QStringLiteral("SELECT id, name\n  FROM items WHERE name ILIKE $1 LIMIT $2") << 1 << int(Phase::Profile)
            << kSearchEndpoint;
        QTest::newRow("per-row statement on its endpoint") << kStaff << 0 << int(Phase::Profile) << kCustomerEndpoint;
        QTest::newRow("no endpoint: the whole run first") << kStaff << -1 << int(Phase::Run) << QString();
        QTest::newRow("only in the whole run") << kWholeRunOnly << 0 << int(Phase::Run) << QString();
        QTest::newRow("not in the whole run, on another endpoint")
            << kCustomers << 1 << int(Phase::Profile) << kCustomerEndpoint;
        QTest::newRow("endpoint index out of range") << kSearch << 9 << int(Phase::Profile) << kSearchEndpoint;
    }
    void focusQuery()
    {
        QFETCH(QString, text);
        QFETCH(int, endpoint);
        QFETCH(int, phase);
        QFETCH(QString, rowEndpoint);
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(fixtureRun());
        QVERIFY(inspector.focusQuery(text, endpoint));
        QCOMPARE(int(inspector.queryModel()->phase()), phase);
        QCOMPARE(inspector.phaseCombo()->currentData().toInt(), phase);
        QCOMPARE(inspector.table()->isColumnHidden(QueryTableModel::EndpointColumn), phase == int(Phase::Run));
        const QueryTableModel::Row *row = inspector.currentStatement();
        QVERIFY(row);
        QCOMPARE(row->stat.text.simplified(), text.simplified());
        QCOMPARE(fixtureRun()->plan.endpointName(row->stat.endpoint), rowEndpoint);
        // Selected, not only current.
        const QModelIndexList selected =
            inspector.table()->selectionModel()->selectedRows(QueryTableModel::QueryColumn);
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(QueryTableModel::FullTextRole).toString(), row->stat.text);
    }

    void focusOnAnUnknownStatementChangesNothing_data()
    {
        QTest::addColumn<int>("phase");
        QTest::newRow("looking at the profiling pass") << int(Phase::Profile);
        QTest::newRow("looking at the whole run") << int(Phase::Run);
    }
    void focusOnAnUnknownStatementChangesNothing()
    {
        QFETCH(int, phase);
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(fixtureRun());
        inspector.setPhase(Phase(phase));
        // The user looks at a statement that is not the first row.
        const QString looking = phase == int(Phase::Run) ? kWholeRunOnly : kSearch;
        QVERIFY(clickRow(inspector, looking));
        QCOMPARE(inspector.currentStatement()->stat.text, looking);
        const QString note = inspector.planNote();

        QVERIFY(!inspector.focusQuery(QStringLiteral("SELECT * FROM nowhere WHERE id = $1"), 0));
        QVERIFY(!inspector.focusQuery(QString()));
        QCOMPARE(int(inspector.queryModel()->phase()), phase);
        QVERIFY(inspector.currentStatement());
        QCOMPARE(inspector.currentStatement()->stat.text, looking);
        QCOMPARE(inspector.planNote(), note);
    }

    void phaseComboSwitchesTheTable()
    {
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(fixtureRun());
        QComboBox *combo = inspector.phaseCombo();
        QVERIFY(combo->isEnabled());
        combo->setCurrentIndex(combo->findData(int(Phase::Run)));
        QCOMPARE(inspector.queryModel()->phase(), Phase::Run);
        QCOMPARE(inspector.proxy()->rowCount(), 2);
        QVERIFY(inspector.table()->isColumnHidden(QueryTableModel::EndpointColumn));
        QCOMPARE(inspector.currentStatement()->stat.text, kStaff); // most time first
    }

    void reFeedingTheSameRunKeepsTheSelection()
    {
        QueryInspector &inspector = *m_inspector;
        const RunDataPtr run = fixtureRun();
        inspector.setRun(run);
        QVERIFY(clickRow(inspector, kSearch));
        // The diagnosed copy of the same run arrives.
        inspector.setRun(std::make_shared<const RunData>(*run));
        QCOMPARE(inspector.currentStatement()->stat.text, kSearch);
        QVERIFY(!inspector.planModel()->isEmpty());
        // Another run: back to the first statement.
        RunData other = *run;
        other.info.id = 8;
        inspector.setRun(std::make_shared<const RunData>(other));
        QCOMPARE(inspector.currentStatement()->stat.text, kServices);
    }

    void clearShowsTheMessage()
    {
        QueryInspector &inspector = *m_inspector;
        QVERIFY(inspector.stateText().startsWith(QLatin1String("No run shown yet")));
        inspector.setRun(fixtureRun());
        QVERIFY(inspector.stateText().isEmpty());
        const QString message = QStringLiteral("Run 12 could not be read from the run store.");
        inspector.clear(message);
        QCOMPARE(inspector.stateText(), message);
        QCOMPARE(inspector.queryModel()->rowCount(), 0);
        QVERIFY(!inspector.currentStatement());
        QVERIFY(inspector.planModel()->isEmpty());
        QVERIFY(!inspector.table()->isVisible());
        QVERIFY(!inspector.phaseCombo()->isEnabled());
        QVERIFY(!inspector.focusQuery(kSearch));
        inspector.clear();
        QVERIFY(inspector.stateText().startsWith(QLatin1String("No run shown yet")));
        // A null run clears too.
        inspector.setRun(fixtureRun());
        inspector.setRun(nullptr);
        QCOMPARE(inspector.queryModel()->rowCount(), 0);
    }

    void emptyRunSaysWhyAndWhatToDo_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("pgss");
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QStringList>("mustContain");
        QTest::newRow("no database") << QStringLiteral("none") << QStringLiteral("n/a") << QString()
                                     << QStringList{QStringLiteral("No database configured"),
                                                    QStringLiteral("Target panel")};
        QTest::newRow("database unreadable")
            << QStringLiteral("none") << QStringLiteral("n/a") << QStringLiteral("host=127.0.0.1")
            << QStringList{QStringLiteral("could not be read"), QStringLiteral("Target panel")};
        QTest::newRow("pg_stat_statements not preloaded")
            << QStringLiteral("postgresql") << QStringLiteral("not-preloaded") << QStringLiteral("host=127.0.0.1")
            << QStringList{
                   QStringLiteral("pg_stat_statements unavailable: pg_stat_statements is installed but not preloaded"),
                   QStringLiteral("shared_preload_libraries = 'pg_stat_statements'"), QStringLiteral("never runs")};
        QTest::newRow("sqlite") << QStringLiteral("sqlite") << QStringLiteral("n/a")
                                << QStringLiteral("sqlite:/tmp/app.db") << QStringList{QStringLiteral("database.log")};
        QTest::newRow("postgresql, nothing recorded")
            << QStringLiteral("postgresql") << QStringLiteral("ok") << QStringLiteral("host=127.0.0.1")
            << QStringList{QStringLiteral("No statements were recorded")};
    }
    void emptyRunSaysWhyAndWhatToDo()
    {
        QFETCH(QString, kind);
        QFETCH(QString, pgss);
        QFETCH(QString, conninfo);
        QFETCH(QStringList, mustContain);
        RunData run;
        run.database.kind = kind;
        run.database.pg_stat_statements = pgss;
        run.plan.database.conninfo = conninfo;
        if (pgss == QLatin1String("not-preloaded")) {
            run.database.warnings << QStringLiteral("track_io_timing is off.")
                                  << QStringLiteral("pg_stat_statements is installed but not preloaded.");
            run.database.remediation << QStringLiteral("shared_preload_libraries = 'pg_stat_statements'");
        }
        QueryInspector &inspector = *m_inspector;
        inspector.setRun(std::make_shared<const RunData>(run));
        const QString text = inspector.stateText();
        for (const QString &s : mustContain)
            QVERIFY2(text.contains(s), qPrintable(text));
        QVERIFY(!inspector.table()->isVisible());
    }

private:
    std::unique_ptr<QueryInspector> m_inspector;
    std::unique_ptr<Testers> m_testers;
};

QTEST_MAIN(TestQueryInspector)
#include "tst_queryinspector.moc"
