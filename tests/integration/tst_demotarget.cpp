// preflight-demo-target as a black box over real loopback HTTP: every endpoint's JSON shape, the flaws'
// signatures (statement counts from --sql-log, pool timeout wording, SQLite lock errors, serialisation by one
// shared connection), the HTTP server's robustness (100 concurrent keep-alive clients, malformed requests)
// and process hygiene (clean SIGTERM exit, no orphan when the launcher is SIGKILLed).
//
// The HTTP client here is a few lines of blocking POSIX sockets on purpose: it controls keep-alive and sends
// bytes no well-behaved client library would.
#include "demo/demolauncher.h"
#include "plan/planparser.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace Preflight;

namespace {

struct Reply
{
    int status = 0; // 0: transport failure
    QByteArray headers;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// One keep-alive HTTP/1.1 connection with blocking I/O and a 30 s receive timeout.
class Client
{
public:
    explicit Client(int port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv{30, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(quint16(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~Client()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool connected() const { return m_fd >= 0; }
    int fd() const { return m_fd; }

    Reply get(const QByteArray &target) { return request("GET", target, QByteArray()); }
    Reply request(const QByteArray &method, const QByteArray &target, const QByteArray &body)
    {
        QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n";
        if (!body.isEmpty() || method == "POST")
            raw += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        raw += "\r\n" + body;
        return sendRaw(raw);
    }
    // Sends bytes as they are and reads one response (Content-Length framed, or up to EOF).
    Reply sendRaw(const QByteArray &raw)
    {
        Reply reply;
        if (m_fd < 0)
            return reply;
        qsizetype sent = 0;
        while (sent < raw.size()) {
            const ssize_t n = ::send(m_fd, raw.constData() + sent, size_t(raw.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return reply;
            sent += n;
        }
        qsizetype headerEnd = -1;
        while ((headerEnd = m_buffer.indexOf("\r\n\r\n")) < 0)
            if (!fill())
                return reply;
        reply.headers = m_buffer.left(headerEnd);
        m_buffer.remove(0, headerEnd + 4);
        const QList<QByteArray> lines = reply.headers.split('\n');
        reply.status = lines.value(0).split(' ').value(1).toInt();
        qint64 length = -1;
        for (const QByteArray &line : lines)
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        if (length < 0) {
            while (fill()) {
            }
            length = m_buffer.size();
        }
        while (m_buffer.size() < length)
            if (!fill())
                return Reply();
        reply.body = m_buffer.left(qsizetype(length));
        m_buffer.remove(0, qsizetype(length));
        return reply;
    }

private:
    bool fill()
    {
        char chunk[16384];
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        m_buffer.append(chunk, n);
        return true;
    }
    int m_fd = -1;
    QByteArray m_buffer;
};

QString targetBinary()
{
#ifdef PREFLIGHT_DEMO_TARGET_BIN
    return QStringLiteral(PREFLIGHT_DEMO_TARGET_BIN);
#else
    return QString();
#endif
}

// Small seeds keep each start well under a second; tests that need the big table ask for it.
const QStringList kFastSeed{QStringLiteral("--orders"), QStringLiteral("2000")};

std::unique_ptr<DemoLauncher> startTarget(const QStringList &flaws, const QStringList &extra = kFastSeed,
                                          const QString &sqlLog = QString())
{
    auto launcher = std::make_unique<DemoLauncher>();
    DemoLauncher::Options options;
    options.flaws = flaws;
    options.extra_args = extra;
    options.sql_log = sqlLog;
    QString error;
    if (!launcher->start(options, &error)) {
        qWarning("%s", qPrintable(error));
        return nullptr;
    }
    return launcher;
}

int portOf(const DemoLauncher &launcher)
{
    return QUrl(launcher.baseUrl()).port();
}

QList<QByteArray> readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// Runs `clients` threads, each doing `requests` sequential GETs of `target` on its own keep-alive
// connection. Returns the mean wall time per request in ms; *failures counts non-200 replies.
double meanLatencyMs(int port, int clients, int requests, const QByteArray &target, int *failures)
{
    std::atomic<int> bad{0};
    std::atomic<qint64> totalNs{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            Client client(port);
            for (int i = 0; i < requests; ++i) {
                QElapsedTimer t;
                t.start();
                const Reply r =
                    client.get(QByteArray(target).replace("{id}", QByteArray::number(1 + (c * 7 + i) % 500)));
                totalNs += t.nsecsElapsed();
                if (r.status != 200)
                    ++bad;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    *failures = bad.load();
    return totalNs.load() / 1e6 / (clients * requests);
}

bool processGone(qint64 pid)
{
    // Gone, or a zombie waiting for a reaper that is not us (it is no longer running either way).
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.mid(close + 2, 1) == "Z";
}

} // namespace

class TestDemoTarget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void servesEveryEndpoint_data();
    void servesEveryEndpoint();
    void createValidatesItsBody();
    void nPlusOneRunsOnePlusThreeNStatements();
    void healthyProfileRunsOneStatement();
    void noHealthAnswers404();
    void metricsParseAndMatchHealth();
    void healthAnswersWhileEveryHandlerIsBusy();
    void smallPoolReportsFivePlusTen();
    void poolTimeoutGivesQueuePoolError();
    void writeContentionGivesDatabaseLocked();
    void serves100ConcurrentKeepAliveClients();
    void malformedRequestsGet4xx_data();
    void malformedRequestsGet4xx();
    void singleConnectionSerialisesRequests();
    void sigtermExitsCleanlyAndRemovesTempDatabase();
    void launcherReportsMissingBinaryAndBadFlaw();
    void noOrphanWhenLauncherIsKilled();
    void demoPlanIsValid();

private:
    std::unique_ptr<DemoLauncher> m_shared; // flaws none, for the read-only shape checks
};

void TestDemoTarget::initTestCase()
{
    if (targetBinary().isEmpty())
        QSKIP("preflight-demo-target is not built in this configuration");
    qputenv("PREFLIGHT_DEMO_TARGET", QFile::encodeName(targetBinary()));
    m_shared = startTarget({QStringLiteral("none")});
    QVERIFY(m_shared);
    QVERIFY(m_shared->baseUrl().startsWith(QLatin1String("http://127.0.0.1:")));
    QVERIFY(m_shared->databaseConninfo().startsWith(QLatin1String("sqlite:")));
    QVERIFY(QFile::exists(m_shared->databaseConninfo().mid(7)));
}

void TestDemoTarget::servesEveryEndpoint_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("keys");
    const auto row = [](const char *name, const char *target, int status, const QStringList &keys) {
        QTest::newRow(name) << QByteArray(target) << status << keys;
    };
    const QStringList customer{QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("email"),
                               QStringLiteral("city"), QStringLiteral("company")};
    row("health", "/health", 200, {QStringLiteral("status"), QStringLiteral("pool")});
    row("index", "/", 200, {QStringLiteral("endpoints")});
    row("customers", "/api/v1/customers?limit=5&offset=10", 200, {QStringLiteral("items"), QStringLiteral("limit")});
    row("customer", "/api/v1/customers/3", 200, customer + QStringList{QStringLiteral("appointment_count")});
    row("vehicles", "/api/v1/customers/3/vehicles", 200, {QStringLiteral("customer_id"), QStringLiteral("items")});
    row("customer appointments", "/api/v1/customers/3/appointments", 200, {QStringLiteral("items")});
    row("customer payments", "/api/v1/customers/3/payments", 200, {QStringLiteral("items")});
    row("appointment", "/api/v1/appointments/5", 200,
        {QStringLiteral("id"), QStringLiteral("vehicle"), QStringLiteral("status")});
    row("services", "/api/v1/appointments/5/services", 200, {QStringLiteral("items")});
    row("payments", "/api/v1/appointments/5/payments", 200, {QStringLiteral("items")});
    row("messages", "/api/v1/appointments/5/messages", 200, {QStringLiteral("items")});
    row("vehicle", "/api/v1/vehicles/2", 200, {QStringLiteral("make"), QStringLiteral("plate")});
    row("orders", "/api/v1/orders?customer=7", 200, {QStringLiteral("items")});
    row("search", "/api/v1/search?q=engineering", 200,
        {QStringLiteral("q"), QStringLiteral("count"), QStringLiteral("items")});
    row("revenue", "/api/v1/reports/revenue", 200, {QStringLiteral("months")});
    row("profile", "/api/admin/customers/7?include=appointmentDetails", 200,
        customer + QStringList{QStringLiteral("appointments"), QStringLiteral("appointment_count")});
    row("profile without details", "/api/admin/customers/7", 200, customer);
    row("unknown customer", "/api/v1/customers/999999", 404, {QStringLiteral("error")});
    row("bad id", "/api/v1/customers/abc", 400, {QStringLiteral("error")});
    row("search without q", "/api/v1/search", 400, {QStringLiteral("error")});
    row("orders without customer", "/api/v1/orders", 400, {QStringLiteral("error")});
    row("unknown path", "/api/v2/nothing", 404, {QStringLiteral("error")});
}

void TestDemoTarget::servesEveryEndpoint()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QStringList, keys);
    Client client(portOf(*m_shared));
    const Reply reply = client.get(target);
    QCOMPARE(reply.status, status);
    QVERIFY(reply.headers.toLower().contains("content-type: application/json"));
    const QJsonObject json = reply.json();
    for (const QString &key : keys)
        QVERIFY2(json.contains(key), qPrintable(key + QStringLiteral(" missing in ") + QString::fromUtf8(reply.body)));
    if (json.contains(QStringLiteral("items")) && status == 200 && !target.contains("search?q=zzz"))
        QVERIFY(!json.value(QStringLiteral("items")).toArray().isEmpty());
}

void TestDemoTarget::createValidatesItsBody()
{
    Client client(portOf(*m_shared));
    const Reply created = client.request("POST", "/api/items", R"({"name":"item-1"})");
    QCOMPARE(created.status, 201);
    const qint64 id = created.json().value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    const Reply fetched = client.get("/api/items/" + QByteArray::number(id));
    QCOMPARE(fetched.status, 200);
    QCOMPARE(fetched.json().value(QStringLiteral("name")).toString(), QStringLiteral("item-1"));
    QCOMPARE(client.request("POST", "/api/items", "not json").status, 400);
    QCOMPARE(client.request("POST", "/api/items", R"({"name":42})").status, 400);
    QCOMPARE(client.get("/api/items").status, 405);
}

void TestDemoTarget::nPlusOneRunsOnePlusThreeNStatements()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("sql.log"));
    auto target = startTarget({QStringLiteral("n-plus-one")}, kFastSeed, log);
    QVERIFY(target);
    Client client(portOf(*target));
    for (int customer : {7, 123}) {
        const int before = int(readLines(log).size());
        const Reply reply =
            client.get("/api/admin/customers/" + QByteArray::number(customer) + "?include=appointmentDetails");
        QCOMPARE(reply.status, 200);
        const int n = int(reply.json().value(QStringLiteral("appointments")).toArray().size());
        QVERIFY2(n >= 18 && n <= 22, "the seed gives every customer 18-22 appointments");
        const QList<QByteArray> lines = readLines(log).mid(before);
        QCOMPARE(int(lines.size()), 1 + 3 * n);
        const QByteArray requestId = lines.first().split('\t').first();
        for (const QByteArray &line : lines)
            QCOMPARE(line.split('\t').first(), requestId);
        QVERIFY(lines.first().contains("FROM customers c LEFT JOIN appointments"));
    }
}

void TestDemoTarget::healthyProfileRunsOneStatement()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("sql.log"));
    auto target = startTarget({QStringLiteral("none")}, kFastSeed, log);
    QVERIFY(target);
    Client client(portOf(*target));
    const Reply reply = client.get("/api/admin/customers/7?include=appointmentDetails");
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.json().value(QStringLiteral("appointments")).toArray().size() >= 18);
    QCOMPARE(readLines(log).size(), 1);

