#include "httpserver.h"

#include <QByteArrayView>
#include <QList>
#include <algorithm>

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Demo {

namespace {

constexpr qsizetype kMaxHeaderBytes = 16 * 1024;
constexpr qsizetype kMaxBodyBytes = 1024 * 1024;
// Tag values for epoll_event.data.u64 that are not connection fds (fds are small non-negative ints).
constexpr quint64 kListenTag = quint64(1) << 40;
constexpr quint64 kWakeTag = (quint64(1) << 40) + 1;
constexpr quint64 kStopTag = (quint64(1) << 40) + 2;

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
        if (!ok || c == 0)
            return false;
    }
    return true;
}

} // namespace

HttpServer::HttpServer(Handler handler, int threads)
    : m_handler(std::move(handler)), m_threadCount(threads < 1 ? 1 : threads)
{
}

HttpServer::~HttpServer()
{
    for (auto &entry : m_connections)
        ::close(entry.first);
    if (m_listenFd >= 0)
        ::close(m_listenFd);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

bool HttpServer::listen(quint16 port, QString *error)
{
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_listenFd < 0) {
        *error = QStringLiteral("socket(): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(m_listenFd, SOMAXCONN) != 0) {
        *error = QStringLiteral("cannot listen on 127.0.0.1:%1: %2")
                     .arg(port)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    socklen_t len = sizeof addr;
    ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&addr), &len);
    m_port = ntohs(addr.sin_port);

    m_epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenTag;
    ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_listenFd, &ev);
    ev.data.u64 = kWakeTag;
    ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &ev);
    return true;
}

void HttpServer::run()
{
    if (m_stopFd >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kStopTag;
        ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_stopFd, &ev);
    }
    for (int i = 0; i < m_threadCount; ++i)
        m_workers.emplace_back([this] { workerLoop(); });

    std::vector<epoll_event> events(256);
    bool running = true;
    while (running) {
        const int n = ::epoll_wait(m_epollFd, events.data(), int(events.size()), 250);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i) {
            const quint64 tag = events[size_t(i)].data.u64;
            if (tag == kStopTag) {
                running = false;
            } else if (tag == kListenTag) {
                acceptAll();
            } else if (tag == kWakeTag) {
                quint64 counter;
                while (::read(m_wakeFd, &counter, sizeof counter) > 0) {
                }
                drainDone();
            } else {
                const int fd = int(tag);
                auto it = m_connections.find(fd);
                if (it == m_connections.end())
                    continue;
                const quint32 what = events[size_t(i)].events;
                if (what & (EPOLLERR | EPOLLHUP)) {
                    closeConnection(fd);
                    continue;
                }
                if (what & EPOLLOUT)
                    flush(it->second);
                if ((what & EPOLLIN) && m_connections.count(fd))
                    readFrom(m_connections[fd]);
            }
        }
        if (parentGone())
            running = false;
    }

    {
        std::lock_guard<std::mutex> lock(m_jobsMutex);
        m_stopping = true;
        m_jobs.clear();
    }
    m_jobsReady.notify_all();
    for (auto &t : m_workers)
        t.join();
    m_workers.clear();
}

bool HttpServer::parentGone() const
{
    if (m_parentPid <= 0)
        return false;
    return ::kill(m_parentPid, 0) != 0 && errno == ESRCH;
}

void HttpServer::acceptAll()
{
    for (;;) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; // EAGAIN, or EMFILE: level-triggered epoll retries on the next turn
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        Connection c;
        c.fd = fd;
        c.id = m_nextConnectionId++;
        m_fdById[c.id] = fd;
        m_connections[fd] = std::move(c);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = quint64(fd);
        ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev);
    }
}

void HttpServer::readFrom(Connection &c)
{
    const int fd = c.fd;
    char buffer[16384];
    for (;;) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got > 0) {
            c.in.append(buffer, got);
            if (c.in.size() > kMaxHeaderBytes + kMaxBodyBytes + 4096) {
                closeConnection(fd); // a client that never stops sending
                return;
            }
            continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            // Peer closed (or failed): a response still in a handler is dropped when it comes back.
            closeConnection(fd);
            return;
        }
        if (errno == EINTR)
            continue;
        break;
    }
    parseNext(c);
}

