// Hostile input (docs/cli.md): bad plans, flags, URLs, conninfos, stores and import documents, each answered with
// the README's exit code and a message that names the problem and the fix, and never at the cost of what is
// stored: the run store given with --store keeps every run it had, and no input is overwritten.
#include "faultserver.h"
#include "preflightprocess.h"

#include "store/runstore.h"
#include "store/sqlitedatabase.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace Preflight;
using PreflightTest::CliOptions;
using PreflightTest::CliResult;
using PreflightTest::FaultServer;
using PreflightTest::runPreflight;

namespace {

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

// What a store holds, for "nothing stored is lost": id, name and request count of every run.
QStringList storedRuns(const QString &path)
{
    RunStore store;
    RunStore::OpenOptions options;
    options.create = false;
    options.read_only = true;
    if (const StoreError e = store.open(path, options))
        return {QStringLiteral("cannot open: ") + e.message};
    StoreError error;
    QStringList runs;
    for (const RunListEntry &r : store.listRuns(&error))
        runs << QStringLiteral("%1 %2 %3").arg(r.id).arg(r.name).arg(r.requests);
    if (error)
        runs << QStringLiteral("cannot list: ") + error.message;
    return runs;
}

} // namespace

class TestHostileInput : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    FaultServer m_server;     // answers 200 to everything
    FaultServer m_plainToTls; // answers a TLS client in plain text
    QString m_store;          // holds one real run from initTestCase
    QStringList m_runsBefore;
    QString m_refused; // a URL where nothing listens

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        f.write(content);
        return path;
    }
    QString plan(const QString &name, const QString &json) { return write(name, json.toUtf8()); }
    // A valid plan around `scenario`/`endpoints`/extra top-level keys, aimed at `url`.
    QString planAt(const QString &name, const QString &url,
                   const QString &endpoints = QStringLiteral(R"([{"path":"/"}])"),
                   const QString &scenario = QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                   const QString &extra = {}, const QString &target = {})
    {
        return plan(name, QStringLiteral(R"({"target":{"base_url":"%1"%5},"endpoints":%2,"scenario":%3%4})")
                              .arg(url, endpoints, scenario, extra.isEmpty() ? QString() : QStringLiteral(",") + extra,
                                   target));
    }

private slots:
    void initTestCase();
    void badInputIsRefusedWithTheFixAndNothingIsLost_data();
    void badInputIsRefusedWithTheFixAndNothingIsLost();
    void readOnlyStoreIsListedAndReported();
};

void TestHostileInput::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.start());
    QVERIFY(m_plainToTls.start(true));
    m_refused = QStringLiteral("http://127.0.0.1:%1").arg([] {
        FaultServer s;
        s.start();
        const int port = s.port();
        s.kill();
        return port;
    }());
    m_store = m_dir.filePath(QStringLiteral("runs.sqlite"));
    const CliResult r =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(m_server.baseUrl()),
                      QStringLiteral("--users"), QStringLiteral("1"), QStringLiteral("--duration"),
                      QStringLiteral("0.5"), QStringLiteral("--store"), m_store, QStringLiteral("--quiet")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    m_runsBefore = storedRuns(m_store);
    QCOMPARE(m_runsBefore.size(), 1);
    QVERIFY2(!m_runsBefore.first().startsWith(QLatin1String("cannot")), qPrintable(m_runsBefore.first()));
}

