// The readiness report (docs/report.md): what it says, in which order, that it matches the JSON summary, that it
// leaks no secret and references nothing outside the file, and that a 1-hour run stays small.
#include "reportfixture.h"
#include "syntheticrun.h"

#include "cli/commands.h"
#include "diagnosis/diagnoser.h"
#include "report/htmlreport.h"
#include "report/jsonsummary.h"
#include "report/reportdocument.h"
#include "report/reportmodel.h"
#include "report/reportwriter.h"
#include "report/svgchart.h"
#include "store/runstore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>
#include <cmath>

using namespace Preflight;
using Synthetic::profileStat;

namespace {

QDateTime fixedTime()
{
    return QDateTime(QDate(2025, 11, 25), QTime(9, 0), Qt::UTC);
}

QString html(const RunData &run, const RunData *baseline = nullptr)
{
    ReportOptions options;
    options.baseline = baseline;
    options.generated_at = fixedTime();
    return QString::fromUtf8(HtmlReport::render(ReportDocument::compose(ReportModel::build(run, options))));
}

struct GateRowData
{
    QString id;
    double value = 0;
    bool measured = false;
    bool pass = false;
};

std::vector<GateRowData> gateRowsOf(const QString &page)
{
    const qsizetype start = page.indexOf(QStringLiteral("<table id=\"gate-table\""));
    const qsizetype end = page.indexOf(QStringLiteral("</table>"), start);
    const QString table = page.mid(start, end - start);
    static const QRegularExpression row(QStringLiteral("<tr data-check=\"([^\"]*)\" data-pass=\"(true|false)\" "
                                                       "data-threshold=\"[^\"]*\" data-value=\"([^\"]*)\""));
    std::vector<GateRowData> rows;
    for (auto it = row.globalMatch(table); it.hasNext();) {
        const auto m = it.next();
        GateRowData r;
        r.id = m.captured(1);
        r.pass = m.captured(2) == QLatin1String("true");
        r.measured = !m.captured(3).isEmpty();
        r.value = m.captured(3).toDouble();
        rows.push_back(r);
    }
    return rows;
}

// The run's diagnosis again, as the run controller stores it (after the test changed its statements).
void rediagnose(RunData &run)
{
    run.findings.clear();
    run.gates.clear();
    run.verdict.clear();
    applyDiagnosis(analyze(run, *GateSet::preset(QStringLiteral("launch"))), &run);
}

Finding &nPlusOneOf(RunData &run)
{
    const auto it = std::find_if(run.findings.begin(), run.findings.end(),
                                 [](const Finding &f) { return f.id == QLatin1String("n-plus-one"); });
    if (it == run.findings.end())
        qFatal("the run has no n-plus-one finding");
    return *it;
}

} // namespace

class TestReport : public QObject
{
    Q_OBJECT

private slots:
    void sectionsInOrder();
    void titleBlockAndVerdict();
    void executiveSummary();
    void gateTableMatchesJsonSummary();
    void jsonSummaryCarriesTheDiagnosis();
    void findingsMostSevereFirst();
    void damageTable();
    void errorsSection();
    void queriesSection();
    void nPlusOneLeavesTransactionControlOut();
    void nPlusOneReadsTheFindingsParameters();
    void nPlusOneClaimsNoUnmeasuredN();
    void nPlusOneNestedLoop();
    void nPlusOneNeedsReferences();
    void verdictReasonAndNotesAreTheStoredOnes();
    void beforeAfter();
    void healthyRunIsReady();
    void noSecretCanary();
    void noSecretCanaryThroughTheStore();
    void noExternalResource();
    void chartsAreWellFormedSvg();
    void svgTicks();
    void writeReportByExtension();
    void reportCommand();
    void oneHourRunIsSmall();
};

