#include "loaddriver.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Preflight {

namespace {

using namespace std::chrono;

uint64_t micros(EngineClock::duration d)
{
    return uint64_t(std::max<int64_t>(0, duration_cast<microseconds>(d).count()));
}

} // namespace

LoadDriver::LoadDriver(int index, EngineShared *shared)
    : m_index(index), m_shared(shared), m_random(0x5EED0000ull + uint64_t(index))
{
    m_current.endpoints.resize(size_t(shared->factory->endpointCount()));
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

LoadDriver::~LoadDriver()
{
    join();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void LoadDriver::start()
{
    m_thread = std::thread([this] { run(); });
}

double LoadDriver::cpuSeconds()
{
    if (!m_thread.joinable())
        return -1;
    clockid_t clock;
    if (pthread_getcpuclockid(m_thread.native_handle(), &clock) != 0)
        return -1;
    timespec ts{};
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

void LoadDriver::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void LoadDriver::wake()
{
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(m_wakeFd, &one, sizeof one);
}

WorkerInterval LoadDriver::takeInterval()
{
    WorkerInterval fresh;
    fresh.endpoints.resize(m_current.endpoints.size());
    std::lock_guard<std::mutex> lock(m_mutex);
    std::swap(fresh, m_current);
    return fresh;
}

FailureSampler LoadDriver::takeFailures()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    FailureSampler out;
    std::swap(out, m_failures);
    return out;
}

double LoadDriver::nowSeconds(EngineClock::time_point now) const
{
    return duration<double>(now - m_shared->start).count();
}

int LoadDriver::closedShare(double targetUsers) const
{
    return closedShare(targetUsers, m_index, m_shared->workerCount);
}

int LoadDriver::closedShare(double targetUsers, int index, int workerCount)
{
    const int users = int(std::floor(targetUsers + 1e-9));
    const int n = std::max(1, workerCount);
    return users / n + (index < users % n ? 1 : 0);
}

void LoadDriver::setUp()
{
    const Schedule &schedule = *m_shared->schedule;
    const int n = m_shared->workerCount;
    int slotCount = 0;
    if (schedule.isOpenModel()) {
        const int total = m_shared->maxConnections;
        slotCount = std::max(1, total / n + (m_index < total % n ? 1 : 0));
        const double peakShare = schedule.peak() / n;
        m_maxTimeout_s = 0;
        for (int e = 0; e < m_shared->factory->endpointCount(); ++e)
            m_maxTimeout_s = std::max(m_maxTimeout_s, m_shared->factory->timeoutMs(e) / 1000.0);
        m_maxQueue = size_t(std::clamp(peakShare * m_maxTimeout_s, 100.0, 100000.0));
        m_queue.reserve(m_maxQueue);
    } else {
        slotCount = closedShare(schedule.peak());
    }
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    for (auto [fd, tag] : {std::pair{m_timerFd, kTimerTag}, std::pair{m_wakeFd, kWakeTag}}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tag;
        epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev);
    }
    m_states.resize(size_t(slotCount));
    setUpTransport(slotCount);
    m_idle.reserve(size_t(slotCount));
    for (int i = slotCount - 1; i >= 0; --i)
        m_idle.push_back(i);
}

void LoadDriver::tearDown()
{
    tearDownTransport();
    m_states.clear();
    m_idle.clear();
    for (int *fd : {&m_timerFd, &m_epollFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    m_inFlight.store(0);
    m_queued.store(0);
}

void LoadDriver::startRequest(int slot, int endpoint, EngineClock::time_point intended, EngineClock::time_point now)
{
    if (m_sequence == m_sequenceEnd) {
        // {seq} values come from the run's factory in blocks: unique across workers and the profiling pass.
        constexpr uint64_t kBlock = 256;
        m_sequence = m_shared->factory->reserveSequence(kBlock);
        m_sequenceEnd = m_sequence + kBlock;
    }
    SlotState &s = m_states[size_t(slot)];
    s.endpoint = endpoint;
    s.intended = intended;
    s.sent = now;
    s.busy = true;
    m_inFlight.fetch_add(1, std::memory_order_relaxed);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_current.started;
    }
    // A segment of a distributed run maps its own counter onto its disjoint share of {seq} values.
    send(slot, endpoint, m_shared->factory->sequenceValue(m_sequence++), now);
}

void LoadDriver::recordDropped(double waited_s, double now_s, DropReason reason)
{
    // HdrHistogram's rule for coordinated omission: a request that was due and never sent counts with the
    // time it waited, and at least the timeout it would have hit. It is a timeout from the caller's side, so
    // the error rate and the gates include it; IntervalSnapshot::dropped says how many timeouts were these.
    const RequestFactory &f = *m_shared->factory;
    const int endpoint = f.pickEndpoint(m_random.uniform01());
    const double timeout_s = f.timeoutMs(endpoint) / 1000.0;
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_current.dropped;
    EndpointStats &s = m_current.endpoints[size_t(endpoint)];
    ++s.requests;
    ++s.transport_errors[size_t(ErrorClass::Timeout)];
    s.latency.record(uint64_t(std::max(waited_s, timeout_s) * 1e6));
    ErrorSample sample;
    sample.endpoint = endpoint;
    sample.error_class = ErrorClass::Timeout;
    sample.body =
        reason == DropReason::QueueFull
            ? QByteArrayLiteral("arrival never sent: every connection was busy and a timeout's worth of arrivals "
                                "was already waiting (open model; raise limits.max_users or lower the rate)")
            : QByteArrayLiteral("arrival never sent: it waited longer than the timeout for a free connection "
                                "(open model; raise limits.max_users or lower the rate)");
    sample.first_seen_s = sample.last_seen_s = now_s;
    sample.stage_index = m_shared->schedule->stageAt(now_s);
    m_failures.offer(sample, f.headers(endpoint));
}

void LoadDriver::recordResent(int slot, EngineClock::time_point attemptSent, EngineClock::time_point now)
{
    const SlotState &state = m_states[size_t(slot)];
    const double t_s = nowSeconds(now);
    std::lock_guard<std::mutex> lock(m_mutex);
    EndpointStats &s = m_current.endpoints[size_t(state.endpoint)];
    ++s.requests;
    ++s.transport_errors[size_t(ErrorClass::Reset)];
    s.latency.record(micros(now - state.intended));
    s.latency_uncorrected.record(micros(now - attemptSent));
    ++m_current.started; // the request went out once more
    ErrorSample sample;
    sample.endpoint = state.endpoint;
    sample.error_class = ErrorClass::Reset;
    sample.body = QByteArrayLiteral("the connection closed before any answer; libcurl sent the request again on a new "
                                    "connection (the server saw both)");
    sample.first_seen_s = sample.last_seen_s = t_s;
    sample.stage_index = m_shared->schedule->stageAt(t_s);
    m_failures.offer(sample, m_shared->factory->headers(state.endpoint));
}

void LoadDriver::record(int slot, const RequestOutcome &outcome, EngineClock::time_point now)
{
    const SlotState &state = m_states[size_t(slot)];
    const int status = outcome.transportFailed ? 0 : outcome.status;
    const double t_s = nowSeconds(now);
    std::lock_guard<std::mutex> lock(m_mutex);
    EndpointStats &s = m_current.endpoints[size_t(state.endpoint)];
    ++s.requests;
    s.bytes_received += uint64_t(std::max<int64_t>(0, outcome.bodyBytes));
    s.latency.record(micros(now - state.intended));
    s.latency_uncorrected.record(micros(now - state.sent));
    s.connections_opened += outcome.connectionsOpened;
    if (outcome.protocol >= 0 && outcome.protocol < kHttpProtocolCount)
        ++s.protocol_answers[size_t(outcome.protocol)];
    if (!outcome.transportFailed) {
        ++s.status_counts[status];
        if (status >= 400)
            ++s.http_errors;
        else
            ++s.ok;
    } else {
        ++s.transport_errors[size_t(outcome.errorClass)];
    }
    if (outcome.transportFailed || status >= 400) {
        ErrorSample sample;
        sample.endpoint = state.endpoint;
        sample.status = status;
        sample.error_class = outcome.transportFailed ? outcome.errorClass : ErrorClass::Other;
        if (!outcome.transportFailed) {
            sample.retry_after = outcome.retryAfter;
            sample.content_type = outcome.contentType;
            sample.server = outcome.server;
            if (outcome.errorBody)
                sample.body = QByteArray(outcome.errorBody->data(), int(outcome.errorBody->size()));
        } else {
            sample.body = outcome.failureMessage;
        }
        sample.first_seen_s = sample.last_seen_s = t_s;
        sample.stage_index = m_shared->schedule->stageAt(t_s);
        // The request's secret header values are scrubbed from bodies that echo them (failure path only).
        m_failures.offer(sample, m_shared->factory->headers(state.endpoint));
    }
}

void LoadDriver::completed(int slot, const RequestOutcome &outcome, EngineClock::time_point now)
{
    m_states[size_t(slot)].busy = false;
    m_inFlight.fetch_sub(1, std::memory_order_relaxed);
    record(slot, outcome, now);
    if (m_shared->stopLevel.load(std::memory_order_relaxed) != 0)
        return;
    if (m_shared->schedule->isOpenModel()) {
        // Arrivals queued before the schedule ended are part of the load: served during the drain too.
        startQueued(slot, now);
    } else if (!m_draining && slot < m_desired) {
        const double think_ms = m_shared->schedule->thinkTime_ms();
        if (think_ms <= 0) {
            startRequest(slot, m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
        } else {
            m_thinking.emplace_back(now + duration_cast<EngineClock::duration>(duration<double, std::milli>(think_ms)),
                                    slot);
            std::push_heap(m_thinking.begin(), m_thinking.end(), std::greater<>());
        }
    }
}

void LoadDriver::pumpClosed(EngineClock::time_point now)
{
    const int desired = closedShare(m_shared->schedule->targetAt(nowSeconds(now)));
    if (desired != m_desired) {
        const int previous = m_desired;
        m_desired = std::min(desired, int(m_states.size()));
        for (int i = previous; i < m_desired; ++i)
            if (!m_states[size_t(i)].busy)
                startRequest(i, m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
    }
    while (!m_thinking.empty() && m_thinking.front().first <= now) {
        std::pop_heap(m_thinking.begin(), m_thinking.end(), std::greater<>());
        const int slot = m_thinking.back().second;
        m_thinking.pop_back();
        if (!m_states[size_t(slot)].busy && slot < m_desired)
            startRequest(slot, m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
    }
}

int LoadDriver::freeSlot()
{
    while (!m_idle.empty()) {
        const int slot = m_idle.back();
        m_idle.pop_back();
        if (!m_states[size_t(slot)].busy)
            return slot;
    }
    return -1;
}

void LoadDriver::startQueued(int slot, EngineClock::time_point now)
{
    const double now_s = nowSeconds(now);
    while (m_queueHead < m_queue.size()) {
        const double arrival_s = m_queue[m_queueHead++];
        m_queued.fetch_sub(1, std::memory_order_relaxed);
        // An arrival that has waited longer than the timeout would only time out: it failed, after that wait.
        if (now_s - arrival_s > m_maxTimeout_s) {
            recordDropped(now_s - arrival_s, now_s, DropReason::WaitedTooLong);
            continue;
        }
        const auto intended = m_shared->start + duration_cast<EngineClock::duration>(duration<double>(arrival_s));
        startRequest(slot, m_shared->factory->pickEndpoint(m_random.uniform01()), intended, now);
        break;
    }
    if (m_queueHead == m_queue.size()) {
        m_queue.clear();
        m_queueHead = 0;
    }
    if (!m_states[size_t(slot)].busy)
        m_idle.push_back(slot);
}

void LoadDriver::pumpOpen(EngineClock::time_point now)
{
    const Schedule &schedule = *m_shared->schedule;
    const double now_s = nowSeconds(now);
    const double end_s = schedule.duration_s();
    const int n = m_shared->workerCount;
    while (m_nextArrival_s <= now_s && m_nextArrival_s < end_s) {
        const double rate = schedule.targetAt(m_nextArrival_s) / n;
        if (rate <= 0) {
            m_nextArrival_s += 0.001; // idle part of a ramp: look again a millisecond later
            continue;
        }
        const double arrival_s = m_nextArrival_s;
        // Workers are phase-shifted so that their arrivals interleave instead of coinciding.
        m_nextArrival_s += 1.0 / rate;
        const int slot = freeSlot();
        if (slot >= 0) {
            // Send lag: how late the generator itself is (a free connection was there, the thread was not).
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_current.send_lag_ms = std::max(m_current.send_lag_ms, (now_s - arrival_s) * 1000.0);
            }
            const auto intended = m_shared->start + duration_cast<EngineClock::duration>(duration<double>(arrival_s));
            startRequest(slot, m_shared->factory->pickEndpoint(m_random.uniform01()), intended, now);
        } else if (m_queue.size() - m_queueHead < m_maxQueue) {
            m_queue.push_back(arrival_s);
            m_queued.fetch_add(1, std::memory_order_relaxed);
        } else {
            // The queue holds a timeout's worth of arrivals: this one would wait at least the timeout.
            recordDropped(now_s - arrival_s, now_s, DropReason::QueueFull);
        }
    }
}

EngineClock::time_point LoadDriver::nextWake(EngineClock::time_point now) const
{
    const Schedule &schedule = *m_shared->schedule;
    EngineClock::time_point wake = now + milliseconds(100);
    auto at = [this](double s) { return m_shared->start + duration_cast<EngineClock::duration>(duration<double>(s)); };
    const double now_s = nowSeconds(now);
    if (schedule.isOpenModel()) {
        if (m_nextArrival_s < schedule.duration_s())
            wake = std::min(wake, at(m_nextArrival_s));
    } else {
        const int stage = schedule.stageAt(now_s);
        if (stage >= 0) {
            const StageInfo &s = schedule.stages()[size_t(stage)];
            // Ramps change the user count continuously; constant stages only at their end.
            wake = std::min(wake, s.from != s.to ? now + milliseconds(10) : at(s.start_s + s.duration_s));
        }
        if (!m_thinking.empty())
            wake = std::min(wake, m_thinking.front().first);
    }
    return std::max(wake, now);
}

void LoadDriver::armTimer(EngineClock::time_point when)
{
    // A pending deadline at or before `when` already wakes the loop in time (an early wake only re-evaluates),
    // so the timer is re-armed only for an earlier deadline: one timerfd_settime per deadline rather than one
    // per loop iteration, which the closed model's rolling "now + 100 ms" fallback used to cost.
    if (m_armedAt != EngineClock::time_point{} && m_armedAt <= when)
        return;
    m_armedAt = when;
    const auto ns = duration_cast<nanoseconds>(when.time_since_epoch()).count();
    itimerspec spec{};
    spec.it_value.tv_sec = time_t(ns / 1000000000);
    spec.it_value.tv_nsec = long(ns % 1000000000);
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0)
        spec.it_value.tv_nsec = 1;
    timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void LoadDriver::run()
{
    setUp();
    const Schedule &schedule = *m_shared->schedule;
    const bool open = schedule.isOpenModel();
    // Interleave open-model workers: worker i starts its arrival train i/n of an interval late.
    if (open && !schedule.stages().empty()) {
        const double rate = std::max(1e-9, schedule.targetAt(0) / m_shared->workerCount);
        m_nextArrival_s = schedule.targetAt(0) > 0 ? double(m_index) / (rate * m_shared->workerCount) : 0;
    }
    constexpr int kMaxEvents = 64;
    epoll_event events[kMaxEvents];
    while (true) {
        const auto now = EngineClock::now();
        const int stop = m_shared->stopLevel.load(std::memory_order_acquire);
        if (stop >= 2)
            break;
        if (!m_draining && (stop == 1 || nowSeconds(now) >= schedule.duration_s())) {
            m_draining = true;
            m_thinking.clear();
        }
        if (stop == 1 && m_queueHead < m_queue.size()) {
            // Stopped by the user: queued arrivals are not sent. They never failed, so they are counted as
            // dropped only (not as errors).
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_current.dropped += m_queue.size() - m_queueHead;
            }
            m_queued.store(0);
            m_queue.clear();
            m_queueHead = 0;
        }
        if (m_draining && m_inFlight.load(std::memory_order_relaxed) == 0) {
            // A natural end with queued arrivals and idle connections (rare: completions serve the queue)
            // serves them here; otherwise the drain is over.
            while (m_queueHead < m_queue.size()) {
                const int slot = freeSlot();
                if (slot < 0)
                    break;
                startQueued(slot, now);
                if (!m_states[size_t(slot)].busy)
                    break;
            }
            if (m_inFlight.load(std::memory_order_relaxed) == 0)
                break;
        }
        if (!m_draining) {
            if (open)
                pumpOpen(now);
            else
                pumpClosed(now);
        }
        runDue(EngineClock::now());

        const auto done = EngineClock::now();
        const auto wakeAt = m_draining ? done + milliseconds(100) : nextWake(done);
        armTimer(wakeAt);
        int timeout_ms = 1000;
        const auto deadline = transportDeadline();
        if (deadline != EngineClock::time_point::max()) {
            const auto until = deadline - done;
            timeout_ms =
                until <= EngineClock::duration::zero()
                    ? 0
                    : int(std::min<int64_t>(1000, duration_cast<milliseconds>(until + microseconds(999)).count()));
        }
        const int ready = epoll_wait(m_epollFd, events, kMaxEvents, timeout_ms);
        for (int i = 0; i < ready; ++i) {
            const uint64_t tag = events[i].data.u64;
            if (tag == kTimerTag || tag == kWakeTag) {
                uint64_t count = 0;
                [[maybe_unused]] ssize_t n = ::read(tag == kTimerTag ? m_timerFd : m_wakeFd, &count, sizeof count);
                if (tag == kTimerTag)
                    m_armedAt = {};
                continue;
            }
            handleEvent(events[i]);
        }
    }
    tearDown();
    m_finished.store(true, std::memory_order_release);
}

} // namespace Preflight