void TestHostileInput::badInputIsRefusedWithTheFixAndNothingIsLost_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("says");      // every fragment must be in stderr: the problem and the fix
    QTest::addColumn<QStringList>("unchanged"); // files whose bytes must be the same afterwards
    QTest::addColumn<QProcessEnvironment>("env");

    const QString run = QStringLiteral("run");
    const QString s = QStringLiteral("--store");
    const QString ok = QString::fromStdString(m_server.baseUrl());
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    auto row = [&](const char *name, QStringList args, int code, QStringList says, QStringList unchanged = {},
                   QProcessEnvironment e = QProcessEnvironment::systemEnvironment()) {
        QTest::newRow(name) << args << code << says << unchanged << e;
    };
    const QString storeArg = m_store;
    auto runPlan = [&](const QString &planPath, QStringList more = {}) {
        return QStringList{run, planPath, s, storeArg} + more;
    };

    // --- plans: syntax and encoding
    const QString malformed =
        plan(QStringLiteral("malformed.json"),
             QStringLiteral("{\n  \"target\": {\"base_url\": \"%1\"},\n  \"endpoints\": [ {\"path\": \"/\"}, ]\n}\n")
                 .arg(m_refused));
    row("malformed JSON", runPlan(malformed), 2, {QStringLiteral("line 3, column"), QStringLiteral("malformed JSON")},
        {malformed});
    row("plan is null", runPlan(plan(QStringLiteral("null.json"), QStringLiteral("null"))), 2,
        {QStringLiteral("is null, not a JSON object"), QStringLiteral("a plan looks like")});
    row("plan is an array", runPlan(plan(QStringLiteral("array.json"), QStringLiteral("[1,2]"))), 2,
        {QStringLiteral("is an array"), QStringLiteral("a plan looks like")});
    row("plan is a string", runPlan(plan(QStringLiteral("string.json"), QStringLiteral("\"plan\""))), 2,
        {QStringLiteral("is a string")});
    row("empty plan", runPlan(write(QStringLiteral("empty.json"), {})), 2,
        {QStringLiteral("is empty"), QStringLiteral("README")});
    const QString sustainJson =
        QStringLiteral(
            R"({"target":{"base_url":"%1"},"endpoints":[{"path":"/"}],"scenario":{"preset":"sustain","users":1,"duration_s":1}})")
            .arg(m_refused);
    {
        QByteArray le("\xFF\xFE", 2);
        const QString text = sustainJson;
        le.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        row("UTF-16LE plan with BOM is read", runPlan(write(QStringLiteral("utf16le.json"), le)), 3,
            {QStringLiteral("connection refused")});
        QByteArray be;
        for (QChar c : text) {
            be.append(char(c.unicode() >> 8));
            be.append(char(c.unicode() & 0xFF));
        }
        row("UTF-16BE plan without BOM is read", runPlan(write(QStringLiteral("utf16be.json"), be)), 3,
            {QStringLiteral("connection refused")});
        row("UTF-8 plan with BOM is read", runPlan(write(QStringLiteral("bom.json"), "\xEF\xBB\xBF" + text.toUtf8())),
            3, {QStringLiteral("connection refused")});
    }
    row("NUL byte in the file", runPlan(write(QStringLiteral("nul.json"), QByteArray("{\"name\": \"a\0b\"}", 15))), 2,
        {QStringLiteral("NUL byte"), QStringLiteral("UTF-8 JSON text")});
    row("NUL character in a header",
        runPlan(planAt(QStringLiteral("nulheader.json"), m_refused,
                       QStringLiteral(R"([{"path":"/","headers":{"X-A":"a\u0000b"}}])"))),
        2, {QStringLiteral("endpoints[0].headers.X-A"), QStringLiteral("NUL character"), QStringLiteral("remove it")});
    row("plan is a directory", runPlan(m_dir.path()), 2, {QStringLiteral("is a directory")});
    row("plan file missing", runPlan(m_dir.filePath(QStringLiteral("nope.json"))), 2,
        {QStringLiteral("cannot read plan")});

    // --- plans: unknown keys get the nearest known key
    row("misspelt database",
        runPlan(planAt(QStringLiteral("databse.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                       QStringLiteral(R"("databse":{"conninfo":"sqlite:x.db"})"))),
        2, {QStringLiteral("unknown key \"databse\""), QStringLiteral("did you mean \"database\"")});
    row("timeout at the top level",
        runPlan(planAt(QStringLiteral("timeout.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                       QStringLiteral(R"("timeout":5000)"))),
        2, {QStringLiteral("unknown key \"timeout\""), QStringLiteral("target.timeout_ms")});
    row("misspelt users",
        runPlan(planAt(QStringLiteral("userz.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","userz":1,"duration_s":1})"))),
        2, {QStringLiteral("unknown key \"userz\" in scenario"), QStringLiteral("did you mean \"users\"")});
    row("misspelt method",
        runPlan(planAt(QStringLiteral("methd.json"), m_refused, QStringLiteral(R"([{"methd":"POST","path":"/"}])"))), 2,
        {QStringLiteral("unknown key \"methd\" in endpoints[0]"), QStringLiteral("did you mean \"method\"")});
    row("misspelt insecure",
        runPlan(planAt(QStringLiteral("insecur.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"), {},
                       QStringLiteral(R"(,"tls":{"insecur":true})"))),
        2, {QStringLiteral("unknown key \"insecur\" in target.tls"), QStringLiteral("did you mean \"insecure\"")});
    row("unknown key without a near one",
        runPlan(planAt(QStringLiteral("zzz.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                       QStringLiteral(R"("zzzzzz":1)"))),
        2, {QStringLiteral("unknown key \"zzzzzz\""), QStringLiteral("known keys here")});

    // --- plans: types and ranges
    auto scenarioRow = [&](const char *name, const char *file, const QString &scenario, QStringList says) {
        row(name, runPlan(planAt(QString::fromLatin1(file), m_refused, QStringLiteral(R"([{"path":"/"}])"), scenario)),
            2, says);
    };
    scenarioRow("fractional users", "users25.json",
                QStringLiteral(R"({"preset":"sustain","users":2.5,"duration_s":1})"),
                {QStringLiteral("scenario.users"), QStringLiteral("whole number")});
    scenarioRow("negative users", "usersneg.json", QStringLiteral(R"({"preset":"sustain","users":-5,"duration_s":1})"),
                {QStringLiteral("scenario.users"), QStringLiteral("at least 1 (got -5)")});
    scenarioRow("users as a string", "usersstr.json",
                QStringLiteral(R"({"preset":"sustain","users":"10","duration_s":1})"),
                {QStringLiteral("scenario.users"), QStringLiteral("drop the quotes")});
    scenarioRow("zero rate", "rate0.json", QStringLiteral(R"({"preset":"sustain","rate":0,"duration_s":1})"),
                {QStringLiteral("scenario.rate"), QStringLiteral("greater than 0")});
    scenarioRow("negative duration", "durneg.json", QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":-1})"),
                {QStringLiteral("scenario.duration_s"), QStringLiteral("greater than 0")});
    scenarioRow("sustain without duration", "nodur.json", QStringLiteral(R"({"preset":"sustain","users":1})"),
                {QStringLiteral("scenario.duration_s"), QStringLiteral("\"duration_s\": 60")});
    scenarioRow("sustain without users or rate", "nousers.json",
                QStringLiteral(R"({"preset":"sustain","duration_s":1})"),
                {QStringLiteral("needs users"), QStringLiteral("\"users\": 10")});
    scenarioRow("level zero", "level0.json", QStringLiteral(R"({"preset":"sweep","levels":[0,1]})"),
                {QStringLiteral("scenario.levels"), QStringLiteral("whole numbers")});
    scenarioRow(
        "stages of both models", "stagesmix.json",
        QStringLiteral(R"({"preset":"stages","stages":[{"duration_s":1,"users":1},{"duration_s":1,"rate":5}]})"),
        {QStringLiteral("scenario.stages[1]"), QStringLiteral("same model")});
    scenarioRow("unknown preset", "preset.json", QStringLiteral(R"({"preset":"ramp","users":1,"duration_s":1})"),
                {QStringLiteral("unknown preset \"ramp\""), QStringLiteral("sweep, sustain")});
    scenarioRow("users above the limit", "toomany.json",
                QStringLiteral(R"({"preset":"sustain","users":1000,"duration_s":1})"),
                {QStringLiteral("limits.max_users"), QStringLiteral("raise limits.max_users")});
    row("gates preset that does not exist",
        runPlan(planAt(QStringLiteral("strict.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                       QStringLiteral(R"("gates":"strict")"))),
        2, {QStringLiteral("\"strict\": no such preset"), QStringLiteral("launch")});
    row("gates of the wrong type",
        runPlan(planAt(QStringLiteral("gates42.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                       QStringLiteral(R"("gates":42)"))),
        2, {QStringLiteral("gates: must be a preset name")});
    row("timeout_ms zero",
        runPlan(planAt(QStringLiteral("t0.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"), {},
                       QStringLiteral(R"(,"timeout_ms":0)"))),
        2, {QStringLiteral("target.timeout_ms"), QStringLiteral("at least 1")});
    row("endpoints not an array",
        runPlan(plan(QStringLiteral("epobj.json"),
                     QStringLiteral(R"({"target":{"base_url":"%1"},"endpoints":{"path":"/"}})").arg(m_refused))),
        2, {QStringLiteral("endpoints: must be an array")});

    // --- plans: endpoints and URLs
    auto endpointRow = [&](const char *name, const char *file, const QString &endpoints, QStringList says) {
        row(name, runPlan(planAt(QString::fromLatin1(file), m_refused, endpoints)), 2, says);
    };
    endpointRow("path with a space", "space.json", QStringLiteral(R"([{"path":"/a b"}])"),
                {QStringLiteral("contains a space"), QStringLiteral("%20")});
    endpointRow("path with a tab", "tab.json", QStringLiteral(R"([{"path":"/a\tb"}])"),
                {QStringLiteral("control character"), QStringLiteral("remove it")});
    endpointRow("path without a slash", "noslash.json", QStringLiteral(R"([{"path":"api"}])"),
                {QStringLiteral("must start with /")});
    endpointRow("path variable without vars", "novar.json", QStringLiteral(R"([{"path":"/u/{id}"}])"),
                {QStringLiteral("{id} has no entry in vars"), QStringLiteral("\"range\"")});
    endpointRow("list value with a space", "listspace.json",
                QStringLiteral(R"([{"path":"/q/{q}","vars":{"q":{"list":["a b"]}}}])"),
                {QStringLiteral("vars.q.list"), QStringLiteral("%20")});
    endpointRow("bad range", "range.json", QStringLiteral(R"([{"path":"/u/{id}","vars":{"id":{"range":[5,1]}}}])"),
                {QStringLiteral("must be [from, to]")});
    endpointRow("unknown method", "fetch.json", QStringLiteral(R"([{"method":"FETCH","path":"/"}])"),
                {QStringLiteral("unknown method \"FETCH\""), QStringLiteral("GET, POST")});
    endpointRow("zero weight", "weight.json", QStringLiteral(R"([{"path":"/","weight":0}])"),
                {QStringLiteral("endpoints[0].weight"), QStringLiteral("greater than 0")});
    endpointRow("json and body", "both.json", QStringLiteral(R"([{"method":"POST","path":"/","json":{},"body":"x"}])"),
                {QStringLiteral("not both")});
    auto urlRow = [&](const char *name, const char *file, const QString &url, QStringList says) {
        row(name, runPlan(planAt(QString::fromLatin1(file), url)), 2, says);
    };
    urlRow("base URL without a scheme", "noscheme.json", QStringLiteral("127.0.0.1:8000"),
           {QStringLiteral("has no scheme"), QStringLiteral("http://127.0.0.1:8000")});
    urlRow("host:port without a scheme", "localhost.json", QStringLiteral("localhost:8000/api"),
           {QStringLiteral("has no scheme"), QStringLiteral("http://localhost:8000/api")});
    urlRow("ftp URL", "ftp.json", QStringLiteral("ftp://127.0.0.1/"),
           {QStringLiteral("not an http:// or https:// URL"), QStringLiteral("write it like")});
    urlRow("port out of range", "port.json", QStringLiteral("http://127.0.0.1:99999"),
           {QStringLiteral("not a valid URL"), QStringLiteral("port must be a number")});
    urlRow("space in the base URL", "urlspace.json", QStringLiteral("http://127.0.0.1:8000/a b"),
           {QStringLiteral("contains a space")});
    urlRow("query in the base URL", "urlquery.json", QStringLiteral("http://127.0.0.1:8000/?x=1"),
           {QStringLiteral("put query strings in endpoint paths")});
    row("unset secret",
        runPlan(planAt(
            QStringLiteral("secret.json"), m_refused,
            QStringLiteral(R"([{"path":"/","headers":{"Authorization":"Bearer ${env:PREFLIGHT_HOSTILE_UNSET}"}}])"))),
        2, {QStringLiteral("PREFLIGHT_HOSTILE_UNSET")});

    // --- flags
    const QStringList target{run, QStringLiteral("--target"), m_refused, s, storeArg};
    row("--users without a value", target + QStringList{QStringLiteral("--users")}, 2,
        {QStringLiteral("--users needs a value")});
    row("--users followed by a flag",
        target + QStringList{QStringLiteral("--users"), QStringLiteral("--duration"), QStringLiteral("1")}, 2,
        {QStringLiteral("--users needs a value"), QStringLiteral("--duration")});
    row("--users not a number", target + QStringList{QStringLiteral("--users"), QStringLiteral("ten")}, 2,
        {QStringLiteral("--users ten"), QStringLiteral("expected a number")});
    row("--users fractional", target + QStringList{QStringLiteral("--users"), QStringLiteral("2.5")}, 2,
        {QStringLiteral("--users 2.5"), QStringLiteral("whole number")});
    row("--levels with --scenario sustain",
        target + QStringList{QStringLiteral("--scenario"), QStringLiteral("sustain"), QStringLiteral("--levels"),
                             QStringLiteral("1,2")},
        2, {QStringLiteral("--levels applies to a sweep"), QStringLiteral("--scenario sweep")});
    row("--users with --scenario sweep",
        target + QStringList{QStringLiteral("--scenario"), QStringLiteral("sweep"), QStringLiteral("--users"),
                             QStringLiteral("5")},
        2, {QStringLiteral("--users does not apply to a sweep"), QStringLiteral("--scenario sustain")});
    row("--users and --rate",
        target +
            QStringList{QStringLiteral("--users"), QStringLiteral("5"), QStringLiteral("--rate"), QStringLiteral("5")},
        2, {QStringLiteral("give one")});
    row("unknown --scenario", target + QStringList{QStringLiteral("--scenario"), QStringLiteral("ramp")}, 2,
        {QStringLiteral("--scenario ramp"), QStringLiteral("sweep, sustain")});
    row("--levels not numbers", target + QStringList{QStringLiteral("--levels"), QStringLiteral("1,x")}, 2,
        {QStringLiteral("--levels 1,x"), QStringLiteral("e.g. 1,2,5,10")});
    row("--gates preset that does not exist", target + QStringList{QStringLiteral("--gates"), QStringLiteral("strict")},
        2, {QStringLiteral("--gates \"strict\": no such preset"), QStringLiteral("launch")});
    row("--timeout zero", target + QStringList{QStringLiteral("--timeout"), QStringLiteral("0")}, 2,
        {QStringLiteral("--timeout 0")});
    row("--target without a scheme",
        QStringList{run, QStringLiteral("--target"), QStringLiteral("127.0.0.1:8000"), s, storeArg}, 2,
        {QStringLiteral("--target"), QStringLiteral("has no scheme"), QStringLiteral("http://127.0.0.1:8000")});
    row("--endpoint with a space in the path",
        target + QStringList{QStringLiteral("--endpoint"), QStringLiteral("GET /a b")}, 2, {QStringLiteral("%20")});
    row("unknown flag", target + QStringList{QStringLiteral("--bogus")}, 2,
        {QStringLiteral("unexpected argument \"--bogus\"")});
    row("non-loopback without --yes",
        QStringList{run, QStringLiteral("--target"), QStringLiteral("http://192.0.2.1:8080"), s, storeArg}, 2,
        {QStringLiteral("--yes")});
    // Flags override the plan: a sustain plan without duration_s is complete with --duration (it then reaches the
    // target).
    row("--duration completes a plan",
        runPlan(planAt(QStringLiteral("nodur2.json"), m_refused, QStringLiteral(R"([{"path":"/"}])"),
                       QStringLiteral(R"({"preset":"sustain","users":1})")),
                {QStringLiteral("--duration"), QStringLiteral("1")}),
        3, {QStringLiteral("connection refused")});

    // --- outputs: nothing written over an input, the store or another output, or onto something that is not a file
    const QString goodPlan = planAt(QStringLiteral("good.json"), m_refused);
    const QString out1 = m_dir.filePath(QStringLiteral("out.json"));
    row("--json onto the run store", runPlan(goodPlan, {QStringLiteral("--json"), storeArg}), 2,
        {QStringLiteral("is the run store"), QStringLiteral("choose another file for --json")}, {goodPlan});
    row("--json onto the plan", runPlan(goodPlan, {QStringLiteral("--json"), goodPlan}), 2,
        {QStringLiteral("is the plan"), QStringLiteral("choose another file for --json")}, {goodPlan});
    row("--json and --junit on one file",
        runPlan(goodPlan, {QStringLiteral("--json"), out1, QStringLiteral("--junit"), out1}), 2,
        {QStringLiteral("--json and --junit name the same file"), QStringLiteral("its own file")});
    {
        const QString link = m_dir.filePath(QStringLiteral("store-link.json"));
        QFile::link(m_store, link);
        row("--junit onto a symlink to the store", runPlan(goodPlan, {QStringLiteral("--junit"), link}), 2,
            {QStringLiteral("is the run store")});
        const QString relative = QDir::current().relativeFilePath(goodPlan);
        row("--json onto the plan by a relative path", runPlan(goodPlan, {QStringLiteral("--json"), relative}), 2,
            {QStringLiteral("is the plan")}, {goodPlan});
    }
    {
        const QString fifo = m_dir.filePath(QStringLiteral("fifo.json"));
        ::mkfifo(QFile::encodeName(fifo).constData(), 0644);
        row("--json onto a FIFO", runPlan(goodPlan, {QStringLiteral("--json"), fifo}), 2,
            {QStringLiteral("is a FIFO"), QStringLiteral("regular file")});
        const QString device = m_dir.filePath(QStringLiteral("null-device.json"));
        // A copy of /dev/null (root only); without it the row checks the refusal of a missing device: skipped.
        ::mknod(QFile::encodeName(device).constData(), S_IFCHR | 0666, makedev(1, 3));
        row("--json onto a device node", runPlan(goodPlan, {QStringLiteral("--json"), device}), 2,
            {QStringLiteral("is a character device"), QStringLiteral("regular file")});
        row("--json onto a directory", runPlan(goodPlan, {QStringLiteral("--json"), m_dir.path()}), 2,
            {QStringLiteral("is a directory")});
        row("--json into a missing directory",
            runPlan(goodPlan, {QStringLiteral("--json"), m_dir.filePath(QStringLiteral("no/such/dir/out.json"))}), 2,
            {QStringLiteral("does not exist"), QStringLiteral("create it")});
        row("--report with an unknown format",
            runPlan(goodPlan, {QStringLiteral("--report"), m_dir.filePath(QStringLiteral("r.txt"))}), 2,
            {QStringLiteral(".html or .pdf")});
    }

    // --- conninfos (the target answers; the database is what is wrong)
    const QStringList okTarget{
        run,      QStringLiteral("--target"), ok, QStringLiteral("--duration"), QStringLiteral("0.3"), s,
        storeArg, QStringLiteral("--db")};
    row("missing SQLite file",
        okTarget + QStringList{QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("nope.db"))}, 3,
        {QStringLiteral("database unreachable"), QStringLiteral("does not exist"), QStringLiteral("sqlite: path")});
    row("SQLite path is a directory", okTarget + QStringList{QStringLiteral("sqlite:") + m_dir.path()}, 2,
        {QStringLiteral("is a directory"), QStringLiteral("give the file's path")});
    row("SQLite path is not a database", okTarget + QStringList{QStringLiteral("sqlite:") + goodPlan}, 2,
        {QStringLiteral("not an SQLite 3 database"), QStringLiteral("check the sqlite: path")}, {goodPlan});
    row("conninfo syntax", okTarget + QStringList{QStringLiteral("host='unterminated")}, 2,
        {QStringLiteral("not valid libpq syntax")});
    row("conninfo with an unset secret",
        okTarget + QStringList{QStringLiteral("host=127.0.0.1 password=${env:PREFLIGHT_HOSTILE_PW}")}, 2,
        {QStringLiteral("PREFLIGHT_HOSTILE_PW")});
    row("PostgreSQL port refused",
        okTarget +
            QStringList{
                QStringLiteral("host=127.0.0.1 port=%1 dbname=app connect_timeout=3").arg(QUrl(m_refused).port())},
        3, {QStringLiteral("connection refused"), QStringLiteral("is PostgreSQL running")});

    // --- targets
    row("refused port", QStringList{run, QStringLiteral("--target"), m_refused, s, storeArg}, 3,
        {QStringLiteral("target unreachable"), QStringLiteral("connection refused")});
    row("TLS to a plain-HTTP server",
        QStringList{run, QStringLiteral("--target"), QString::fromStdString(m_plainToTls.baseUrl("https")), s,
                    storeArg},
        2, {QStringLiteral("TLS handshake failed"), QStringLiteral("ca_file"), QStringLiteral("scheme")});

    // --- stores (the bad "store" files must stay byte for byte what they were)
    const QString textStore = write(QStringLiteral("notes.txt"), "my notes, not a database\n");
    const QString foreign = m_dir.filePath(QStringLiteral("foreign.sqlite"));
    {
        // An SQLite database of another program: its bytes must survive a --store pointed at it.
        SqliteDatabase db;
        if (!db.open(foreign, true).isError())
            db.exec("CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('keep me')");
    }
    row("--store is another program's SQLite database",
        QStringList{run, QStringLiteral("--target"), ok, QStringLiteral("--duration"), QStringLiteral("0.3"), s,
                    foreign},
        2, {QStringLiteral("not a Preflight run store"), QStringLiteral("choose another file with --store")},
        {foreign});
    row("--store is a text file",
        QStringList{run, QStringLiteral("--target"), ok, QStringLiteral("--duration"), QStringLiteral("0.3"), s,
                    textStore},
        2, {QStringLiteral("not a Preflight run store"), QStringLiteral("--store")}, {textStore});
    row("--store is a directory",
        QStringList{run, QStringLiteral("--target"), ok, QStringLiteral("--duration"), QStringLiteral("0.3"), s,
                    m_dir.path()},
        2, {QStringLiteral("is a directory")});
    row("runs: missing store", QStringList{QStringLiteral("runs"), s, m_dir.filePath(QStringLiteral("none.sqlite"))}, 2,
        {QStringLiteral("no run store at this path")});
    row("runs: store is a text file", QStringList{QStringLiteral("runs"), s, textStore}, 2,
        {QStringLiteral("not a Preflight run store")}, {textStore});
    row("report: unknown run",
        QStringList{QStringLiteral("report"), QStringLiteral("999"), s, storeArg, QStringLiteral("--html"),
                    m_dir.filePath(QStringLiteral("r.html"))},
        2, {QStringLiteral("no run 999"), QStringLiteral("preflight runs")});
    row("report: not a run id",
        QStringList{QStringLiteral("report"), QStringLiteral("abc"), s, storeArg, QStringLiteral("--html"),
                    m_dir.filePath(QStringLiteral("r.html"))},
        2, {QStringLiteral("is not a run id")});
    {
        const QString htmlLink = m_dir.filePath(QStringLiteral("store-link.html"));
        QFile::link(m_store, htmlLink);
        row("report: --html onto the store",
            QStringList{QStringLiteral("report"), QStringLiteral("1"), s, storeArg, QStringLiteral("--html"), htmlLink},
            2, {QStringLiteral("is the run store")});
    }
    row("export: --json onto the store",
        QStringList{QStringLiteral("export"), QStringLiteral("1"), s, storeArg, QStringLiteral("--json"), storeArg}, 2,
        {QStringLiteral("is the run store")});

    // --- import documents
    const QString spec =
        write(QStringLiteral("spec.json"), R"({"openapi":"3.0.0","servers":[{"url":"http://127.0.0.1:8000"}],
        "paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}})");
    row("import: output onto its input", QStringList{QStringLiteral("import"), spec, QStringLiteral("-o"), spec}, 2,
        {QStringLiteral("is the imported file"), QStringLiteral("choose another file")}, {spec});
    row("import: output onto a FIFO",
        QStringList{QStringLiteral("import"), spec, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("fifo.json"))},
        2, {QStringLiteral("is a FIFO")}, {spec});
    row("import: missing file", QStringList{QStringLiteral("import"), m_dir.filePath(QStringLiteral("none.yaml"))}, 2,
        {QStringLiteral("none.yaml")});
    row("import: not JSON", QStringList{QStringLiteral("import"), textStore}, 2, {QStringLiteral("notes.txt")},
        {textStore});
    row("import: no operations",
        QStringList{QStringLiteral("import"),
                    write(QStringLiteral("empty-spec.json"), R"({"openapi":"3.0.0","paths":{}})")},
        2, {QStringLiteral("nothing imported")});
    row("import: -o without a value", QStringList{QStringLiteral("import"), spec, QStringLiteral("-o")}, 2,
        {QStringLiteral("needs a value")}, {spec});
}

void TestHostileInput::badInputIsRefusedWithTheFixAndNothingIsLost()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QStringList, says);
    QFETCH(QStringList, unchanged);
    QFETCH(QProcessEnvironment, env);
    for (const QString &arg : args)
        if (arg.endsWith(QLatin1String("null-device.json")) && !QFileInfo(arg).exists())
            QSKIP("mknod is not allowed here (not root): no device node to write onto");
    QHash<QString, QByteArray> before;
    for (const QString &path : unchanged)
        before[path] = fileHash(path);
    CliOptions options;
    options.timeout_ms = 60000;
    options.environment = env;
    const CliResult r = runPreflight(args, options);
    QVERIFY2(!r.crashed(), qPrintable(r.err));
    QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
    for (const QString &fragment : says)
        QVERIFY2(r.err.contains(fragment), qPrintable(QStringLiteral("\"%1\" not in: %2").arg(fragment, r.err)));
    // One problem, said once (no log line repeating it).
    QVERIFY2(r.err.trimmed().count(QLatin1Char('\n')) < 3, qPrintable(r.err));
    for (const QString &path : unchanged)
        QVERIFY2(fileHash(path) == before[path], qPrintable(path + QStringLiteral(" was changed")));
    // Nothing stored is lost, whatever the input: the store keeps the run it had (runs refused before the load
    // add none).
    const QStringList after = storedRuns(m_store);
    QVERIFY2(!after.isEmpty() && after.last() == m_runsBefore.last(), qPrintable(after.join(QStringLiteral("; "))));
    QVERIFY(QFileInfo(m_store).isFile());
}

// Item 8: reading a store needs no write access. As root (who ignores file modes) preflight runs as "nobody"
// against a store owned by root; otherwise the file and its directory are made read-only.
void TestHostileInput::readOnlyStoreIsListedAndReported()
{
    const QString dir = m_dir.filePath(QStringLiteral("readonly"));
    QVERIFY(QDir().mkpath(dir));
    const QString store = dir + QStringLiteral("/runs.sqlite");
    QVERIFY(QFile::copy(m_store, store));
    for (const char *suffix : {"-wal", "-shm"})
        if (QFile::exists(m_store + QLatin1String(suffix)))
            QVERIFY(QFile::copy(m_store + QLatin1String(suffix), store + QLatin1String(suffix)));
    const QString outDir = m_dir.filePath(QStringLiteral("reports"));
    QVERIFY(QDir().mkpath(outDir));
    const auto rx = QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOwner |
                    QFileDevice::ExeGroup | QFileDevice::ExeOther;
    QFile::setPermissions(m_dir.path(), rx | QFileDevice::WriteOwner);
    QFile::setPermissions(outDir, rx | QFileDevice::WriteOwner | QFileDevice::WriteGroup | QFileDevice::WriteOther);
    for (const QString &f : QDir(dir).entryList(QDir::Files))
        QFile::setPermissions(dir + QLatin1Char('/') + f,
                              QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    QFile::setPermissions(dir, rx);
    const QByteArray hash = fileHash(store);

    CliOptions options;
    options.uid = PreflightTest::unprivilegedUid();
    options.gid = PreflightTest::unprivilegedGid();
    if (options.uid >= 0) {
        const CliResult probe = runPreflight({QStringLiteral("--version")}, options);
        if (probe.exitCode != 0)
            QSKIP("the preflight binary cannot be run as the unprivileged user here (build tree not readable)");
    } else if (QFileInfo(store).isWritable()) {
        QSKIP("cannot make the store read-only for this user");
    }
    const CliResult runs = runPreflight({QStringLiteral("runs"), QStringLiteral("--store"), store}, options);
    QVERIFY2(runs.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(runs.exitCode).arg(runs.err)));
    QVERIFY2(runs.out.contains(m_runsBefore.first().section(QLatin1Char(' '), 1, 1)), qPrintable(runs.out));
    QVERIFY2(!runs.err.contains(QStringLiteral("read-only")), qPrintable(runs.err));
    const QString html = outDir + QStringLiteral("/report.html");
    const CliResult report =
        runPreflight({QStringLiteral("report"), m_runsBefore.first().section(QLatin1Char(' '), 0, 0),
                      QStringLiteral("--store"), store, QStringLiteral("--html"), html},
                     options);
    QVERIFY2(report.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(report.exitCode).arg(report.err)));
    QVERIFY(QFileInfo(html).size() > 0);
    const CliResult exported =
        runPreflight({QStringLiteral("export"), m_runsBefore.first().section(QLatin1Char(' '), 0, 0),
                      QStringLiteral("--store"), store, QStringLiteral("--json"), outDir + QStringLiteral("/run.json")},
                     options);
    QVERIFY2(exported.exitCode == 0,
             qPrintable(QStringLiteral("exit %1: %2").arg(exported.exitCode).arg(exported.err)));
    QCOMPARE(fileHash(store), hash);
    QFile::setPermissions(dir, rx | QFileDevice::WriteOwner);
}

QTEST_GUILESS_MAIN(TestHostileInput)
#include "tst_hostileinput.moc"
