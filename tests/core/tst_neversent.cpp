// Open-model arrivals that never got a connection (docs/cli.md): counted once per level by
// summarizeLevel, read as such by the JSON summary, the report's damage table and the CLI; and when they are what
// failed the timeout gate, the timeouts finding names Preflight's connection cap, not the backend.
#include "syntheticrun.h"

#include "data/format.h"
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "report/jsonsummary.h"
#include "report/reportdocument.h"
#include "report/reportmodel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Preflight;
using namespace Preflight::Synthetic;

namespace {

// 100 arrivals/s for 10 s at a backend answering in 20 ms; shares of arrivals never sent (Preflight's cap of
// maxUsers connections) and of sent requests that timed out at the backend.
RunData openRun(double neverSentShare, double backendTimeoutShare, int maxUsers = 2)
{
    Spec spec;
    spec.max_users = maxUsers;
    spec.timeout_ms = 1000;
    Level l;
    l.rate = 100;
    l.duration_s = 10;
    EndpointLoad e;
    e.rps = 100;
    e.latency_ms = 20;
    e.timeout_ms = 1000;
    e.never_sent_share = neverSentShare;
    e.timeout_share = backendTimeoutShare;
    l.endpoints = {e};
    spec.levels = {l};
    return build(spec);
}

uint64_t droppedIn(const RunData &run)
{
    uint64_t n = 0;
    for (const IntervalSnapshot &i : run.intervals)
        n += i.dropped;
    return n;
}

const Finding *findingById(const Diagnosis &d, const QString &id)
{
    for (const Finding &f : d.findings)
        if (f.id == id)
            return &f;
    return nullptr;
}

GateSet launch()
{
    return *GateSet::preset(QStringLiteral("launch"));
}

} // namespace

class TestNeverSent : public QObject
{
    Q_OBJECT
private slots:
    void levelCountsArrivalsNeverSent()
    {
        const RunData run = openRun(0.3, 0);
        const std::vector<LevelSummary> levels = summarizeLevels(run);
        QCOMPARE(levels.size(), size_t(1));
        const LevelSummary &l = levels.front();
        QVERIFY(l.never_sent > 200);
        QCOMPARE(l.never_sent, droppedIn(run));
        // Each is a request and a timeout, in the error rate and at the timeout in the corrected latency.
        QCOMPARE(l.timeouts, l.never_sent);
        QVERIFY(l.error_rate >= double(l.never_sent) / double(l.requests) - 1e-12);
        QVERIFY(l.p99_ms >= 990);
        QCOMPARE(summarizeLevels(openRun(0, 0)).front().never_sent, uint64_t(0));
    }

    void errorGatesIncludeArrivalsNeverSent()
    {
        RunData run = openRun(0.3, 0);
        const Diagnosis d = analyze(run, launch());
        for (const char *id : {"error_rate", "p99_ms"}) {
            const auto check = std::find_if(d.gates.begin(), d.gates.end(),
                                            [&](const GateCheck &c) { return c.id == QLatin1String(id); });
            QVERIFY2(check != d.gates.end(), id);
            QVERIFY2(check->measured && !check->pass, id);
        }
    }

    void jsonSummaryAndReportReadTheLevel()
    {
        RunData run = openRun(0.3, 0);
        const Diagnosis d = analyze(run, launch());
        applyDiagnosis(d, &run);
        const QJsonObject summary = JsonSummary::build(run, d.levels, &d.capacity);
        const QJsonObject level = summary.value(QStringLiteral("levels")).toArray().first().toObject();
        QCOMPARE(level.value(QStringLiteral("never_sent")).toDouble(), double(d.levels.front().never_sent));

        const ReportModel m = ReportModel::build(run, {});
        QCOMPARE(m.levels.front().never_sent, d.levels.front().never_sent);
        const ReportDocument doc = ReportDocument::compose(m);
        bool found = false;
        for (const ReportBlock &b : doc.blocks) {
            if (b.kind != ReportBlock::Kind::Table || b.table.id != QLatin1String("damage-table"))
                continue;
            const qsizetype column = b.table.header.indexOf(QStringLiteral("Never sent"));
            QVERIFY2(column >= 0, qPrintable(b.table.header.join(QLatin1Char('|'))));
            QCOMPARE(b.table.rows.front().cells.at(column), Format::count(d.levels.front().never_sent));
            found = true;
        }
        QVERIFY(found);
    }