void TestReport::sectionsInOrder()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const RunData base = ReportFixture::healthyRun();
    const QString page = html(run, &base);
    const QStringList markers = {
        QStringLiteral("<h1>"), // title block
        QStringLiteral("id=\"verdict\""),
        QStringLiteral("<section id=\"summary\">"),
        QStringLiteral("<section id=\"gates\">"),
        QStringLiteral("<section id=\"findings\">"),
        QStringLiteral("<section id=\"errors\">"),
        QStringLiteral("<section id=\"damage\">"),
        QStringLiteral("<section id=\"charts\">"),
        QStringLiteral("<section id=\"queries\">"),
        QStringLiteral("<section id=\"comparison\">"),
        QStringLiteral("<section id=\"method\">"),
        QStringLiteral("<footer>"),
    };
    qsizetype last = -1;
    for (const QString &m : markers) {
        const qsizetype at = page.indexOf(m, last + 1);
        QVERIFY2(at > last, qPrintable(QStringLiteral("%1 missing or out of order").arg(m)));
        last = at;
    }
    // Every chart is in the charts section, in figure order.
    const qsizetype charts = page.indexOf(QStringLiteral("<section id=\"charts\">"));
    qsizetype prev = charts;
    for (const char *id : {"chart-latency", "chart-throughput", "chart-connections", "chart-capacity"}) {
        const qsizetype at = page.indexOf(QStringLiteral("id=\"%1\"").arg(QLatin1String(id)));
        QVERIFY2(at > prev, id);
        prev = at;
    }
    QVERIFY(prev < page.indexOf(QStringLiteral("<section id=\"queries\">")));
    // The document says the same in the same order (the PDF draws these blocks).
    ReportOptions options;
    options.baseline = &base;
    options.generated_at = fixedTime();
    const ReportDocument doc = ReportDocument::compose(ReportModel::build(run, options));
    QCOMPARE(doc.sectionIds(),
             (QStringList{QStringLiteral("summary"), QStringLiteral("gates"), QStringLiteral("findings"),
                          QStringLiteral("errors"), QStringLiteral("damage"), QStringLiteral("charts"),
                          QStringLiteral("queries"), QStringLiteral("comparison"), QStringLiteral("method")}));
    // Without a baseline there is no before/after section.
    QVERIFY(!html(run).contains(QStringLiteral("id=\"comparison\"")));
}

void TestReport::titleBlockAndVerdict()
{
    RunData run = ReportFixture::singleConnectionRun();
    run.info.target = QStringLiteral("https://admin:hunter2@127.0.0.1:8443");
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.verdict, QStringLiteral("not-ready"));
    QCOMPARE(m.verdict_label, QStringLiteral("NOT READY"));
    QCOMPARE(m.target, QStringLiteral("https://127.0.0.1:8443"));
    QCOMPARE(m.gates_total, int(run.gates.size()));
    QVERIFY(m.gates_failed > 0);
    QVERIFY(m.gate_tally.contains(QStringLiteral("of %1 gates passed").arg(run.gates.size())));
    QVERIFY(m.scenario.startsWith(QStringLiteral("sweep: 1, 2, 5, 10, 20, 50 users")));
    QVERIFY(!m.banners.isEmpty());
    QVERIFY(m.banners.front().contains(QStringLiteral("TLS certificate verification was turned OFF")));
    const QString page = html(run);
    QVERIFY(page.contains(QStringLiteral("<div class=\"verdict-word\">NOT READY</div>")));
    QVERIFY(page.contains(QStringLiteral("class=\"banner banner-danger\"")));
    QVERIFY(!page.contains(QStringLiteral("hunter2")));
    QVERIFY(!page.contains(QStringLiteral("admin:")));
}

void TestReport::executiveSummary()
{
    const ReportModel m = ReportModel::build(ReportFixture::singleConnectionRun(), {});
    QVERIFY2(m.executive_summary.size() >= 3 && m.executive_summary.size() <= 6,
             qPrintable(m.executive_summary.join(QLatin1Char('|'))));
    const QString text = m.executive_summary.join(QLatin1Char(' '));
    QVERIFY2(text.startsWith(QStringLiteral("Not ready for production:")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("one shared database connection")),
             qPrintable(text));                                                    // root cause in plain words
    QVERIFY2(text.contains(QStringLiteral("at 50 users")), qPrintable(text));      // measured impact
    QVERIFY2(text.contains(QStringLiteral("Recommended fix:")), qPrintable(text)); // the fix
    for (const QString &sentence : m.executive_summary)
        QVERIFY2(sentence.endsWith(QLatin1Char('.')), qPrintable(sentence));
}

void TestReport::gateTableMatchesJsonSummary()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const Diagnosis d = analyze(run, *GateSet::preset(QStringLiteral("launch")));
    const QJsonObject json = JsonSummary::build(run, d.levels, &d.capacity);
    const QJsonArray checks = json.value(QStringLiteral("gates")).toObject().value(QStringLiteral("checks")).toArray();
    const std::vector<GateRowData> rows = gateRowsOf(html(run));
    QCOMPARE(rows.size(), size_t(checks.size()));
    QVERIFY(!rows.empty());
    for (qsizetype i = 0; i < checks.size(); ++i) {
        const QJsonObject c = checks[i].toObject();
        const GateRowData &r = rows[size_t(i)];
        QCOMPARE(r.id, c.value(QStringLiteral("id")).toString());
        QCOMPARE(r.pass, c.value(QStringLiteral("pass")).toBool());
        QCOMPARE(r.measured, !c.value(QStringLiteral("value")).isNull());
        if (r.measured) {
            const double j = c.value(QStringLiteral("value")).toDouble();
            QVERIFY2(std::abs(r.value - j) <= 1e-5 + 1e-6 * std::abs(j),
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(r.id).arg(r.value).arg(j)));
        }
    }
}

