#include "targetprobe.h"

#include "curlerrors.h"
#include "curlglobal.h"

#include <curl/curl.h>

#include <chrono>

namespace Preflight {

namespace {
struct Sink
{
    QByteArray body;
    qint64 limit = 0;
    bool truncated = false;
};

size_t collect(char *data, size_t size, size_t count, void *userdata)
{
    auto *sink = static_cast<Sink *>(userdata);
    const size_t n = size * count;
    if (sink->body.size() + qint64(n) > sink->limit) {
        // Enough read: the answer is there, the rest of the body is not needed (and may be huge).
        sink->body.append(data, qsizetype(sink->limit - sink->body.size()));
        sink->truncated = true;
        return 0;
    }
    sink->body.append(data, qsizetype(n));
    return n;
}

} // namespace

QString ProbeResult::describe(const QString &url) const
{
    if (answered)
        return QStringLiteral("HTTP %1 from %2").arg(status).arg(url);
    QString what;
    switch (error_class) {
    case ErrorClass::Connect:
        what = QStringLiteral("connection refused");
        break;
    case ErrorClass::Dns:
        what = QStringLiteral("host name not found");
        break;
    case ErrorClass::Timeout:
        what = QStringLiteral("no answer before the timeout");
        break;
    case ErrorClass::Tls:
        what = QStringLiteral("TLS failure");
        break;
    case ErrorClass::Reset:
        what = QStringLiteral("connection closed without an answer");
        break;
    case ErrorClass::TooLarge:
        what = QStringLiteral("response too large");
        break;
    default:
        what = QStringLiteral("request failed");
        break;
    }
    return QStringLiteral("%1 at %2 (%3)").arg(what, url, error);
}

ProbeResult TargetProbe::fetch(const Request &request)
{
    ensureCurlGlobalInit();
    ProbeResult result;
    CURL *easy = curl_easy_init();
    Sink sink;
    sink.limit = request.maxBodyBytes;
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    struct curl_slist *headers = nullptr;
    for (const std::string &h : request.headers)
        headers = curl_slist_append(headers, h.c_str());
    TransportOptions transport = request.transport;
    transport.timeout_ms = request.timeout_ms;
    transport.connect_timeout_ms = request.timeout_ms;
    transport.apply(easy);
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (request.method == "HEAD")
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (request.method != "GET" && !(request.method == "POST" && !request.body.empty()))
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    }
    const auto started = std::chrono::steady_clock::now();
    const CURLcode code = curl_easy_perform(easy);
    result.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.truncated && status > 0)) {
        result.connected = true;
        result.answered = true;
        result.status = int(status);
        result.body = sink.body;
        result.truncated = sink.truncated;
    } else {
        result.error_class = classifyCurlError(int(code));
        if (code == CURLE_PEER_FAILED_VERIFICATION)
            // libcurl 7.88 with OpenSSL says "... target host name ..." for a name mismatch, "SSL certificate
            // problem: ..." for a chain it does not trust.
            result.tls_problem = QByteArray(errorBuffer).contains("host name") ? ProbeResult::TlsProblem::WrongHost
                                                                               : ProbeResult::TlsProblem::Untrusted;
        else if (code == CURLE_SSL_CERTPROBLEM)
            result.tls_problem = ProbeResult::TlsProblem::ClientCertificate;
        result.error = QString::fromUtf8(errorBuffer[0] ? errorBuffer : curl_easy_strerror(code));
        curl_off_t connect_us = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        switch (result.error_class) {
        case ErrorClass::Connect:
        case ErrorClass::Dns:
            result.connected = false;
            break;
        case ErrorClass::Tls:
        case ErrorClass::Reset:
        case ErrorClass::TooLarge:
            // Something listened and took the connection (a TLS handshake or an answer went wrong on it).
            result.connected = true;
            break;
        default:
            // A timeout while connecting is a connect failure; a URL libcurl refused never connected.
            result.connected = connect_us > 0;
            break;
        }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    return result;
}

} // namespace Preflight
