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
    // Largest accepted |agent clock − coordinator clock|. Agents start at one wall-clock instant and their
    // interval n is merged with everyone's interval n: an offset beyond a fifth of the 250 ms interval would
    // smear requests into the neighbouring interval and start agents visibly apart.
    double maxClockOffset_ms = 50;
    bool enabled() const { return agents > 0; }
};

} // namespace Preflight
