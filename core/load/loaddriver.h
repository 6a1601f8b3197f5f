#pragma once

#include "data/endpointstats.h"
#include "failuresampler.h"
#include "requestfactory.h"
#include "schedule.h"
#include "transportoptions.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct epoll_event;

namespace Preflight {

using EngineClock = std::chrono::steady_clock;

// What the engine hands every worker. Read-only during the run except the stop level.
struct EngineShared
{
    const RequestFactory *factory = nullptr;
    const Schedule *schedule = nullptr;
    EngineClock::time_point start;
    int workerCount = 1;
    int maxConnections = 256;   // open model: total connections across workers
    TransportOptions transport; // libcurl path: every slot's handle is configured with it (timeouts: per endpoint)
    int64_t maxResponseBytes = 16 << 20;
    std::atomic<int> stopLevel{0}; // 0 run, 1 drain (no new requests), 2 abort in-flight now
};

// Counts a worker gathered since the coordinator last took them.
struct WorkerInterval
{
    std::vector<EndpointStats> endpoints;
    uint64_t started = 0;
    uint64_t dropped = 0; // open model: arrivals never sent (also counted as timeouts of an endpoint, unless stopped)
    double send_lag_ms = -1; // open model: the largest delay of a send behind its scheduled time; -1 none sent
};

// How one request ended, as a transport reports it to the driver. The strings are read before the
// transport's next request on the slot, so they may point into the transport's own buffers.
struct RequestOutcome
{
    bool transportFailed = false; // no complete answer: errorClass says why
    ErrorClass errorClass = ErrorClass::Other;
    int status = 0; // the final HTTP status when !transportFailed
    int64_t bodyBytes = 0;
    // The transport under the answer: the HTTP version it came in on (-1: no answer), and the connections opened
    // for this request (0 on a kept-alive one; each a TLS handshake on https).
    int protocol = -1; // HttpProtocol
    uint64_t connectionsOpened = 0;
    // Failure evidence: the first body bytes and three headers of a failing answer (status ≥ 400), or what
    // the transport says went wrong.
    const std::string *errorBody = nullptr;
    QString retryAfter;
    QString contentType;
    QString server;
    QByteArray failureMessage;
};

// The part of a load worker both load paths share, in the shape of wrk: one thread, its own epoll set, a
// pacing timer and a wake-up eventfd; the schedule (closed model: users and think time; open model: arrivals,
// a queue of arrivals waiting for a connection, drops); stop within one loop turn; counters and histograms
// per endpoint corrected for coordinated omission; failure samples. It owns a fixed set of slots (one
// connection's worth of request state each) and asks its transport (libcurl's multi interface in LoadWorker,
// raw sockets in RawWorker) to carry requests on them.
//
// Threading: start() runs the loop on the worker's own thread; takeInterval(), takeFailures(), wake() and the
// gauges are called by the coordinator. Nothing else is shared in the hot loop but one uncontended mutex that
// the coordinator takes 4 times a second to swap the interval out.
class LoadDriver
{
public:
    LoadDriver(int index, EngineShared *shared);
    virtual ~LoadDriver();
    LoadDriver(const LoadDriver &) = delete;
    LoadDriver &operator=(const LoadDriver &) = delete;

    void start();
    void join();
    // Interrupts a blocking wait so a new stop level is seen at once. Thread-safe, callable at any time
    // between construction and destruction.
    void wake();

    // Called by the coordinator: the counts since the previous call, and a fresh record swapped in.
    WorkerInterval takeInterval();
    FailureSampler takeFailures();
    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    int queued() const { return m_queued.load(std::memory_order_relaxed); }
    bool finished() const { return m_finished.load(std::memory_order_acquire); }
    // Users of `targetUsers` that global worker `index` of `workerCount` runs: an even split, the first
    // (users mod workerCount) workers one more.
    static int closedShare(double targetUsers, int index, int workerCount);

