// preflight-demo-target on PostgreSQL (a throwaway server from tests/support/pgserver.h): the flaws seen
// from the database's side. conn-per-request opens one backend per request (pg_stat_database.sessions),
// a healthy pool reuses its connections, small-pool plateaus at 5 + 10 = 15 backends under load, and
// n-plus-one shows up in pg_stat_statements as N calls of each child query for one request, and
// write-contention fails writers on the lock timeout while pg_stat_activity shows Lock waits.
#include "demo/demolauncher.h"
#include "pgserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrl>

#include <atomic>
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

// Minimal blocking keep-alive GET client (responses are Content-Length framed by the demo target).
class Client
{
public:
    explicit Client(int port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv{60, 0};
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
    // Status code (0 on transport failure); the body in *body.
    int get(const QByteArray &target, QByteArray *body = nullptr)
    {
        const QByteArray raw = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        if (m_fd < 0 || ::send(m_fd, raw.constData(), size_t(raw.size()), MSG_NOSIGNAL) != raw.size())
            return 0;
        qsizetype end;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0)
            if (!fill())
                return 0;
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        qint64 length = 0;
        for (const QByteArray &line : head.split('\n'))
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        while (m_buffer.size() < length)
            if (!fill())
                return 0;
        if (body)
            *body = m_buffer.left(qsizetype(length));
        m_buffer.remove(0, qsizetype(length));
        return head.split(' ').value(1).toInt();
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

} // namespace

class TestDemoTargetPg : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void connPerRequestOpensABackendPerRequest();
    void healthyPoolReusesConnections();
    void smallPoolPlateausAtFifteenBackends();
    void nPlusOneSeenInPgStatStatements();
    void writeContentionHitsTheLockTimeout();
    void sessionsCarryTheApplicationName();

private:
    std::unique_ptr<DemoLauncher> start(const QStringList &flaws, const QStringList &extra = {});
    qint64 sessions() const;
    int demoBackends() const;
    QString demoBackendPids() const; // "101,102": the demo's live backends

    PgTestServer m_pg;
    QString m_conninfo;
};

void TestDemoTargetPg::initTestCase()
{
#ifndef PREFLIGHT_DEMO_TARGET_BIN
    QSKIP("preflight-demo-target is not built in this configuration");
#else
    qputenv("PREFLIGHT_DEMO_TARGET", PREFLIGHT_DEMO_TARGET_BIN);
#endif
    PREFLIGHT_START_PG(m_pg);
    QString error;
    QVERIFY2(m_pg.createDatabase(QStringLiteral("demo"), QString(), &error), qPrintable(error));
    QVERIFY2(
        m_pg.exec(QStringLiteral("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"), QStringLiteral("demo"), &error),
        qPrintable(error));
    m_conninfo = m_pg.conninfo(QStringLiteral("demo"));
}

std::unique_ptr<DemoLauncher> TestDemoTargetPg::start(const QStringList &flaws, const QStringList &extra)
{
    auto launcher = std::make_unique<DemoLauncher>();
    DemoLauncher::Options options;
    options.flaws = flaws;
    options.db = m_conninfo;
    options.extra_args = QStringList{QStringLiteral("--orders"), QStringLiteral("2000")} + extra;
    QString error;
    if (!launcher->start(options, &error)) {
        qWarning("%s", qPrintable(error));
        return nullptr;
    }
    return launcher;
}

qint64 TestDemoTargetPg::sessions() const
{
    // Each queryValue() is a new session of its own, so it never reads a stale stats snapshot.
    return m_pg.queryValue(QStringLiteral("SELECT sessions FROM pg_stat_database WHERE datname = 'demo'")).toLongLong();
}

QString TestDemoTargetPg::demoBackendPids() const
{
    return m_pg.queryValue(QStringLiteral("SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM "
                                          "pg_stat_activity WHERE application_name = 'preflight-demo-target'"));
}

