#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/types.h>

namespace Demo {

// A small HTTP/1.1 server: one epoll thread (the caller of run()) accepts, reads and parses requests
// (Content-Length bodies, keep-alive; no chunked uploads, no pipelining beyond one request in flight per
// connection), a pool of handler threads runs the Handler, and the responses come back to the epoll thread
// through an eventfd. Malformed requests get 400 (or 413/431/501/505) and the connection is closed.
//
// Handlers run concurrently on `threads` threads; they must be thread-safe. The handler thread count is
// the server's own concurrency limit, as a worker count is in gunicorn or uvicorn.
class HttpServer
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;

    HttpServer(Handler handler, int threads);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds 127.0.0.1:port (0: any free port). False and *error on failure.
    bool listen(quint16 port, QString *error);
    quint16 port() const { return m_port; }

    // Stops run() when this fd (a signalfd for SIGTERM/SIGINT) becomes readable.
    void setStopFd(int fd) { m_stopFd = fd; }
    // Requests for these paths are answered on the event-loop thread instead of queueing behind the handler
    // threads, as a separate management port would (Spring's actuator, a metrics sidecar): the health and
    // metrics documents must stay readable while every handler thread is stuck. Their handlers must not block.
    void setInlinePaths(std::vector<QByteArray> paths) { m_inlinePaths = std::move(paths); }
    // Stops run() when this process disappears (checked every 250 ms). 0: no check.
    void setParentPid(pid_t pid) { m_parentPid = pid; }

    // The event loop; returns when stopped. Handler threads are started here and joined before returning.
    void run();

    quint64 requestsServed() const { return m_requestsServed.load(); }
    int inFlight() const { return m_inFlight.load(); }

private:
    struct Connection
    {
        int fd = -1;
        quint64 id = 0;
        QByteArray in;
        QByteArray out;
        qsizetype out_pos = 0;
        bool busy = false; // a request of this connection is with a handler
        bool close_after_write = false;
        bool want_write = false;
    };
    struct Job
    {
        quint64 connection_id = 0;
        bool keep_alive = true;
        HttpRequest request;
    };
    struct Done
    {
        quint64 connection_id = 0;
        bool keep_alive = true;
        QByteArray bytes;
    };

    void acceptAll();
    void readFrom(Connection &c);
    void parseNext(Connection &c);
    void reject(Connection &c, int status, const QString &message);
    void flush(Connection &c);
    void updateInterest(Connection &c);
    void closeConnection(int fd);
    void drainDone();
    void workerLoop();
    bool parentGone() const;

    Handler m_handler;
    int m_threadCount;
    int m_listenFd = -1;
    int m_epollFd = -1;
    int m_wakeFd = -1;
    int m_stopFd = -1;
    pid_t m_parentPid = 0;
    quint16 m_port = 0;
    quint64 m_nextConnectionId = 1;
    std::unordered_map<int, Connection> m_connections; // by fd
    std::unordered_map<quint64, int> m_fdById;

    std::mutex m_jobsMutex;
    std::condition_variable m_jobsReady;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
    std::vector<QByteArray> m_inlinePaths;

    std::mutex m_doneMutex;
    std::vector<Done> m_done;

    std::atomic<quint64> m_nextRequestId{1};
    std::atomic<quint64> m_requestsServed{0};
    std::atomic<int> m_inFlight{0};
};

} // namespace Demo
