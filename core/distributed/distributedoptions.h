#pragma once

#include <QByteArray>
#include <QString>

namespace Preflight {

// How `preflight run --agents N` (or the GUI) coordinates a distributed run (docs/distributed.md).
struct DistributedOptions
{
    int agents = 0; // 0: a local run, no agents
    QString listenHost = QStringLiteral("0.0.0.0");
    quint16 port = 7443;
    QByteArray token; // shared secret; never logged, stored or sent
    QString certFile; // the coordinator's TLS certificate (PEM) and key: the channel is always TLS
    QString keyFile;
    int readyTimeout_ms = 60000;    // the ready barrier: how long to wait for every agent
    int heartbeatTimeout_ms = 2000; // an agent silent this long during the load is lost: the run aborts
    // A connection's TLS handshake and WebSocket upgrade must be done this long after its handshake started, or it
    // is dropped (the agent dials again). Qt's own bounds were 5 s for TLS, then 10 s for the upgrade.
    int handshakeTimeout_ms = 10000;
    // At most this many TLS handshakes run at once; later connections wait, accepted and unread, for a free slot.
    // On a starved coordinator thread, interleaving hundreds of handshakes made all of them late (issue 17).
    int maxPendingHandshakes = 32;
    // Largest accepted |agent clock − coordinator clock|. Agents start at one wall-clock instant and their
    // interval n is merged with everyone's interval n: an offset beyond a fifth of the 250 ms interval would
    // smear requests into the neighbouring interval and start agents visibly apart.
    double maxClockOffset_ms = 50;
    bool enabled() const { return agents > 0; }
};

} // namespace Preflight
