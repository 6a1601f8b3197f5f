#include "rawworker.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <netdb.h>
#include <strings.h>
#include <sys/epoll.h>
#include <utility>

namespace Preflight {

namespace {

using namespace std::chrono;

struct Authority
{
    std::string hostHeader; // host[:port] as the base URL writes it, without user information
    std::string host;       // for the resolver: no brackets around an IPv6 literal
    std::string port = "80";
};

Authority parseAuthority(const std::string &baseUrl, size_t *pathOffset)
{
    Authority a;
    const size_t begin = baseUrl.find("://") == std::string::npos ? 0 : baseUrl.find("://") + 3;
    const size_t slash = baseUrl.find('/', begin);
    const size_t end = slash == std::string::npos ? baseUrl.size() : slash;
    *pathOffset = end;
    std::string authority = baseUrl.substr(begin, end - begin);
    if (const size_t at = authority.rfind('@'); at != std::string::npos)
        authority.erase(0, at + 1);
    a.hostHeader = authority;
    if (!authority.empty() && authority[0] == '[') {
        const size_t close = authority.find(']');
        a.host = authority.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        if (close != std::string::npos && close + 1 < authority.size() && authority[close + 1] == ':')
            a.port = authority.substr(close + 2);
    } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
        a.host = authority.substr(0, colon);
        a.port = authority.substr(colon + 1);
    } else {
        a.host = authority;
    }
    return a;
}

// "Name: value" -> "Name"
std::string headerName(const std::string &line)
{
    const size_t end = line.find_first_of(":;");
    return line.substr(0, end == std::string::npos ? line.size() : end);
}

bool sameName(const std::string &a, const char *b)
{
    return strcasecmp(a.c_str(), b) == 0;
}

// A request target libcurl would refuse before sending (CURLE_URL_MALFORMAT): a space or a control byte, e.g.
// from a variable resolved to "two words". Sent raw, the server would see a malformed request line instead.
bool malformedTarget(const std::string &url, size_t from)
{
    for (size_t i = from; i < url.size(); ++i)
        if (static_cast<unsigned char>(url[i]) <= 0x20 || url[i] == 0x7f)
            return true;
    return false;
}

// libcurl's words for it (curl_easy_strerror), so both paths report the same failure.
const char *kMalformedUrl = "URL using bad/illegal format or missing URL";

void appendNumber(std::string &out, uint64_t v)
{
    char buf[24];
    const int n = snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    out.append(buf, size_t(n));
}

} // namespace

RawWorker::RawWorker(int index, EngineShared *shared) : LoadDriver(index, shared) {}

RawWorker::~RawWorker()
{
    join(); // the thread calls the virtual transport until it ends
}

void RawWorker::setUpTransport(int slotCount)
{
    const Authority authority = parseAuthority(shared().factory->baseUrl(), &m_pathOffset);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const int rc = getaddrinfo(authority.host.c_str(), authority.port.c_str(), &hints, &found);
    if (rc != 0 || !found) {
        m_resolveError = "could not resolve host " + authority.host + " (" + gai_strerror(rc) + ")";
    } else {
        // One address for the run, IPv4 first ("localhost" is often ::1 and 127.0.0.1, servers often bind
        // only the latter); libcurl would try the others after a refusal.
        const addrinfo *chosen = found;
        for (const addrinfo *a = found; a; a = a->ai_next) {
            if (a->ai_family == AF_INET) {
                chosen = a;
                break;
            }
        }
        std::memcpy(&m_address, chosen->ai_addr, chosen->ai_addrlen);
        m_addressLength = chosen->ai_addrlen;
    }
    if (found)
        freeaddrinfo(found);
    renderEndpoints();
    const std::string hostLine = "Host: " + authority.hostHeader + "\r\n";
    for (Endpoint &e : m_endpoints) {
        e.tail.insert(e.tail.find("\r\n") + 2, hostLine);
        if (!e.fixed.empty())
            e.fixed.insert(e.fixed.find("\r\n") + 2, hostLine);
    }
    m_slots.reserve(size_t(slotCount));
    for (int i = 0; i < slotCount; ++i)
        m_slots.push_back(std::make_unique<Slot>());
    m_sendError.resize(size_t(slotCount));
    m_sendErrorClass.resize(size_t(slotCount), ErrorClass::Other);
    m_failedAtSend.reserve(size_t(slotCount));
    m_scratch.resize(64 * 1024);
}

