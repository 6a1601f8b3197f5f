// NPlusOne::role reads back which statements an n-plus-one finding names (its refs): run the real rule (analyze)
// on profiling-pass shapes and check that every statement it names, and only those, gets its role, and that the
// finding states its parameters (k, N, M) as evidence values, N only when it was measured.
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "diagnosis/nplusone.h"
#include "reportfixture.h"
#include "syntheticrun.h"

#include <QTest>

using namespace Preflight;
using Role = NPlusOne::Role;
using Synthetic::profileStat;

namespace {

struct Shape
{
    std::vector<QueryStat> queries;
    std::vector<Role> roles; // expected, one per query
};

const int kCustomer = ReportFixture::SingleConnection::kCustomerIndex; // the fixture plan's "customer profile"
const int kSearch = ReportFixture::SingleConnection::kSearchIndex;     // and "search"

Shape shape(const QString &name)
{
    Shape s;
    auto add = [&s](const QueryStat &q, Role r) {
        s.queries.push_back(q);
        s.roles.push_back(r);
    };
    if (name == QLatin1String("rows-confirmed")) {
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM customers WHERE id = $1"), 1, 1), Role::None);
        add(profileStat(kCustomer, QStringLiteral("SELECT id FROM appointments\n  WHERE customer_id = $1"), 1, 20),
            Role::Parent);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE id = $1"), 20, 1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM staff WHERE id = $1"), 20, 1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM invoices WHERE appointment_id = $1"), 20, 1),
            Role::Child);
        add(profileStat(kSearch, QStringLiteral("SELECT * FROM staff WHERE id = $1"), 20, 1), Role::Child);
    } else if (name == QLatin1String("statement-log")) {
        // No row counts: the parent is the one statement run once per request.
        add(profileStat(kCustomer, QStringLiteral("SELECT id FROM appointments WHERE customer_id = 7"), 1, -1),
            Role::Parent);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE id = 3"), 12, -1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM staff WHERE id = 3"), 12, -1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT 1"), 0.25, -1), Role::None);
    } else if (name == QLatin1String("no-parent")) {
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE id = $1"), 20, 1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM customers WHERE id = $1"), 1, 1), Role::None);
    } else if (name == QLatin1String("savepoint-per-row")) {
        // The driver wraps each row in a savepoint: as frequent as the per-row statement, but not a query.
        add(profileStat(kCustomer, QStringLiteral("SELECT id FROM appointments WHERE customer_id = $1"), 1, 20),
            Role::Parent);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE id = $1"), 20, 1), Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SAVEPOINT sa_savepoint_1"), 20, 0), Role::None);
        add(profileStat(kCustomer, QStringLiteral("RELEASE SAVEPOINT sa_savepoint_1"), 20, 0), Role::None);
    } else if (name == QLatin1String("nested")) {
        // 1 + N + N·M: a lookup per appointment returning 5 services, a price lookup per service row.
        add(profileStat(kCustomer, QStringLiteral("SELECT id FROM appointments WHERE customer_id = $1"), 1, 20),
            Role::Parent);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE appointment_id = $1"), 20, 5),
            Role::Child);
        add(profileStat(kCustomer, QStringLiteral("SELECT * FROM prices WHERE service_id = $1"), 100, 1), Role::Child);
    } else if (name == QLatin1String("inlined-literals")) {
        // An app that inlines literals: one entry per value, one fingerprint; together they run once per row.
        add(profileStat(kCustomer, QStringLiteral("SELECT id FROM appointments WHERE customer_id = 7"), 1, 20),
            Role::Parent);
        for (int id : {3, 4, 5, 6}) {
            QueryStat q = profileStat(kCustomer, QStringLiteral("SELECT * FROM services WHERE id = %1").arg(id), 5, 1);
            q.fingerprint = QStringLiteral("services-by-id");
            add(q, Role::Child);
        }
    } else if (name == QLatin1String("long-texts")) {
        // Texts longer than the quote (120 characters) that share its first 119: the quoted values tell them apart.
        const QString prefix = QStringLiteral("SELECT s.id, s.name, s.duration_minutes, s.price_cents, s.category, "
                                              "s.created_at, s.updated_at, s.archived FROM services s ");
        if (prefix.size() <= 120)
            qFatal("the prefix must be longer than the quote");
        add(profileStat(kCustomer, QStringLiteral("SELECT a.id FROM appointments a WHERE a.customer_id = $1"), 1, 20),
            Role::Parent);
        add(profileStat(kCustomer, prefix + QStringLiteral("WHERE s.id = $1"), 20, 1), Role::Child);
        add(profileStat(kCustomer, prefix + QStringLiteral("WHERE s.legacy_id = $1"), 22, 1), Role::Child);
        add(profileStat(kCustomer, prefix + QStringLiteral("ORDER BY s.name LIMIT $1"), 1, 1), Role::None);
    }
    return s;
}