void HttpServer::parseNext(Connection &c)
{
    if (c.busy || c.close_after_write || c.in.isEmpty())
        return;
    const qsizetype headerEnd = c.in.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (c.in.size() > kMaxHeaderBytes)
            reject(c, 431, QStringLiteral("request header too large"));
        return;
    }
    if (headerEnd > kMaxHeaderBytes) {
        reject(c, 431, QStringLiteral("request header too large"));
        return;
    }
    // Each line, the last one included, ends in CRLF; split leaves one empty element after the last '\n'.
    QList<QByteArray> lines = c.in.left(headerEnd + 2).split('\n');
    lines.removeLast();
    const QByteArray requestLine = lines.value(0).endsWith('\r') ? lines.value(0).chopped(1) : lines.value(0);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts[0]) || !parts[1].startsWith('/')) {
        reject(c, 400, QStringLiteral("malformed request line"));
        return;
    }
    const QByteArray &version = parts[2];
    if (!version.startsWith("HTTP/") || version.size() != 8 || version[6] != '.' || !std::isdigit(uchar(version[5])) ||
        !std::isdigit(uchar(version[7]))) {
        reject(c, 400, QStringLiteral("malformed HTTP version"));
        return;
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        reject(c, 505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are supported"));
        return;
    }
    for (char ch : parts[1]) {
        if (uchar(ch) <= 0x20 || uchar(ch) == 0x7f) {
            reject(c, 400, QStringLiteral("malformed request target"));
            return;
        }
    }

    HttpRequest request;
    request.method = parts[0];
    request.target = parts[1];
    const qsizetype q = request.target.indexOf('?');
    request.path = q < 0 ? request.target : request.target.left(q);
    request.query = q < 0 ? QByteArray() : request.target.mid(q + 1);
    qint64 contentLength = 0;
    bool sawLength = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (!line.endsWith('\r')) {
            reject(c, 400, QStringLiteral("header lines must end in CRLF"));
            return;
        }
        line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon))) {
            reject(c, 400, QStringLiteral("malformed header line"));
            return;
        }
        QByteArray name = line.left(colon).toLower();
        QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || value.startsWith('+') || (sawLength && length != contentLength)) {
                reject(c, 400, QStringLiteral("invalid Content-Length"));
                return;
            }
            sawLength = true;
            contentLength = length;
        } else if (name == "transfer-encoding") {
            reject(c, 501, QStringLiteral("Transfer-Encoding is not supported; send a Content-Length"));
            return;
        }
        request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (contentLength > kMaxBodyBytes) {
        reject(c, 413, QStringLiteral("request body larger than 1 MiB"));
        return;
    }
    const qsizetype total = headerEnd + 4 + qsizetype(contentLength);
    if (c.in.size() < total)
        return; // wait for the rest of the body
    request.body = c.in.mid(headerEnd + 4, qsizetype(contentLength));
    c.in.remove(0, total);

    const QByteArray connectionHeader = request.header("connection").toLower();
    bool keepAlive =
        version == "HTTP/1.1" ? !connectionHeader.contains("close") : connectionHeader.contains("keep-alive");
    request.id = m_nextRequestId.fetch_add(1);
    c.busy = true;
    ++m_inFlight; // drainDone() counts every answer out, inline ones too
    if (std::find(m_inlinePaths.begin(), m_inlinePaths.end(), request.path) != m_inlinePaths.end()) {
        // Same way back as a handler thread's answer (drainDone), so the connection logic stays in one place.
        Done done{c.id, keepAlive, m_handler(request).serialize(keepAlive)};
        {
            std::lock_guard<std::mutex> lock(m_doneMutex);
            m_done.push_back(std::move(done));
        }
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_wakeFd, &one, sizeof one);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(m_jobsMutex);
        m_jobs.push_back(Job{c.id, keepAlive, std::move(request)});
    }
    m_jobsReady.notify_one();
}

void HttpServer::reject(Connection &c, int status, const QString &message)
{
    c.in.clear();
    c.out += HttpResponse::error(status, message).serialize(false);
    c.close_after_write = true;
    flush(c);
}

void HttpServer::flush(Connection &c)
{
    const int fd = c.fd;
    while (c.out_pos < c.out.size()) {
        const ssize_t sent = ::send(fd, c.out.constData() + c.out_pos, size_t(c.out.size() - c.out_pos), MSG_NOSIGNAL);
        if (sent > 0) {
            c.out_pos += sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c.want_write) {
                c.want_write = true;
                updateInterest(c);
            }
            return;
        }
        closeConnection(fd);
        return;
    }
    c.out.clear();
    c.out_pos = 0;
    if (c.want_write) {
        c.want_write = false;
        updateInterest(c);
    }
    if (c.close_after_write) {
        closeConnection(fd);
        return;
    }
    parseNext(c); // a request that arrived while the previous one was in a handler
}

void HttpServer::updateInterest(Connection &c)
{
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (c.want_write ? EPOLLOUT : 0u);
    ev.data.u64 = quint64(c.fd);
    ::epoll_ctl(m_epollFd, EPOLL_CTL_MOD, c.fd, &ev);
}

void HttpServer::closeConnection(int fd)
{
    auto it = m_connections.find(fd);
    if (it == m_connections.end())
        return;
    ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    m_fdById.erase(it->second.id);
    m_connections.erase(it);
}

void HttpServer::drainDone()
{
    std::vector<Done> done;
    {
        std::lock_guard<std::mutex> lock(m_doneMutex);
        done.swap(m_done);
    }
    for (Done &d : done) {
        --m_inFlight;
        ++m_requestsServed;
        auto byId = m_fdById.find(d.connection_id);
        if (byId == m_fdById.end())
            continue; // the client went away meanwhile
        Connection &c = m_connections[byId->second];
        c.busy = false;
        c.close_after_write = !d.keep_alive;
        c.out += d.bytes;
        flush(c);
    }
}

void HttpServer::workerLoop()
{
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(m_jobsMutex);
            m_jobsReady.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        HttpResponse response;
        try {
            response = m_handler(job.request);
        } catch (const std::exception &e) {
            response = HttpResponse::error(500, QString::fromUtf8(e.what()));
        }
        Done done{job.connection_id, job.keep_alive, response.serialize(job.keep_alive)};
        {
            std::lock_guard<std::mutex> lock(m_doneMutex);
            m_done.push_back(std::move(done));
        }
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_wakeFd, &one, sizeof one);
    }
}

} // namespace Demo
