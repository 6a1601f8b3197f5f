#pragma once

#include "endpointstats.h"

#include <QMetaType>

#include <memory>
#include <vector>

namespace Preflight {

// What the load engine measured in one tick (250 ms by default). Times are seconds on the run clock
// (run start = 0, monotonic). Immutable once emitted; crosses threads by value or shared_ptr<const>.
struct IntervalSnapshot
{
    int index = 0; // tick number, 0-based
    double start_s = 0;
    double end_s = 0;
    int stage_index = -1;                 // index into the compiled schedule's stages; -1 = drain after the schedule
    double target_users = 0;              // closed model: virtual users asked for at end_s
    double target_rate = 0;               // open model: arrivals/s asked for at end_s
    int in_flight = 0;                    // requests outstanding at end_s
    int queued = 0;                       // open model: arrivals waiting for a free connection at end_s
    uint64_t started = 0;                 // requests sent during the interval
    uint64_t dropped = 0;                 // open model: arrivals dropped (queue full or too late) during the interval
    std::vector<EndpointStats> endpoints; // indexed like Plan::endpoints
    // The load generator's own health (generator-saturated): CPU time its load threads used during the interval
    // (all threads together; -1 not measured), how many load threads there were, and for the open model the
    // largest delay of a send behind its scheduled time that was not a wait for a free connection (-1 unknown).
    double client_cpu_s = -1;
    int load_threads = 0;
    double send_lag_ms = -1;
    // The host's CPUs over the interval, all of them together (/proc/stat): busy share 0..1 and how many there are;
    // -1 / 0 when not measured. On a loopback target they are shared by the backend, its database and Preflight.
    double host_cpu_busy = -1;
    int host_cpus = 0;

    double duration_s() const { return end_s - start_s; }
    EndpointStats total() const;
};

using IntervalSnapshotPtr = std::shared_ptr<const IntervalSnapshot>;

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::IntervalSnapshot)
Q_DECLARE_METATYPE(Preflight::IntervalSnapshotPtr)
