#include "loadworker.h"

#include <pthread.h>
#include <time.h>

#include "curlerrors.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace Preflight {

namespace {

using namespace std::chrono;

uint64_t micros(EngineClock::duration d)
{
    return uint64_t(std::max<int64_t>(0, duration_cast<microseconds>(d).count()));
}

QString headerValue(CURL *easy, const char *name)
{
    struct curl_header *h = nullptr;
    if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        return QString::fromLatin1(h->value);
    return {};
}

} // namespace

// One connection's worth of request state. The easy handle is kept for the whole run so that libcurl
// reuses its connection (keep-alive) and no allocation happens per request.
struct LoadWorker::Slot
{
    CURL *easy = nullptr;
    int index = 0;
    bool busy = false;
    int endpoint = -1;
    bool fixedRequest = false; // same URL/body every time: options stay set between requests
    EngineClock::time_point intended;
    EngineClock::time_point sent;
    std::string url;
    std::string body;
    struct curl_slist *headers = nullptr;
    int64_t bytes = 0;
    int64_t maxBytes = 0;
    long status = 0;       // 0 until the first body byte
    std::string errorBody; // first bytes of a failing response
    LoadWorker *worker = nullptr;
    int attempts = 0; // times libcurl sent this request (see LibcurlCallbacks::beforeRequest)
    EngineClock::time_point attemptSent;
};

static size_t writeBody(char *data, size_t size, size_t count, void *userdata)
{
    auto *slot = static_cast<LoadWorker::Slot *>(userdata);
    const size_t n = size * count;
    slot->bytes += int64_t(n);
    if (slot->bytes > slot->maxBytes)
        return 0; // aborts the transfer: CURLE_WRITE_ERROR, classified as too_large
    if (slot->status == 0)
        curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &slot->status);
    if (slot->status >= 400 && slot->errorBody.size() < size_t(FailureSampler::kMaxBodyBytes))
        slot->errorBody.append(data, std::min(n, size_t(FailureSampler::kMaxBodyBytes) - slot->errorBody.size()));
    return n;
}

// libcurl's callbacks, with exactly the signatures it calls them through.
struct LibcurlCallbacks
{
    static int socket(CURL *, curl_socket_t fd, int what, void *worker, void *)
    {
        static_cast<LoadWorker *>(worker)->watchSocket(fd, what);
        return 0;
    }

    static int timer(CURLM *, long timeout_ms, void *worker)
    {
        static_cast<LoadWorker *>(worker)->m_curlDeadline =
            timeout_ms < 0 ? EngineClock::time_point::max() : EngineClock::now() + milliseconds(timeout_ms);
        return 0;
    }

    static curl_socket_t openSocket(void *worker, curlsocktype, struct curl_sockaddr *address)
    {
        const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (fd < 0)
            return CURL_SOCKET_BAD;
        auto *self = static_cast<LoadWorker *>(worker);
        self->forgetSocket(fd); // sizes the tables and clears what a previous holder of this number left
        self->m_ours[size_t(fd)] = true;
        return fd;
    }

    static int closeSocket(void *worker, curl_socket_t fd)
    {
        static_cast<LoadWorker *>(worker)->forgetSocket(fd);
        return ::close(fd);
    }

    // Called by libcurl each time it is about to send the request on a connection. More than once for one
    // transfer means libcurl resent it: a kept-alive connection died after the request went out and before
    // any byte of an answer came back (Curl_retry_request: up to 5 times, silently, on a new connection).
    // The server saw every attempt, so every attempt but the last is counted as a request reset.
    static int beforeRequest(void *slotPointer, char *, char *, int, int)
    {
        auto *slot = static_cast<LoadWorker::Slot *>(slotPointer);
        const auto now = EngineClock::now();
        if (slot->attempts > 0)
            slot->worker->recordResent(*slot, now);
        ++slot->attempts;
        slot->attemptSent = now;
        return CURL_PREREQFUNC_OK;
    }
};

