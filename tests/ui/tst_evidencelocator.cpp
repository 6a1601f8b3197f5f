// Clicking a finding focuses its evidence: the endpoint, the span of the first failing level, and the statement
// to look at. For an N+1 finding that statement is the one repeated per row (the child the finding names).
#include "diagnosis/nplusone.h"
#include "evidencelocator.h"
#include "reportfixture.h"

#include <QTest>

#include <algorithm>

using namespace Preflight;
using namespace Preflight::ReportFixture::SingleConnection;

namespace {

const Finding &findingWithId(const RunData &run, const QString &id)
{
    const auto it = std::find_if(run.findings.begin(), run.findings.end(), [&id](const Finding &f) { return f.id == id; });
    if (it == run.findings.end())
        qFatal("the fixture run has no %s finding", qPrintable(id));
    return *it;
}

const QueryStat *queryWithText(const RunData &run, const QString &text)
{
    for (const QueryStat &q : run.queries)
        if (q.text == text && q.endpoint == kCustomerEndpoint && q.phase == QLatin1String("profile"))
            return &q;
    return nullptr;
}

} // namespace

class TestEvidenceLocator : public QObject
{
    Q_OBJECT
private slots:
    void nPlusOneFocusesTheRepeatedStatement()
    {
        RunData run = ReportFixture::singleConnectionRun();
        // A statement the framework runs more often than the N+1 children but which the finding does not name
        // (a savepoint per row): the most calls per request is not the evidence.
        const QueryStat *child = queryWithText(run, kServices);
        QVERIFY(child);
        QueryStat savepoint = *child;
        savepoint.text = QStringLiteral("SAVEPOINT sp");
        savepoint.fingerprint = QStringLiteral("savepoint");
        savepoint.calls_per_request = child->calls_per_request * 3;
        savepoint.calls = child->calls * 3;
        run.queries.push_back(savepoint);

        const EvidenceFocus focus = EvidenceLocator::locate(run, findingWithId(run, QStringLiteral("n-plus-one")));
        QCOMPARE(run.plan.endpoints[size_t(focus.endpoint)].name, kCustomerEndpoint);
        const QueryStat *focused = queryWithText(run, focus.query_text);
        QVERIFY2(focused, qPrintable(focus.query_text));
        QCOMPARE(NPlusOne::role(*focused, run.findings, nullptr), NPlusOne::Role::Child);
        QVERIFY(focus.to_s > focus.from_s);
    }

    void otherFindingsFocusTheCostliestStatement()
    {
        const RunData run = ReportFixture::singleConnectionRun();
        const Finding &serialised = findingWithId(run, QStringLiteral("single-connection"));
        const EvidenceFocus focus = EvidenceLocator::locate(run, serialised);
        double costliest = -1;
        QString text;
        for (const QueryStat &q : run.queries) {
            const bool sameEndpoint = focus.endpoint < 0 || q.endpoint == run.plan.endpoints[size_t(focus.endpoint)].name;
            if ((focus.endpoint < 0 || q.phase == QLatin1String("profile")) && sameEndpoint && q.total_ms > costliest) {
                costliest = q.total_ms;
                text = q.text;
            }
        }
        QCOMPARE(focus.query_text, text);
    }
};

QTEST_MAIN(TestEvidenceLocator)
#include "tst_evidencelocator.moc"