int TestDemoTargetPg::demoBackends() const
{
    return m_pg
        .queryValue(QStringLiteral("SELECT count(*) FROM pg_stat_activity "
                                   "WHERE application_name = 'preflight-demo-target'"))
        .toInt();
}

void TestDemoTargetPg::connPerRequestOpensABackendPerRequest()
{
    auto target = start({QStringLiteral("conn-per-request")});
    QVERIFY(target);
    Client client(QUrl(target->baseUrl()).port());
    QCOMPARE(client.get("/api/v1/customers/1"), 200);
    // A backend flushes its session counter before it leaves pg_stat_activity: once the warm-up request's backend
    // is gone, it is counted.
    QTRY_COMPARE_WITH_TIMEOUT(demoBackends(), 0, 10000);
    const qint64 before = sessions();
    constexpr int kRequests = 40;
    for (int i = 0; i < kRequests; ++i)
        QCOMPARE(client.get("/api/v1/customers/" + QByteArray::number(1 + i)), 200);
    QTRY_COMPARE_WITH_TIMEOUT(demoBackends(), 0, 10000);
    const qint64 delta = sessions() - before;
    qInfo("conn-per-request: %lld new sessions for %d requests", delta, kRequests);
    QVERIFY(delta >= kRequests);
    QVERIFY(delta <= kRequests + 5); // the test's own queries add a few
}

void TestDemoTargetPg::healthyPoolReusesConnections()
{
    auto target = start({QStringLiteral("none")});
    QVERIFY(target);
    Client client(QUrl(target->baseUrl()).port());
    QCOMPARE(client.get("/api/v1/customers/1"), 200);
    // pg_stat_activity is live (no statistics flush involved): the pool's backends after 40 requests are the very
    // ones that served the first.
    const QString backends = demoBackendPids();
    QVERIFY(!backends.isEmpty());
    for (int i = 0; i < 40; ++i)
        QCOMPARE(client.get("/api/v1/customers/" + QByteArray::number(1 + i)), 200);
    qInfo("pooled: backends %s after the first request, %s after 40 more", qPrintable(backends),
          qPrintable(demoBackendPids()));
    QCOMPARE(demoBackendPids(), backends);
}

void TestDemoTargetPg::smallPoolPlateausAtFifteenBackends()
{
    auto target = start({QStringLiteral("small-pool")});
    QVERIFY(target);
    const int port = QUrl(target->baseUrl()).port();
    // 40 clients against a 5 + 10 pool whose handlers hold connections 20-50 ms: demand well above 15.
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 40; ++c) {
        clients.emplace_back([&, c] {
            Client client(port);
            for (int i = 0; i < 200 && !stop; ++i) {
                if (client.get("/api/v1/customers/" + QByteArray::number(1 + (c + i) % 500)) == 200)
                    ++ok;
                else
                    ++failed;
            }
        });
    }
    int maxBackends = 0, maxWaiting = 0;
    QDeadlineTimer deadline(4000);
    Client health(port);
    while (!deadline.hasExpired()) {
        maxBackends = std::max(maxBackends, demoBackends());
        QByteArray body;
        if (health.get("/health", &body) == 200)
            maxWaiting = std::max(maxWaiting, QJsonDocument::fromJson(body)
                                                  .object()
                                                  .value(QStringLiteral("pool"))
                                                  .toObject()
                                                  .value(QStringLiteral("waiting"))
                                                  .toInt());
        QTest::qWait(50);
    }
    stop = true;
    for (auto &t : clients)
        t.join();
    qInfo("small-pool: max %d demo backends, max %d waiting, %d ok, %d failed", maxBackends, maxWaiting, ok.load(),
          failed.load());
    QCOMPARE(maxBackends, 15);
    QVERIFY(maxWaiting > 0);
    QCOMPARE(failed.load(), 0); // waits are far below the 30 s pool timeout
}