// The summary carries the stored diagnosis whole: why the verdict is what it is, what could not be checked, and
// what each finding points at, so that CI acts on it without parsing prose.
void TestReport::jsonSummaryCarriesTheDiagnosis()
{
    const RunData run = ReportFixture::singleConnectionRun();
    QVERIFY(!run.verdict_reason.isEmpty());
    const QJsonObject json = JsonSummary::build(run, {}, nullptr);
    QCOMPARE(json.value(QStringLiteral("verdict")).toString(), run.verdict);
    QCOMPARE(json.value(QStringLiteral("verdict_reason")).toString(), run.verdict_reason);
    QCOMPARE(json.value(QStringLiteral("notes")).toArray().size(), qsizetype(run.diagnosis_notes.size()));
    const QJsonArray findings = json.value(QStringLiteral("findings")).toArray();
    QCOMPARE(findings.size(), qsizetype(run.findings.size()));
    int withRefs = 0;
    for (qsizetype i = 0; i < findings.size(); ++i) {
        const Finding &f = run.findings[size_t(i)];
        const QJsonObject o = findings[i].toObject();
        QCOMPARE(o.contains(QStringLiteral("refs")), !f.refs.isEmpty());
        if (f.refs.isEmpty())
            continue;
        ++withRefs;
        const QJsonObject refs = o.value(QStringLiteral("refs")).toObject();
        QCOMPARE(refs.value(QStringLiteral("level")).toInt(), f.refs.level);
        QCOMPARE(refs.value(QStringLiteral("endpoint")).toInt(), f.refs.endpoint);
    }
    QVERIFY(withRefs > 0);
    // Statements name their endpoint (DESIGN.md §6): the plan's name for the index the statement holds.
    const QJsonArray queries = json.value(QStringLiteral("queries")).toArray();
    QCOMPARE(queries.size(), qsizetype(run.queries.size()));
    for (qsizetype i = 0; i < queries.size(); ++i)
        QCOMPARE(queries[i].toObject().value(QStringLiteral("endpoint")).toString(),
                 run.plan.endpoints[size_t(run.queries[size_t(i)].endpoint)].name);
    QCOMPARE(queries.last().toObject().value(QStringLiteral("endpoint")).toString(),
             ReportFixture::SingleConnection::kSearchEndpoint);
}

void TestReport::findingsMostSevereFirst()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const ReportModel m = ReportModel::build(run, {});
    QVERIFY(!m.findings.empty());
    QCOMPARE(m.findings.front().id, QStringLiteral("single-connection"));
    auto rank = [](const QString &s) { return int(severityFromId(s)); };
    for (size_t i = 1; i < m.findings.size(); ++i)
        QVERIFY(rank(m.findings[i - 1].severity) <= rank(m.findings[i].severity));
    for (const ReportModel::FindingItem &f : m.findings) {
        QVERIFY2(!f.recommendation.isEmpty(), qPrintable(f.id));
        QVERIFY2(!f.evidence.empty(), qPrintable(f.id));
        QVERIFY2(!f.layer.isEmpty(), qPrintable(f.id));
    }
    const QString page = html(run);
    QVERIFY(page.contains(QStringLiteral("id=\"finding-single-connection\"")));
    QVERIFY(page.contains(QStringLiteral("<strong>Recommendation.</strong>")));
    QVERIFY(page.contains(QStringLiteral("<dt>Layer</dt>")));
    QVERIFY(page.contains(QStringLiteral("<dt>Shown in</dt><dd>Figure 3, Figure 4</dd>")));
}

void TestReport::damageTable()
{
    const ReportModel m = ReportModel::build(ReportFixture::singleConnectionRun(), {});
    QCOMPARE(m.levels.size(), size_t(6));
    QCOMPARE(m.levels.front().load, QStringLiteral("1 user"));
    QCOMPARE(m.levels.back().load, QStringLiteral("50 users"));
    QVERIFY(m.levels.back().success_rate < 0.7);
    QCOMPARE(m.levels.back().db_backends_max, 1);
    QCOMPARE(m.levels.back().pool_in_use_max, 1);
    QVERIFY(!m.levels.back().within_gates);
    QVERIFY(m.supported.contains(QStringLiteral("within the gates")) ||
            m.supported.contains(QStringLiteral("No load level")));
    const QString page = html(ReportFixture::singleConnectionRun());
    QVERIFY(page.contains(QStringLiteral("<table id=\"damage-table\"")));
    QVERIFY(page.contains(QStringLiteral("<td class=\"num\">1 / 1</td>"))); // pool in use / max
}

