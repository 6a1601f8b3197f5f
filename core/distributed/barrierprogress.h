#pragma once

#include <QMetaType>
#include <QString>

namespace Preflight {

// Where the ready barrier of a distributed run stands while the coordinator waits for its agents
// (docs/distributed.md): RunController::agentsWaiting carries it to the CLI's progress line and the GUI's status.
struct BarrierProgress
{
    int expected = 0; // --agents N
    int ready = 0;    // authenticated, clock accepted
    int refused = 0;  // connections refused so far (wrong token, clock, version)
    QString listen;   // where agents connect, "0.0.0.0:7443"

    // "waiting for 3 agents on 0.0.0.0:7443 (1 connected)", with ", 1 refused" when one was.
    QString describe() const;
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::BarrierProgress)
