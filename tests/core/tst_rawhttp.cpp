// The raw HTTP/1.1 path's pieces (docs/engine.md): the response parser over byte streams cut anywhere, and
// one connection against a real loopback server.
#include "faultserver.h"

#include "load/httpresponseparser.h"
#include "load/rawconnection.h"

#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <unistd.h>

using namespace Preflight;
using PreflightTest::FaultServer;
using Result = HttpResponseParser::Result;

namespace {

// Feeds `stream` in pieces of `piece` bytes (0: all at once), then the end of the connection if `eof`.
Result feedAll(HttpResponseParser &p, const std::string &stream, size_t piece, bool eof)
{
    Result r = Result::NeedMore;
    const size_t step = piece == 0 ? stream.size() : piece;
    for (size_t at = 0; at < stream.size() && r == Result::NeedMore; at += step)
        r = p.feed(stream.data() + at, std::min(step, stream.size() - at));
    if (r == Result::NeedMore && eof)
        r = p.feedEof();
    return r;
}

sockaddr_in loopback(int port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Drives one connection until its request is done or failed (test helper; the worker does this in its loop).
RawConnection::Progress waitFor(RawConnection &c, int epollFd)
{
    char scratch[4096];
    for (int i = 0; i < 10000; ++i) {
        epoll_event ev{};
        if (epoll_wait(epollFd, &ev, 1, 5000) != 1)
            break;
        const auto p = c.handle(ev.events, scratch, sizeof scratch);
        if (p != RawConnection::Progress::Pending)
            return p;
    }
    return RawConnection::Progress::Pending;
}

} // namespace

class TestRawHttp : public QObject
{
    Q_OBJECT
private slots:
    void parsesAnswersCutAnywhere_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<bool>("head");
        QTest::addColumn<bool>("eof");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("bodyBytes");
        QTest::addColumn<bool>("keepAlive");
        QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << false
                                        << false << 200 << qint64(5) << true;
        QTest::newRow("chunked") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                               "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n")
                                 << false << false << 200 << qint64(9) << true;
        QTest::newRow("connection close")
            << QByteArray("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno") << false << false
            << 503 << qint64(2) << false;
        QTest::newRow("ended by the close")
            << QByteArray("HTTP/1.1 200 OK\r\n\r\nuntil the end") << false << true << 200 << qint64(13) << false;
        QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx") << false << false
                                  << 200 << qint64(1) << false;
        QTest::newRow("100 Continue then 201")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok") << false
            << false << 201 << qint64(2) << true;
        QTest::newRow("103 Early Hints then 200")
            << QByteArray(
                   "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            << false << false << 200 << qint64(0) << true;
        QTest::newRow("HEAD announces a body it does not send")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n") << true << false << 200 << qint64(0)
            << true;
        QTest::newRow("204 without length")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << false << 204 << qint64(0) << true;
    }

    void parsesAnswersCutAnywhere()
    {
        QFETCH(QByteArray, stream);
        QFETCH(bool, head);
        QFETCH(bool, eof);
        QFETCH(int, status);
        QFETCH(qint64, bodyBytes);
        QFETCH(bool, keepAlive);
        HttpResponseParser p;
        for (size_t piece : {size_t(0), size_t(1), size_t(2), size_t(7)}) {
            p.begin(head, 1 << 20);
            QCOMPARE(feedAll(p, stream.toStdString(), piece, eof), Result::Complete);
            QCOMPARE(p.status(), status);
            QCOMPARE(p.bodyBytes(), bodyBytes);
            QCOMPARE(p.keepAlive(), keepAlive);
        }
    }

    void failuresAreClassifiedAsTheCurlPathDoes_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("error");
        QTest::newRow("not HTTP") << QByteArray("this is not HTTP at all\r\n\r\n") << int(ErrorClass::Reset);
        QTest::newRow("closed before any answer") << QByteArray() << int(ErrorClass::Reset);
        QTest::newRow("closed mid-body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
                                         << int(ErrorClass::Reset);
        QTest::newRow("closed mid-chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nab") << int(ErrorClass::Reset);
        QTest::newRow("announced above the limit")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n") << int(ErrorClass::TooLarge);
        QTest::newRow("chunks above the limit")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n") + QByteArray(1024, 'x') +
                   QByteArray("\r\n400\r\n") + QByteArray(1024, 'x') + QByteArray("\r\n0\r\n\r\n")
            << int(ErrorClass::TooLarge);
    }