void TestReport::errorsSection()
{
    const ReportModel m = ReportModel::build(ReportFixture::singleConnectionRun(), {});
    QVERIFY(m.error_responses > 0);
    QVERIFY(!m.errors.empty());
    const auto pool = std::find_if(m.errors.begin(), m.errors.end(), [](const ReportModel::ErrorGroup &g) {
        return g.statuses == QLatin1String("HTTP 500");
    });
    QVERIFY(pool != m.errors.end());
    QVERIFY(pool->excerpt.contains(QStringLiteral("QueuePool limit")));
    QCOMPARE(pool->endpoints, QStringList{QStringLiteral("customer profile")});
    const QString page = html(ReportFixture::singleConnectionRun());
    const qsizetype section = page.indexOf(QStringLiteral("<section id=\"errors\">"));
    QVERIFY(page.indexOf(QStringLiteral("QueuePool limit of size 1"), section) > section);
}

void TestReport::queriesSection()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.endpoint_queries.size(), size_t(2));
    QCOMPARE(m.endpoint_queries.front().endpoint, QStringLiteral("customer profile"));
    QCOMPARE(m.endpoint_queries.front().queries_per_request, 62.0);
    QVERIFY(m.endpoint_queries.front().flagged); // the n-plus-one finding names it
    QCOMPARE(m.endpoint_queries.back().endpoint, QStringLiteral("search"));
    QCOMPARE(m.endpoint_queries.back().queries_per_request, 1.0);
    QVERIFY(!m.endpoint_queries.back().flagged);
    QCOMPARE(m.n_plus_one.size(), size_t(1));
    QCOMPARE(m.n_plus_one.front().formula, QStringLiteral("1 + 3\u00b7N"));
    QCOMPARE(m.n_plus_one.front().worked, QStringLiteral("1 + 3\u00b720 = 61"));
    const auto &statements = m.n_plus_one.front().statements;
    QCOMPARE(statements.size(), size_t(5));
    QCOMPARE(statements.front().role, QStringLiteral("once per request (parent)"));
    QVERIFY(statements.front().text.contains(QStringLiteral("FROM appointments")));
    QCOMPARE(std::count_if(statements.begin(), statements.end(),
                           [](const auto &st) { return st.role == QLatin1String("once per parent row"); }),
             3);
    QCOMPARE(m.plans.size(), size_t(1));
    QVERIFY(m.plans.front().has_flagged);
    const QString page = html(run);
    QVERIFY(page.contains(QStringLiteral("1 + 3\u00b720 = 61")));
    QVERIFY(page.contains(QStringLiteral("SELECT * FROM staff WHERE id = $1")));
    static const QRegularExpression marked(QStringLiteral("<mark>[^<]*Seq Scan on public\\.items[^<]*SEQ SCAN</mark>"));
    QVERIFY(marked.match(page).hasMatch());
    // No database: the section says why it is empty and how to fill it.
    RunData noDb = ReportFixture::healthyRun();
    noDb.queries.clear();
    noDb.database.kind = QStringLiteral("none");
    noDb.plan.database.conninfo.clear();
    QVERIFY(ReportModel::build(noDb, {}).queries_note.contains(QStringLiteral("--db")));
}

void TestReport::nPlusOneLeavesTransactionControlOut()
{
    using namespace ReportFixture::SingleConnection;
    RunData run = ReportFixture::singleConnectionRun();
    // The driver opens a savepoint per row: run as often as the per-row statements, but no data statement.
    run.queries.push_back(profileStat(kCustomerIndex, QStringLiteral("SAVEPOINT sa_savepoint_1"), 20, 0));
    rediagnose(run);
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.endpoint_queries.front().endpoint, kCustomerEndpoint);
    QCOMPARE(m.endpoint_queries.front().queries_per_request, 62.0);
    QCOMPARE(m.endpoint_queries.front().statements, 5);
    QCOMPARE(m.n_plus_one.size(), size_t(1));
    QCOMPARE(m.n_plus_one.front().worked, QStringLiteral("1 + 3\u00b720 = 61"));
    QCOMPARE(m.n_plus_one.front().measured, 62.0);
    for (const auto &st : m.n_plus_one.front().statements)
        QVERIFY2(!st.text.contains(QStringLiteral("SAVEPOINT")), qPrintable(st.text));
}

void TestReport::nPlusOneReadsTheFindingsParameters()
{
    using namespace ReportFixture::SingleConnection;
    RunData run = ReportFixture::singleConnectionRun();
    Finding &f = nPlusOneOf(run);
    // The table is the finding's: its statements by role, calls per request from the profiling pass.
    const ReportModel m = ReportModel::build(run, {});
    const auto &statements = m.n_plus_one.front().statements;
    QCOMPARE(statements.size(), size_t(5));
    size_t i = 0;
    for (const StatementRef &ref : f.refs.statements) {
        QCOMPARE(statements[i].role, ref.role == QLatin1String("parent") ? QStringLiteral("once per request (parent)")
                                                                         : QStringLiteral("once per parent row"));
        QCOMPARE(statements[i].text, ref.text);
        QCOMPARE(statements[i].calls_per_request, ref.role == QLatin1String("parent") ? 1.0 : 20.0);
        ++i;
    }
    QCOMPARE(statements.back().role, QStringLiteral("other"));
    QCOMPARE(statements.back().text, kCustomers);

    // k and N are the finding's evidence values, whatever the statements would suggest.
    for (Evidence &e : f.evidence)
        if (e.metric == QLatin1String("n_rows"))
            e.value = 10;
    f.refs.statements.pop_back(); // the finding names two per-row statements, but children_per_row says 3
    const ReportModel stored = ReportModel::build(run, {});
    QCOMPARE(stored.n_plus_one.front().worked, QStringLiteral("1 + 3\u00b710 = 31"));
    QCOMPARE(std::count_if(stored.n_plus_one.front().statements.begin(), stored.n_plus_one.front().statements.end(),
                           [](const auto &st) { return st.role == QLatin1String("other"); }),
             2);
}

