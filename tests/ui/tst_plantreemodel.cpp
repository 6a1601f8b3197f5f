// The plan pane's tree: one row per EXPLAIN node under its parent, numbers through Format with raw SortRole values,
// and two kinds of node highlighted: the flagged scan (missing-index evidence) and the costliest step by own cost
// (total minus the children's), which is not the root that sums the plan.
#include "data/format.h"
#include "plantreemodel.h"
#include "uiwiring.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;

namespace {

PlanNode node(const QString &type, double startup, double total, double rows, std::vector<PlanNode> children = {})
{
    PlanNode n;
    n.node_type = type;
    n.startup_cost = startup;
    n.total_cost = total;
    n.plan_rows = rows;
    n.children = std::move(children);
    return n;
}

// Limit (5000, below its child: it stops early)
//   Hash Join (6000; own 6000 - 800 - 300 = 4900: the costliest step)
//     Seq Scan on public.orders, Filter (status = $1), 1 000 000 rows, flagged (own 800)
//     Hash (300; own 10)
//       Index Scan on customers using customers_pkey (own 290)
QueryPlan samplePlan()
{
    PlanNode scan = node(QStringLiteral("Seq Scan"), 0, 800, 2000);
    scan.relation = QStringLiteral("orders");
    scan.schema = QStringLiteral("public");
    scan.filter = QStringLiteral("(status = $1)");
    scan.filter_columns = {QStringLiteral("status")};
    scan.relation_rows = 1000000;
    scan.flagged = true;
    PlanNode index = node(QStringLiteral("Index Scan"), 0.42, 290, 120.5);
    index.relation = QStringLiteral("customers");
    index.index_name = QStringLiteral("customers_pkey");
    PlanNode hash = node(QStringLiteral("Hash"), 290, 300, 120.5, {index});
    PlanNode join = node(QStringLiteral("Hash Join"), 310, 6000, 2000, {scan, hash});
    QueryPlan plan;
    plan.valid = true;
    plan.fingerprint = QStringLiteral("abc");
    plan.text = QStringLiteral("SELECT * FROM orders JOIN customers ON ... WHERE status = $1 LIMIT $2");
    plan.root = node(QStringLiteral("Limit"), 310, 5000, 50, {join});
    return plan;
}

// Index of the node at this path of rows from the root ({} = the root).
QModelIndex at(const PlanTreeModel &model, const QList<int> &path, int column = 0)
{
    QModelIndex i = model.index(0, 0);
    for (int row : path)
        i = model.index(row, 0, i);
    return i.siblingAtColumn(column);
}

QPalette paletteWithBase(const QColor &base, const QColor &text)
{
    QPalette p;
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::Text, text);
    return p;
}

} // namespace

class TestPlanTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void treeUnderTheModelTester()
    {
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.isEmpty());
        QCOMPARE(model.rowCount(), 0);
        model.setPlan(samplePlan());
        QVERIFY(!model.isEmpty());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(at(model, {})), 1);
        QCOMPARE(model.rowCount(at(model, {0})), 2);
        QCOMPARE(model.rowCount(at(model, {0, 1})), 1);
        QCOMPARE(model.rowCount(at(model, {0, 1, 0})), 0);
        QCOMPARE(model.rowCount(at(model, {0}, PlanTreeModel::CostColumn)), 0); // only column 0 has children
        QCOMPARE(model.parent(at(model, {0, 1, 0})), at(model, {0, 1}));
        QCOMPARE(model.node(at(model, {0, 1, 0}))->index_name, QStringLiteral("customers_pkey"));
        model.setPalette(paletteWithBase(Qt::black, Qt::white));
        model.setPlan(samplePlan());
        model.clear();
        QVERIFY(model.isEmpty());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.costliestIndex().isValid());
    }

    void invalidPlanShowsNothing()
    {
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(samplePlan());
        QueryPlan refused = samplePlan();
        refused.valid = false;
        refused.error = QStringLiteral("multi-statement text is refused");
        model.setPlan(refused);
        QVERIFY(model.isEmpty());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.costliestIndex().isValid());
    }

    void displayThroughFormat_data()
    {
        QTest::addColumn<QList<int>>("path");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("display");
        QTest::addColumn<QVariant>("raw");
        const QList<int> scan{0, 0}, index{0, 1, 0}, root{};
        QTest::newRow("node type") << scan << int(PlanTreeModel::NodeTypeColumn) << QStringLiteral("Seq Scan")
                                   << QVariant(QStringLiteral("Seq Scan"));
        QTest::newRow("schema.relation") << scan << int(PlanTreeModel::RelationColumn)
                                         << QStringLiteral("public.orders")
                                         << QVariant(QStringLiteral("public.orders"));
        QTest::newRow("relation without schema")
            << index << int(PlanTreeModel::RelationColumn) << QStringLiteral("customers")
            << QVariant(QStringLiteral("customers"));
        QTest::newRow("index") << index << int(PlanTreeModel::IndexColumn) << QStringLiteral("customers_pkey")
                               << QVariant(QStringLiteral("customers_pkey"));
        QTest::newRow("filter") << scan << int(PlanTreeModel::FilterColumn) << QStringLiteral("(status = $1)")
                                << QVariant(QStringLiteral("(status = $1)"));
        QTest::newRow("estimated rows, whole")
            << scan << int(PlanTreeModel::EstimatedRowsColumn) << Format::amount(2000) << QVariant(2000.0);
        QTest::newRow("estimated rows, fractional")
            << index << int(PlanTreeModel::EstimatedRowsColumn) << Format::amount(120.5) << QVariant(120.5);
        QTest::newRow("relation rows") << scan << int(PlanTreeModel::RelationRowsColumn) << QStringLiteral("1000000")
                                       << QVariant(1000000.0);
        QTest::newRow("relation rows unknown")
            << index << int(PlanTreeModel::RelationRowsColumn) << QString(QChar(0x2013)) << QVariant(-1.0);
        QTest::newRow("cost startup..total")
            << index << int(PlanTreeModel::CostColumn) << QStringLiteral("0.42..290.00") << QVariant(290.0);
        QTest::newRow("root cost") << root << int(PlanTreeModel::CostColumn) << Format::planCost(310, 5000)
                                   << QVariant(5000.0);
    }
    void displayThroughFormat()
    {
        QFETCH(QList<int>, path);
        QFETCH(int, column);
        QFETCH(QString, display);
        QFETCH(QVariant, raw);
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(samplePlan());
        const QModelIndex i = at(model, path, column);
        QVERIFY(i.isValid());
        QCOMPARE(i.data().toString(), display);
        QCOMPARE(i.data(PlanTreeModel::SortRole), raw);
    }

    void costlyNodesAreHighlighted_data()
    {
        QTest::addColumn<QList<int>>("path");
        QTest::addColumn<double>("ownCost");
        QTest::addColumn<bool>("flagged");
        QTest::addColumn<bool>("costliest");
        QTest::newRow("Limit: below its child, no own cost") << QList<int>{} << 0.0 << false << false;
        QTest::newRow("Hash Join: the costliest step") << QList<int>{0} << 4900.0 << false << true;
        QTest::newRow("Seq Scan: flagged") << QList<int>{0, 0} << 800.0 << true << false;
        QTest::newRow("Hash") << QList<int>{0, 1} << 10.0 << false << false;
        QTest::newRow("Index Scan") << QList<int>{0, 1, 0} << 290.0 << false << false;
    }
    void costlyNodesAreHighlighted()
    {
        QFETCH(QList<int>, path);
        QFETCH(double, ownCost);
        QFETCH(bool, flagged);
        QFETCH(bool, costliest);
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(samplePlan());
        const bool highlighted = flagged || costliest;
        for (int c = 0; c < PlanTreeModel::NUM_COLUMNS; ++c) {
            const QModelIndex i = at(model, path, c);
            QCOMPARE(i.data(PlanTreeModel::OwnCostRole).toDouble(), ownCost);
            QCOMPARE(i.data(PlanTreeModel::FlaggedRole).toBool(), flagged);
            QCOMPARE(i.data(PlanTreeModel::CostliestRole).toBool(), costliest);
            QCOMPARE(i.data(PlanTreeModel::HighlightedRole).toBool(), highlighted);
            QCOMPARE(i.data(Qt::FontRole).value<QFont>().bold(), highlighted);
            QCOMPARE(i.data(Qt::BackgroundRole).isValid(), highlighted);
        }
        QCOMPARE(model.costliestIndex() == at(model, path), costliest);
        const QString tip = at(model, path).data(Qt::ToolTipRole).toString();
        QCOMPARE(tip.contains(QLatin1String("Flagged")), flagged);
        QCOMPARE(tip.contains(QLatin1String("Costliest")), costliest);
        if (flagged) { // says which rows are read and what index would avoid it
            QVERIFY2(tip.contains(QLatin1String("1000000")) && tip.contains(QLatin1String("public.orders")) &&
                         tip.contains(QLatin1String("index on status")),
                     qPrintable(tip));
        }
        if (costliest)
            QVERIFY2(tip.contains(QLatin1String("4900.00")) && tip.contains(QLatin1String("5000.00")), qPrintable(tip));
    }

    void flaggedAndCostliestTintsDiffer()
    {
        PlanTreeModel model;
        model.setPlan(samplePlan());
        const QColor flagged = at(model, {0, 0}).data(Qt::BackgroundRole).value<QBrush>().color();
        const QColor costliest = at(model, {0}).data(Qt::BackgroundRole).value<QBrush>().color();
        QVERIFY(flagged != costliest);
    }

    void noCostNoCostliestStep()
    {
        QueryPlan plan;
        plan.valid = true;
        plan.root = node(QStringLiteral("Result"), 0, 0, 1);
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(plan);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!model.costliestIndex().isValid());
        QVERIFY(!at(model, {}).data(PlanTreeModel::HighlightedRole).toBool());
    }

    void highlightReadsOnLightAndDarkThemes_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void highlightReadsOnLightAndDarkThemes()
    {
        QFETCH(bool, dark);
        const QPalette palette = dark ? UiWiring::darkPalette() : paletteWithBase(Qt::white, Qt::black);
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlan(samplePlan());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setPalette(palette);
        QCOMPARE(changed.count(), 5); // every node, for its background
        QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(Qt::BackgroundRole));
        const int textLightness = palette.color(QPalette::Text).lightness();
        for (const QList<int> &path : {QList<int>{0}, QList<int>{0, 0}}) {
            const QColor background = at(model, path).data(Qt::BackgroundRole).value<QBrush>().color();
            // A tint of the palette's Base: on the same side of the middle, so the palette's Text stays readable.
            QVERIFY2(std::abs(background.lightness() - textLightness) > 100,
                     qPrintable(QStringLiteral("background %1 text %2").arg(background.name()).arg(textLightness)));
            QCOMPARE(background.lightness() > 127, !dark);
        }
    }

    void headersNameEveryColumn()
    {
        PlanTreeModel model;
        for (int c = 0; c < PlanTreeModel::NUM_COLUMNS; ++c)
            QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
    }
};

QTEST_MAIN(TestPlanTreeModel)
#include "tst_plantreemodel.moc"