    void closedModelReportHasNoNeverSentColumn()
    {
        Spec spec = sweep({1, 2}, [](Level &l) { l.endpoints = {closedLoad(l.users, 50 * l.users)}; });
        RunData run = build(spec);
        applyDiagnosis(analyze(run, launch()), &run);
        const ReportDocument doc = ReportDocument::compose(ReportModel::build(run, {}));
        for (const ReportBlock &b : doc.blocks)
            if (b.kind == ReportBlock::Kind::Table && b.table.id == QLatin1String("damage-table"))
                QVERIFY(!b.table.header.contains(QStringLiteral("Never sent")));
    }

    void timeoutsNameWhoseLimitWasReached_data()
    {
        QTest::addColumn<double>("neverSent");
        QTest::addColumn<double>("backendTimeouts");
        QTest::addColumn<bool>("generatorCap");
        QTest::addColumn<QString>("verdict");
        QTest::newRow("Preflight's connection cap") << 0.3 << 0.0 << true << "inconclusive";
        QTest::newRow("backend timeouts") << 0.0 << 0.3 << false << "not-ready";
        QTest::newRow("both: the backend's are beyond the gate") << 0.1 << 0.1 << false << "not-ready";
        QTest::newRow("cap, backend's below the gate") << 0.3 << 0.001 << true << "inconclusive";
    }

    void timeoutsNameWhoseLimitWasReached()
    {
        QFETCH(double, neverSent);
        QFETCH(double, backendTimeouts);
        QFETCH(bool, generatorCap);
        QFETCH(QString, verdict);
        const RunData run = openRun(neverSent, backendTimeouts);
        const Diagnosis d = analyze(run, launch());
        const Finding *f = findingById(d, QStringLiteral("timeouts"));
        QVERIFY(f);
        QCOMPARE(f->parameter(QStringLiteral("generator_cap")).has_value(), generatorCap);
        QCOMPARE(d.verdict, verdict);
        const uint64_t dropped = d.levels.front().never_sent;
        if (generatorCap) {
            QVERIFY2(f->title.contains(QStringLiteral("connection limit (2) was reached")), qPrintable(f->title));
            QVERIFY2(f->title.contains(QString::number(dropped)), qPrintable(f->title));
            QVERIFY2(!f->title.contains(QStringLiteral("time out")), qPrintable(f->title));
            QCOMPARE(f->parameter(QStringLiteral("never_sent")).value_or(-1), double(dropped));
            QCOMPARE(f->parameter(QStringLiteral("max_connections_client")).value_or(-1), 2.0);
            // 100/s × ~20 ms = 2 in flight needed; the fix names the key and a number.
            QVERIFY2(f->recommendation.contains(QStringLiteral("Raise limits.max_users to at least")),
                     qPrintable(f->recommendation));
            QVERIFY2(f->recommendation.contains(QStringLiteral("lower the rate")), qPrintable(f->recommendation));
            QVERIFY2(f->summary.contains(QStringLiteral("all 2 of Preflight's connections were busy")),
                     qPrintable(f->summary));
            QVERIFY2(d.verdict_reason.contains(QStringLiteral("limits.max_users = 2")), qPrintable(d.verdict_reason));
            QVERIFY(f->layer != QLatin1String("code") && f->severity >= Severity::Medium);
        } else {
            QVERIFY2(f->title.contains(QStringLiteral("time out")), qPrintable(f->title));
            if (neverSent > 0)
                QCOMPARE(f->parameter(QStringLiteral("never_sent")).value_or(-1), double(dropped));
            QVERIFY2(d.verdict_reason.startsWith(QStringLiteral("failed:")), qPrintable(d.verdict_reason));
        }
    }

    // The sent requests themselves broke the latency gate: the backend is slow whatever the cap, so the verdict
    // stays not-ready even though the timeouts were Preflight's.
    void slowSentRequestsKeepTheVerdictNotReady()
    {
        RunData run = openRun(0.3, 0);
        for (IntervalSnapshot &i : run.intervals)
            for (EndpointStats &e : i.endpoints) {
                LatencyHistogram slow;
                for (uint64_t k = 0; k < e.ok; ++k)
                    slow.record(400'000);
                e.latency_uncorrected = slow;
            }
        const Diagnosis d = analyze(run, launch());
        const Finding *f = findingById(d, QStringLiteral("timeouts"));
        QVERIFY(f && f->parameter(QStringLiteral("generator_cap")).has_value());
        QCOMPARE(d.verdict, QStringLiteral("not-ready"));
    }
};

QTEST_GUILESS_MAIN(TestNeverSent)
#include "tst_neversent.moc"