void TestReport::nPlusOneClaimsNoUnmeasuredN()
{
    RunData run = ReportFixture::singleConnectionRun();
    Finding &f = nPlusOneOf(run);
    // As the rule states a finding without a parent: no n_rows, no children_per_row, no parent reference.
    f.evidence.erase(std::remove_if(f.evidence.begin(), f.evidence.end(),
                                    [](const Evidence &e) {
                                        return e.metric == QLatin1String("n_rows") ||
                                               e.metric == QLatin1String("children_per_row") ||
                                               e.metric == QLatin1String("parent_rows_per_call");
                                    }),
                     f.evidence.end());
    f.refs.statements.erase(std::remove_if(f.refs.statements.begin(), f.refs.statements.end(),
                                           [](const StatementRef &r) { return r.role == QLatin1String("parent"); }),
                            f.refs.statements.end());
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.n_plus_one.size(), size_t(1));
    const ReportModel::NPlusOne &n = m.n_plus_one.front();
    QCOMPARE(n.n, -1.0);
    QVERIFY(n.worked.isEmpty());
    QCOMPARE(n.formula, QStringLiteral("3\u00b7N"));
    QCOMPARE(n.statements.front().role, QStringLiteral("once per parent row"));
    const QString page = html(run);
    QVERIFY(page.contains(QStringLiteral("N is not known")));
    QVERIFY(!page.contains(QStringLiteral("with N = ")));
}

void TestReport::nPlusOneNestedLoop()
{
    const int endpoint = ReportFixture::SingleConnection::kCustomerIndex; // "customer profile"
    RunData run = ReportFixture::healthyRun();
    // 1 + N + N·M: 20 appointments, one services lookup each returning 5 rows, one price lookup per service row.
    run.queries = {profileStat(endpoint, QStringLiteral("SELECT id FROM appointments WHERE customer_id = $1"), 1, 20),
                   profileStat(endpoint, QStringLiteral("SELECT * FROM services WHERE appointment_id = $1"), 20, 5),
                   profileStat(endpoint, QStringLiteral("SELECT * FROM prices WHERE service_id = $1"), 100, 1)};
    rediagnose(run);
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.n_plus_one.size(), size_t(1));
    const ReportModel::NPlusOne &n = m.n_plus_one.front();
    QCOMPARE(n.formula, QStringLiteral("1 + N + N\u00b7M"));
    QCOMPARE(n.worked, QStringLiteral("1 + 1\u00b720 + 1\u00b720\u00b75 = 121"));
    QCOMPARE(n.m, 5.0);
    QCOMPARE(n.statements.size(), size_t(3));
    QCOMPARE(n.statements[2].role, QStringLiteral("once per row of a per-row query"));
    QCOMPARE(n.statements[2].calls_per_request, 100.0);
    QVERIFY(html(run).contains(QStringLiteral("M = 5 rows per per-row query")));
}

void TestReport::nPlusOneNeedsReferences()
{
    RunData run = ReportFixture::singleConnectionRun();
    nPlusOneOf(run).refs = FindingRefs{}; // stored before findings carried references
    const ReportModel m = ReportModel::build(run, {});
    QVERIFY(m.n_plus_one.empty()); // nothing is re-derived; the finding's card still says what it found
    QVERIFY(std::any_of(m.findings.begin(), m.findings.end(),
                        [](const auto &f) { return f.id == QLatin1String("n-plus-one"); }));
}

