#pragma once

#include "data/errorsample.h"
#include "data/intervalsnapshot.h"

#include <QString>

#include <chrono>
#include <functional>
#include <vector>

namespace Preflight {

using EngineClock = std::chrono::steady_clock;

// Why a load ended by itself before its schedule did (a value, docs/architecture.md). Kind None: it did not.
struct LoadFailure
{
    enum class Kind {
        None,
        AgentLost,          // a distributed run lost an agent (heartbeat timeout, disconnect, agent error)
        GeneratorSaturated, // an agent's load threads ran out of CPU
    };
    Kind kind = Kind::None;
    QString message; // names the cause and the fix; never a secret
    bool failed() const { return kind != Kind::None; }
};

// Where RunController's load comes from: a LoadEngine in this process, or the agents of a distributed run
// (core/distributed/distributedload.h). Either delivers one IntervalSnapshot per tick on the run clock and
// then calls the finished sink once.
//
// Threading: construct, set sinks and start() from one thread; sinks are called on a thread of the source's
// own. stop(), abort() and the getters are thread-safe and never block.
class LoadSource
{
public:
    using SnapshotSink = std::function<void(IntervalSnapshotPtr)>;
    using FinishedSink = std::function<void()>;

    virtual ~LoadSource() = default;
    virtual void setSnapshotSink(SnapshotSink sink) = 0;
    virtual void setFinishedSink(FinishedSink sink) = 0;
    // The run's t = 0 this source can keep: now for a local engine, a moment later for agents that must hear
    // of it first. The samplers use the same t = 0.
    virtual EngineClock::time_point proposedStart() const { return EngineClock::now(); }
    virtual void start(EngineClock::time_point start) = 0;
    // First stop: no new requests. abort(): abandon in-flight requests at once.
    virtual void stop() = 0;
    virtual void abort() = 0;
    virtual bool isStopping() const = 0;
    virtual int workerCount() const = 0;
    // The load path that carried the requests: "curl" | "raw" (core/load/loadpath.h); agents that chose
    // differently: both, joined by "+"; "" before it is known.
    virtual QString engineId() const = 0;
    // Failing responses kept as evidence; complete once finished.
    virtual std::vector<ErrorSample> errorSamples() const = 0;
    // Complete once finished.
    virtual LoadFailure failure() const { return {}; }
};

} // namespace Preflight
