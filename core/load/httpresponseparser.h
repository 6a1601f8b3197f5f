#pragma once

#include "data/errorclass.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace Preflight {

// One HTTP/1.1 response read from a byte stream, parsed with nodejs/http-parser (Debian's libhttp-parser):
// status line, headers, and a body delimited by Content-Length, chunked encoding or the end of the
// connection. Interim 1xx answers (100 Continue, 103 Early Hints) are skipped; 101 counts as final.
// The body itself is not kept: only its size, and for failing answers (status ≥ 400) its first bytes and
// the Retry-After, Content-Type and Server headers, as FailureSampler wants them.
//
// One parser per connection, reset with begin() before each request (no pipelining). Not thread-safe;
// no allocation per response on the success path.
class HttpResponseParser
{
public:
    enum class Result {
        NeedMore, // the response is not complete yet
        Complete, // a final response was read; see status(), keepAlive()
        Failed,   // see error(): Reset for malformed or truncated answers, TooLarge above the size limit
    };

    HttpResponseParser();
    ~HttpResponseParser();
    HttpResponseParser(const HttpResponseParser &) = delete;
    HttpResponseParser &operator=(const HttpResponseParser &) = delete;

    // Expects the answer to a new request. headRequest: the answer has no body whatever it announces.
    // maxBodyBytes: a body above this (announced or received) fails as TooLarge.
    void begin(bool headRequest, int64_t maxBodyBytes);
    // Parses the next bytes of the stream. After Complete, bytes past the response's end are not consumed:
    // trailingBytes() says how many were left (a server that sends what was not asked for).
    Result feed(const char *data, size_t size);
    // The peer closed the connection: completes a body delimited by the close, fails anything else.
    Result feedEof();

    int status() const { return m_status; }
    int64_t bodyBytes() const { return m_bodyBytes; }
    // False when the server asked to close (Connection: close, HTTP/1.0 without keep-alive, a body ended by
    // the close, an upgrade) or sent bytes past the response: the connection must not carry another request.
    bool keepAlive() const { return m_keepAlive && m_trailing == 0; }
    size_t trailingBytes() const { return m_trailing; }
    ErrorClass error() const { return m_error; }
    // A short sentence for failure samples ("the connection closed before the answer was complete").
    const std::string &errorMessage() const { return m_errorMessage; }
    // True once any byte of this response (interim answers included) was parsed.
    bool started() const { return m_started; }

    // Kept for failing answers (status ≥ 400) only.
    const std::string &errorBody() const { return m_errorBody; }
    const std::string &retryAfter() const { return m_retryAfter; }
    const std::string &contentType() const { return m_contentType; }
    const std::string &server() const { return m_server; }

private:
    struct Callbacks;
    friend struct Callbacks;
    void resetMessage();
    Result fail(ErrorClass error, std::string message);

    struct State;
    std::unique_ptr<State> m_state; // the http_parser struct and its settings (keeps http_parser.h private)
    bool m_head = false;
    int64_t m_maxBodyBytes = 0;
    int m_status = 0;
    int64_t m_bodyBytes = 0;
    bool m_keepAlive = true;
    bool m_complete = false;
    bool m_tooLarge = false;
    bool m_started = false;
    size_t m_trailing = 0;
    ErrorClass m_error = ErrorClass::Other;
    std::string m_errorMessage;
    // Header capture for failing answers: which wanted header the value being parsed belongs to.
    std::string m_field;
    std::string *m_capture = nullptr;
    bool m_lastWasValue = false;
    std::string m_errorBody;
    std::string m_retryAfter;
    std::string m_contentType;
    std::string m_server;
};

} // namespace Preflight
