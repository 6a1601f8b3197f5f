// ChartDrawing (docs/report.md): SvgChart lays a chart out once as primitives; the HTML writes them as SVG and
// the PDF paints them. The SVG is the same, byte for byte, as SvgChart wrote before the primitives existed: the
// golden files in tests/data/report were written by that code (the edge-case charts below and the four figures of
// the single-connection report). The primitives say what is drawn: a polyline per run of a series, rules as
// dashed lines, labels as text.
#include "reportfixture.h"

#include "report/chartdrawing.h"
#include "report/reportcharts.h"
#include "report/reportmodel.h"
#include "report/svgchart.h"

#include <QFile>
#include <QTest>

#include <cmath>

using namespace Preflight;
using D = ChartDrawing;

namespace {

// Two charts that reach every branch of the layout: gaps, a lone point, steps, areas with and without a base,
// dots, a wrapped legend, rule labels on two rows, flipped and left out, rules outside the range, text to escape,
// a log axis with a zero and a time axis.
SvgChart edgeChart(bool logScale)
{
    using S = SvgChart;
    SvgChart chart(480, 220);
    if (!logScale)
        chart.setDescription(QStringLiteral("Edge cases: <gaps> & \"quotes\""));
    const auto format = [](double v) { return QString::number(v, 'g', 4); };
    if (logScale) {
        chart.setXAxis(QStringLiteral("run time"), format, true);
        chart.setYAxis(QStringLiteral("latency (log)"), format, true);
        S::Series p50{QStringLiteral("P50"), QStringLiteral("#2563eb"), {}, {}, S::Style::Line, false, 1.6};
        p50.points = {{0, 0.5}, {30, 0}, {60, 12}, {90, 480}, {120, 5000}, {150, NAN}, {180, 7}};
        chart.addSeries(p50);
        S::Rule gate{250, QStringLiteral("gate P50 ≤ 250 ms"), QStringLiteral("#dc2626"), true, true};
        chart.addHorizontalRule(gate);
        chart.addHorizontalRule({0, QStringLiteral("zero"), QStringLiteral("#111827"), true, false});
        chart.addVerticalRule({60, QStringLiteral("stage 2"), QStringLiteral("#cbd5e1"), false, false});
        return chart;
    }
    chart.setXAxis(QStringLiteral("users"), format);
    chart.setYAxis(QStringLiteral("req/s & <more>"), format);
    chart.setYRange(0, 100);
    S::Series gappy{QStringLiteral("gappy line"), QStringLiteral("#dc2626"), {}, {}, S::Style::Line, false, 1.6};
    gappy.points = {{0, 10}, {1, NAN}, {2, 20}, {3, 30}, {4, 35}, {5, NAN}, {6, 40}};
    S::Series step{QStringLiteral("in flight (step)"), QStringLiteral("#16a34a"), {}, {}, S::Style::Step, true, 1.4};
    step.points = {{0, 5}, {1, 5}, {2, 15}, {3, 15}, {4, 60}, {6, 60}};
    S::Series area{QStringLiteral("area to the axis"), QStringLiteral("#7c3aed"), {}, {}, S::Style::Area, false, 1};
    area.points = {{0, 50}, {3, 70}, {6, 65}};
    S::Series stacked{QStringLiteral("stacked area"), QStringLiteral("#ea580c"), {}, {}, S::Style::Area, false, 1};
    stacked.points = {{0, 55}, {3, 80}, {6, 140}};
    stacked.base = {{0, 50}, {3, 70}, {6, 65}};
    S::Series dots{QStringLiteral("measured <dots>"), QStringLiteral("#111827"), {}, {}, S::Style::Dots, false, 1};
    dots.points = {{1, 12}, {2, NAN}, {5, 90}};
    S::Series unnamed{QString(), QStringLiteral("#9ca3af"), {}, {}, S::Style::Line, true, 1.2};
    unnamed.points = {{0, 0}, {6, 100}};
    for (const S::Series &s : {gappy, step, area, stacked, dots, unnamed})
        chart.addSeries(s);
    chart.addHorizontalRule({75, QStringLiteral("gate \"min\" & <max>"), QStringLiteral("#0f766e"), true, true});
    chart.addHorizontalRule({20, QString(), QStringLiteral("#6b7280"), false, false});
    chart.addHorizontalRule({150, QStringLiteral("out of range"), QStringLiteral("#6b7280"), true, true});
    chart.addVerticalRule({1, QStringLiteral("first row label"), QStringLiteral("#cbd5e1"), false, false});
    chart.addVerticalRule({1.5, QStringLiteral("second row"), QStringLiteral("#cbd5e1"), false, false});
    chart.addVerticalRule({2, QStringLiteral("left out"), QStringLiteral("#cbd5e1"), false, false});
    chart.addVerticalRule({3, QString(), QStringLiteral("#cbd5e1"), true, false});
    chart.addVerticalRule({5.8, QStringLiteral("flipped at the right edge"), QStringLiteral("#2563eb"), true, true});
    chart.addVerticalRule({9, QStringLiteral("outside"), QStringLiteral("#2563eb"), true, true});
    return chart;
}

QString golden(const QString &name)
{
    QFile f(QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/report/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing golden file %s", qPrintable(f.fileName()));
    return QString::fromUtf8(f.readAll());
}

template <typename T> std::vector<T> all(const ChartDrawing &d)
{
    std::vector<T> out;
    for (const D::Primitive &p : d.primitives)
        if (const T *t = std::get_if<T>(&p))
            out.push_back(*t);
    return out;
}

template <typename T> std::vector<T> stroked(const ChartDrawing &d, const QString &color)
{
    std::vector<T> out;
    for (const T &t : all<T>(d))
        if (t.paint.stroke == color)
            out.push_back(t);
    return out;
}

const D::Text *textOf(const std::vector<D::Text> &texts, const QString &label)
{
    for (const D::Text &t : texts)
        if (t.text == label)
            return &t;
    return nullptr;
}

template <typename T> int firstIndex(const ChartDrawing &d)
{
    for (size_t i = 0; i < d.primitives.size(); ++i)
        if (std::holds_alternative<T>(d.primitives[i]))
            return int(i);
    return -1;
}

template <typename T> int lastIndex(const ChartDrawing &d)
{
    for (size_t i = d.primitives.size(); i-- > 0;)
        if (std::holds_alternative<T>(d.primitives[i]))
            return int(i);
    return -1;
}

} // namespace

class TestChartDrawing : public QObject
{
    Q_OBJECT

private slots:
    void svgAsBefore_data();
    void svgAsBefore();
    void seriesPrimitives();
    void rulesAndLabels();
    void reportChartPrimitives();
    void svgOfPrimitives();
};

void TestChartDrawing::svgAsBefore_data()
{
    QTest::addColumn<QString>("svg");
    QTest::addColumn<QString>("file");
    QTest::newRow("edge cases") << edgeChart(false).toSvg(false) << QStringLiteral("edge-linear.svg");
    QTest::newRow("edge cases, xmlns") << edgeChart(false).toSvg(true) << QStringLiteral("edge-linear-ns.svg");
    QTest::newRow("log and time axes") << edgeChart(true).toSvg(false) << QStringLiteral("edge-log.svg");
    const ReportModel m = ReportModel::build(ReportFixture::singleConnectionRun(), {});
    for (const ReportModel::Chart &c : m.charts)
        QTest::newRow(qPrintable(QStringLiteral("report ") + c.id))
            << c.drawing.toSvg(false) << QStringLiteral("single-connection-%1.svg").arg(c.id);
}

void TestChartDrawing::svgAsBefore()
{
    QFETCH(QString, svg);
    QFETCH(QString, file);
    const QString expected = golden(file);
    if (svg == expected)
        return;
    qsizetype at = 0;
    while (at < svg.size() && at < expected.size() && svg[at] == expected[at])
        ++at;
    QFAIL(qPrintable(
        QStringLiteral("%1 differs at %2:\n  got      …%3\n  expected …%4")
            .arg(file)
            .arg(at)
            .arg(svg.mid(std::max<qsizetype>(0, at - 40), 100), expected.mid(std::max<qsizetype>(0, at - 40), 100))));
}

void TestChartDrawing::seriesPrimitives()
{
    const ChartDrawing d = edgeChart(false).drawing();
    QCOMPARE(d.width, 480.0);
    QCOMPARE(d.height, 220.0);
    QCOMPARE(d.description, QStringLiteral("Edge cases: <gaps> & \"quotes\""));
    QVERIFY(std::holds_alternative<D::Rect>(d.primitives.front())); // the white background first

    // A line broken by gaps: one polyline for the run of three points, a dot for each lone point.
    const auto gappy = stroked<D::Polyline>(d, QStringLiteral("#dc2626"));
    QCOMPARE(gappy.size(), size_t(1));
    QCOMPARE(gappy[0].points.size(), size_t(3));
    QVERIFY(gappy[0].paint.round);
    QVERIFY(gappy[0].paint.dash.empty());
    QCOMPARE(gappy[0].paint.stroke_width, 1.6);
    int lone = 0;
    for (const D::Circle &c : all<D::Circle>(d))
        if (c.paint.fill == QLatin1String("#dc2626") && c.radius == 1.8)
            ++lone;
    QCOMPARE(lone, 2);

    // A dashed step line: six samples and a corner at each of the two changes.
    const auto step = stroked<D::Polyline>(d, QStringLiteral("#16a34a"));
    QCOMPARE(step.size(), size_t(1));
    QCOMPARE(step[0].points.size(), size_t(8));
    QCOMPARE(step[0].paint.dash, (std::vector<double>{6, 4}));
    QCOMPARE(step[0].points[2].x, step[0].points[1].x); // vertical riser
    QCOMPARE(step[0].points[2].y, step[0].points[3].y);

    // Areas: down to the axis, or back along a base; translucent, drawn before every line.
    const auto toAxis = stroked<D::Polygon>(d, QStringLiteral("#7c3aed"));
    const auto onBase = stroked<D::Polygon>(d, QStringLiteral("#ea580c"));
    QCOMPARE(toAxis.size(), size_t(1));
    QCOMPARE(onBase.size(), size_t(1));
    QCOMPARE(toAxis[0].points.size(), size_t(3 + 2));
    QCOMPARE(onBase[0].points.size(), size_t(3 + 3));
    QCOMPARE(toAxis[0].paint.fill, QStringLiteral("#7c3aed"));
    QCOMPARE(toAxis[0].paint.fill_opacity, 0.35);
    QVERIFY(lastIndex<D::Polygon>(d) < firstIndex<D::Polyline>(d));

    // Dots with a white rim, a gap left out.
    int dots = 0;
    for (const D::Circle &c : all<D::Circle>(d))
        if (c.paint.fill == QLatin1String("#111827") && c.paint.stroke == QLatin1String("#ffffff"))
            ++dots;
    QCOMPARE(dots, 2);

    // Every point inside the plot (y range 0..100 fixed: the stacked area's 140 is clamped to the top).
    for (const D::Polygon &g : all<D::Polygon>(d))
        for (const D::Point &p : g.points)
            QVERIFY(p.x >= 66 && p.x <= 464 && p.y >= 0 && p.y <= 180);
}

void TestChartDrawing::rulesAndLabels()
{
    const ChartDrawing d = edgeChart(false).drawing();
    const std::vector<D::Text> texts = all<D::Text>(d);

    // The gate: a strong dashed line across the plot, its label at the right end on a halo, unescaped.
    const auto gate = stroked<D::Line>(d, QStringLiteral("#0f766e"));
    QCOMPARE(gate.size(), size_t(1));
    QCOMPARE(gate[0].paint.dash, (std::vector<double>{7, 4}));
    QCOMPARE(gate[0].paint.stroke_width, 1.4);
    QCOMPARE(gate[0].from.y, gate[0].to.y);
    QCOMPARE(gate[0].from.x, 66.0);
    QCOMPARE(gate[0].to.x, 464.0);
    const D::Text *gateLabel = textOf(texts, QStringLiteral("gate \"min\" & <max>"));
    QVERIFY(gateLabel);
    QVERIFY(gateLabel->halo);
    QCOMPARE(gateLabel->anchor, D::Anchor::End);
    QCOMPARE(gateLabel->fill, QStringLiteral("#0f766e"));
    QVERIFY(gateLabel->y < gate[0].from.y);
    QVERIFY(!textOf(texts, QStringLiteral("out of range")));

    // Vertical rules: labels on two rows, flipped left at the right edge, left out when both rows are taken.
    const D::Text *first = textOf(texts, QStringLiteral("first row label"));
    const D::Text *second = textOf(texts, QStringLiteral("second row"));
    const D::Text *flipped = textOf(texts, QStringLiteral("flipped at the right edge"));
    QVERIFY(first && second && flipped);
    QCOMPARE(second->y - first->y, 13.0);
    QCOMPARE(first->anchor, D::Anchor::Start);
    QCOMPARE(flipped->anchor, D::Anchor::End);
    QVERIFY(!textOf(texts, QStringLiteral("left out")));
    QVERIFY(!textOf(texts, QStringLiteral("outside")));
    const auto knee = stroked<D::Line>(d, QStringLiteral("#2563eb"));
    QCOMPARE(knee.size(), size_t(1)); // the rule outside the x range is not drawn
    QCOMPARE(knee[0].paint.dash, (std::vector<double>{4, 3}));

    // Axis titles (the y title turned to read upwards) and tick labels.
    const D::Text *xTitle = textOf(texts, QStringLiteral("users"));
    const D::Text *yTitle = textOf(texts, QStringLiteral("req/s & <more>"));
    QVERIFY(xTitle && yTitle);
    QCOMPARE(xTitle->rotation_deg, 0.0);
    QCOMPARE(xTitle->anchor, D::Anchor::Middle);
    QCOMPARE(yTitle->rotation_deg, -90.0);
    QCOMPARE(yTitle->anchor, D::Anchor::Middle);
    QCOMPARE(yTitle->x, 14.0);
    for (const char *tick : {"0", "20", "100", "6"})
        QVERIFY2(textOf(texts, QLatin1String(tick)), tick);

    // The legend: every named series, on two rows (it does not fit on one at 480 units).
    for (const char *name : {"gappy line", "in flight (step)", "area to the axis", "stacked area", "measured <dots>"})
        QVERIFY2(textOf(texts, QString::fromUtf8(name)), name);
    QCOMPARE(textOf(texts, QStringLiteral("stacked area"))->y - textOf(texts, QStringLiteral("gappy line"))->y, 17.0);
}

void TestChartDrawing::reportChartPrimitives()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const ReportModel m = ReportModel::build(run, {});
    const ReportModel::Chart *latency = m.chart(QStringLiteral("latency"));
    QVERIFY(latency);
    const ChartDrawing &d = latency->drawing;
    QCOMPARE(d.width, 720.0);
    QCOMPARE(d.height, 280.0);