    void failuresAreClassifiedAsTheCurlPathDoes()
    {
        QFETCH(QByteArray, stream);
        QFETCH(int, error);
        HttpResponseParser p;
        for (size_t piece : {size_t(0), size_t(1), size_t(5)}) {
            p.begin(false, 1500);
            QCOMPARE(feedAll(p, stream.toStdString(), piece, true), Result::Failed);
            QCOMPARE(int(p.error()), error);
            QVERIFY(!p.errorMessage().empty());
        }
    }

    void failingAnswersKeepTheirEvidence()
    {
        HttpResponseParser p;
        const std::string answer = "HTTP/1.1 503 Service Unavailable\r\nServer: nginx\r\nretry-after: 7\r\n"
                                   "Retry-After: 9\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n" +
                                   std::string(3000, 'e');
        p.begin(false, 1 << 20);
        QCOMPARE(feedAll(p, answer, 3, false), Result::Complete);
        QCOMPARE(p.status(), 503);
        QCOMPARE(p.retryAfter(), std::string("7")); // the first of two, as one value
        QCOMPARE(p.contentType(), std::string("application/json"));
        QCOMPARE(p.server(), std::string("nginx"));
        QCOMPARE(p.errorBody().size(), size_t(2048)); // FailureSampler::kMaxBodyBytes
        // A success keeps nothing.
        p.begin(false, 1 << 20);
        QCOMPARE(feedAll(p, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\nok", 0, false),
                 Result::Complete);
        QVERIFY(p.server().empty());
        QVERIFY(p.errorBody().empty());
    }

    // No pipelining: bytes after the answer are not parsed as the next one, and the connection is not reused.
    void bytesPastTheAnswerEndKeepAlive()
    {
        HttpResponseParser p;
        p.begin(false, 100);
        const std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n";
        QCOMPARE(p.feed(two.data(), two.size()), Result::Complete);
        QCOMPARE(p.trailingBytes(), size_t(17));
        QVERIFY(!p.keepAlive());
    }

    void connectionIsReusedAndRefusalIsAConnectError()
    {
        FaultServer server;
        QVERIFY(server.start());
        const int epollFd = epoll_create1(EPOLL_CLOEXEC);
        RawConnection c;
        const sockaddr_in a = loopback(server.port());
        QCOMPARE(c.open(reinterpret_cast<const sockaddr *>(&a), sizeof a, epollFd, 7),
                 RawConnection::Progress::Pending);
        const std::string request = "GET /k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        for (int i = 0; i < 5; ++i) {
            QVERIFY(c.send(request.data(), request.size(), false, 1 << 20) != RawConnection::Progress::Failed);
            QCOMPARE(waitFor(c, epollFd), RawConnection::Progress::Done);
            QCOMPARE(c.response().status(), 200);
            QVERIFY(c.isIdle());
        }
        QCOMPARE(c.answered(), uint64_t(5));
        QCOMPARE(server.connectionsAccepted(), uint64_t(1));
        QCOMPARE(server.requestsSeen(), uint64_t(5));
        server.kill();
        c.close();

        RawConnection refused;
        auto p = refused.open(reinterpret_cast<const sockaddr *>(&a), sizeof a, epollFd, 8);
        if (p == RawConnection::Progress::Pending) {
            refused.send(request.data(), request.size(), false, 1 << 20);
            p = waitFor(refused, epollFd);
        }
        QCOMPARE(p, RawConnection::Progress::Failed);
        QCOMPARE(refused.error(), ErrorClass::Connect);
        QVERIFY(!refused.isOpen());
        ::close(epollFd);
    }
};

QTEST_GUILESS_MAIN(TestRawHttp)
#include "tst_rawhttp.moc"