    // CPU time the worker thread has used since it started, seconds (the thread's CPU clock, read from any
    // thread); -1 before start(), after join() or where the clock cannot be read.
    double cpuSeconds();

protected:
    // --- the transport, called on the worker thread ---
    // Prepares `slotCount` slots; epollFd() exists by then.
    virtual void setUpTransport(int slotCount) = 0;
    // Abandons whatever is in flight and frees the transport's resources.
    virtual void tearDownTransport() = 0;
    // Starts the request on `slot` (idle until now). `seq` is its {seq} value. Must not call completed()
    // synchronously: a request that fails at once is reported from runDue().
    virtual void send(int slot, int endpoint, uint64_t seq, EngineClock::time_point now) = 0;
    // An epoll event whose data.u64 is not one of the driver's own tags.
    virtual void handleEvent(const epoll_event &event) = 0;
    // Work that is due before the loop waits again (expired timers, failures to report).
    virtual void runDue(EngineClock::time_point now) = 0;
    // When runDue() next has work; time_point::max() for never.
    virtual EngineClock::time_point transportDeadline() const = 0;

    // --- for the transport ---
    // The request on `slot` ended: it is recorded, and the slot's next request started (closed model, open
    // model queue) unless the run is stopping.
    void completed(int slot, const RequestOutcome &outcome, EngineClock::time_point now);
    // A request the transport sent once more (libcurl's silent resend): the earlier attempt, sent at
    // `attemptSent`, is counted as a request that was reset (what the server saw).
    void recordResent(int slot, EngineClock::time_point attemptSent, EngineClock::time_point now);
    int epollFd() const { return m_epollFd; }
    const EngineShared &shared() const { return *m_shared; }
    int workerIndex() const { return m_index; }
    int slotEndpoint(int slot) const { return m_states[size_t(slot)].endpoint; }
    bool slotBusy(int slot) const { return m_states[size_t(slot)].busy; }
    int slotCount() const { return int(m_states.size()); }
    // The worker's generator for endpoint picks and path variables.
    FastRandom &random() { return m_random; }
    // Tags of the driver's own descriptors in epoll_event::data.u64; transports use any other value.
    static constexpr uint64_t kTimerTag = ~uint64_t(0);
    static constexpr uint64_t kWakeTag = ~uint64_t(0) - 1;

private:
    struct SlotState
    {
        bool busy = false;
        int endpoint = -1;
        EngineClock::time_point intended;
        EngineClock::time_point sent;
    };

    void run();
    void setUp();
    void tearDown();
    void startRequest(int slot, int endpoint, EngineClock::time_point intended, EngineClock::time_point now);
    void record(int slot, const RequestOutcome &outcome, EngineClock::time_point now);
    // Open model: an arrival that never got a connection (queue full, or waited past the timeout).
    enum class DropReason { QueueFull, WaitedTooLong };
    void recordDropped(double waited_s, double now_s, DropReason reason);
    void pumpClosed(EngineClock::time_point now);
    void pumpOpen(EngineClock::time_point now);
    void startQueued(int slot, EngineClock::time_point now);
    int freeSlot();
    EngineClock::time_point nextWake(EngineClock::time_point now) const;
    void armTimer(EngineClock::time_point when);
    int closedShare(double targetUsers) const;
    double nowSeconds(EngineClock::time_point now) const;

    const int m_index;
    EngineShared *const m_shared;
    int m_epollFd = -1;
    int m_timerFd = -1; // pacing deadlines (open-model arrivals, stage ends, think times)
    int m_wakeFd = -1;  // eventfd: wake() from the coordinator
    std::vector<SlotState> m_states;
    std::vector<int> m_idle; // open model: free slots
    FastRandom m_random;
    uint64_t m_sequence = 0; // next {seq} value of the block reserved from the factory
    uint64_t m_sequenceEnd = 0;

    // closed model
    int m_desired = 0;
    std::vector<std::pair<EngineClock::time_point, int>> m_thinking; // min-heap on time

    // open model
    double m_nextArrival_s = 0;
    std::vector<double> m_queue; // ring of intended arrival times (seconds), FIFO
    size_t m_queueHead = 0;
    size_t m_maxQueue = 1000;

    std::mutex m_mutex; // guards m_current and m_failures
    WorkerInterval m_current;
    FailureSampler m_failures;

    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_queued{0};
    std::atomic<bool> m_finished{false};
    std::thread m_thread;
    bool m_draining = false;
    double m_maxTimeout_s = 10;
    EngineClock::time_point m_armedAt;
};

} // namespace Preflight