Shape shapeOrFail(const QString &name)
{
    Shape s = shape(name);
    if (s.queries.empty())
        qFatal("unknown shape %s", qPrintable(name));
    return s;
}

RunData diagnosed(const std::vector<QueryStat> &queries)
{
    RunData run = ReportFixture::healthyRun();
    run.queries = queries;
    run.findings.clear();
    applyDiagnosis(analyze(run, *GateSet::preset(QStringLiteral("launch"))), &run);
    return run;
}

} // namespace

class TestNPlusOne : public QObject
{
    Q_OBJECT
private slots:
    void quote_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("quoted");
        QTest::newRow("short") << QStringLiteral("SELECT 1") << QStringLiteral("SELECT 1");
        QTest::newRow("multi-line") << QStringLiteral("SELECT *\n  FROM t\tWHERE id = $1 ")
                                    << QStringLiteral("SELECT * FROM t WHERE id = $1");
        QTest::newRow("exactly 120") << QString(120, QLatin1Char('x')) << QString(120, QLatin1Char('x'));
        QTest::newRow("cut") << QString(200, QLatin1Char('x')) << QString(119, QLatin1Char('x')) + QStringLiteral("…");
    }
    void quote()
    {
        QFETCH(QString, text);
        QFETCH(QString, quoted);
        QCOMPARE(NPlusOne::quote(text), quoted);
    }

    void rolesMatchTheRule_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::newRow("rows-confirmed parent, 1 + 3N") << QStringLiteral("rows-confirmed");
        QTest::newRow("statement log, once-per-request parent") << QStringLiteral("statement-log");
        QTest::newRow("children without a parent") << QStringLiteral("no-parent");
        QTest::newRow("long texts cut alike") << QStringLiteral("long-texts");
        QTest::newRow("savepoint per row is no child") << QStringLiteral("savepoint-per-row");
        QTest::newRow("nested loop, 1 + N + N·M") << QStringLiteral("nested");
        QTest::newRow("inlined literals, one fingerprint") << QStringLiteral("inlined-literals");
    }
    void rolesMatchTheRule()
    {
        QFETCH(QString, shape);
        const Shape s = shapeOrFail(shape);
        const RunData run = diagnosed(s.queries);
        const auto finding = std::find_if(run.findings.begin(), run.findings.end(),
                                          [](const Finding &f) { return f.id == QLatin1String("n-plus-one"); });
        QVERIFY2(finding != run.findings.end(), "the rule must fire on this shape");
        for (size_t i = 0; i < s.queries.size(); ++i) {
            const Finding *named = nullptr;
            const Role role = NPlusOne::role(s.queries[i], run.findings, &named);
            QVERIFY2(role == s.roles[i], qPrintable(QStringLiteral("%1 (endpoint %2): role %3, expected %4")
                                                        .arg(s.queries[i].text)
                                                        .arg(s.queries[i].endpoint)
                                                        .arg(int(role))
                                                        .arg(int(s.roles[i]))));
            QCOMPARE(named != nullptr, role != Role::None);
            if (named) {
                QCOMPARE(named->id, QStringLiteral("n-plus-one"));
                QCOMPARE(named->refs.endpoint, s.queries[i].endpoint);
            }
        }
    }

    // The parameters a finding states (k, N, M: evidence values) and the references behind its roles; -1: the
    // finding must not state that parameter.
    void findingParameters_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<double>("k");
        QTest::addColumn<double>("n");
        QTest::addColumn<double>("m");
        QTest::addColumn<QStringList>("roles");
        QTest::newRow("rows-confirmed") << QStringLiteral("rows-confirmed") << 3.0 << 20.0 << -1.0
                                        << QStringList{QStringLiteral("parent"), QStringLiteral("child"),
                                                       QStringLiteral("child"), QStringLiteral("child")};
        QTest::newRow("statement log") << QStringLiteral("statement-log") << 2.0 << 12.0 << -1.0
                                       << QStringList{QStringLiteral("parent"), QStringLiteral("child"),
                                                      QStringLiteral("child")};
        QTest::newRow("no parent: no N") << QStringLiteral("no-parent") << -1.0 << -1.0 << -1.0
                                         << QStringList{QStringLiteral("child")};
        QTest::newRow("savepoint per row") << QStringLiteral("savepoint-per-row") << 1.0 << 20.0 << -1.0
                                           << QStringList{QStringLiteral("parent"), QStringLiteral("child")};
        QTest::newRow("nested") << QStringLiteral("nested") << 1.0 << 20.0 << 5.0
                                << QStringList{QStringLiteral("parent"), QStringLiteral("child"),
                                               QStringLiteral("grandchild")};
        QTest::newRow("inlined literals") << QStringLiteral("inlined-literals") << 1.0 << 20.0 << -1.0
                                          << QStringList{QStringLiteral("parent"), QStringLiteral("child")};
    }
    void findingParameters()
    {
        QFETCH(QString, shape);
        QFETCH(double, k);
        QFETCH(double, n);
        QFETCH(double, m);
        QFETCH(QStringList, roles);
        const Shape s = shapeOrFail(shape);
        const RunData run = diagnosed(s.queries);
        const auto f = std::find_if(run.findings.begin(), run.findings.end(),
                                    [](const Finding &x) { return x.id == QLatin1String("n-plus-one"); });
        QVERIFY(f != run.findings.end());
        QCOMPARE(f->parameter(QStringLiteral("children_per_row")).value_or(-1), k);
        QCOMPARE(f->parameter(QStringLiteral("n_rows")).value_or(-1), n);
        QCOMPARE(f->parameter(QStringLiteral("m_rows")).value_or(-1), m);
        QCOMPARE(f->refs.endpoint, kCustomer);
        QCOMPARE(f->endpoint, ReportFixture::SingleConnection::kCustomerEndpoint); // its name, read from the plan
        QStringList got;
        for (const StatementRef &ref : f->refs.statements) {
            got << ref.role;
            QVERIFY2(!ref.fingerprint.isEmpty(), qPrintable(ref.text));
        }
        QCOMPARE(got, roles);
    }

    void wholeRunStatementsMatchByFingerprint()
    {
        const Shape s = shapeOrFail(QStringLiteral("rows-confirmed"));
        const RunData run = diagnosed({s.queries.begin(), s.queries.begin() + 5}); // customer profile only
        QueryStat whole = s.queries[2];                                            // services, per row
        whole.phase = QueryPhase::Run;
        whole.endpoint = -1;
        whole.calls_per_request = 3.7; // over every request of the run: not the profiled figure
        QCOMPARE(NPlusOne::role(whole, run.findings), Role::Child);
        QueryStat otherEndpoint = s.queries[2];
        otherEndpoint.endpoint = kSearch;
        QCOMPARE(NPlusOne::role(otherEndpoint, run.findings), Role::None);
        QueryStat otherText = s.queries[2];
        otherText.text = QStringLiteral("SELECT * FROM services WHERE id = 42"); // literals inlined, same fingerprint
        QCOMPARE(NPlusOne::role(otherText, run.findings), Role::Child);
        QueryStat otherFingerprint = s.queries[2];
        otherFingerprint.fingerprint = QStringLiteral("another statement"); // same text, another statement
        QCOMPARE(NPlusOne::role(otherFingerprint, run.findings), Role::None);
        QueryStat logLine = s.queries[2];
        logLine.fingerprint.clear(); // a statement log without fingerprints matches by text
        QCOMPARE(NPlusOne::role(logLine, run.findings), Role::Child);
        QCOMPARE(NPlusOne::role(s.queries[2], {}), Role::None); // before diagnosis
    }
};

QTEST_GUILESS_MAIN(TestNPlusOne)
#include "tst_nplusone.moc"
