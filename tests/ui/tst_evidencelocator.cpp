// Clicking a finding focuses its evidence, read from the finding's references: the endpoint, the span of the level
// it names (else of the first failing level), and the statement to look at. For an N+1 finding that statement is
// the one repeated per row (the child the finding names).
#include "diagnosis/levelsummary.h"
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
    const auto it =
        std::find_if(run.findings.begin(), run.findings.end(), [&id](const Finding &f) { return f.id == id; });
    if (it == run.findings.end())
        qFatal("the fixture run has no %s finding", qPrintable(id));
    return *it;
}

const QueryStat *queryWithText(const RunData &run, const QString &text)
{
    for (const QueryStat &q : run.queries)
        if (q.text == text && q.endpoint == kCustomerIndex && q.phase == QueryPhase::Profile)
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
        QCOMPARE(focus.query_fingerprint, focused->fingerprint);
        QVERIFY(focus.to_s > focus.from_s);
    }

    void endpointFromTheReferences()
    {
        const RunData run = ReportFixture::singleConnectionRun();
        Finding f = findingWithId(run, QStringLiteral("n-plus-one"));
        f.endpoint = QStringLiteral("a name the plan does not have"); // the reference, not the words, decides
        const EvidenceFocus focus = EvidenceLocator::locate(run, f);
        QCOMPARE(focus.endpoint, f.refs.endpoint);
        QCOMPARE(run.plan.endpoints[size_t(focus.endpoint)].name, kCustomerEndpoint);
    }

    void theNamedStatementOfAnyFinding_data()
    {
        QTest::addColumn<QString>("role");
        QTest::newRow("missing-index scan") << QStringLiteral("scan");
        QTest::newRow("db-saturation top statement") << QStringLiteral("top");
        QTest::newRow("lock-contention blocker") << QStringLiteral("blocking");
    }
    void theNamedStatementOfAnyFinding()
    {
        QFETCH(QString, role);
        const RunData run = ReportFixture::singleConnectionRun();
        const QueryStat *search = nullptr;
        for (const QueryStat &q : run.queries)
            if (q.text == kSearch)
                search = &q;
        QVERIFY(search);
        // As the database rules reference a statement: fingerprint, role, text; on the search endpoint.
        Finding f;
        f.id = QStringLiteral("missing-index");
        f.refs.endpoint = 1;
        f.refs.relation = QStringLiteral("items");
        f.refs.statements = {
            {QStringLiteral("another"), QStringLiteral("waiting"), QStringLiteral("UPDATE items SET n = $1")},
            {search->fingerprint, role, search->text}};
        const EvidenceFocus focus = EvidenceLocator::locate(run, f);
        QCOMPARE(focus.endpoint, 1);
        QCOMPARE(focus.query_text, kSearch);
        QCOMPARE(focus.query_fingerprint, search->fingerprint);
    }

    void theLevelAFindingNames()
    {
        const RunData run = ReportFixture::singleConnectionRun();
        const std::vector<LevelSummary> levels = summarizeLevels(run);
        QVERIFY(levels.size() > 3);
        Finding f;
        f.id = QStringLiteral("worker-saturation");
        f.refs.level = 2;
        const StageInfo &stage = run.stages[size_t(levels[2].stage)];
        const EvidenceFocus focus = EvidenceLocator::locate(run, f);
        QCOMPARE(focus.from_s, stage.start_s);
        QCOMPARE(focus.to_s, stage.start_s + stage.duration_s);
    }

    void otherFindingsFocusTheCostliestStatement()
    {
        const RunData run = ReportFixture::singleConnectionRun();
        const Finding &serialised = findingWithId(run, QStringLiteral("single-connection"));
        const EvidenceFocus focus = EvidenceLocator::locate(run, serialised);
        double costliest = -1;
        QString text;
        for (const QueryStat &q : run.queries) {
            const bool sameEndpoint = focus.endpoint < 0 || q.endpoint == focus.endpoint;
            if ((focus.endpoint < 0 || q.phase == QueryPhase::Profile) && sameEndpoint && q.total_ms > costliest) {
                costliest = q.total_ms;
                text = q.text;
            }
        }
        QCOMPARE(focus.query_text, text);
    }
};

QTEST_MAIN(TestEvidenceLocator)
#include "tst_evidencelocator.moc"