    // Same data either way: the fix changes the queries, not the answer.
    auto flawed = startTarget({QStringLiteral("n-plus-one")});
    QVERIFY(flawed);
    Client other(portOf(*flawed));
    QCOMPARE(other.get("/api/admin/customers/7?include=appointmentDetails").json(), reply.json());
}

void TestDemoTarget::noHealthAnswers404()
{
    auto target = startTarget({QStringLiteral("no-health"), QStringLiteral("slow-endpoint")});
    QVERIFY(target);
    Client client(portOf(*target));
    QCOMPARE(client.get("/health").status, 404);
    QCOMPARE(client.get("/metrics").status, 200);
    QCOMPARE(client.get("/api/v1/customers/1").status, 200);
}

// /health and /metrics are answered beside the handler threads (a management port), so pool occupancy stays
// readable when every handler is stuck: with one handler thread held by a 5 s report, /health answers and the
// report is still unanswered (an order, not a timing).
void TestDemoTarget::healthAnswersWhileEveryHandlerIsBusy()
{
    auto target = startTarget({QStringLiteral("slow-endpoint")},
                              kFastSeed + QStringList{QStringLiteral("--threads"), QStringLiteral("1"),
                                                      QStringLiteral("--slow-ms"), QStringLiteral("5000")});
    QVERIFY(target);
    const int port = portOf(*target);
    Client slow(port);
    QVERIFY(slow.connected());
    const QByteArray report = "GET /api/v1/reports/revenue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QVERIFY(::send(slow.fd(), report.constData(), size_t(report.size()), MSG_NOSIGNAL) == report.size());

    Client admin(port);
    auto metric = [&admin](const QByteArray &name) {
        for (const QByteArray &line : admin.get("/metrics").body.split('\n'))
            if (line.startsWith(QByteArray(name + ' ')))
                return line.mid(name.size() + 1).toDouble();
        return -1.0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(metric("demo_http_in_flight") >= 1, 4000); // the report holds the only handler
    const Reply health = admin.get("/health");
    QCOMPARE(health.status, 200);
    QVERIFY(health.json().value(QStringLiteral("pool")).toObject().contains(QStringLiteral("in_use")));
    char byte = 0; // the report is still being served: nothing to read on its connection yet
    QCOMPARE(::recv(slow.fd(), &byte, 1, MSG_DONTWAIT), ssize_t(-1));
    QVERIFY(errno == EAGAIN || errno == EWOULDBLOCK);
}

void TestDemoTarget::metricsParseAndMatchHealth()
{
    Client client(portOf(*m_shared));
    const Reply metrics = client.get("/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.headers.contains("text/plain"));
    std::map<QByteArray, double> values;
    for (const QByteArray &line : metrics.body.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> parts = line.split(' ');
        QCOMPARE(parts.size(), 2);
        bool ok = false;
        values[parts[0]] = parts[1].toDouble(&ok);
        QVERIFY2(ok, line.constData());
    }
    for (const char *name : {"demo_pool_in_use", "demo_pool_idle", "demo_pool_max", "demo_pool_waiting"})
        QVERIFY2(values.count(name), name);
    const QJsonObject pool = client.get("/health").json().value(QStringLiteral("pool")).toObject();
    QCOMPARE(values["demo_pool_max"], pool.value(QStringLiteral("max")).toDouble());
    QCOMPARE(pool.value(QStringLiteral("size")).toInt(), 10);
    QCOMPARE(pool.value(QStringLiteral("max")).toInt(), 20);
    for (const char *key : {"size", "max", "in_use", "idle", "overflow", "waiting"})
        QVERIFY2(pool.contains(QLatin1String(key)), key);
}

void TestDemoTarget::smallPoolReportsFivePlusTen()
{
    auto target = startTarget({QStringLiteral("small-pool")});
    QVERIFY(target);
    Client client(portOf(*target));
    const QJsonObject pool = client.get("/health").json().value(QStringLiteral("pool")).toObject();
    QCOMPARE(pool.value(QStringLiteral("size")).toInt(), 5);
    QCOMPARE(pool.value(QStringLiteral("max")).toInt(), 15);
}

void TestDemoTarget::poolTimeoutGivesQueuePoolError()
{
    // One connection, held 600 ms per request, 100 ms pool timeout: of two concurrent requests one must wait
    // longer than the timeout.
    auto target = startTarget({QStringLiteral("none")},
                              kFastSeed + QStringList{QStringLiteral("--pool-size"), QStringLiteral("1"),
                                                      QStringLiteral("--pool-overflow"), QStringLiteral("0"),
                                                      QStringLiteral("--pool-timeout-ms"), QStringLiteral("100"),
                                                      QStringLiteral("--work-ms"), QStringLiteral("600")});
    QVERIFY(target);
    const int port = portOf(*target);
    Reply replies[3];
    std::vector<std::thread> threads;
    for (Reply &r : replies)
        threads.emplace_back([&r, port] { r = Client(port).get("/api/v1/customers/1"); });
    for (auto &t : threads)
        t.join();
    int ok = 0, timedOut = 0;
    for (const Reply &r : replies) {
        if (r.status == 200)
            ++ok;
        if (r.status == 500) {
            ++timedOut;
            QCOMPARE(
                r.json().value(QStringLiteral("error")).toString(),
                QStringLiteral("QueuePool limit of size 1 overflow 0 reached, connection timed out, timeout 0.10"));
        }
    }
    QVERIFY(ok >= 1);
    QVERIFY(timedOut >= 1);
    QCOMPARE(ok + timedOut, 3);
}

void TestDemoTarget::writeContentionGivesDatabaseLocked()
{
    const auto hammer = [](int port, int *created, int *locked) {
        std::atomic<int> c{0}, l{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 12; ++t) {
            threads.emplace_back([&, t] {
                Client client(port);
                for (int i = 0; i < 10; ++i) {
                    const Reply r = client.request(
                        "POST", "/api/items", QByteArray(R"({"name":"w)") + QByteArray::number(t * 100 + i) + "\"}");
                    if (r.status == 201)
                        ++c;
                    else if (r.status == 503 && r.body.contains("database is locked"))
                        ++l;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        *created = c;
        *locked = l;
    };
    int created = 0, locked = 0;
    auto flawed = startTarget({QStringLiteral("write-contention")});
    QVERIFY(flawed);
    hammer(portOf(*flawed), &created, &locked);
    qInfo("write-contention: %d created, %d 'database is locked' of 120", created, locked);
    QVERIFY(locked >= 1);
    QCOMPARE(created + locked, 120);

    auto healthy = startTarget({QStringLiteral("none")});
    QVERIFY(healthy);
    hammer(portOf(*healthy), &created, &locked);
    QCOMPARE(created, 120);
}

void TestDemoTarget::serves100ConcurrentKeepAliveClients()
{
    const int port = portOf(*m_shared);
    constexpr int kClients = 100;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<Client>(port));
        QVERIFY(clients.back()->connected());
    }
    // All 100 connections are open at once; each sends three requests on its own connection.
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < 3; ++k)
                if (clients[size_t(i)]->get("/api/v1/customers/" + QByteArray::number(1 + (i + k) % 500)).status == 200)
                    ++ok;
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(ok.load(), 3 * kClients);
    const QJsonObject health = Client(port).get("/health").json();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
}

void TestDemoTarget::malformedRequestsGet4xx_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n") << 400;
    QTest::newRow("no target") << QByteArray("GET HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("bad version") << QByteArray("GET / HTTP/x.y\r\n\r\n") << 400;
    QTest::newRow("http 2") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505;
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n") << 400;
    QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: x\n\r\n\r\n") << 400;
    QTest::newRow("negative length") << QByteArray("POST /api/items HTTP/1.1\r\nContent-Length: -5\r\n\r\n") << 400;
    QTest::newRow("conflicting lengths")
        << QByteArray("POST /api/items HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}") << 400;
    QTest::newRow("chunked") << QByteArray("POST /api/items HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                             << 501;
    QTest::newRow("huge body") << QByteArray("POST /api/items HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n") << 413;
    QTest::newRow("huge header") << QByteArray("GET / HTTP/1.1\r\nX-Big: " + QByteArray(40000, 'a') + "\r\n\r\n")
                                 << 431;
    QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15) << 400;
}

void TestDemoTarget::malformedRequestsGet4xx()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    const int port = portOf(*m_shared);
    Client client(port);
    const Reply reply = client.sendRaw(raw);
    QCOMPARE(reply.status, status);
    QVERIFY(reply.headers.toLower().contains("connection: close"));
    QCOMPARE(Client(port).get("/health").status, 200); // and the server is still there
}

void TestDemoTarget::singleConnectionSerialisesRequests()
{
    // 10 ms of work per request while holding the DB connection. With one shared connection, 8 concurrent
    // clients wait for each other (≈ 8x per request); with a pool and 8 handler threads they do not.
    const QStringList work = kFastSeed + QStringList{QStringLiteral("--work-ms"), QStringLiteral("10")};
    const QByteArray path = "/api/v1/customers/{id}";
    int failures = 0;
    double ratio[2] = {0, 0};
    const QStringList modes{QStringLiteral("single-connection"), QStringLiteral("none")};
    for (int m = 0; m < 2; ++m) {
        auto target = startTarget({modes[m]}, work);
        QVERIFY(target);
        const int port = portOf(*target);
        const double one = meanLatencyMs(port, 1, 20, path, &failures);
        QCOMPARE(failures, 0);
        const double eight = meanLatencyMs(port, 8, 20, path, &failures);
        QCOMPARE(failures, 0);
        ratio[m] = eight / one;
        qInfo("%s: 1 client %.1f ms/request, 8 clients %.1f ms/request, ratio %.2f", qPrintable(modes[m]), one, eight,
              ratio[m]);
    }
    QVERIFY2(ratio[0] >= 3.0, "single-connection must serialise: 8 clients at least 3x slower per request");
    QVERIFY2(ratio[1] < ratio[0] / 2, "a pooled target must scale clearly better than a serialised one");
}

void TestDemoTarget::sigtermExitsCleanlyAndRemovesTempDatabase()
{
    QProcess process;
    process.start(targetBinary(), kFastSeed + QStringList{QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForStarted());
    QByteArray out;
    QDeadlineTimer deadline(30000);
    while (!out.contains("LISTENING") && !deadline.hasExpired() && process.state() == QProcess::Running) {
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
    }
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines[0].startsWith("DATABASE sqlite:"));
    QVERIFY(lines[1].startsWith("LISTENING http://127.0.0.1:"));
    const QString dbPath = QString::fromLocal8Bit(lines[0].mid(16));
    QVERIFY(QFile::exists(dbPath));
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(!QFile::exists(dbPath));
    QVERIFY(!QFile::exists(dbPath + QStringLiteral("-wal")));
}

void TestDemoTarget::launcherReportsMissingBinaryAndBadFlaw()
{
    DemoLauncher launcher;
    DemoLauncher::Options options;
    options.flaws = {QStringLiteral("no-such-flaw")};
    QString error;
    QVERIFY(!launcher.start(options, &error));
    QVERIFY2(error.contains(QLatin1String("unknown flaw 'no-such-flaw'")), qPrintable(error));
    QVERIFY(!launcher.isRunning());

    const QByteArray saved = qgetenv("PREFLIGHT_DEMO_TARGET");
    qputenv("PREFLIGHT_DEMO_TARGET", "/nonexistent/preflight-demo-target");
    QVERIFY(!launcher.start(DemoLauncher::Options(), &error));
    qputenv("PREFLIGHT_DEMO_TARGET", saved);
    QVERIFY2(error.contains(QLatin1String("PREFLIGHT_DEMO_TARGET")), qPrintable(error));
}

void TestDemoTarget::noOrphanWhenLauncherIsKilled()
{
    // A helper process (this binary with --launcher-helper) starts the target through DemoLauncher, prints
    // its pid and database, then waits. SIGKILL the helper: the target must exit on its own, cleanly.
    QProcess helper;
    helper.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--launcher-helper")});
    QVERIFY(helper.waitForStarted());
    QByteArray out;
    QDeadlineTimer deadline(30000);
    while (!out.contains("DB ") && !deadline.hasExpired() && helper.state() == QProcess::Running) {
        helper.waitForReadyRead(200);
        out += helper.readAllStandardOutput();
    }
    QVERIFY2(out.contains("PID "), out.constData());
    qint64 pid = 0;
    QString dbPath;
    for (const QByteArray &line : out.split('\n')) {
        if (line.startsWith("PID "))
            pid = line.mid(4).trimmed().toLongLong();
        if (line.startsWith("DB sqlite:"))
            dbPath = QString::fromLocal8Bit(line.mid(10).trimmed());
    }
    QVERIFY(pid > 0);
    QVERIFY(!processGone(pid));
    helper.kill();
    QVERIFY(helper.waitForFinished(5000));
    QDeadlineTimer gone(15000);
    while (!processGone(pid) && !gone.hasExpired())
        QTest::qWait(50);
    if (!processGone(pid)) {
        ::kill(pid_t(pid), SIGKILL); // do not leave it behind even when failing
        QFAIL("the demo target outlived its launcher");
    }
    QVERIFY2(!QFile::exists(dbPath), "the target exited through its clean path (temp database removed)");
}

void TestDemoTarget::demoPlanIsValid()
{
    const Plan plan = demoPlan(m_shared->baseUrl(), m_shared->databaseConninfo());
    QCOMPARE(PlanParser::validate(plan), QString());
    QCOMPARE(plan.pool.kind, QStringLiteral("json"));
    QCOMPARE(plan.pool.pointers.at(QStringLiteral("in_use")), QStringLiteral("/pool/in_use"));
    QVERIFY(plan.database.isSqlite());
    QCOMPARE(plan.scenario.levels, (std::vector<int>{1, 2, 5, 10, 20, 50}));
    PlanError error;
    const auto reparsed = PlanParser::parse(QJsonDocument(plan.toJson()).toJson(), &error);
    QVERIFY2(reparsed.has_value(), qPrintable(error.toString()));
    QCOMPARE(int(reparsed->endpoints.size()), int(plan.endpoints.size()));

    // Every endpoint of the plan answers 2xx on the real target.
    Client client(portOf(*m_shared));
    for (const EndpointSpec &e : plan.endpoints) {
        QByteArray path = e.path.toUtf8().replace("{id}", "42");
        QByteArray body = QByteArray(e.body).replace("{seq}", "1");
        const Reply r = client.request(e.method.toUtf8(), path, body);
        QVERIFY2(r.status / 100 == 2, qPrintable(e.name));
    }
    QCOMPARE(client.get(plan.health_path.toUtf8()).status, 200);
}

// Helper mode for noOrphanWhenLauncherIsKilled: start a target and wait to be killed.
static int launcherHelper(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qputenv("PREFLIGHT_DEMO_TARGET", QFile::encodeName(targetBinary()));
    DemoLauncher launcher;
    DemoLauncher::Options options;
    options.flaws = {QStringLiteral("none")};
    options.extra_args = kFastSeed;
    QString error;
    if (!launcher.start(options, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("PID %lld\nDB %s\n", launcher.processId(), qPrintable(launcher.databaseConninfo()));
    std::fflush(stdout);
    QTimer::singleShot(60000, &app, &QCoreApplication::quit); // bounded even if nobody kills us
    return app.exec();
}

int main(int argc, char **argv)
{
    if (argc > 1 && std::strcmp(argv[1], "--launcher-helper") == 0)
        return launcherHelper(argc, argv);
    QCoreApplication app(argc, argv);
    TestDemoTarget test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_demotarget.moc"
