#pragma once

#include "loaddriver.h"
#include "rawconnection.h"

#include <memory>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace Preflight {

// The raw HTTP/1.1 load path (docs/engine.md): a LoadDriver whose transport is one non-blocking socket per slot on
// the driver's own epoll set, in the shape of wrk. Requests are rendered into bytes once per endpoint when
// they never change, else per request from RequestFactory's URL and body; answers are parsed with
// http-parser. Keep-alive, one request at a time per connection, a reconnect after Connection: close.
// Plain http:// only, no proxy, HTTP/1.1: chooseLoadPath (loadpath.h) decides when it may carry a run.
//
// Failures are classified as LoadWorker's libcurl path classifies them (see RawConnection), a request with
// no complete answer within the endpoint's timeout is a Timeout, and an unresolvable host is Dns. Unlike
// libcurl it never resends a request on its own: a kept-alive connection that closes under a request is that
// request's Reset, once, as the server saw it.
class RawWorker : public LoadDriver
{
public:
    RawWorker(int index, EngineShared *shared);
    ~RawWorker() override;

protected:
    void setUpTransport(int slotCount) override;
    void tearDownTransport() override;
    void send(int slot, int endpoint, uint64_t seq, EngineClock::time_point now) override;
    void handleEvent(const epoll_event &event) override;
    void runDue(EngineClock::time_point now) override;
    EngineClock::time_point transportDeadline() const override;

private:
    struct Slot
    {
        RawConnection connection;
        std::string request; // the bytes of a request that varies (path variables, {seq})
        std::string url;
        std::string body;
        EngineClock::time_point deadline;
        bool busy = false;
        uint64_t opened = 0; // connections opened for the request in flight (0: it went out on a kept-alive one)
    };
    struct Endpoint
    {
        std::string head;  // "METHOD "
        std::string tail;  // " HTTP/1.1\r\n" + header lines (no blank line)
        std::string fixed; // the whole request when it never varies, else empty
        bool isHead = false;
        bool hasBody = false;
        bool needsLength = false; // a method that carries a body: Content-Length even when empty
        bool malformed = false;   // the fixed request's target has a space or control byte: never sent
        long timeout_ms = 0;
    };

    void renderEndpoints();
    void finishFailed(int slot, ErrorClass error, const std::string &message, EngineClock::time_point now);
    void finishAnswered(int slot, EngineClock::time_point now);
    void expireTimeouts(EngineClock::time_point now);

    std::vector<std::unique_ptr<Slot>> m_slots;
    std::vector<Endpoint> m_endpoints;
    size_t m_pathOffset = 0; // where the path starts in a URL built from the base URL
    sockaddr_storage m_address{};
    socklen_t m_addressLength = 0;
    std::string m_resolveError;           // not empty: the host did not resolve, every request fails as Dns
    std::vector<int> m_failedAtSend;      // slots whose request failed before it was sent; reported by runDue()
    std::vector<std::string> m_sendError; // their messages, by slot
    std::vector<ErrorClass> m_sendErrorClass;
    EngineClock::time_point m_nextTimeoutCheck = EngineClock::time_point::max();
    std::vector<char> m_scratch; // one read buffer for every connection: answers are parsed as they arrive
};

} // namespace Preflight
