#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace PreflightTest {

// A small HTTP/1.1 server on 127.0.0.1 for engine tests: thread per connection, keep-alive, and
// misbehaviours on demand (delays, error shares, silence, resets, a stall). It counts exactly what it
// answered so tests can compare the engine's counts with the server's.
class TestHttpServer
{
public:
    enum class Mode {
        Normal,      // answers every request (after delay_ms)
        NeverAnswer, // reads requests, never answers, keeps the connection open
        CloseAtOnce, // reads a request and closes the connection without answering
    };

    struct Config
    {
        Mode mode = Mode::Normal;
        int delay_ms = 0;
        double error_share = 0; // this share of requests is answered error_status, spread evenly
        int error_status = 503;
        std::string error_body = "{\"error\":\"Service at capacity, please retry\"}";
        std::string retry_after; // Retry-After header on errors when not empty
        std::string body = "ok";
        std::size_t body_bytes = 0; // > 0: answer a body of this many bytes instead of `body`
        // Stall: between stall_from_ms and stall_from_ms + stall_ms after start(), answers are held back.
        int stall_from_ms = -1;
        int stall_ms = 0;
        // Login endpoint: POST /login answers {"access_token": login_token}.
        std::string login_token;
        // When not empty, error answers rotate through these (each with its own status, body, Retry-After)
        // instead of error_status/error_body/retry_after.
        struct ErrorAnswer
        {
            int status = 503;
            std::string body;
            std::string retry_after;
        };
        std::vector<ErrorAnswer> error_answers;
        // Error bodies end with the request's header lines, as a careless backend's debug page would.
        bool echo_request_headers = false;
    };

    TestHttpServer();
    explicit TestHttpServer(Config config);
    ~TestHttpServer();

    // Binds 127.0.0.1 on a free port; returns false on failure.
    bool start();
    void stop();
    int port() const { return m_port; }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(m_port); }

    uint64_t requestsSeen() const { return m_requests.load(); }
    uint64_t answered(int status) const;
    uint64_t connectionsAccepted() const { return m_connections.load(); }
    // Paths and the Authorization header of every request seen (bounded to the first 100k).
    std::vector<std::string> paths() const;
    std::vector<std::string> authorizations() const;
    // When each of those requests was read, seconds since start() (the same bound).
    std::vector<double> arrivals_s() const;
    // Error answers given with error_answers[i].
    uint64_t answeredError(std::size_t i) const;

    // A port on which nothing listens (bound then closed).
    static int refusedPort();

private:
    void acceptLoop();
    void serve(int fd);
    bool respond(int fd, uint64_t number, const std::string &method, const std::string &path,
                 const std::string &head = {});

    Config m_config;
    int m_listenFd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::thread m_acceptor;
    std::mutex m_mutex; // guards the fields below
    std::vector<std::thread> m_handlers;
    std::vector<int> m_clientFds;
    std::map<int, uint64_t> m_statusCounts;
    std::vector<std::string> m_paths;
    std::vector<std::string> m_authorizations;
    std::vector<double> m_arrivals_s;
    std::atomic<uint64_t> m_requests{0};
    std::atomic<uint64_t> m_connections{0};
    std::atomic<uint64_t> m_errorsAnswered{0};
    std::map<std::size_t, uint64_t> m_errorAnswerCounts; // guarded by m_mutex
    std::chrono::steady_clock::time_point m_started;
};

} // namespace PreflightTest