    // One polyline per percentile, one point per second of the run (short runs are bucketed by the second).
    const size_t perSecond = size_t(std::lround(1.0 / run.intervals.front().duration_s()));
    const size_t seconds = (run.intervals.size() + perSecond - 1) / perSecond;
    for (const char *color : {"#2563eb", "#d97706", "#dc2626"}) {
        const auto lines = stroked<D::Polyline>(d, QLatin1String(color));
        QVERIFY2(lines.size() == 1, color);
        QCOMPARE(lines[0].points.size(), seconds);
    }

    // The P95 and P99 gates as strong dashed lines with their labels; one thin solid rule per stage.
    const std::vector<D::Text> texts = all<D::Text>(d);
    int gates = 0, stages = 0;
    for (const D::Line &l : all<D::Line>(d)) {
        if (l.paint.dash == std::vector<double>{7, 4} && l.paint.stroke_width == 1.4)
            ++gates;
        if (l.paint.stroke == QLatin1String("#cbd5e1")) {
            QVERIFY(l.paint.dash.empty());
            ++stages;
        }
    }
    QCOMPARE(gates, 2);
    QCOMPARE(stages, int(run.stages.size()));
    QVERIFY(textOf(texts, QStringLiteral("gate P95 ≤ 120 ms")));
    QVERIFY(textOf(texts, QStringLiteral("gate P99 ≤ 200 ms")));
    QVERIFY(textOf(texts, QStringLiteral("20 users")));
    QVERIFY(textOf(texts, QStringLiteral("run time (min:s)")));
    QCOMPARE(textOf(texts, QStringLiteral("latency (log scale)"))->rotation_deg, -90.0);
    for (const char *tick : {"10.0 ms", "100 ms", "1.00 s", "0:30"})
        QVERIFY2(textOf(texts, QLatin1String(tick)), tick);
}