void RawWorker::renderEndpoints()
{
    const RequestFactory &f = *shared().factory;
    m_endpoints.resize(size_t(f.endpointCount()));
    for (int i = 0; i < f.endpointCount(); ++i) {
        Endpoint &e = m_endpoints[size_t(i)];
        const std::string &method = f.method(i);
        e.head = method + " ";
        e.isHead = method == "HEAD";
        e.hasBody = f.hasBody(i);
        e.needsLength = e.hasBody || method == "POST" || method == "PUT" || method == "PATCH";
        e.timeout_ms = f.timeoutMs(i);
        // The header lines libcurl would send: its defaults unless the plan names the header, then the plan's.
        // As with CURLOPT_HTTPHEADER, "Name:" removes a header and "Name;" sends it empty.
        bool userAgent = true, accept = true, contentType = e.hasBody;
        std::string lines;
        for (const std::string &h : f.headers(i)) {
            const std::string name = headerName(h);
            userAgent &= !sameName(name, "User-Agent");
            accept &= !sameName(name, "Accept");
            contentType &= !sameName(name, "Content-Type");
            const size_t colon = h.find(':');
            const bool removal = colon != std::string::npos && h.find_first_not_of(' ', colon + 1) == std::string::npos;
            if (removal || sameName(name, "Host") || sameName(name, "Content-Length"))
                continue;
            lines += (h.size() == name.size() + 1 && h.back() == ';') ? name + ":" : h;
            lines += "\r\n";
        }
        e.tail = " HTTP/1.1\r\n";
        if (userAgent)
            e.tail += "User-Agent: preflight/" PREFLIGHT_VERSION "\r\n";
        if (accept)
            e.tail += "Accept: */*\r\n";
        if (contentType)
            e.tail += "Content-Type: application/x-www-form-urlencoded\r\n"; // libcurl's default for a body
        e.tail += lines;
        if (f.isFixed(i)) {
            FastRandom unused(0);
            std::string url, body;
            f.buildUrl(i, unused, 0, url);
            f.buildBody(i, 0, body);
            const std::string target = url.size() > m_pathOffset ? url.substr(m_pathOffset) : std::string("/");
            e.malformed = malformedTarget(target, 0);
            e.fixed = e.head + target + e.tail;
            if (e.needsLength) {
                e.fixed += "Content-Length: ";
                appendNumber(e.fixed, body.size());
                e.fixed += "\r\n";
            }
            e.fixed += "\r\n" + body;
        }
    }
}

void RawWorker::tearDownTransport()
{
    m_slots.clear(); // closes every connection, abandoning what is in flight
    m_failedAtSend.clear();
}

void RawWorker::send(int slotIndex, int endpoint, uint64_t seq, EngineClock::time_point now)
{
    Slot &s = *m_slots[size_t(slotIndex)];
    const Endpoint &e = m_endpoints[size_t(endpoint)];
    s.busy = true;
    s.deadline = now + milliseconds(e.timeout_ms);
    m_nextTimeoutCheck = std::min(m_nextTimeoutCheck, s.deadline);
    auto failLater = [&](ErrorClass error, const std::string &message) {
        m_sendErrorClass[size_t(slotIndex)] = error;
        m_sendError[size_t(slotIndex)] = message;
        m_failedAtSend.push_back(slotIndex);
    };
    if (!m_resolveError.empty()) {
        failLater(ErrorClass::Dns, m_resolveError);
        return;
    }
    if (e.malformed) {
        failLater(ErrorClass::Other, kMalformedUrl);
        return;
    }
    const std::string *bytes = &e.fixed;
    if (e.fixed.empty()) {
        const RequestFactory &f = *shared().factory;
        f.buildUrl(endpoint, random(), seq, s.url);
        if (malformedTarget(s.url, m_pathOffset)) {
            failLater(ErrorClass::Other, kMalformedUrl);
            return;
        }
        s.request.assign(e.head);
        if (s.url.size() > m_pathOffset)
            s.request.append(s.url, m_pathOffset, std::string::npos);
        else
            s.request.push_back('/');
        s.request.append(e.tail);
        if (e.needsLength) {
            s.body.clear();
            if (e.hasBody)
                f.buildBody(endpoint, seq, s.body);
            s.request.append("Content-Length: ");
            appendNumber(s.request, s.body.size());
            s.request.append("\r\n");
        }
        s.request.append("\r\n");
        if (e.needsLength)
            s.request.append(s.body);
        bytes = &s.request;
    }
    const auto *address = reinterpret_cast<const sockaddr *>(&m_address);
    const int64_t limit = shared().maxResponseBytes;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = s.connection.isOpen();
        s.opened += reused ? 0 : 1;
        if (!reused && s.connection.open(address, m_addressLength, epollFd(), uint64_t(slotIndex)) ==
                           RawConnection::Progress::Failed) {
            failLater(s.connection.error(), s.connection.errorMessage());
            return;
        }
        if (s.connection.send(bytes->data(), bytes->size(), e.isHead, limit) != RawConnection::Progress::Failed)
            return;
        // A kept-alive connection the server had closed takes no request: the server never saw this one, so
        // it goes out once on a new connection (what libcurl does too, and why it counts no failure here).
        if (!reused || s.connection.error() != ErrorClass::Reset)
            break;
    }
    failLater(s.connection.error(), s.connection.errorMessage());
}

