#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace PreflightTest {

// A loopback HTTP/1.1 server whose every answer is decided by the test, for the fault cases of docs/cli.md:
// resets, silence, a close in the middle of a body, a body of any size, malformed HTTP, a TLS client
// answered in plain text, and a server killed in the middle of a run. Thread per connection, keep-alive.
// It counts exactly what it read, so that a test can compare what Preflight reports with what the server
// saw (a request counts once its head and body were read, before the answer is decided).
class FaultServer
{
public:
    struct Request
    {
        uint64_t number = 0;       // 1-based, in the order requests were read (over all connections)
        uint64_t onConnection = 0; // 1-based, on this connection
        std::string method;
        std::string path;
        std::string body;
    };

    enum class Action {
        Answer,       // status, body_bytes of 'x' (no body for HEAD), keep-alive
        Reset,        // close at once with RST (SO_LINGER 0), no byte answered
        Close,        // close at once with FIN, no byte answered
        Silence,      // never answer; hold the connection open until the client or the server closes it
        CloseMidBody, // headers with Content-Length body_bytes, half the body, then close
        Malformed,    // a line that is not HTTP, then close
        ResetMidBody, // headers with Content-Length body_bytes, half the body, then RST
    };

    struct Answer
    {
        Action action = Action::Answer;
        int status = 200;
        uint64_t body_bytes = 2;
        int delay_ms = 0;       // Answer: wait this long before answering
        bool chunked = false;   // Answer: the body in chunks of at most 1000 bytes (Transfer-Encoding: chunked)
        bool close = false;     // Answer: "Connection: close", then close the connection after the body
        int interim_status = 0; // Answer: an interim answer first (100 Continue, 103 Early Hints)
    };

    using Decide = std::function<Answer(const Request &)>;

    FaultServer();
    explicit FaultServer(Decide decide);
    ~FaultServer();
    FaultServer(const FaultServer &) = delete;
    FaultServer &operator=(const FaultServer &) = delete;

    // Binds 127.0.0.1 on a free port. With plainTextToTls, every connection is answered with an HTTP error in
    // plain text as soon as its first bytes arrive (a TLS client's handshake fails).
    bool start(bool plainTextToTls = false);
    // Closes the listening socket and every connection (a server that died): later connects are refused.
    void kill();
    int port() const { return m_port; }
    std::string baseUrl(const char *scheme = "http") const
    {
        return std::string(scheme) + "://127.0.0.1:" + std::to_string(m_port);
    }

    uint64_t requestsSeen() const { return m_requests.load(); }
    uint64_t resetsDone() const { return m_resets.load(); }
    uint64_t closesDone() const { return m_closes.load(); }
    uint64_t answersDone() const { return m_answers.load(); }
    uint64_t connectionsAccepted() const { return m_connections.load(); }
    // Every request read (method, path, body), bounded to the first 100k.
    std::vector<Request> requests() const;

    // Answers that reset every n-th request and answer the others 200 (n ≥ 1).
    static Decide resetEvery(uint64_t n);

private:
    void acceptLoop();
    void serve(int fd);

    Decide m_decide;
    bool m_tlsGarbage = false;
    int m_listenFd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::thread m_acceptor;
    mutable std::mutex m_mutex; // guards the fields below
    std::condition_variable m_handlersDone;
    int m_activeHandlers = 0; // detached connection threads still running (a run may open thousands)
    std::vector<int> m_clientFds;
    std::vector<Request> m_seen;
    std::atomic<uint64_t> m_requests{0};
    std::atomic<uint64_t> m_resets{0};
    std::atomic<uint64_t> m_closes{0};
    std::atomic<uint64_t> m_answers{0};
    std::atomic<uint64_t> m_connections{0};
};

} // namespace PreflightTest