void TestChartDrawing::svgOfPrimitives()
{
    ChartDrawing d;
    d.width = 100;
    d.height = 50.04;
    D::Text t;
    t.x = 14;
    t.y = 25.06;
    t.text = QStringLiteral("a<b");
    t.font_size = 11.5;
    t.anchor = D::Anchor::End;
    t.fill = QStringLiteral("#374151");
    t.halo = true;
    t.rotation_deg = -90;
    D::Rect outline{1, 2, 10, 5, {}};
    outline.paint.stroke = QStringLiteral("#000000");
    outline.paint.stroke_width = 0.5;
    outline.paint.dash = {2, 1.25};
    d.primitives = {outline, t};
    const QString font =
        QStringLiteral(" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11.5\"");
    const QString expected =
        QStringLiteral("<svg viewBox=\"0 0 100 50\" width=\"100\" height=\"50\" role=\"img\">"
                       "<rect x=\"1\" y=\"2\" width=\"10\" height=\"5\" fill=\"none\" stroke=\"#000000\" "
                       "stroke-width=\"0.5\" stroke-dasharray=\"2 1.3\"/>"
                       "<g transform=\"translate(14 25.1) rotate(-90)\"><text x=\"0\" y=\"0\"") +
        font +
        QStringLiteral(" fill=\"#ffffff\" text-anchor=\"end\" stroke=\"#ffffff\" stroke-width=\"3\" "
                       "stroke-linejoin=\"round\">a&lt;b</text><text x=\"0\" y=\"0\"") +
        font + QStringLiteral(" fill=\"#374151\" text-anchor=\"end\">a&lt;b</text></g></svg>");
    QCOMPARE(d.toSvg(), expected);
    QCOMPARE(ChartDrawing::escape(QStringLiteral("a<b & \"c\"")), QStringLiteral("a&lt;b &amp; &quot;c&quot;"));
}

QTEST_MAIN(TestChartDrawing)
#include "tst_chartdrawing.moc"
