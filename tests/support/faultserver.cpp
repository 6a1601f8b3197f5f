#include "faultserver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace PreflightTest {

namespace {

bool sendAll(int fd, const char *data, size_t size)
{
    size_t sent = 0;
    while (sent < size) {
        const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += size_t(n);
    }
    return true;
}

bool sendAll(int fd, const std::string &data)
{
    return sendAll(fd, data.data(), data.size());
}

// Sends `bytes` bytes of 'x' in 64 KiB pieces; false as soon as the client is gone.
bool sendBody(int fd, uint64_t bytes)
{
    static const std::string chunk(64 * 1024, 'x');
    while (bytes > 0) {
        const size_t n = size_t(std::min<uint64_t>(bytes, chunk.size()));
        if (!sendAll(fd, chunk.data(), n))
            return false;
        bytes -= n;
    }
    return true;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

void resetAndClose(int fd)
{
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

} // namespace

FaultServer::FaultServer() : FaultServer(Decide{}) {}

FaultServer::FaultServer(Decide decide) : m_decide(std::move(decide))
{
    if (!m_decide)
        m_decide = [](const Request &) { return Answer{}; };
}

FaultServer::~FaultServer()
{
    kill();
}

FaultServer::Decide FaultServer::resetEvery(uint64_t n)
{
    return [n](const Request &r) {
        Answer a;
        if (n > 0 && r.number % n == 0)
            a.action = Action::Reset;
        return a;
    };
}

bool FaultServer::start(bool plainTextToTls)
{
    m_tlsGarbage = plainTextToTls;
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(m_listenFd, 1024) != 0)
        return false;
    socklen_t len = sizeof addr;
    ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_acceptor = std::thread([this] { acceptLoop(); });
    return true;
}

void FaultServer::kill()
{
    if (m_stopping.exchange(true))
        return;
    if (m_acceptor.joinable())
        m_acceptor.join();
    if (m_listenFd >= 0)
        ::close(m_listenFd);
    m_listenFd = -1;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (int fd : m_clientFds)
        ::shutdown(fd, SHUT_RDWR);
    m_handlersDone.wait(lock, [this] { return m_activeHandlers == 0; });
}

std::vector<FaultServer::Request> FaultServer::requests() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_seen;
}

void FaultServer::acceptLoop()
{
    while (!m_stopping.load()) {
        pollfd p{m_listenFd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0)
            continue;
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++m_connections;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_clientFds.push_back(fd);
        ++m_activeHandlers;
        std::thread([this, fd] {
            serve(fd);
            std::lock_guard<std::mutex> done(m_mutex);
            if (--m_activeHandlers == 0)
                m_handlersDone.notify_all();
        }).detach();
    }
}

void FaultServer::serve(int fd)
{
    bool closed = false; // the fd was closed here (reset or close), not to be closed again
    auto forget = [&] {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_clientFds.erase(std::remove(m_clientFds.begin(), m_clientFds.end(), fd), m_clientFds.end());
    };
    std::string buffer;
    char chunk[16384];
    uint64_t onConnection = 0;
    while (!m_stopping.load()) {
        size_t headEnd = buffer.find("\r\n\r\n");
        if (headEnd == std::string::npos || m_tlsGarbage) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                break;
            if (m_tlsGarbage) {
                sendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                break;
            }
            buffer.append(chunk, size_t(n));
            continue;
        }
        const std::string head = buffer.substr(0, headEnd);
        size_t contentLength = 0;
        const std::string lowered = lower(head);
        if (const size_t at = lowered.find("\r\ncontent-length:"); at != std::string::npos)
            contentLength = size_t(std::strtoull(head.c_str() + at + 17, nullptr, 10));
        if (buffer.size() < headEnd + 4 + contentLength) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0)
                break;
            buffer.append(chunk, size_t(n));
            continue;
        }
        Request request;
        request.onConnection = ++onConnection;
        const size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
        request.method = head.substr(0, sp1);
        request.path = sp1 == std::string::npos ? std::string() : head.substr(sp1 + 1, sp2 - sp1 - 1);
        request.body = buffer.substr(headEnd + 4, contentLength);
        buffer.erase(0, headEnd + 4 + contentLength);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            request.number = ++m_requests;
            if (m_seen.size() < 100000)
                m_seen.push_back(request);
        }
        const Answer answer = m_decide(request);
        const bool head_ = request.method == "HEAD";
        if (answer.action == Action::Reset) {
            ++m_resets;
            forget();
            resetAndClose(fd);
            closed = true;
            break;
        }
        if (answer.action == Action::Close) {
            ++m_closes;
            forget();
            ::close(fd);
            closed = true;
            break;
        }
        if (answer.action == Action::Silence) {
            while (!m_stopping.load() && ::recv(fd, chunk, sizeof chunk, 0) > 0) {
            }
            break;
        }
        if (answer.action == Action::Malformed) {
            sendAll(fd, "this is not HTTP at all\r\n\r\n");
            break;
        }
        if (answer.delay_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms)); // a slow backend, not a test wait
        if (answer.interim_status > 0 &&
            !sendAll(fd, "HTTP/1.1 " + std::to_string(answer.interim_status) + " Interim\r\nLink: </a.css>\r\n\r\n"))
            break;
        const std::string headers = "HTTP/1.1 " + std::to_string(answer.status) +
                                    " Status\r\nContent-Type: text/plain\r\n" +
                                    (answer.chunked ? std::string("Transfer-Encoding: chunked\r\n")
                                                    : "Content-Length: " + std::to_string(answer.body_bytes) + "\r\n") +
                                    (answer.close ? "Connection: close\r\n" : "") + "\r\n";
        if (!sendAll(fd, headers))
            break;
        if (answer.action == Action::ResetMidBody) {
            sendBody(fd, answer.body_bytes / 2);
            ++m_resets;
            forget();
            resetAndClose(fd);
            closed = true;
            break;
        }
        if (answer.chunked && !head_) {
            bool ok = true;
            for (uint64_t left = answer.body_bytes; left > 0 && ok;) {
                const uint64_t n = std::min<uint64_t>(left, 1000);
                char size[32];
                snprintf(size, sizeof size, "%llx\r\n", static_cast<unsigned long long>(n));
                ok = sendAll(fd, size) && sendAll(fd, std::string(size_t(n), 'x') + "\r\n");
                left -= n;
            }
            if (!ok || !sendAll(fd, "0\r\n\r\n"))
                break;
            ++m_answers;
            if (answer.close)
                break;
            continue;
        }
        if (answer.action == Action::CloseMidBody) {
            sendBody(fd, answer.body_bytes / 2);
            ++m_closes;
            break;
        }
        if (!head_ && !sendBody(fd, answer.body_bytes))
            break;
        ++m_answers;
        if (answer.close)
            break;
    }
    if (!closed) {
        forget();
        ::close(fd);
    }
}

} // namespace PreflightTest
