#include "tlsacceptor.h"

#include <QHostAddress>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <unistd.h>

namespace Preflight {

namespace {
const QString kDeadlineName = QStringLiteral("preflight-handshake-deadline");

bool eraseFrom(std::vector<QSslSocket *> &list, const QObject *socket)
{
    const auto it = std::find(list.begin(), list.end(), socket);
    if (it == list.end())
        return false;
    list.erase(it);
    return true;
}

bool contains(const std::vector<QSslSocket *> &list, const QObject *socket)
{
    return std::find(list.begin(), list.end(), socket) != list.end();
}
} // namespace

TlsAcceptor::TlsAcceptor(const QSslConfiguration &tls, int handshakeTimeout_ms, int maxPendingHandshakes,
                         QObject *parent)
    : QTcpServer(parent), m_tls(tls), m_handshakeTimeout_ms(handshakeTimeout_ms),
      m_maxPendingHandshakes(std::max(1, maxPendingHandshakes))
{
}

TlsAcceptor::~TlsAcceptor()
{
    for (qintptr descriptor : m_queued)
        ::close(int(descriptor));
    // The sockets are children and die with QObject's destructor, after these members: nothing may call back.
    for (QSslSocket *socket : findChildren<QSslSocket *>(QString(), Qt::FindDirectChildrenOnly))
        socket->disconnect(this);
}

void TlsAcceptor::incomingConnection(qintptr descriptor)
{
    // QTcpServer accepts everything the kernel has queued in one go; what exceeds the bound waits here, unread,
    // and pausing leaves later arrivals in the listen backlog.
    if (int(m_handshaking.size()) >= m_maxPendingHandshakes) {
        m_queued.push_back(descriptor);
        pauseAccepting();
        return;
    }
    startHandshake(descriptor);
}

void TlsAcceptor::startHandshake(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    socket->setSslConfiguration(m_tls);
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        return;
    }
    m_handshaking.push_back(socket);

    // Owned by the socket: no timer outlives its connection, whoever deletes it (us, the WebSocket server).
    auto *deadline = new QTimer(socket);
    deadline->setObjectName(kDeadlineName);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, this, [this, socket] {
        drop(socket, QStringLiteral("TLS handshake and WebSocket upgrade not done within %1 s")
                         .arg(m_handshakeTimeout_ms / 1000.0));
    });
    deadline->start(m_handshakeTimeout_ms);

    connect(socket, &QSslSocket::encrypted, this, [this, socket] {
        if (!eraseFrom(m_handshaking, socket))
            return;
        m_upgrading.push_back(socket);
        onHandshakeEnded();
        if (onEncrypted)
            onEncrypted(socket);
    });
    // SSL errors are not ignored: the handshake fails and errorOccurred follows (the server verifies no peer).
    connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket] {
        if (contains(m_handshaking, socket))
            drop(socket, QStringLiteral("TLS handshake failed: ") + socket->errorString());
    });
    connect(socket, &QAbstractSocket::disconnected, this, [this, socket] {
        if (contains(m_handshaking, socket))
            drop(socket, QStringLiteral("closed during the TLS handshake"));
        else if (contains(m_upgrading, socket))
            drop(socket, QStringLiteral("closed before the WebSocket upgrade"));
    });
    connect(socket, &QObject::destroyed, this, [this](QObject *gone) { forget(gone); });

    socket->startServerEncryption();
}

void TlsAcceptor::onHandshakeEnded()
{
    while (!m_queued.empty() && int(m_handshaking.size()) < m_maxPendingHandshakes) {
        const qintptr next = m_queued.front();
        m_queued.pop_front();
        startHandshake(next);
    }
    // Accept again only with a free slot: the queue then never holds more than one backlog's worth.
    if (m_queued.empty() && int(m_handshaking.size()) < m_maxPendingHandshakes && isListening())
        resumeAccepting();
}

void TlsAcceptor::drop(QSslSocket *socket, const QString &reason)
{
    const bool wasHandshaking = eraseFrom(m_handshaking, socket);
    if (!wasHandshaking && !eraseFrom(m_upgrading, socket))
        return; // settled, or dropped already
    socket->disconnect(this);
    emit connectionDropped(socket->peerAddress().toString(), reason);
    socket->abort();
    socket->deleteLater();
    if (wasHandshaking)
        onHandshakeEnded();
}

void TlsAcceptor::forget(QObject *socket)
{
    // Only the pointer's value: the object is being destroyed.
    eraseFrom(m_upgrading, socket);
    if (eraseFrom(m_handshaking, socket))
        onHandshakeEnded();
}

void TlsAcceptor::settle(const QHostAddress &peer, quint16 peerPort)
{
    const auto it = std::find_if(m_upgrading.begin(), m_upgrading.end(),
                                 [&](QSslSocket *s) { return s->peerPort() == peerPort && s->peerAddress() == peer; });
    if (it == m_upgrading.end())
        return;
    QSslSocket *socket = *it;
    m_upgrading.erase(it);
    delete socket->findChild<QTimer *>(kDeadlineName, Qt::FindDirectChildrenOnly);
}

void TlsAcceptor::closeAll()
{
    close();
    for (qintptr descriptor : m_queued)
        ::close(int(descriptor));
    m_queued.clear();
    const std::vector<QSslSocket *> unsettled = [this] {
        std::vector<QSslSocket *> all = m_handshaking;
        all.insert(all.end(), m_upgrading.begin(), m_upgrading.end());
        return all;
    }();
    for (QSslSocket *socket : unsettled)
        drop(socket, QStringLiteral("the coordinator stopped accepting agents"));
}

} // namespace Preflight