void RawWorker::finishAnswered(int slotIndex, EngineClock::time_point now)
{
    Slot &s = *m_slots[size_t(slotIndex)];
    s.busy = false;
    const HttpResponseParser &r = s.connection.response();
    RequestOutcome outcome;
    outcome.status = r.status();
    outcome.bodyBytes = r.bodyBytes();
    outcome.protocol = int(HttpProtocol::Http1_1);
    outcome.connectionsOpened = std::exchange(s.opened, 0);
    if (r.status() >= 400) {
        outcome.errorBody = &r.errorBody();
        outcome.retryAfter = QString::fromLatin1(r.retryAfter().data(), qsizetype(r.retryAfter().size()));
        outcome.contentType = QString::fromLatin1(r.contentType().data(), qsizetype(r.contentType().size()));
        outcome.server = QString::fromLatin1(r.server().data(), qsizetype(r.server().size()));
    }
    completed(slotIndex, outcome, now); // may start the slot's next request, which resets the parser
}

void RawWorker::finishFailed(int slotIndex, ErrorClass error, const std::string &message, EngineClock::time_point now)
{
    Slot &s = *m_slots[size_t(slotIndex)];
    if (!s.busy)
        return;
    s.busy = false;
    RequestOutcome outcome;
    outcome.transportFailed = true;
    outcome.errorClass = error;
    outcome.bodyBytes = s.connection.response().bodyBytes();
    outcome.connectionsOpened = std::exchange(s.opened, 0);
    outcome.failureMessage = QByteArray::fromStdString(message);
    completed(slotIndex, outcome, now);
}

void RawWorker::handleEvent(const epoll_event &event)
{
    const int slotIndex = int(event.data.u64);
    Slot &s = *m_slots[size_t(slotIndex)];
    const auto progress = s.connection.handle(event.events, m_scratch.data(), m_scratch.size());
    if (!s.busy || progress == RawConnection::Progress::Pending)
        return; // an idle connection the server closed was closed here too
    const auto now = EngineClock::now();
    if (progress == RawConnection::Progress::Done)
        finishAnswered(slotIndex, now);
    else
        finishFailed(slotIndex, s.connection.error(), s.connection.errorMessage(), now);
}

void RawWorker::expireTimeouts(EngineClock::time_point now)
{
    m_nextTimeoutCheck = EngineClock::time_point::max();
    EngineClock::time_point next = EngineClock::time_point::max();
    for (size_t i = 0; i < m_slots.size(); ++i) {
        Slot &s = *m_slots[i];
        if (!s.busy)
            continue;
        if (s.deadline > now) {
            next = std::min(next, s.deadline);
            continue;
        }
        s.connection.close(); // as libcurl does: the connection of a timed-out transfer is not reused
        finishFailed(int(i), ErrorClass::Timeout, "no complete answer within the request timeout", now);
    }
    m_nextTimeoutCheck = std::min(m_nextTimeoutCheck, next);
}

void RawWorker::runDue(EngineClock::time_point now)
{
    if (!m_failedAtSend.empty()) {
        std::vector<int> failed;
        failed.swap(m_failedAtSend);
        for (int slot : failed) {
            const std::string message = m_sendError[size_t(slot)];
            finishFailed(slot, m_sendErrorClass[size_t(slot)], message, now); // may fail again: next turn
        }
    }
    if (now >= m_nextTimeoutCheck)
        expireTimeouts(now);
}

EngineClock::time_point RawWorker::transportDeadline() const
{
    // Failures to report make the loop look at its sockets without waiting, then come back.
    return m_failedAtSend.empty() ? m_nextTimeoutCheck : EngineClock::time_point{};
}

} // namespace Preflight
