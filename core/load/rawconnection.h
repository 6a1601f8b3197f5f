#pragma once

#include "data/errorclass.h"
#include "httpresponseparser.h"

#include <cstdint>
#include <string>

#include <sys/socket.h>

namespace Preflight {

// One plain-TCP HTTP/1.1 connection of the raw load path: a non-blocking socket registered on its worker's
// epoll set (level-triggered, with a tag the worker chose), one request at a time (no pipelining), the
// answer parsed by HttpResponseParser. Kept open between requests (keep-alive) unless the server closes it.
//
// Threading: the worker thread only. Failures are values (error(), errorMessage()), classified as the curl
// path classifies them: a refused or unreachable connect is Connect, a connection that resets or closes
// before a complete answer (or sends a malformed one) is Reset, a body above the limit is TooLarge.
class RawConnection
{
public:
    enum class Progress {
        Pending, // the request is under way
        Done,    // a complete answer: response() has it; the connection is idle again or closed
        Failed,  // error() says how; the connection is closed
    };

    RawConnection() = default;
    ~RawConnection();
    RawConnection(const RawConnection &) = delete;
    RawConnection &operator=(const RawConnection &) = delete;

    bool isOpen() const { return m_fd >= 0; }
    // Open, and no request on it.
    bool isIdle() const { return m_state == State::Idle; }
    // Starts a non-blocking connect and registers the socket on epollFd with data.u64 = tag. Failed when
    // the connect fails at once (refused on loopback); Pending otherwise.
    Progress open(const sockaddr *address, socklen_t length, int epollFd, uint64_t tag);
    // Sends a request on the open connection (after the connect completes, if it is still under way).
    // `data` must stay valid until the request is Done or Failed.
    Progress send(const char *data, size_t size, bool headRequest, int64_t maxBodyBytes);
    // Handles the socket's epoll events, reading into `scratch`. An idle connection that becomes readable
    // was closed by the server (or sent what nobody asked): it is closed, and Pending returned.
    Progress handle(uint32_t epollEvents, char *scratch, size_t capacity);
    // Closes the socket (abandoning a request on it).
    void close();

    const HttpResponseParser &response() const { return m_parser; }
    ErrorClass error() const { return m_error; }
    const std::string &errorMessage() const { return m_errorMessage; }
    // Requests answered on this connection since it was opened (keep-alive reuse).
    uint64_t answered() const { return m_answered; }

private:
    enum class State { Closed, Connecting, Sending, Receiving, Idle };
    Progress fail(ErrorClass error, const std::string &message);
    Progress writeSome();
    Progress readSome(char *scratch, size_t capacity);
    Progress finish();
    void watch(uint32_t events);

    int m_fd = -1;
    int m_epollFd = -1;
    uint64_t m_tag = 0;
    uint32_t m_watched = 0;
    State m_state = State::Closed;
    const char *m_out = nullptr;
    size_t m_outLeft = 0;
    bool m_pendingRequest = false; // a request waits for the connect to complete
    uint64_t m_answered = 0;
    HttpResponseParser m_parser;
    ErrorClass m_error = ErrorClass::Other;
    std::string m_errorMessage;
};

} // namespace Preflight
