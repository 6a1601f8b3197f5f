#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

#include <deque>
#include <functional>
#include <vector>

class QHostAddress;
class QSslSocket;

namespace Preflight {

// The coordinator's listening socket: accepts TCP connections and runs each one's TLS server handshake itself, then
// hands the encrypted socket on (to QWebSocketServer::handleConnection). It replaces QWebSocketServer's SecureMode,
// whose QSslServer (Qt 6.4) crashed when handshakes timed out under load (issue 17, docs/benchmarks.md).
//
// Bounds, both so that a starved thread finishes some handshakes rather than timing all of them out:
// - each connection has handshakeTimeout_ms from the start of its TLS handshake until settle() names it (the
//   WebSocket upgrade is done); then it is aborted and deleted. The timer is a child of the socket and dies with it.
// - at most maxPendingHandshakes TLS handshakes run at once; connections beyond that are accepted but wait, not
//   read, in arrival order (and accepting pauses, leaving the rest in the kernel's backlog) until one ends.
//
// Sockets are children of the acceptor until then; after the hand-off the WebSocket server deletes them when they
// disconnect. Lives on one thread with an event loop; every member is called on it.
class TlsAcceptor : public QTcpServer
{
    Q_OBJECT
public:
    TlsAcceptor(const QSslConfiguration &tls, int handshakeTimeout_ms, int maxPendingHandshakes,
                QObject *parent = nullptr);
    ~TlsAcceptor() override;

    // Called when a connection's TLS handshake completed; the socket is then the callee's (its deadline runs on).
    std::function<void(QSslSocket *)> onEncrypted;

    // The WebSocket upgrade of the connection from peer:peerPort is done: its deadline stops. Unknown peers are
    // ignored.
    void settle(const QHostAddress &peer, quint16 peerPort);
    // Stops listening and aborts every connection not yet settled, queued ones included.
    void closeAll();

    int runningHandshakes() const { return int(m_handshaking.size()); } // TLS handshakes under way
    int queuedConnections() const { return int(m_queued.size()); }      // accepted, waiting for a slot
    int unsettledConnections() const { return int(m_handshaking.size() + m_upgrading.size()); }

signals:
    // A connection was dropped before it was settled: `reason` says why (timeout, TLS error, closed). Diagnostics.
    void connectionDropped(const QString &peer, const QString &reason);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void startHandshake(qintptr descriptor);
    void onHandshakeEnded();
    void drop(QSslSocket *socket, const QString &reason);
    void forget(QObject *socket);

    QSslConfiguration m_tls;
    int m_handshakeTimeout_ms;
    int m_maxPendingHandshakes;
    std::vector<QSslSocket *> m_handshaking; // TLS under way
    std::vector<QSslSocket *> m_upgrading;   // encrypted and handed on, not yet settled
    std::deque<qintptr> m_queued;            // accepted descriptors waiting for a handshake slot
};

} // namespace Preflight
