#include "loadworker.h"

#include "curlerrors.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Preflight {

namespace {

using namespace std::chrono;

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
    int endpoint = -1;         // the endpoint the handle is configured for
    bool fixedRequest = false; // same URL/body every time: options stay set between requests
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
            slot->worker->recordResent(slot->index, slot->attemptSent, now);
        ++slot->attempts;
        slot->attemptSent = now;
        return CURL_PREREQFUNC_OK;
    }
};

LoadWorker::LoadWorker(int index, EngineShared *shared) : LoadDriver(index, shared) {}

LoadWorker::~LoadWorker()
{
    join(); // the thread calls the virtual transport until it ends
}

void LoadWorker::setUpTransport(int slotCount)
{
    const EngineShared *m_shared = &shared(); // the driver owns it; the name keeps the options below as they were
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
    }
}

void LoadWorker::tearDownTransport()
{
    for (Slot *slot : m_slots) {
        if (slot->busy)
            curl_multi_remove_handle(m_multi, slot->easy);
        curl_easy_cleanup(slot->easy);
        curl_slist_free_all(slot->headers);
        delete slot;
    }
    m_slots.clear();
    if (m_multi)
        curl_multi_cleanup(m_multi);
    m_multi = nullptr;
}

void LoadWorker::send(int slotIndex, int endpoint, uint64_t seq, EngineClock::time_point)
{
    const RequestFactory &f = *shared().factory;
    Slot &slot = *m_slots[size_t(slotIndex)];
    if (slot.endpoint != endpoint || !slot.fixedRequest) {
        // Re-configure the handle only when the request differs from the previous one on this slot.
        const bool sameEndpoint = slot.endpoint == endpoint;
        f.buildUrl(endpoint, random(), seq, slot.url);
        curl_easy_setopt(slot.easy, CURLOPT_URL, slot.url.c_str());
        if (f.hasBody(endpoint)) {
            f.buildBody(endpoint, seq, slot.body);
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
    slot.attempts = 0;
    slot.bytes = 0;
    slot.status = 0;
    slot.errorBody.clear();
    slot.busy = true;
    curl_multi_add_handle(m_multi, slot.easy);
}

void LoadWorker::finish(Slot &slot, int curlCode, EngineClock::time_point now)
{
    const auto code = CURLcode(curlCode);
    RequestOutcome outcome;
    outcome.bodyBytes = slot.bytes;
    long connects = 0;
    curl_easy_getinfo(slot.easy, CURLINFO_NUM_CONNECTS, &connects);
    outcome.connectionsOpened = uint64_t(std::max(0L, connects));
    if (code == CURLE_OK) {
        long status = 0, version = 0;
        curl_easy_getinfo(slot.easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(slot.easy, CURLINFO_HTTP_VERSION, &version);
        outcome.protocol = int(version == CURL_HTTP_VERSION_1_0   ? HttpProtocol::Http1_0
                               : version == CURL_HTTP_VERSION_2_0 ? HttpProtocol::Http2
                               : version == CURL_HTTP_VERSION_3   ? HttpProtocol::Http3
                                                                  : HttpProtocol::Http1_1);
        outcome.status = int(status);
        if (status >= 400) {
            outcome.retryAfter = headerValue(slot.easy, "Retry-After");
            outcome.contentType = headerValue(slot.easy, "Content-Type");
            outcome.server = headerValue(slot.easy, "Server");
            outcome.errorBody = &slot.errorBody;
        }
    } else {
        outcome.transportFailed = true;
        outcome.errorClass = classifyCurlError(int(code));
        outcome.failureMessage = QByteArray(curl_easy_strerror(code));
    }
    completed(slot.index, outcome, now);
}

void LoadWorker::completeTransfers(EngineClock::time_point now)
{
    int pending = 0;
    while (CURLMsg *msg = curl_multi_info_read(m_multi, &pending)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        Slot *slot = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        const CURLcode code = msg->data.result;
        curl_multi_remove_handle(m_multi, slot->easy); // invalidates msg
        slot->busy = false;
        finish(*slot, int(code), now);
    }
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
            epoll_ctl(epollFd(), EPOLL_CTL_DEL, fd, nullptr);
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
    epoll_ctl(epollFd(), registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
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
        epoll_ctl(epollFd(), EPOLL_CTL_DEL, fd, nullptr);
    m_registered[size_t(fd)] = 0;
    m_wanted[size_t(fd)] = false;
    m_ours[size_t(fd)] = false;
}

void LoadWorker::dispatch(int fd, int curlEvents)
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
    completeTransfers(EngineClock::now());
}

void LoadWorker::runDue(EngineClock::time_point)
{
    // Requests just added (by the pump, or by completions) and libcurl's own expired timeouts run on the timer
    // path. Sending the requests that completions started before waiting again is what wrk does (it writes the
    // next request right after reading a response): one wait round trip less per request. Bounded to a few
    // rounds so that a fast server cannot starve the driver's pacing checks.
    for (int round = 0; round < 4 && m_curlDeadline <= EngineClock::now(); ++round)
        dispatch(-1, 0);
}

void LoadWorker::handleEvent(const epoll_event &event)
{
    const int fd = event.data.fd;
    if (size_t(fd) < m_wanted.size() && !m_wanted[size_t(fd)]) {
        // A pooled idle connection became readable: the server closed it (or sent something
        // unasked). libcurl notices when it next picks the connection; stop watching it meanwhile.
        epoll_ctl(epollFd(), EPOLL_CTL_DEL, fd, nullptr);
        m_registered[size_t(fd)] = 0;
        return;
    }
    const uint32_t e = event.events;
    const int curlEvents = ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                           ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
    dispatch(fd, curlEvents);
}

} // namespace Preflight
