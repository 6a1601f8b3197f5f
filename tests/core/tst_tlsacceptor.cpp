// The coordinator's TLS acceptor (core/distributed/tlsacceptor.h) on loopback, in one thread: every connection's TLS
// handshake and WebSocket upgrade is bounded by its own deadline, connections that stall or leave mid-handshake are
// dropped without disturbing a proper client, and handshakes beyond the bound wait for a free slot.
#include "agentcredentials.h"

#include "distributed/tlsacceptor.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>
#include <vector>

using namespace Preflight;

namespace {
constexpr int kTimeout_ms = 600;
}

class TestTlsAcceptor : public QObject
{
    Q_OBJECT
private:
    PreflightTest::AgentCredentials m_credentials;
    QSslConfiguration m_serverTls;
    QSslConfiguration m_clientTls;
    std::unique_ptr<QWebSocketServer> m_webSockets;
    std::unique_ptr<TlsAcceptor> m_acceptor;
    std::vector<QWebSocket *> m_upgraded; // owned by m_webSockets' caller: deleted in cleanup()

    // An acceptor wired as AgentCoordinator::listen() wires it, on 127.0.0.1 and a port the system chooses.
    void listen(int maxPending)
    {
        m_webSockets =
            std::make_unique<QWebSocketServer>(QStringLiteral("preflight test"), QWebSocketServer::NonSecureMode);
        m_acceptor = std::make_unique<TlsAcceptor>(m_serverTls, kTimeout_ms, maxPending);
        m_acceptor->onEncrypted = [this](QSslSocket *socket) { m_webSockets->handleConnection(socket); };
        connect(m_webSockets.get(), &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_webSockets->nextPendingConnection()) {
                m_acceptor->settle(ws->peerAddress(), ws->peerPort());
                m_upgraded.push_back(ws);
            }
        });
        QVERIFY(m_acceptor->listen(QHostAddress::LocalHost, 0));
        QVERIFY(m_acceptor->serverPort() != 0);
    }

    QUrl url() const { return QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(m_acceptor->serverPort())); }

    std::unique_ptr<QWebSocket> agent() const
    {
        auto ws = std::make_unique<QWebSocket>();
        ws->setSslConfiguration(m_clientTls);
        ws->open(url());
        return ws;
    }

    std::unique_ptr<QTcpSocket> silentClient() const
    {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, m_acceptor->serverPort());
        return s;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_credentials.make(), qPrintable(m_credentials.error()));
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_credentials.certFile());
        QFile keyFile(m_credentials.keyFile());
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const QSslKey key(&keyFile, QSsl::Rsa);
        QVERIFY(!chain.isEmpty() && !key.isNull());
        m_serverTls = QSslConfiguration::defaultConfiguration();
        m_serverTls.setLocalCertificateChain(chain);
        m_serverTls.setPrivateKey(key);
        m_serverTls.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_serverTls.setProtocol(QSsl::TlsV1_2OrLater);
        m_clientTls = QSslConfiguration::defaultConfiguration();
        m_clientTls.setCaCertificates(QSslCertificate::fromPath(m_credentials.caFile()));
    }

    void cleanup()
    {
        for (QWebSocket *ws : m_upgraded)
            delete ws;
        m_upgraded.clear();
        m_acceptor.reset();
        m_webSockets.reset();
    }

    // A client that opens TCP and never starts TLS is dropped at the deadline; a proper client connecting meanwhile
    // is upgraded and stays connected long after it.
    void silentClientIsDroppedAtTheDeadline()
    {
        listen(8);
        QSignalSpy dropped(m_acceptor.get(), &TlsAcceptor::connectionDropped);
        QElapsedTimer clock;
        clock.start();
        const auto silent = silentClient();
        QVERIFY(silent->waitForConnected(5000));
        const auto ws = agent();
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
        QCOMPARE(int(m_upgraded.size()), 1);

        QTRY_COMPARE_WITH_TIMEOUT(dropped.count(), 1, 5000);
        QVERIFY(clock.elapsed() >= kTimeout_ms - 50);
        QVERIFY2(dropped.at(0).at(1).toString().contains(QLatin1String("not done within 0.6 s")),
                 qPrintable(dropped.at(0).at(1).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(silent->state(), QAbstractSocket::UnconnectedState, 5000);

        // The upgraded connection's deadline ended with the upgrade.
        QTest::qWait(2 * kTimeout_ms);
        QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(m_acceptor->unsettledConnections(), 0);
        QSignalSpy received(m_upgraded.front(), &QWebSocket::textMessageReceived);
        ws->sendTextMessage(QStringLiteral("hello"));
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 5000);
    }

    // Clients that leave at each point of the handshake are dropped (none waits for the deadline when the client's
    // close is seen), and a proper client that comes after them is upgraded.
    void clientsLeavingMidHandshakeDoNotDisturb_data()
    {
        QTest::addColumn<QString>("leave");
        for (const char *leave : {"after connecting", "after a partial ClientHello", "in the middle of TLS",
                                  "after TLS, before the upgrade", "speaking plain HTTP"})
            QTest::newRow(leave) << QString::fromLatin1(leave);
    }
    void clientsLeavingMidHandshakeDoNotDisturb()
    {
        QFETCH(QString, leave);
        listen(8);
        QSignalSpy dropped(m_acceptor.get(), &TlsAcceptor::connectionDropped);
        const int clients = 4;
        for (int i = 0; i < clients; ++i) {
            if (leave == QLatin1String("after connecting") || leave == QLatin1String("speaking plain HTTP") ||
                leave == QLatin1String("after a partial ClientHello")) {
                const auto s = silentClient();
                QVERIFY(s->waitForConnected(5000));
                if (leave == QLatin1String("speaking plain HTTP"))
                    s->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                else if (leave == QLatin1String("after a partial ClientHello"))
                    s->write(QByteArray::fromHex("160301"));
                s->waitForBytesWritten(1000);
                QTest::qWait(20);
                if (leave != QLatin1String("speaking plain HTTP"))
                    s->abort();
                else
                    QTRY_COMPARE_WITH_TIMEOUT(s->state(), QAbstractSocket::UnconnectedState, 5000);
                continue;
            }
            QSslSocket s;
            s.setSslConfiguration(m_clientTls);
            s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_acceptor->serverPort());
            if (leave == QLatin1String("in the middle of TLS")) {
                QVERIFY(s.waitForConnected(5000));
                QTest::qWait(30); // the ClientHello is out, the server's answer on its way
            } else {
                // Not waitForEncrypted(): the server runs on this thread's event loop.
                QTRY_VERIFY_WITH_TIMEOUT(s.isEncrypted(), 5000);
                QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->runningHandshakes(), 0, 5000); // handed on, not upgraded
            }
            s.abort();
        }
        const auto ws = agent();
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(dropped.count(), clients, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->unsettledConnections(), 0, 5000);
        QCOMPARE(int(m_upgraded.size()), 1);
        QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
    }

    // With every handshake slot held by silent clients, a proper client waits, unread, until the deadline frees a
    // slot, then is upgraded.
    void handshakesBeyondTheBoundWaitForASlot()
    {
        listen(2);
        QSignalSpy dropped(m_acceptor.get(), &TlsAcceptor::connectionDropped);
        QElapsedTimer clock;
        clock.start();
        const auto silent1 = silentClient();
        const auto silent2 = silentClient();
        QVERIFY(silent1->waitForConnected(5000) && silent2->waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->runningHandshakes(), 2, 5000);
        const auto ws = agent();
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->queuedConnections(), 1, 5000);
        QCOMPARE(m_acceptor->runningHandshakes(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 10000);
        QVERIFY2(clock.elapsed() >= kTimeout_ms - 50, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(dropped.count(), 2);
        QCOMPARE(m_acceptor->queuedConnections(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->runningHandshakes(), 0, 5000);
    }

    // Closing (the barrier failed or the run ended) drops every unsettled connection, queued ones included, and
    // leaves upgraded ones alone; deleting the acceptor with handshakes under way is safe.
    void closeAllDropsUnsettledConnections()
    {
        listen(1);
        const auto ws = agent();
        QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);
        const auto silent1 = silentClient();
        const auto silent2 = silentClient();
        QVERIFY(silent1->waitForConnected(5000) && silent2->waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->queuedConnections(), 1, 5000);
        m_acceptor->closeAll();
        QVERIFY(!m_acceptor->isListening());
        QCOMPARE(m_acceptor->unsettledConnections(), 0);
        QCOMPARE(m_acceptor->queuedConnections(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(silent1->state(), QAbstractSocket::UnconnectedState, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(silent2->state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);

        listen(1);
        const auto silent3 = silentClient();
        const auto silent4 = silentClient();
        QVERIFY(silent3->waitForConnected(5000) && silent4->waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(m_acceptor->queuedConnections(), 1, 5000);
        m_acceptor.reset(); // its deadlines die with their sockets
        QTest::qWait(2 * kTimeout_ms);
        QTRY_COMPARE_WITH_TIMEOUT(silent3->state(), QAbstractSocket::UnconnectedState, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(silent4->state(), QAbstractSocket::UnconnectedState, 5000);
    }
};

QTEST_GUILESS_MAIN(TestTlsAcceptor)
#include "tst_tlsacceptor.moc"