LoadWorker::LoadWorker(int index, EngineShared *shared)
    : m_index(index), m_shared(shared), m_random(0x5EED0000ull + uint64_t(index))
{
    m_current.endpoints.resize(size_t(shared->factory->endpointCount()));
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

LoadWorker::~LoadWorker()
{
    join();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void LoadWorker::start()
{
    m_thread = std::thread([this] { run(); });
}

double LoadWorker::cpuSeconds()
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

void LoadWorker::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void LoadWorker::wake()
{
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(m_wakeFd, &one, sizeof one);
}

WorkerInterval LoadWorker::takeInterval()
{
    WorkerInterval fresh;
    fresh.endpoints.resize(m_current.endpoints.size());
    std::lock_guard<std::mutex> lock(m_mutex);
    std::swap(fresh, m_current);
    return fresh;
}

FailureSampler LoadWorker::takeFailures()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    FailureSampler out;
    std::swap(out, m_failures);
    return out;
}

double LoadWorker::nowSeconds(EngineClock::time_point now) const
{
    return duration<double>(now - m_shared->start).count();
}

int LoadWorker::closedShare(double targetUsers) const
{
    return closedShare(targetUsers, m_index, m_shared->workerCount);
}

int LoadWorker::closedShare(double targetUsers, int index, int workerCount)
{
    const int users = int(std::floor(targetUsers + 1e-9));
    const int n = std::max(1, workerCount);
    return users / n + (index < users % n ? 1 : 0);
}

void LoadWorker::setUp()
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
    m_multi = curl_multi_init();
    curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS, long(slotCount + 8));
    // Connections and streams are explicit: libcurl 7.88 multiplexes HTTP/2 transfers of one CURLM on a shared
    // connection by default, which would put several users on one connection without saying so. One user is
    // one connection unless the plan asks for target.multiplex streams per connection.
    const int streams = m_shared->transport.streams_per_connection;
    curl_multi_setopt(m_multi, CURLMOPT_PIPELINING, streams > 1 ? long(CURLPIPE_MULTIPLEX) : long(CURLPIPE_NOTHING));
    if (streams > 1)
        curl_multi_setopt(m_multi, CURLMOPT_MAX_CONCURRENT_STREAMS, long(streams));
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &LibcurlCallbacks::socket);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &LibcurlCallbacks::timer);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    for (int fd : {m_timerFd, m_wakeFd}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev);
    }
    m_slots.reserve(size_t(slotCount));
    for (int i = 0; i < slotCount; ++i) {
        auto *slot = new Slot;
        slot->index = i;
        slot->easy = curl_easy_init();
        slot->maxBytes = m_shared->maxResponseBytes;
        slot->worker = this;
        m_shared->transport.apply(slot->easy);
        curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot);
        curl_easy_setopt(slot->easy, CURLOPT_PREREQFUNCTION, &LibcurlCallbacks::beforeRequest);
        curl_easy_setopt(slot->easy, CURLOPT_PREREQDATA, slot);
        curl_easy_setopt(slot->easy, CURLOPT_WRITEFUNCTION, writeBody);
        curl_easy_setopt(slot->easy, CURLOPT_WRITEDATA, slot);
        curl_easy_setopt(slot->easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(m_shared->maxResponseBytes));
        curl_easy_setopt(slot->easy, CURLOPT_ACCEPT_ENCODING, nullptr);
        curl_easy_setopt(slot->easy, CURLOPT_OPENSOCKETFUNCTION, &LibcurlCallbacks::openSocket);
        curl_easy_setopt(slot->easy, CURLOPT_OPENSOCKETDATA, this);
        curl_easy_setopt(slot->easy, CURLOPT_CLOSESOCKETFUNCTION, &LibcurlCallbacks::closeSocket);
        curl_easy_setopt(slot->easy, CURLOPT_CLOSESOCKETDATA, this);
        m_slots.push_back(slot);
        m_idle.push_back(slot);
    }
    std::reverse(m_idle.begin(), m_idle.end());
}