void TestReport::verdictReasonAndNotesAreTheStoredOnes()
{
    RunData run = ReportFixture::singleConnectionRun();
    QVERIFY(!run.verdict_reason.isEmpty());
    QCOMPARE(ReportModel::build(run, {}).verdict_reason, run.verdict_reason);
    run.verdict_reason = QStringLiteral("failed: P95 \u2264 120 ms (as stored)");
    run.diagnosis_notes = {QStringLiteral("A note the diagnosis stored.")};
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.verdict_reason, run.verdict_reason);
    // The run's warnings, then the database's, then the stored notes: no note of a diagnosis made now.
    QStringList expected = run.warnings;
    for (const QString &w : run.database.warnings)
        if (!expected.contains(w))
            expected << w;
    expected << run.diagnosis_notes;
    QCOMPARE(m.warnings, expected);
    QVERIFY(html(run).contains(QStringLiteral("(as stored)")));
    // A run stored before reasons were kept (format 3): the reason and notes of now.
    run.verdict_reason.clear();
    run.diagnosis_notes.clear();
    const ReportModel old = ReportModel::build(run, {});
    QVERIFY(!old.verdict_reason.isEmpty());
}

void TestReport::beforeAfter()
{
    const RunData before = ReportFixture::singleConnectionRun();
    const RunData after = ReportFixture::healthyRun();
    ReportOptions options;
    options.baseline = &before;
    const ReportModel m = ReportModel::build(after, options);
    QVERIFY(m.comparison.has_value());
    const ReportModel::Comparison &c = *m.comparison;
    QCOMPARE(c.headline.front().label, QStringLiteral("Verdict"));
    QCOMPARE(c.headline.front().before, QStringLiteral("NOT READY"));
    QCOMPARE(c.headline.front().after, QStringLiteral("READY"));
    QCOMPARE(c.headline.front().verdict, QStringLiteral("better"));
    const auto p95 = std::find_if(c.headline.begin(), c.headline.end(), [](const ReportModel::CompareRow &r) {
        return r.label == QLatin1String("P95 (all requests)");
    });
    QVERIFY(p95 != c.headline.end());
    QCOMPARE(p95->verdict, QStringLiteral("better"));
    QVERIFY(p95->delta.startsWith(QChar(0x2212))); // "−…": latency went down
    QVERIFY(c.findings_resolved.contains(QStringLiteral("single-connection")));
    QVERIFY(!c.levels.empty());
}

void TestReport::healthyRunIsReady()
{
    const RunData run = ReportFixture::healthyRun();
    QCOMPARE(run.verdict, QStringLiteral("ready"));
    const ReportModel m = ReportModel::build(run, {});
    QCOMPARE(m.verdict_label, QStringLiteral("READY"));
    QCOMPARE(m.gates_failed, 0);
    QVERIFY(m.banners.isEmpty());
    QVERIFY(m.executive_summary.front().startsWith(QStringLiteral("Ready for production: all")));
    QVERIFY(m.executive_summary.size() >= 3);
    QVERIFY(
        std::all_of(m.levels.begin(), m.levels.end(), [](const ReportModel::LevelRow &l) { return l.within_gates; }));
    QVERIFY(m.supported.contains(QStringLiteral("every level tested")));
    const QString page = html(run);
    QVERIFY(page.contains(QStringLiteral("<div class=\"verdict-word\">READY</div>")));
    QVERIFY(!page.contains(QStringLiteral("class=\"tone-fail\"")));
}

void TestReport::noSecretCanary()
{
    const RunData run = ReportFixture::singleConnectionRun();
    QVERIFY(run.plan.database.conninfo.contains(QLatin1String(ReportFixture::kPasswordCanary)));
    const RunData base = ReportFixture::healthyRun();
    const QString page = html(run, &base);
    QVERIFY(!page.contains(QLatin1String(ReportFixture::kPasswordCanary)));
    QVERIFY(!page.contains(QLatin1String(ReportFixture::kTokenCanary)));
    QVERIFY(page.contains(QStringLiteral("Authorization"))); // the header is named, its value is not
    QVERIFY(page.contains(QStringLiteral("values not shown")));
    // A secret that reached a free-text field (an echoed error) is scrubbed too.
    qputenv("PREFLIGHT_TEST_SECRET", "CANARY-ENV-5e11");
    RunData echoed = run;
    echoed.plan.target.headers[QStringLiteral("X-Api-Key")] = QStringLiteral("${env:PREFLIGHT_TEST_SECRET}");
    echoed.info.status_reason = QStringLiteral("target said: bad key CANARY-ENV-5e11");
    echoed.info.status = RunStatus::Aborted;
    QVERIFY(!html(echoed).contains(QStringLiteral("CANARY-ENV-5e11")));
    qunsetenv("PREFLIGHT_TEST_SECRET");
}

void TestReport::noSecretCanaryThroughTheStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RunStore store;
    QVERIFY(!store.open(dir.filePath(QStringLiteral("runs.sqlite"))));
    StoreError error;
    const std::optional<qint64> id = store.saveRun(ReportFixture::singleConnectionRun(), &error);
    QVERIFY2(id, qPrintable(error.message));
    const std::optional<RunData> loaded = store.loadRun(*id, &error);
    QVERIFY2(loaded, qPrintable(error.message));
    const QString page = html(*loaded);
    QVERIFY(!page.contains(QLatin1String(ReportFixture::kPasswordCanary)));
    QVERIFY(!page.contains(QLatin1String(ReportFixture::kTokenCanary)));
    QVERIFY(page.contains(QStringLiteral("NOT READY")));
    QVERIFY(page.contains(QStringLiteral("(run #%1)").arg(*id)));
}

