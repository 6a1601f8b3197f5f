// The diagnosis corpus (docs/diagnosis.md "Corpus"): real backends on several stacks, recorded by
// scripts/record-corpus.sh into tests/data/corpus/<case>.run.json, replayed here through the diagnoser. Each case's
// expectations live beside its backend (tests/corpus/backends/<backend>/cases.json): every expected finding with its
// parameters, and no other finding of medium or above; a healthy control has none at all and the verdict ready.
// With PREFLIGHT_CORPUS_TABLE=FILE the test also writes the per-finding precision/recall table (Markdown).
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "store/runjson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <map>
#include <set>

using namespace Preflight;

namespace {

QString corpusRoot()
{
    return QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/../corpus/backends");
}

QString recordings()
{
    return QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/corpus");
}

struct Case
{
    QString backend;
    QString stack;
    QJsonObject spec;
};

std::map<QString, Case> loadCases()
{
    std::map<QString, Case> out;
    const QDir root(corpusRoot());
    for (const QString &backend : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(root.filePath(backend + QStringLiteral("/cases.json")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        for (const QJsonValue &c : o.value(QLatin1String("cases")).toArray())
            out[c.toObject().value(QLatin1String("name")).toString()] =
                Case{backend, o.value(QLatin1String("stack")).toString(), c.toObject()};
    }
    return out;
}

bool atLeastMedium(Severity s)
{
    return s == Severity::Critical || s == Severity::High || s == Severity::Medium;
}

Severity severityFrom(const QString &id)
{
    return severityFromId(id);
}

QString endpointLabel(const RunData &run, const Finding &f)
{
    const int i = f.refs.endpoint >= 0 ? f.refs.endpoint : -1;
    for (size_t e = 0; e < run.plan.endpoints.size(); ++e) {
        const EndpointSpec &spec = run.plan.endpoints[e];
        if (int(e) == i || (i < 0 && spec.name == f.endpoint)) {
            QString path = spec.path;
            const qsizetype q = path.indexOf(QLatin1Char('?'));
            if (q >= 0)
                path.truncate(q);
            return spec.method + QLatin1Char(' ') + path;
        }
    }
    return QString();
}

// Why `f` does not meet `expect` ("" when it does).
QString mismatch(const RunData &run, const Finding &f, const QJsonObject &expect)
{
    const QString minSeverity = expect.value(QLatin1String("min_severity")).toString();
    if (!minSeverity.isEmpty() && f.severity > severityFrom(minSeverity))
        return QStringLiteral("severity %1 below %2").arg(severityId(f.severity), minSeverity);
    const QString endpoint = expect.value(QLatin1String("endpoint")).toString();
    if (!endpoint.isEmpty() && endpointLabel(run, f) != endpoint)
        return QStringLiteral("endpoint '%1', expected '%2'").arg(endpointLabel(run, f), endpoint);
    const QString relation = expect.value(QLatin1String("relation")).toString();
    if (!relation.isEmpty() && f.refs.relation.section(QLatin1Char('.'), -1) != relation)
        return QStringLiteral("relation '%1', expected '%2'").arg(f.refs.relation, relation);
    const QJsonArray columns = expect.value(QLatin1String("columns")).toArray();
    if (!columns.isEmpty()) {
        QStringList want;
        for (const QJsonValue &c : columns)
            want << c.toString();
        if (f.refs.columns != want)
            return QStringLiteral("columns (%1), expected (%2)")
                .arg(f.refs.columns.join(QStringLiteral(", ")), want.join(QStringLiteral(", ")));
    }
    const QString contains = expect.value(QLatin1String("statement_contains")).toString();
    if (!contains.isEmpty()) {
        const bool named = std::any_of(f.refs.statements.begin(), f.refs.statements.end(), [&](const StatementRef &s) {
            return s.text.contains(contains, Qt::CaseInsensitive);
        });
        if (!named)
            return QStringLiteral("names no statement containing '%1'").arg(contains);
    }
    const QJsonObject params = expect.value(QLatin1String("params")).toObject();
    for (auto it = params.begin(); it != params.end(); ++it) {
        const std::optional<double> v = f.parameter(it.key());
        if (!v)
            return QStringLiteral("no parameter %1").arg(it.key());
        const double want = it.value().toDouble();
        // Counts (k) are exact to ±1; measured sizes (N, seconds, ratios) within 25%.
        const bool integral = it.key() == QLatin1String("pool_size") || it.key() == QLatin1String("worker_limit") ||
                              it.key() == QLatin1String("children_per_row") ||
                              it.key() == QLatin1String("grandchildren_per_row");
        const bool ok = integral ? std::abs(*v - want) <= 1 : std::abs(*v - want) <= 0.25 * std::abs(want);
        if (!ok)
            return QStringLiteral("%1 = %2, expected %3").arg(it.key()).arg(*v).arg(want);
    }
    return QString();
}

struct Tally
{
    int expected = 0; // cases that expect the id
    int found = 0;    // ... and got it right
    int raised = 0;   // cases where it was raised at medium or above
    int wrong = 0;    // ... where nobody expected or allowed it
};

} // namespace

class TestDiagnosisCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void replay_data();
    void replay();
    void corpusCoversTheCatalogue();
    void hostCpuDecidesTheWorkerCeiling_data();
    void hostCpuDecidesTheWorkerCeiling();
    void cleanupTestCase();

private:
    std::map<QString, Case> m_cases;
    std::map<QString, Tally> m_tally;
    int m_replayed = 0;
    int m_healthy = 0;
    std::set<QString> m_backends;
    std::set<QString> m_stacks;
    QStringList m_lines;
};

void TestDiagnosisCorpus::initTestCase()
{
    m_cases = loadCases();
    QVERIFY2(!m_cases.empty(), qPrintable(QStringLiteral("no cases under %1").arg(corpusRoot())));
}

void TestDiagnosisCorpus::replay_data()
{
    QTest::addColumn<QString>("name");
    const QStringList files = QDir(recordings()).entryList({QStringLiteral("*.run.json")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const QString name = file.chopped(int(qstrlen(".run.json")));
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestDiagnosisCorpus::replay()
{
    QFETCH(QString, name);
    const auto c = m_cases.find(name);
    QVERIFY2(c != m_cases.end(), qPrintable(QStringLiteral("%1 is recorded but no cases.json names it").arg(name)));
    QFile file(recordings() + QLatin1Char('/') + name + QStringLiteral(".run.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const std::optional<RunData> run = RunJson::runFrom(QJsonDocument::fromJson(file.readAll()).object(), &error);
    QVERIFY2(run, qPrintable(error));
    QString gateError;
    std::optional<GateSet> gates = GateSet::fromPlan(run->plan, &gateError);
    if (!gates)
        gates = GateSet::preset(QStringLiteral("launch"));
    QVERIFY2(gates, qPrintable(gateError));
    const Diagnosis d = analyze(*run, *gates);

    const QJsonObject spec = c->second.spec;
    const bool healthy = spec.value(QLatin1String("healthy")).toBool();
    std::set<QString> allowed;
    for (const QJsonValue &a : spec.value(QLatin1String("allow")).toArray())
        allowed.insert(a.toString());
    QStringList problems;
    std::set<QString> expectedIds;
    for (const QJsonValue &e : spec.value(QLatin1String("expect")).toArray()) {
        const QJsonObject expect = e.toObject();
        const QString id = expect.value(QLatin1String("id")).toString();
        expectedIds.insert(id);
        ++m_tally[id].expected;
        QString why = QStringLiteral("not raised");
        bool ok = false;
        for (const Finding &f : d.findings) {
            if (f.id != id)
                continue;
            why = mismatch(*run, f, expect);
            if (why.isEmpty()) {
                ok = true;
                break;
            }
        }
        if (ok)
            ++m_tally[id].found;
        else
            problems << QStringLiteral("expected %1: %2").arg(id, why);
    }
    // A false alarm the diagnosis is known to raise on this recording (cases.json "known_false_alarms": {id: why}):
    // counted as wrong in the table and expected to fail below, so that fixing it shows up as an XPASS.
    const QJsonObject known = spec.value(QLatin1String("known_false_alarms")).toObject();
    QStringList knownRaised;
    for (const Finding &f : d.findings) {
        if (!atLeastMedium(f.severity))
            continue;
        ++m_tally[f.id].raised;
        if (expectedIds.count(f.id) || (!healthy && allowed.count(f.id)))
            continue;
        ++m_tally[f.id].wrong;
        if (known.contains(f.id)) {
            knownRaised << QStringLiteral("known false alarm %1 %2: %3")
                               .arg(severityId(f.severity), f.id, known.value(f.id).toString());
            continue;
        }
        problems << QStringLiteral("unexpected %1 %2: %3").arg(severityId(f.severity), f.id, f.title);
    }
    if (healthy && d.verdict != QLatin1String("ready"))
        problems << QStringLiteral("healthy control judged %1: %2").arg(d.verdict, d.verdict_reason);
    ++m_replayed;
    m_healthy += healthy ? 1 : 0;
    m_backends.insert(c->second.backend);
    m_stacks.insert(c->second.backend.section(QLatin1Char('-'), 0, 0));
    QStringList got;
    for (const Finding &f : d.findings)
        got << QStringLiteral("%1 %2").arg(severityId(f.severity), f.id);
    m_lines << QStringLiteral("| `%1` | %2 | %3 | %4 |")
                   .arg(name, healthy ? QStringLiteral("healthy") : QStringLiteral("flaw"),
                        got.join(QStringLiteral(", ")),
                        problems.isEmpty() && knownRaised.isEmpty()
                            ? QStringLiteral("✓")
                            : (problems + knownRaised).join(QStringLiteral("; ")));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("\n"))));
    if (!known.isEmpty()) {
        QEXPECT_FAIL("",
                     qPrintable(QStringList(known.keys()).join(QStringLiteral(", ")) +
                                QStringLiteral(": a known false alarm on this recording (cases.json)")),
                     Continue);
        QVERIFY2(knownRaised.isEmpty(), qPrintable(knownRaised.join(QStringLiteral("\n"))));
    }
}

void TestDiagnosisCorpus::corpusCoversTheCatalogue()
{
    // The bar: at least 8 backends on at least 4 stacks besides the demo, at least 3 healthy controls,
    // every recorded case described.
    std::set<QString> backends, stacks;
    int healthy = 0;
    for (const auto &[name, c] : m_cases) {
        if (!QFile::exists(recordings() + QLatin1Char('/') + name + QStringLiteral(".run.json")))
            continue;
        backends.insert(c.backend);
        stacks.insert(c.backend.section(QLatin1Char('-'), 0, 0));
        healthy += c.spec.value(QLatin1String("healthy")).toBool() ? 1 : 0;
    }
    QVERIFY2(backends.size() >= 8, qPrintable(QStringLiteral("%1 recorded backends").arg(backends.size())));
    QVERIFY2(stacks.size() >= 4, qPrintable(QStringLiteral("%1 recorded stacks").arg(stacks.size())));
    QVERIFY2(healthy >= 3, qPrintable(QStringLiteral("%1 recorded healthy controls").arg(healthy)));
}

// Django's three sync workers (recorded before host CPU sampling): the same run read as if its host had been saturated
// keeps worker-saturation only as a low note that names the CPU; with headroom it stays medium and says CPU was not it.
void TestDiagnosisCorpus::hostCpuDecidesTheWorkerCeiling_data()
{
    QTest::addColumn<double>("hostBusy");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("says");
    QTest::addRow("saturated host") << 0.97 << int(Severity::Low) << "the ceiling may be CPU";
    QTest::addRow("host with headroom") << 0.45 << int(Severity::Medium) << "CPU was not the ceiling";
    QTest::addRow("not measured") << -1.0 << int(Severity::Medium) << "";
}

void TestDiagnosisCorpus::hostCpuDecidesTheWorkerCeiling()
{
    QFETCH(double, hostBusy);
    QFETCH(int, severity);
    QFETCH(QString, says);
    QFile file(recordings() + QStringLiteral("/py-django-sync-workers.run.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    std::optional<RunData> run = RunJson::runFrom(QJsonDocument::fromJson(file.readAll()).object(), &error);
    QVERIFY2(run, qPrintable(error));
    for (IntervalSnapshot &iv : run->intervals) {
        iv.host_cpu_busy = hostBusy;
        iv.host_cpus = hostBusy >= 0 ? 2 : 0;
    }
    const Diagnosis d = analyze(*run, *GateSet::preset(QStringLiteral("launch")));
    const auto f = std::find_if(d.findings.begin(), d.findings.end(),
                                [](const Finding &x) { return x.id == QLatin1String("worker-saturation"); });
    QVERIFY(f != d.findings.end());
    QCOMPARE(int(f->severity), severity);
    QCOMPARE(f->parameter(QStringLiteral("worker_limit")).value_or(-1), 3.0);
    const bool cited = std::any_of(f->evidence.begin(), f->evidence.end(), [&](const Evidence &e) {
        return e.metric == QLatin1String("host_cpu_busy") && e.note.contains(says);
    });
    QCOMPARE(cited, !says.isEmpty());
}

void TestDiagnosisCorpus::cleanupTestCase()
{
    const QString path = qEnvironmentVariable("PREFLIGHT_CORPUS_TABLE");
    if (path.isEmpty())
        return;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return;
    QStringList lines;
    lines << QStringLiteral("%1 cases replayed (%2 healthy controls) from %3 backends on %4 stacks.\n")
                 .arg(m_replayed)
                 .arg(m_healthy)
                 .arg(m_backends.size())
                 .arg(m_stacks.size());
    lines << QStringLiteral(
        "| finding | cases expecting it | found | raised (≥ medium) | false alarms | precision | recall |");
    lines << QStringLiteral("|---|---|---|---|---|---|---|");
    for (const auto &[id, t] : m_tally) {
        const QString precision =
            t.raised ? QString::number(double(t.raised - t.wrong) / t.raised, 'f', 2) : QStringLiteral("–");
        const QString recall = t.expected ? QString::number(double(t.found) / t.expected, 'f', 2) : QStringLiteral("–");
        lines << QStringLiteral("| `%1` | %2 | %3 | %4 | %5 | %6 | %7 |")
                     .arg(id)
                     .arg(t.expected)
                     .arg(t.found)
                     .arg(t.raised)
                     .arg(t.wrong)
                     .arg(precision, recall);
    }
    lines << QString() << QStringLiteral("| case | kind | findings (replayed) | result |")
          << QStringLiteral("|---|---|---|---|");
    lines << m_lines;
    out.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
}

QTEST_GUILESS_MAIN(TestDiagnosisCorpus)
#include "tst_diagnosiscorpus.moc"