void LoadWorker::tearDown()
{
    for (Slot *slot : m_slots) {
        if (slot->busy)
            curl_multi_remove_handle(m_multi, slot->easy);
        curl_easy_cleanup(slot->easy);
        curl_slist_free_all(slot->headers);
        delete slot;
    }
    m_slots.clear();
    m_idle.clear();
    if (m_multi)
        curl_multi_cleanup(m_multi);
    m_multi = nullptr;
    for (int *fd : {&m_timerFd, &m_epollFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    m_inFlight.store(0);
    m_queued.store(0);
}

void LoadWorker::startRequest(Slot &slot, int endpoint, EngineClock::time_point intended, EngineClock::time_point now)
{
    const RequestFactory &f = *m_shared->factory;
    if (m_sequence == m_sequenceEnd) {
        // {seq} values come from the run's factory in blocks: unique across workers and the profiling pass.
        constexpr uint64_t kBlock = 256;
        m_sequence = f.reserveSequence(kBlock);
        m_sequenceEnd = m_sequence + kBlock;
    }
    if (slot.endpoint != endpoint || !slot.fixedRequest) {
        // Re-configure the handle only when the request differs from the previous one on this slot.
        const bool sameEndpoint = slot.endpoint == endpoint;
        f.buildUrl(endpoint, m_random, f.sequenceValue(m_sequence), slot.url);
        curl_easy_setopt(slot.easy, CURLOPT_URL, slot.url.c_str());
        if (f.hasBody(endpoint)) {
            f.buildBody(endpoint, f.sequenceValue(m_sequence), slot.body);
            curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(slot.body.size()));
            curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDS, slot.body.c_str());
        }
        if (!sameEndpoint) {
            const std::string &method = f.method(endpoint);
            // HTTPGET clears NOBODY, so NOBODY comes after it: the other order sent HEAD as a GET that
            // downloaded the body (docs/cli.md).
            if (!f.hasBody(endpoint))
                curl_easy_setopt(slot.easy, CURLOPT_HTTPGET, 1L);
            curl_easy_setopt(slot.easy, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
            curl_easy_setopt(slot.easy, CURLOPT_CUSTOMREQUEST,
                             (method == "GET" || method == "HEAD" || (method == "POST" && f.hasBody(endpoint)))
                                 ? nullptr
                                 : method.c_str());
            curl_slist_free_all(slot.headers);
            slot.headers = nullptr;
            for (const std::string &h : f.headers(endpoint))
                slot.headers = curl_slist_append(slot.headers, h.c_str());
            curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, slot.headers);
            curl_easy_setopt(slot.easy, CURLOPT_TIMEOUT_MS, f.timeoutMs(endpoint));
            slot.endpoint = endpoint;
        }
        slot.fixedRequest = f.isFixed(endpoint);
    }
    ++m_sequence;
    slot.intended = intended;
    slot.sent = now;
    slot.attempts = 0;
    slot.bytes = 0;
    slot.status = 0;
    slot.errorBody.clear();
    slot.busy = true;
    curl_multi_add_handle(m_multi, slot.easy);
    m_inFlight.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_current.started;
}

void LoadWorker::recordDropped(double waited_s, double now_s, DropReason reason)
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

void LoadWorker::recordResent(Slot &slot, EngineClock::time_point now)
{
    const double t_s = nowSeconds(now);
    std::lock_guard<std::mutex> lock(m_mutex);
    EndpointStats &s = m_current.endpoints[size_t(slot.endpoint)];
    ++s.requests;
    ++s.transport_errors[size_t(ErrorClass::Reset)];
    s.latency.record(micros(now - slot.intended));
    s.latency_uncorrected.record(micros(now - slot.attemptSent));
    ++m_current.started; // the request went out once more
    ErrorSample sample;
    sample.endpoint = slot.endpoint;
    sample.error_class = ErrorClass::Reset;
    sample.body = QByteArrayLiteral("the connection closed before any answer; libcurl sent the request again on a new "
                                    "connection (the server saw both)");
    sample.first_seen_s = sample.last_seen_s = t_s;
    sample.stage_index = m_shared->schedule->stageAt(t_s);
    m_failures.offer(sample, m_shared->factory->headers(slot.endpoint));
}