void TestReport::noExternalResource()
{
    const RunData run = ReportFixture::singleConnectionRun();
    const RunData base = ReportFixture::healthyRun();
    const QString page = html(run, &base);
    // Nothing the browser would fetch: no src/href/url() with a scheme or a network path, no script, no link,
    // no @import; inline SVG without the namespace URL.
    static const QRegularExpression resource(
        QStringLiteral("(?:src|href|xlink:href|action|poster|data)\\s*=\\s*[\"']?\\s*(?:[a-z][a-z0-9+.-]*:|//)"),
        QRegularExpression::CaseInsensitiveOption);
    const auto bad = resource.match(page);
    QVERIFY2(!bad.hasMatch(), qPrintable(bad.captured(0)));
    QVERIFY(!page.contains(QStringLiteral("url("), Qt::CaseInsensitive));
    QVERIFY(!page.contains(QStringLiteral("@import"), Qt::CaseInsensitive));
    QVERIFY(!page.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!page.contains(QStringLiteral("<link"), Qt::CaseInsensitive));
    QVERIFY(!page.contains(QStringLiteral("xmlns")));
    QVERIFY(page.contains(QStringLiteral("default-src 'none'")));
    // http:// and https:// appear only as text (the target, an error body), never inside a tag.
    static const QRegularExpression scheme(QStringLiteral("https?://"));
    for (auto it = scheme.globalMatch(page); it.hasNext();) {
        const qsizetype at = it.next().capturedStart();
        const qsizetype open = page.lastIndexOf(QLatin1Char('<'), at), close = page.lastIndexOf(QLatin1Char('>'), at);
        QVERIFY2(close > open, qPrintable(page.mid(std::max<qsizetype>(0, at - 80), 120)));
    }
}

void TestReport::chartsAreWellFormedSvg()
{
    const ReportModel m = ReportModel::build(ReportFixture::singleConnectionRun(), {});
    QCOMPARE(m.charts.size(), size_t(4));
    QStringList ids;
    for (const ReportModel::Chart &c : m.charts) {
        ids << c.id;
        const QString svg = c.drawing.toSvg();
        QXmlStreamReader xml(svg);
        int elements = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement)
                ++elements;
        QVERIFY2(!xml.hasError(), qPrintable(c.id + QStringLiteral(": ") + xml.errorString()));
        QVERIFY(elements > 20);
        QVERIFY2(!svg.contains(QStringLiteral("nan"), Qt::CaseInsensitive), qPrintable(c.id));
        QVERIFY2(!svg.contains(QStringLiteral("inf\""), Qt::CaseInsensitive), qPrintable(c.id));
        QVERIFY(c.title.startsWith(QStringLiteral("Figure %1.").arg(ids.size())));
    }
    QCOMPARE(ids, (QStringList{QStringLiteral("latency"), QStringLiteral("throughput"), QStringLiteral("connections"),
                               QStringLiteral("capacity")}));
    // Gate lines on the latency chart; the USL fit on the capacity chart.
    QVERIFY(m.chart(QStringLiteral("latency"))->drawing.toSvg().contains(QStringLiteral("gate P95")));
    QVERIFY(m.chart(QStringLiteral("capacity"))->drawing.toSvg().contains(QStringLiteral("USL fit")));
    QVERIFY(m.chart(QStringLiteral("connections"))->drawing.toSvg().contains(QStringLiteral("DB backends")));
    QVERIFY(m.chart(QStringLiteral("connections"))->drawing.toSvg().contains(QStringLiteral("pool in use")));
}