void TestDemoTargetPg::nPlusOneSeenInPgStatStatements()
{
    auto target = start({QStringLiteral("n-plus-one")});
    QVERIFY(target);
    Client client(QUrl(target->baseUrl()).port());
    QVERIFY(!m_pg.queryValue(QStringLiteral("SELECT pg_stat_statements_reset()"), QStringLiteral("demo")).isNull());
    QByteArray body;
    QCOMPARE(client.get("/api/admin/customers/7?include=appointmentDetails", &body), 200);
    const int n = int(QJsonDocument::fromJson(body).object().value(QStringLiteral("appointments")).toArray().size());
    QVERIFY(n >= 18);
    const auto calls = [this](const char *like) {
        return m_pg
            .queryValue(QStringLiteral("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%1'")
                            .arg(QLatin1String(like)),
                        QStringLiteral("demo"))
            .toInt();
    };
    QCOMPARE(calls("SELECT id, name, price_cents FROM services WHERE appointment_id = $1"), n);
    QCOMPARE(calls("SELECT id, amount_cents, method, paid_at FROM payments WHERE appointment_id = $1"), n);
    QCOMPARE(calls("SELECT id, channel, body, sent_at FROM messages WHERE appointment_id = $1"), n);
    QCOMPARE(calls("SELECT c.id, c.name, c.email, c.phone, c.city, c.company, a.id%"), 1);
}

void TestDemoTargetPg::writeContentionHitsTheLockTimeout()
{
    auto target = start({QStringLiteral("write-contention")});
    QVERIFY(target);
    const int port = QUrl(target->baseUrl()).port();
    std::atomic<int> created{0}, locked{0}, other{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 12; ++c) {
        clients.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                // Client only sends GETs; the POST is written by hand on a fresh connection.
                const QByteArray json = R"({"name":"w"})";
                const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sockaddr_in a{};
                a.sin_family = AF_INET;
                a.sin_port = htons(quint16(port));
                a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                timeval tv{30, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                QByteArray reply;
                if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0) {
                    const QByteArray raw = "POST /api/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                           "Content-Length: " +
                                           QByteArray::number(json.size()) + "\r\n\r\n" + json;
                    ::send(fd, raw.constData(), size_t(raw.size()), MSG_NOSIGNAL);
                    char chunk[4096];
                    ssize_t n;
                    while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0)
                        reply.append(chunk, n);
                }
                ::close(fd);
                if (reply.startsWith("HTTP/1.1 201"))
                    ++created;
                else if (reply.startsWith("HTTP/1.1 503") && reply.contains("lock timeout"))
                    ++locked;
                else
                    ++other;
            }
        });
    }
    int maxLockWaits = 0;
    for (int i = 0; i < 40; ++i) {
        maxLockWaits =
            std::max(maxLockWaits,
                     m_pg
                         .queryValue(QStringLiteral(
                             "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'preflight-demo-target' "
                             "AND wait_event_type = 'Lock'"))
                         .toInt());
        QTest::qWait(20);
    }
    for (auto &t : clients)
        t.join();
    QVERIFY(maxLockWaits >= 1); // the wait is visible as wait_event_type = Lock
    qInfo("write-contention on PostgreSQL: %d created, %d lock timeouts, %d other", created.load(), locked.load(),
          other.load());
    QCOMPARE(other.load(), 0);
    QVERIFY(created.load() >= 1);
    QVERIFY(locked.load() >= 1);
}

void TestDemoTargetPg::sessionsCarryTheApplicationName()
{
    auto target = start({QStringLiteral("single-connection")});
    QVERIFY(target);
    Client client(QUrl(target->baseUrl()).port());
    QCOMPARE(client.get("/api/v1/customers/1"), 200);
    QCOMPARE(demoBackends(), 1);
    target.reset(); // stops the target
    QTRY_COMPARE_WITH_TIMEOUT(demoBackends(), 0, 10000);
}

QTEST_GUILESS_MAIN(TestDemoTargetPg)
#include "tst_demotarget_pg.moc"
