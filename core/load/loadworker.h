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

typedef void CURLM;

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
    TransportOptions transport; // every slot's handle is configured with it (timeouts: per endpoint)
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

// One load-generating thread in the shape of wrk: it owns a CURLM and its easy handles, keeps its own
// counters and histograms, and shares nothing in the hot loop but one uncontended mutex that the
// coordinator takes 4 times a second to swap the interval out.
class LoadWorker
{
public:
    LoadWorker(int index, EngineShared *shared);
    ~LoadWorker();
    LoadWorker(const LoadWorker &) = delete;
    LoadWorker &operator=(const LoadWorker &) = delete;

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
    // CPU time the worker thread has used since it started, seconds (the thread's CPU clock, read from any
    // thread); -1 before start(), after join() or where the clock cannot be read.
    double cpuSeconds();

    struct Slot;

    // Users of `targetUsers` that global worker `index` of `workerCount` runs: an even split, the first
    // (users mod workerCount) workers one more.
    static int closedShare(double targetUsers, int index, int workerCount);

private:
    friend struct LibcurlCallbacks; // loadworker.cpp: the socket, timer and open/close socket callbacks

    void run();
    // Hands one ready socket (or, with fd < 0, libcurl's expired timers) to libcurl and records the
    // transfers that finished; returns how many requests their slots started.
    int dispatch(int fd, int curlEvents);
    void watchSocket(int fd, int curlWhat);
    void forgetSocket(int fd);
    void growSocketTables(int fd); // sizes the per-socket tables to hold fd
    void setUp();
    void tearDown();
    void startRequest(Slot &slot, int endpoint, EngineClock::time_point intended, EngineClock::time_point now);
    // Records finished transfers and starts the next request of each freed slot; returns how many started.
    int completeTransfers(EngineClock::time_point now);
    void record(Slot &slot, int curlCode, EngineClock::time_point now);
    // An attempt libcurl resent on a new connection: counted as a request that was reset (what the server saw).
    void recordResent(Slot &slot, EngineClock::time_point now);
    // Open model: an arrival that never got a connection (queue full, or waited past the timeout).
    enum class DropReason { QueueFull, WaitedTooLong };
    void recordDropped(double waited_s, double now_s, DropReason reason);
    void pumpClosed(EngineClock::time_point now);
    void pumpOpen(EngineClock::time_point now);
    void startQueued(Slot &slot, EngineClock::time_point now);
    Slot *freeSlot();
    EngineClock::time_point nextWake(EngineClock::time_point now) const;
    void armTimer(EngineClock::time_point when);
    int closedShare(double targetUsers) const;
    double nowSeconds(EngineClock::time_point now) const;

    const int m_index;
    EngineShared *const m_shared;
    CURLM *m_multi = nullptr;
    int m_epollFd = -1;
    int m_timerFd = -1; // pacing deadlines (open-model arrivals, stage ends, think times)
    int m_wakeFd = -1;  // eventfd: wake() from the coordinator
    // Per socket: the epoll events registered, and whether libcurl currently wants it watched. A socket
    // libcurl stops watching (its connection went back to the pool after a transfer) stays registered, so
    // that reusing it for the next request costs no epoll_ctl; see watchSocket().
    // Only connection sockets, which libcurl opens and closes through our callbacks (so a closed number that
    // is reused is never mistaken for a registered one), are kept; others (the resolver's) are unregistered.
    std::vector<uint32_t> m_registered;
    std::vector<bool> m_wanted;
    std::vector<bool> m_ours;
    EngineClock::time_point m_curlDeadline = EngineClock::time_point::max();
    std::vector<Slot *> m_slots;
    std::vector<Slot *> m_idle; // open model: free slots
    FastRandom m_random;
    uint64_t m_sequence = 0; // next {seq} value of the block reserved from the factory
    uint64_t m_sequenceEnd = 0;

    // closed model
    int m_desired = 0;
    std::vector<std::pair<EngineClock::time_point, Slot *>> m_thinking; // min-heap on time

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
