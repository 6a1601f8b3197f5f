// PoolSampler: the application's own connection-pool figures from its health JSON or Prometheus metrics.
#include "db/poolsampler.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Preflight;

namespace {
// Loopback HTTP server answering every request with the current (status, body).
class StaticServer
{
public:
    StaticServer()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len);
        m_port = ntohs(a.sin_port);
        ::listen(m_fd, 16);
        m_thread = std::thread([this] { loop(); });
    }
    ~StaticServer()
    {
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }
    void set(int status, const QByteArray &body)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_status = status;
        m_body = body;
    }
    std::string url(const char *path) const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }

private:
    void loop()
    {
        while (true) {
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0)
                return;
            QByteArray req;
            char buf[2048];
            while (!req.contains("\r\n\r\n")) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                req.append(buf, int(n));
            }
            QByteArray resp;
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                resp = "HTTP/1.1 " + QByteArray::number(m_status) +
                       " X\r\nContent-Length: " + QByteArray::number(m_body.size()) + "\r\nConnection: close\r\n\r\n" +
                       m_body;
            }
            ::send(c, resp.constData(), size_t(resp.size()), MSG_NOSIGNAL);
            ::close(c);
        }
    }
    int m_fd = -1;
    int m_port = 0;
    std::mutex m_mutex;
    int m_status = 200;
    QByteArray m_body;
    std::thread m_thread;
};

const QByteArray kHikari = R"(# HELP hikaricp_connections_active Active connections
# TYPE hikaricp_connections_active gauge
hikaricp_connections_active{pool="HikariPool-1"} 7.0
hikaricp_connections_active{pool="Reports",note="a } in a label"} 1.0
hikaricp_connections_idle{pool="HikariPool-1"} 3.0
hikaricp_connections_max{pool="HikariPool-1"} 10.0
hikaricp_connections_pending{pool="HikariPool-1"} 4.0 1712345678000
jvm_threads_live 42
)";
} // namespace

class TestPgPool : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void jsonPointer_data();
    void jsonPointer();
    void sqlalchemyPreset();
    void customPointersAndStrings();
    void brokenJsonIsAWarningValue();
    void hikariPreset();
    void prometheusMissingMetrics();
    void figuresBeyondAnyPoolAreNoCounts();
    void liveSamplerAndBrokenEndpoint();
};

void TestPgPool::jsonPointer_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<double>("expected");
    QTest::newRow("nested") << QStringLiteral("/pool/checked_out") << 3.0;
    QTest::newRow("array") << QStringLiteral("/pools/1/size") << 9.0;
    QTest::newRow("escaped slash") << QStringLiteral("/a~1b") << 1.0;
    QTest::newRow("escaped tilde") << QStringLiteral("/c~0d") << 2.0;
    QTest::newRow("missing") << QStringLiteral("/pool/nope") << -1.0;
}

void TestPgPool::jsonPointer()
{
    QFETCH(QString, pointer);
    QFETCH(double, expected);
    const QJsonDocument doc =
        QJsonDocument::fromJson(R"({"pool":{"checked_out":3},"pools":[{"size":5},{"size":9}],"a/b":1,"c~d":2})");
    const QJsonValue v = PoolSampler::jsonPointer(doc.object(), pointer);
    QCOMPARE(v.isUndefined() ? -1.0 : v.toDouble(), expected);
}

void TestPgPool::sqlalchemyPreset()
{
    const PoolSpec spec = PoolSampler::preset(QStringLiteral("sqlalchemy"));
    QCOMPARE(spec.kind, QStringLiteral("json"));
    const PoolSample s = PoolSampler::parseJson(
        R"({"status":"ok","pool":{"checked_out":5,"checked_in":0,"max":15,"waiting":12}})", spec.pointers);
    QVERIFY(s.ok);
    QCOMPARE(s.in_use, 5);
    QCOMPARE(s.idle, 0);
    QCOMPARE(s.max, 15);
    QCOMPARE(s.waiting, 12);
}

void TestPgPool::customPointersAndStrings()
{
    const PoolSample s = PoolSampler::parseJson(
        R"({"db":{"busy":"4","free":2}})",
        {{QStringLiteral("in_use"), QStringLiteral("/db/busy")}, {QStringLiteral("idle"), QStringLiteral("/db/free")}});
    QVERIFY(s.ok);
    QCOMPARE(s.in_use, 4);
    QCOMPARE(s.idle, 2);
    QCOMPARE(s.max, -1); // not reported
}