void TestReport::svgTicks()
{
    QCOMPARE(SvgChart::linearTicks(0, 100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
    QCOMPARE(SvgChart::logTicks(1, 1000), (std::vector<double>{1, 10, 100, 1000}));
    QCOMPARE(SvgChart::logTicks(10, 100), (std::vector<double>{10, 20, 50, 100}));
    QCOMPARE(SvgChart::timeTicks(0, 60, 6), (std::vector<double>{0, 10, 20, 30, 40, 50, 60}));
    SvgChart empty;
    QVERIFY(empty.isEmpty());
}

void TestReport::writeReportByExtension()
{
    QTemporaryDir dir;
    const RunData run = ReportFixture::healthyRun();
    QString error;
    const QString htmlPath = dir.filePath(QStringLiteral("r.html"));
    const ReportWriter htmlOnly;
    QVERIFY2(htmlOnly.write(run, htmlPath, {}, &error), qPrintable(error));
    QFile f(htmlPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().startsWith("<!DOCTYPE html>"));
    // Without a PDF renderer (core alone): a clear refusal, nothing written.
    QVERIFY(!htmlOnly.write(run, dir.filePath(QStringLiteral("r.pdf")), {}, &error));
    QVERIFY2(error.contains(QStringLiteral("PREFLIGHT_BUILD_PDF")), qPrintable(error));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("r.pdf"))));
    QVERIFY(!htmlOnly.write(run, dir.filePath(QStringLiteral("r.txt")), {}, &error));
    QVERIFY(error.contains(QStringLiteral(".html or .pdf")));
    QVERIFY(!htmlOnly.write(run, dir.filePath(QStringLiteral("missing/r.html")), {}, &error));
    QVERIFY(error.contains(QStringLiteral("does not exist")));
    // The renderer it was given receives the composed document and the page size.
    ReportPageSize seen = ReportPageSize::A4;
    QString seenTitle;
    const ReportWriter withPdf([&](const ReportDocument &doc, const QString &, ReportPageSize size, QString *) {
        seen = size;
        seenTitle = doc.title;
        return true;
    });
    ReportOptions letter;
    letter.page_size = ReportPageSize::Letter;
    QVERIFY(withPdf.write(run, dir.filePath(QStringLiteral("r.pdf")), letter, &error));
    QCOMPARE(seen, ReportPageSize::Letter);
    QCOMPARE(seenTitle, QStringLiteral("Readiness report: customer API after the fix"));
}

void TestReport::reportCommand()
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("runs.sqlite"));
    qint64 before = -1, after = -1;
    {
        RunStore store;
        QVERIFY(!store.open(storePath));
        before = store.saveRun(ReportFixture::singleConnectionRun()).value_or(-1);
        after = store.saveRun(ReportFixture::healthyRun()).value_or(-1);
        QVERIFY(before > 0 && after > 0);
    }
    const QString out = dir.filePath(QStringLiteral("after.html"));
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath, QStringLiteral("--html"),
                                 out, QStringLiteral("--baseline"), QString::number(before)}),
             0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString page = QString::fromUtf8(f.readAll());
    QVERIFY(page.contains(QStringLiteral("<section id=\"comparison\">")));
    QVERIFY(page.contains(QStringLiteral("(run #%1)").arg(before)));
    // Bad input: exit 2, nothing written.
    const QString other = dir.filePath(QStringLiteral("x.html"));
    QCOMPARE(Cli::reportCommand(
                 {QStringLiteral("abc"), QStringLiteral("--store"), storePath, QStringLiteral("--html"), other}),
             2);
    QCOMPARE(Cli::reportCommand(
                 {QStringLiteral("999"), QStringLiteral("--store"), storePath, QStringLiteral("--html"), other}),
             2);
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath}), 2);
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath, QStringLiteral("--html"),
                                 dir.filePath(QStringLiteral("x.txt"))}),
             2);
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath, QStringLiteral("--html"),
                                 other, QStringLiteral("--page-size"), QStringLiteral("a5")}),
             2);
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath, QStringLiteral("--html"),
                                 other, QStringLiteral("--baseline"), QStringLiteral("12345")}),
             2);
    QCOMPARE(Cli::reportCommand({QString::number(after), QStringLiteral("--store"), storePath, QStringLiteral("--pdf"),
                                 dir.filePath(QStringLiteral("x.pdf"))}),
             2); // no QGuiApplication here (or no PDF support in this build): refused, nothing written
    QVERIFY(!QFile::exists(other));
    QCOMPARE(Cli::reportCommand({QStringLiteral("--help")}), 0);
}

void TestReport::oneHourRunIsSmall()
{
    QElapsedTimer build;
    build.start();
    const RunData run = ReportFixture::longRun(3600, 4, 40);
    const qint64 fixture_ms = build.elapsed();
    QCOMPARE(run.intervals.size(), size_t(14400));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("soak.html"));
    QElapsedTimer timer;
    timer.start();
    const Diagnosis d = analyze(run, *GateSet::preset(QStringLiteral("launch")));
    const qint64 analyze_ms = timer.restart();
    const ReportModel model = ReportModel::build(run, {});
    const qint64 model_ms = timer.restart();
    qInfo("analyze %lld ms, model %lld ms (charts: %d)", analyze_ms, model_ms, int(model.charts.size()));
    QString error;
    QVERIFY2(ReportWriter().write(run, path, {}, &error), qPrintable(error));
    const qint64 elapsed_ms = timer.elapsed();
    const qint64 bytes = QFileInfo(path).size();
    qInfo("1-hour run (14,400 intervals x 4 endpoints): HTML report %lld bytes in %lld ms (fixture %lld ms)", bytes,
          elapsed_ms, fixture_ms);
    QVERIFY(bytes < 5 * 1024 * 1024);
    QVERIFY(bytes > 20 * 1024);
}

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
