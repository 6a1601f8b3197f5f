// JUnit XML for CI: valid XML, one testcase per gate check and per finding of severity high or above.
#include "diagnosis/junit.h"

#include <QTest>
#include <QXmlStreamReader>

using namespace Preflight;

class TestJUnit : public QObject
{
    Q_OBJECT
private slots:
    void testcasesAndFailures()
    {
        Diagnosis d;
        d.gate_preset = QStringLiteral("launch");
        d.verdict = QStringLiteral("not-ready");
        auto gate = [](const char *id, bool measured, bool pass) {
            GateCheck c;
            c.id = QLatin1String(id);
            c.label = QString::fromUtf8("P95 ≤ 120 ms & <co>");
            c.threshold = 120;
            c.value = 340;
            c.measured = measured;
            c.pass = pass;
            return c;
        };
        d.gates = {gate("p95_ms", true, false), gate("p99_ms", true, true), gate("min_rps", false, false)};
        auto finding = [](const char *id, Severity s) {
            Finding f;
            f.id = QLatin1String(id);
            f.severity = s;
            f.title = QStringLiteral("Pool ceiling of 15 connections reached");
            f.summary = QStringLiteral("summary with <xml> & \"quotes\"");
            f.evidence = {Evidence{QStringLiteral("pool_size"), 15, QStringLiteral("connections"), QString()}};
            f.recommendation = QStringLiteral("Size the pool.");
            return f;
        };
        d.findings = {finding("pool-exhaustion", Severity::Critical), finding("n-plus-one", Severity::High),
                      finding("missing-index", Severity::Medium), finding("capacity-knee", Severity::Info)};
        RunInfo info;
        info.name = QStringLiteral("nightly");
        info.target = QStringLiteral("http://127.0.0.1:8000");
        info.duration_s = 60;

        const QByteArray xml = toJUnit(d, info);
        QXmlStreamReader r(xml);
        QStringList testcases;
        int failures = 0, skipped = 0, suites = 0;
        QString current;
        while (!r.atEnd()) {
            r.readNext();
            if (!r.isStartElement())
                continue;
            if (r.name() == QLatin1String("testsuite"))
                ++suites;
            if (r.name() == QLatin1String("testcase"))
                testcases << r.attributes().value(QLatin1String("name")).toString();
            if (r.name() == QLatin1String("failure"))
                ++failures;
            if (r.name() == QLatin1String("skipped"))
                ++skipped;
        }
        QVERIFY2(!r.hasError(), qPrintable(r.errorString()));
        QCOMPARE(suites, 2);
        QCOMPARE(testcases, (QStringList{QStringLiteral("p95_ms"), QStringLiteral("p99_ms"), QStringLiteral("min_rps"),
                                         QStringLiteral("pool-exhaustion"), QStringLiteral("n-plus-one")}));
        QCOMPARE(failures, 3); // p95 gate + two serious findings
        QCOMPARE(skipped, 1);  // min_rps unmeasured
        QVERIFY(xml.contains("tests=\"5\""));
        QVERIFY(xml.contains("&lt;xml&gt;"));
    }

    void emptyDiagnosisIsValid()
    {
        const QByteArray xml = toJUnit(Diagnosis{}, RunInfo{});
        QXmlStreamReader r(xml);
        while (!r.atEnd())
            r.readNext();
        QVERIFY(!r.hasError());
        QVERIFY(xml.contains("<testsuites"));
    }
};

QTEST_GUILESS_MAIN(TestJUnit)
#include "tst_junit.moc"