void LoadWorker::record(Slot &slot, int curlCode, EngineClock::time_point now)
{
    const auto code = CURLcode(curlCode);
    long status = 0, version = 0, connects = 0;
    if (code == CURLE_OK) {
        curl_easy_getinfo(slot.easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(slot.easy, CURLINFO_HTTP_VERSION, &version);
    }
    curl_easy_getinfo(slot.easy, CURLINFO_NUM_CONNECTS, &connects);
    const double t_s = nowSeconds(now);
    std::lock_guard<std::mutex> lock(m_mutex);
    EndpointStats &s = m_current.endpoints[size_t(slot.endpoint)];
    ++s.requests;
    s.bytes_received += uint64_t(std::max<int64_t>(0, slot.bytes));
    s.latency.record(micros(now - slot.intended));
    s.latency_uncorrected.record(micros(now - slot.sent));
    s.connections_opened += uint64_t(connects);
    if (code == CURLE_OK) {
        switch (version) {
        case CURL_HTTP_VERSION_1_0:
            ++s.protocol_answers[size_t(HttpProtocol::Http1_0)];
            break;
        case CURL_HTTP_VERSION_2_0:
            ++s.protocol_answers[size_t(HttpProtocol::Http2)];
            break;
        case CURL_HTTP_VERSION_3:
            ++s.protocol_answers[size_t(HttpProtocol::Http3)];
            break;
        default:
            ++s.protocol_answers[size_t(HttpProtocol::Http1_1)];
            break;
        }
        ++s.status_counts[int(status)];
        if (status >= 400)
            ++s.http_errors;
        else
            ++s.ok;
    } else {
        ++s.transport_errors[size_t(classifyCurlError(int(code)))];
    }
    if (code != CURLE_OK || status >= 400) {
        ErrorSample sample;
        sample.endpoint = slot.endpoint;
        sample.status = int(status);
        sample.error_class = code == CURLE_OK ? ErrorClass::Other : classifyCurlError(int(code));
        if (code == CURLE_OK) {
            sample.retry_after = headerValue(slot.easy, "Retry-After");
            sample.content_type = headerValue(slot.easy, "Content-Type");
            sample.server = headerValue(slot.easy, "Server");
            sample.body = QByteArray(slot.errorBody.data(), int(slot.errorBody.size()));
        } else {
            sample.body = QByteArray(curl_easy_strerror(code));
        }
        sample.first_seen_s = sample.last_seen_s = t_s;
        sample.stage_index = m_shared->schedule->stageAt(t_s);
        // The request's secret header values are scrubbed from bodies that echo them (failure path only).
        m_failures.offer(sample, m_shared->factory->headers(slot.endpoint));
    }
}

int LoadWorker::completeTransfers(EngineClock::time_point now)
{
    int started = 0;
    int pending = 0;
    while (CURLMsg *msg = curl_multi_info_read(m_multi, &pending)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        Slot *slot = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        const CURLcode code = msg->data.result;
        curl_multi_remove_handle(m_multi, slot->easy); // invalidates msg
        slot->busy = false;
        m_inFlight.fetch_sub(1, std::memory_order_relaxed);
        record(*slot, int(code), now);
        if (m_shared->stopLevel.load(std::memory_order_relaxed) != 0)
            continue;
        if (m_shared->schedule->isOpenModel()) {
            // Arrivals queued before the schedule ended are part of the load: served during the drain too.
            startQueued(*slot, now);
            started += slot->busy ? 1 : 0;
        } else if (!m_draining && slot->index < m_desired) {
            const double think_ms = m_shared->schedule->thinkTime_ms();
            if (think_ms <= 0) {
                startRequest(*slot, m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
                ++started;
            } else {
                m_thinking.emplace_back(
                    now + duration_cast<EngineClock::duration>(duration<double, std::milli>(think_ms)), slot);
                std::push_heap(m_thinking.begin(), m_thinking.end(), std::greater<>());
            }
        }
    }
    return started;
}

void LoadWorker::pumpClosed(EngineClock::time_point now)
{
    const int desired = closedShare(m_shared->schedule->targetAt(nowSeconds(now)));
    if (desired != m_desired) {
        const int previous = m_desired;
        m_desired = std::min(desired, int(m_slots.size()));
        for (int i = previous; i < m_desired; ++i)
            if (!m_slots[size_t(i)]->busy)
                startRequest(*m_slots[size_t(i)], m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
    }
    while (!m_thinking.empty() && m_thinking.front().first <= now) {
        std::pop_heap(m_thinking.begin(), m_thinking.end(), std::greater<>());
        Slot *slot = m_thinking.back().second;
        m_thinking.pop_back();
        if (!slot->busy && slot->index < m_desired)
            startRequest(*slot, m_shared->factory->pickEndpoint(m_random.uniform01()), now, now);
    }
}

LoadWorker::Slot *LoadWorker::freeSlot()
{
    while (!m_idle.empty()) {
        Slot *slot = m_idle.back();
        m_idle.pop_back();
        if (!slot->busy)
            return slot;
    }
    return nullptr;
}

void LoadWorker::startQueued(Slot &slot, EngineClock::time_point now)
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
    if (!slot.busy)
        m_idle.push_back(&slot);
}

void LoadWorker::pumpOpen(EngineClock::time_point now)
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
        if (Slot *slot = freeSlot()) {
            // Send lag: how late the generator itself is (a free connection was there, the thread was not).
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_current.send_lag_ms = std::max(m_current.send_lag_ms, (now_s - arrival_s) * 1000.0);
            }
            const auto intended = m_shared->start + duration_cast<EngineClock::duration>(duration<double>(arrival_s));
            startRequest(*slot, m_shared->factory->pickEndpoint(m_random.uniform01()), intended, now);
        } else if (m_queue.size() - m_queueHead < m_maxQueue) {
            m_queue.push_back(arrival_s);
            m_queued.fetch_add(1, std::memory_order_relaxed);
        } else {
            // The queue holds a timeout's worth of arrivals: this one would wait at least the timeout.
            recordDropped(now_s - arrival_s, now_s, DropReason::QueueFull);
        }
    }
}

EngineClock::time_point LoadWorker::nextWake(EngineClock::time_point now) const
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

void LoadWorker::armTimer(EngineClock::time_point when)
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

