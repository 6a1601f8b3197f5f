#include "httpresponseparser.h"

#include "failuresampler.h"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <strings.h>

namespace Preflight {

namespace {
constexpr size_t kMaxHeaderValueBytes = 256;

bool interim(int status)
{
    return status / 100 == 1 && status != 101;
}
} // namespace

struct HttpResponseParser::State
{
    http_parser parser{};
    http_parser_settings settings{};
};

struct HttpResponseParser::Callbacks
{
    static HttpResponseParser *self(http_parser *p) { return static_cast<HttpResponseParser *>(p->data); }

    static int messageBegin(http_parser *p)
    {
        self(p)->m_started = true;
        return 0;
    }

    // Headers are looked at only on failing answers: the success path costs no string work.
    static int headerField(http_parser *p, const char *at, size_t length)
    {
        HttpResponseParser *s = self(p);
        if (p->status_code < 400)
            return 0;
        if (s->m_lastWasValue || s->m_capture) {
            s->m_field.clear();
            s->m_capture = nullptr;
        }
        s->m_lastWasValue = false;
        if (s->m_field.size() < 64)
            s->m_field.append(at, std::min<size_t>(length, 64));
        return 0;
    }

    static int headerValue(http_parser *p, const char *at, size_t length)
    {
        HttpResponseParser *s = self(p);
        if (p->status_code < 400)
            return 0;
        if (!s->m_lastWasValue) {
            s->m_lastWasValue = true;
            const char *name = s->m_field.c_str();
            std::string *target = strcasecmp(name, "Retry-After") == 0    ? &s->m_retryAfter
                                  : strcasecmp(name, "Content-Type") == 0 ? &s->m_contentType
                                  : strcasecmp(name, "Server") == 0       ? &s->m_server
                                                                          : nullptr;
            // The first occurrence counts; a repeated header is ignored.
            s->m_capture = target && target->empty() ? target : nullptr;
            s->m_field.clear();
        }
        if (s->m_capture && s->m_capture->size() < kMaxHeaderValueBytes)
            s->m_capture->append(at, std::min(length, kMaxHeaderValueBytes - s->m_capture->size()));
        return 0;
    }

    static int headersComplete(http_parser *p)
    {
        HttpResponseParser *s = self(p);
        s->m_status = int(p->status_code);
        s->m_field.clear();
        s->m_capture = nullptr;
        s->m_lastWasValue = false;
        if (interim(s->m_status))
            return 0; // no body; the final answer follows on the same connection
        if (s->m_head)
            return 1; // the answer to HEAD announces a body it does not send
        // An announced body above the limit fails before it is read, as libcurl's CURLOPT_MAXFILESIZE does.
        if (p->content_length != ULLONG_MAX && int64_t(p->content_length) > s->m_maxBodyBytes) {
            s->m_tooLarge = true;
            return -1;
        }
        return 0;
    }

    static int body(http_parser *p, const char *at, size_t length)
    {
        HttpResponseParser *s = self(p);
        s->m_bodyBytes += int64_t(length);
        if (s->m_bodyBytes > s->m_maxBodyBytes) {
            s->m_tooLarge = true;
            return -1;
        }
        constexpr size_t kKeep = size_t(FailureSampler::kMaxBodyBytes);
        if (s->m_status >= 400 && s->m_errorBody.size() < kKeep)
            s->m_errorBody.append(at, std::min(length, kKeep - s->m_errorBody.size()));
        return 0;
    }

    static int messageComplete(http_parser *p)
    {
        HttpResponseParser *s = self(p);
        if (interim(int(p->status_code))) {
            s->resetMessage();
            return 0;
        }
        s->m_complete = true;
        s->m_keepAlive = http_should_keep_alive(p) != 0 && !p->upgrade;
        // Stop at the end of this answer: anything after it was not asked for (no pipelining).
        http_parser_pause(p, 1);
        return 0;
    }
};

HttpResponseParser::HttpResponseParser() : m_state(std::make_unique<State>())
{
    http_parser_settings &s = m_state->settings;
    http_parser_settings_init(&s);
    s.on_message_begin = &Callbacks::messageBegin;
    s.on_header_field = &Callbacks::headerField;
    s.on_header_value = &Callbacks::headerValue;
    s.on_headers_complete = &Callbacks::headersComplete;
    s.on_body = &Callbacks::body;
    s.on_message_complete = &Callbacks::messageComplete;
    begin(false, INT64_MAX);
}

HttpResponseParser::~HttpResponseParser() = default;

void HttpResponseParser::begin(bool headRequest, int64_t maxBodyBytes)
{
    http_parser_init(&m_state->parser, HTTP_RESPONSE);
    m_state->parser.data = this;
    m_head = headRequest;
    m_maxBodyBytes = maxBodyBytes;
    m_complete = false;
    m_tooLarge = false;
    m_started = false;
    m_keepAlive = true;
    m_trailing = 0;
    m_error = ErrorClass::Other;
    m_errorMessage.clear();
    resetMessage();
}

void HttpResponseParser::resetMessage()
{
    m_status = 0;
    m_bodyBytes = 0;
    m_field.clear();
    m_capture = nullptr;
    m_lastWasValue = false;
    m_errorBody.clear();
    m_retryAfter.clear();
    m_contentType.clear();
    m_server.clear();
}

HttpResponseParser::Result HttpResponseParser::fail(ErrorClass error, std::string message)
{
    m_error = error;
    m_errorMessage = std::move(message);
    return Result::Failed;
}

HttpResponseParser::Result HttpResponseParser::feed(const char *data, size_t size)
{
    if (m_complete) {
        m_trailing += size;
        return Result::Complete;
    }
    if (m_error != ErrorClass::Other || !m_errorMessage.empty())
        return Result::Failed;
    http_parser &p = m_state->parser;
    const size_t used = http_parser_execute(&p, &m_state->settings, data, size);
    if (m_complete) {
        m_trailing = size - std::min(used, size);
        return Result::Complete;
    }
    const auto code = HTTP_PARSER_ERRNO(&p);
    if (m_tooLarge)
        return fail(ErrorClass::TooLarge, "the response body is larger than target.max_response_bytes (" +
                                              std::to_string(m_maxBodyBytes) +
                                              " bytes); raise the limit if it is expected");
    if (code != HPE_OK)
        return fail(ErrorClass::Reset,
                    std::string("malformed HTTP answer from the server (") + http_errno_description(code) + ")");
    return Result::NeedMore;
}

HttpResponseParser::Result HttpResponseParser::feedEof()
{
    if (m_complete)
        return Result::Complete;
    if (!m_errorMessage.empty())
        return Result::Failed;
    http_parser_execute(&m_state->parser, &m_state->settings, nullptr, 0);
    if (m_complete) {
        m_keepAlive = false; // the close ended the body
        return Result::Complete;
    }
    return fail(ErrorClass::Reset, m_started ? "the connection closed before the answer was complete"
                                             : "the connection closed before any answer");
}

} // namespace Preflight
