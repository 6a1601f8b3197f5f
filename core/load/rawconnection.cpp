#include "rawconnection.h"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace Preflight {

namespace {
std::string describe(const char *what, int error)
{
    return std::string(what) + " (" + std::strerror(error) + ")";
}
} // namespace

RawConnection::~RawConnection()
{
    close();
}

void RawConnection::close()
{
    if (m_fd >= 0)
        ::close(m_fd); // also leaves the epoll set
    m_fd = -1;
    m_watched = 0;
    m_state = State::Closed;
    m_pendingRequest = false;
    m_answered = 0;
}

RawConnection::Progress RawConnection::fail(ErrorClass error, const std::string &message)
{
    close();
    m_error = error;
    m_errorMessage = message;
    return Progress::Failed;
}

void RawConnection::watch(uint32_t events)
{
    if (events == m_watched)
        return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = m_tag;
    epoll_ctl(m_epollFd, m_watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, m_fd, &ev);
    m_watched = events;
}

RawConnection::Progress RawConnection::open(const sockaddr *address, socklen_t length, int epollFd, uint64_t tag)
{
    close();
    m_epollFd = epollFd;
    m_tag = tag;
    m_fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return fail(ErrorClass::Connect, describe("could not open a socket", errno));
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // as libcurl does
    if (::connect(m_fd, address, length) == 0) {
        m_state = State::Idle;
        watch(EPOLLIN);
        return Progress::Pending;
    }
    if (errno != EINPROGRESS)
        return fail(ErrorClass::Connect, describe("could not connect", errno));
    m_state = State::Connecting;
    watch(EPOLLOUT);
    return Progress::Pending;
}

RawConnection::Progress RawConnection::send(const char *data, size_t size, bool headRequest, int64_t maxBodyBytes)
{
    m_out = data;
    m_outLeft = size;
    m_parser.begin(headRequest, maxBodyBytes);
    if (m_state == State::Connecting) {
        m_pendingRequest = true;
        return Progress::Pending;
    }
    m_state = State::Sending;
    return writeSome();
}

RawConnection::Progress RawConnection::writeSome()
{
    while (m_outLeft > 0) {
        const ssize_t n = ::send(m_fd, m_out, m_outLeft, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(EPOLLIN | EPOLLOUT);
                return Progress::Pending;
            }
            return fail(ErrorClass::Reset, describe("the connection failed while sending the request", errno));
        }
        m_out += n;
        m_outLeft -= size_t(n);
    }
    m_state = State::Receiving;
    watch(EPOLLIN);
    return Progress::Pending;
}

RawConnection::Progress RawConnection::finish()
{
    ++m_answered;
    if (m_parser.keepAlive()) {
        m_state = State::Idle;
    } else {
        const uint64_t answered = m_answered;
        close(); // Connection: close, an answer ended by the close, or bytes nobody asked for
        m_answered = answered;
    }
    return Progress::Done;
}

RawConnection::Progress RawConnection::readSome(char *scratch, size_t capacity)
{
    while (true) {
        const ssize_t n = ::recv(m_fd, scratch, capacity, 0);
        if (n > 0) {
            switch (m_parser.feed(scratch, size_t(n))) {
            case HttpResponseParser::Result::Complete:
                return finish();
            case HttpResponseParser::Result::Failed:
                return fail(m_parser.error(), m_parser.errorMessage());
            case HttpResponseParser::Result::NeedMore:
                break;
            }
            if (size_t(n) < capacity)
                return Progress::Pending; // level-triggered: the rest, if any, wakes us again
            continue;
        }
        if (n == 0) {
            if (m_parser.feedEof() == HttpResponseParser::Result::Complete)
                return finish();
            return fail(m_parser.error(), m_parser.errorMessage());
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return Progress::Pending;
        return fail(ErrorClass::Reset, describe(m_parser.started() ? "the connection failed during the answer"
                                                                   : "the connection failed before any answer",
                                                errno));
    }
}

RawConnection::Progress RawConnection::handle(uint32_t epollEvents, char *scratch, size_t capacity)
{
    switch (m_state) {
    case State::Closed:
        return Progress::Pending;
    case State::Idle:
        close(); // the server closed a kept-alive connection (or sent unasked bytes): reconnect on next use
        return Progress::Pending;
    case State::Connecting: {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error == 0 && (epollEvents & (EPOLLERR | EPOLLHUP)))
            error = ECONNREFUSED;
        if (error != 0)
            return fail(ErrorClass::Connect, describe("could not connect", error));
        if (!m_pendingRequest) {
            m_state = State::Idle;
            watch(EPOLLIN);
            return Progress::Pending;
        }
        m_pendingRequest = false;
        m_state = State::Sending;
        return writeSome();
    }
    case State::Sending:
        if (epollEvents & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            // The server answered (or gave up) before taking the whole request: read what it said.
            m_state = State::Receiving;
            watch(EPOLLIN);
            return readSome(scratch, capacity);
        }
        return writeSome();
    case State::Receiving:
        return readSome(scratch, capacity);
    }
    return Progress::Pending;
}

} // namespace Preflight