void LoadWorker::growSocketTables(int fd)
{
    if (size_t(fd) < m_registered.size())
        return;
    const size_t size = size_t(fd) + 64;
    m_registered.resize(size, 0);
    m_wanted.resize(size, false);
    m_ours.resize(size, false);
}

void LoadWorker::watchSocket(int fd, int curlWhat)
{
    if (fd < 0)
        return;
    growSocketTables(fd);
    if (curlWhat == CURL_POLL_REMOVE && !m_ours[size_t(fd)]) {
        if (m_registered[size_t(fd)] != 0)
            epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
        m_registered[size_t(fd)] = 0;
        m_wanted[size_t(fd)] = false;
        return;
    }
    if (curlWhat == CURL_POLL_REMOVE) {
        // The transfer is over; its connection waits in libcurl's pool for the next request, which usually
        // watches it for reading again. Leaving it registered saves two epoll_ctl calls per request; if the
        // idle socket does fire (the server closed it), run() unregisters it then.
        m_wanted[size_t(fd)] = false;
        return;
    }
    m_wanted[size_t(fd)] = true;
    const uint32_t events =
        ((curlWhat & CURL_POLL_IN) ? uint32_t(EPOLLIN) : 0u) | ((curlWhat & CURL_POLL_OUT) ? uint32_t(EPOLLOUT) : 0u);
    uint32_t &registered = m_registered[size_t(fd)];
    if (registered == events)
        return;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(m_epollFd, registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    registered = events;
}

void LoadWorker::forgetSocket(int fd)
{
    if (fd < 0)
        return;
    growSocketTables(fd);
    // Closing removes the descriptor from the epoll set, but the number may be reused at once by the next
    // connection: the bookkeeping must not claim it is still registered.
    if (m_registered[size_t(fd)] != 0)
        epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
    m_registered[size_t(fd)] = 0;
    m_wanted[size_t(fd)] = false;
    m_ours[size_t(fd)] = false;
}

int LoadWorker::dispatch(int fd, int curlEvents)
{
    int running = 0;
    curl_multi_socket_action(m_multi, fd < 0 ? CURL_SOCKET_TIMEOUT : fd, curlEvents, &running);
    if (fd < 0) {
        // libcurl calls the timer callback only when its earliest deadline changes; a deadline our
        // millisecond mirror reached a little early would otherwise stay "due" and spin the loop.
        long timeout_ms = -1;
        curl_multi_timeout(m_multi, &timeout_ms);
        m_curlDeadline =
            timeout_ms < 0 ? EngineClock::time_point::max() : EngineClock::now() + milliseconds(timeout_ms);
    }
    return completeTransfers(EngineClock::now());
}

void LoadWorker::run()
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
                Slot *slot = freeSlot();
                if (!slot)
                    break;
                startQueued(*slot, now);
                if (!slot->busy)
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
        // Requests just added (by the pump, or by completions below) and libcurl's own expired timeouts run
        // on the timer path. Sending the requests that completions started before waiting again is what wrk
        // does (it writes the next request right after reading a response): one wait round trip less per
        // request. Bounded to a few rounds so that a fast server cannot starve the pacing checks above.
        for (int round = 0; round < 4 && m_curlDeadline <= EngineClock::now(); ++round)
            dispatch(-1, 0);

        const auto done = EngineClock::now();
        const auto wakeAt = m_draining ? done + milliseconds(100) : nextWake(done);
        armTimer(wakeAt);
        int timeout_ms = 1000;
        if (m_curlDeadline != EngineClock::time_point::max()) {
            const auto until = m_curlDeadline - done;
            timeout_ms =
                until <= EngineClock::duration::zero()
                    ? 0
                    : int(std::min<int64_t>(1000, duration_cast<milliseconds>(until + microseconds(999)).count()));
        }
        const int ready = epoll_wait(m_epollFd, events, kMaxEvents, timeout_ms);
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            if (fd == m_timerFd || fd == m_wakeFd) {
                uint64_t count = 0;
                [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof count);
                if (fd == m_timerFd)
                    m_armedAt = {};
                continue;
            }
            if (size_t(fd) < m_wanted.size() && !m_wanted[size_t(fd)]) {
                // A pooled idle connection became readable: the server closed it (or sent something
                // unasked). libcurl notices when it next picks the connection; stop watching it meanwhile.
                epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
                m_registered[size_t(fd)] = 0;
                continue;
            }
            const uint32_t e = events[i].events;
            const int curlEvents = ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                                   ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
            dispatch(fd, curlEvents);
        }
    }
    tearDown();
    m_finished.store(true, std::memory_order_release);
}

} // namespace Preflight