void TestPgPool::brokenJsonIsAWarningValue()
{
    const auto pointers = PoolSampler::preset(QStringLiteral("sqlalchemy")).pointers;
    PoolSample s = PoolSampler::parseJson("<html>oops</html>", pointers);
    QVERIFY(!s.ok);
    QVERIFY(!s.error.isEmpty());
    s = PoolSampler::parseJson(R"({"status":"ok"})", pointers);
    QVERIFY(!s.ok);
    QVERIFY(s.error.contains(QLatin1String("/pool/checked_out")));
}

void TestPgPool::hikariPreset()
{
    const PoolSpec spec = PoolSampler::preset(QStringLiteral("hikaricp"));
    QCOMPARE(spec.kind, QStringLiteral("prometheus"));
    const PoolSample s = PoolSampler::parsePrometheus(kHikari, spec.metrics);
    QVERIFY(s.ok);
    QCOMPARE(s.in_use, 8); // summed over both pools
    QCOMPARE(s.idle, 3);
    QCOMPARE(s.max, 10);
    QCOMPARE(s.waiting, 4);
}

void TestPgPool::prometheusMissingMetrics()
{
    const PoolSample s =
        PoolSampler::parsePrometheus("jvm_threads_live 42\n", PoolSampler::preset(QStringLiteral("hikaricp")).metrics);
    QVERIFY(!s.ok);
    QVERIFY(s.error.contains(QLatin1String("hikaricp_connections_active")));
}

// A number no pool can have (found by reading what fuzz_pool could not flag: rounding 1e300 into an int is not
// undefined behaviour, just a made-up pool) is reported as missing, not as a count.
void TestPgPool::figuresBeyondAnyPoolAreNoCounts()
{
    const PoolSample json =
        PoolSampler::parseJson("{\"pool\":{\"in_use\":1e300,\"max\":\"inf\",\"idle\":\"nan\",\"waiting\":2}}",
                               {{QStringLiteral("in_use"), QStringLiteral("/pool/in_use")},
                                {QStringLiteral("max"), QStringLiteral("/pool/max")},
                                {QStringLiteral("idle"), QStringLiteral("/pool/idle")},
                                {QStringLiteral("waiting"), QStringLiteral("/pool/waiting")}});
    QVERIFY(json.ok); // the one real figure is kept
    QCOMPARE(json.waiting, 2);
    QCOMPARE(json.in_use, -1);
    QCOMPARE(json.max, -1);
    QCOMPARE(json.idle, -1);
    QVERIFY2(json.error.contains(QLatin1String("/pool/in_use")), qPrintable(json.error));

    const PoolSample prom =
        PoolSampler::parsePrometheus("hikaricp_connections_active 9e18\nhikaricp_connections_max 10\n",
                                     PoolSampler::preset(QStringLiteral("hikaricp")).metrics);
    QCOMPARE(prom.in_use, -1);
    QCOMPARE(prom.max, 10);
}

void TestPgPool::liveSamplerAndBrokenEndpoint()
{
    StaticServer server;
    server.set(200, R"({"pool":{"checked_out":2,"checked_in":3,"max":5}})");
    PoolSampler::Options o;
    o.interval_ms = 100;
    o.timeout_ms = 500;
    PoolSpec spec;
    spec.kind = QStringLiteral("json"); // no pointers: the sqlalchemy preset
    PoolSampler sampler(spec, server.url("/health"), std::chrono::steady_clock::now(), o);
    QSignalSpy spy(&sampler, &PoolSampler::sampleAvailable);
    sampler.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 10000);
    PoolSample s = spy.last().at(0).value<PoolSample>();
    QVERIFY2(s.ok, qPrintable(s.error));
    QCOMPARE(s.in_use, 2);
    QCOMPARE(s.max, 5);
    QVERIFY(s.t_s > 0);

    server.set(404, "not found");
    spy.clear();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 10000);
    s = spy.last().at(0).value<PoolSample>();
    QVERIFY(!s.ok);
    QVERIFY2(s.error.contains(QLatin1String("404")), qPrintable(s.error));
    sampler.stop();
    QVERIFY(!sampler.isRunning());

    // Nobody listening: still samples, each a warning value.
    PoolSampler dead(spec, "http://127.0.0.1:1/health", std::chrono::steady_clock::now(), o);
    QSignalSpy deadSpy(&dead, &PoolSampler::sampleAvailable);
    dead.start();
    QTRY_VERIFY_WITH_TIMEOUT(deadSpy.count() >= 1, 10000);
    dead.stop();
    QVERIFY(!deadSpy.first().at(0).value<PoolSample>().ok);
}

QTEST_GUILESS_MAIN(TestPgPool)
#include "tst_pgpool.moc"
