#include "testhttpserver.h"

#include <arpa/inet.h>
#include <cmath>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace PreflightTest {

namespace {
bool sendAll(int fd, const std::string &data)
{
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += size_t(n);
    }
    return true;
}

const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}
} // namespace

TestHttpServer::TestHttpServer() = default;

TestHttpServer::TestHttpServer(Config config) : m_config(std::move(config)) {}

TestHttpServer::~TestHttpServer()
{
    stop();
}

int TestHttpServer::refusedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool TestHttpServer::start()
{
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
    m_started = std::chrono::steady_clock::now();
    m_acceptor = std::thread([this] { acceptLoop(); });
    return true;
}

void TestHttpServer::stop()
{
    if (m_stopping.exchange(true))
        return;
    if (m_listenFd >= 0) {
        ::shutdown(m_listenFd, SHUT_RDWR);
        ::close(m_listenFd);
    }
    if (m_acceptor.joinable())
        m_acceptor.join();
    std::vector<std::thread> handlers;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (int fd : m_clientFds)
            ::shutdown(fd, SHUT_RDWR);
        handlers.swap(m_handlers);
    }
    for (auto &t : handlers)
        t.join();
}

uint64_t TestHttpServer::answered(int status) const
{
    std::lock_guard<std::mutex> lock(const_cast<std::mutex &>(m_mutex));
    const auto it = m_statusCounts.find(status);
    return it == m_statusCounts.end() ? 0 : it->second;
}

std::vector<std::string> TestHttpServer::paths() const
{
    std::lock_guard<std::mutex> lock(const_cast<std::mutex &>(m_mutex));
    return m_paths;
}

std::vector<double> TestHttpServer::arrivals_s() const
{
    std::lock_guard<std::mutex> lock(const_cast<std::mutex &>(m_mutex));
    return m_arrivals_s;
}

std::vector<std::string> TestHttpServer::authorizations() const
{
    std::lock_guard<std::mutex> lock(const_cast<std::mutex &>(m_mutex));
    return m_authorizations;
}

void TestHttpServer::acceptLoop()
{
    while (!m_stopping.load()) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (m_stopping.load())
                return;
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ++m_connections;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_clientFds.push_back(fd);
        m_handlers.emplace_back([this, fd] { serve(fd); });
    }
}

void TestHttpServer::serve(int fd)
{
    std::string buffer;
    char chunk[16384];
    while (!m_stopping.load()) {
        size_t headerEnd;
        while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            buffer.append(chunk, size_t(n));
        }
        const std::string head = buffer.substr(0, headerEnd);
        size_t contentLength = 0;
        std::string authorization;
        {
            size_t pos = 0;
            while ((pos = head.find("\r\n", pos)) != std::string::npos) {
                pos += 2;
                const size_t eol = head.find("\r\n", pos);
                const std::string line = head.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
                if (strncasecmp(line.c_str(), "Content-Length:", 15) == 0)
                    contentLength = size_t(std::atol(line.c_str() + 15));
                if (strncasecmp(line.c_str(), "Authorization:", 14) == 0)
                    authorization = line.substr(line.find_first_not_of(' ', 14));
            }
        }
        while (buffer.size() < headerEnd + 4 + contentLength) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            buffer.append(chunk, size_t(n));
        }
        const size_t sp1 = head.find(' ');
        const size_t sp2 = head.find(' ', sp1 + 1);
        const std::string method = head.substr(0, sp1);
        const std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
        buffer.erase(0, headerEnd + 4 + contentLength);
        const uint64_t number = m_requests++;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_paths.size() < 100000) {
                m_paths.push_back(path);
                m_authorizations.push_back(authorization);
                m_arrivals_s.push_back(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count());
            }
        }
        if (m_config.mode == Mode::CloseAtOnce) {
            ::shutdown(fd, SHUT_RDWR);
            ::close(fd);
            return;
        }
        if (m_config.mode == Mode::NeverAnswer)
            continue;
        if (!respond(fd, number, method, path, head)) {
            ::close(fd);
            return;
        }
    }
    ::close(fd);
}

uint64_t TestHttpServer::answeredError(std::size_t i) const
{
    std::lock_guard<std::mutex> lock(const_cast<std::mutex &>(m_mutex));
    const auto it = m_errorAnswerCounts.find(i);
    return it == m_errorAnswerCounts.end() ? 0 : it->second;
}

bool TestHttpServer::respond(int fd, uint64_t number, const std::string &method, const std::string &path,
                             const std::string &head)
{
    if (m_config.delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(m_config.delay_ms));
    if (m_config.stall_from_ms >= 0) {
        const auto stallStart = m_started + std::chrono::milliseconds(m_config.stall_from_ms);
        const auto stallEnd = stallStart + std::chrono::milliseconds(m_config.stall_ms);
        const auto now = std::chrono::steady_clock::now();
        if (now >= stallStart && now < stallEnd)
            std::this_thread::sleep_until(stallEnd);
    }
    int status = 200;
    std::string body = m_config.body_bytes > 0 ? std::string(m_config.body_bytes, 'x') : m_config.body;
    std::string extra;
    if (method == "POST" && path == "/login" && !m_config.login_token.empty()) {
        body = "{\"access_token\":\"" + m_config.login_token + "\"}";
    } else if (m_config.error_share > 0 && std::floor(double(number + 1) * m_config.error_share) >
                                               std::floor(double(number) * m_config.error_share)) {
        status = m_config.error_status;
        body = m_config.error_body;
        std::string retryAfter = m_config.retry_after;
        if (!m_config.error_answers.empty()) {
            const std::size_t i = std::size_t(m_errorsAnswered++ % m_config.error_answers.size());
            const Config::ErrorAnswer &answer = m_config.error_answers[i];
            status = answer.status;
            body = answer.body;
            retryAfter = answer.retry_after;
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_errorAnswerCounts[i];
        }
        if (m_config.echo_request_headers)
            body += "\nrequest was:\n" + head;
        if (!retryAfter.empty())
            extra = "Retry-After: " + retryAfter + "\r\n";
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_statusCounts[status];
    }
    const std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
                                 "\r\n"
                                 "Content-Type: application/json\r\nServer: testhttpserver\r\n" +
                                 extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return sendAll(fd, response);
}

} // namespace PreflightTest
