#pragma once

#include "data/errorclass.h"
#include "requestfactory.h"
#include "transportoptions.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

namespace Preflight {

// The answer to one synchronous request made outside the load (reachability check, health, login, pool).
struct ProbeResult
{
    // A TCP connection to the target was made. Only when false is the target "unreachable" (refused, no
    // route, a host name that does not resolve, a connect timeout): a reset, a malformed or a large answer
    // come from a running server that the load will measure.
    bool connected = false;
    bool answered = false; // an HTTP status line and headers arrived (any status)
    int status = 0;
    ErrorClass error_class = ErrorClass::Other; // when !answered
    QString error;                              // libcurl's words when !answered
    QByteArray body;                            // at most the probe's body limit
    bool truncated = false; // the body was longer than the limit: reading stopped there (still answered)
    // Why a TLS handshake failed, when it did: what the user has to change differs.
    enum class TlsProblem {
        None,
        Untrusted,        // the certificate chain is not trusted (self-signed, unknown CA): --ca-file
        WrongHost,        // trusted, but not for the URL's host name
        ClientCertificate // our own certificate or key could not be used: target.tls.cert_file / key_file
    };
    TlsProblem tls_problem = TlsProblem::None;
    double latency_ms = 0;

    bool isSuccess() const { return answered && status >= 200 && status < 300; }
    // "connection refused (http://127.0.0.1:9/health)" — for the one-line CLI error.
    QString describe(const QString &url) const;
};

// Blocking single requests with libcurl's easy interface. Call from a worker thread, never the GUI thread.
class TargetProbe
{
public:
    struct Request
    {
        std::string method = "GET";
        std::string url;
        std::vector<std::string> headers;
        std::string body;
        long timeout_ms = 5000;     // this request's whole and connect timeout (overrides transport's)
        TransportOptions transport; // TLS, proxy, HTTP version: TransportOptions::fromTarget(plan.target)
        // What is kept of the body. A longer body is not an error: the probe stops reading at this point
        // (the status is known by then) and says so with truncated. The load applies the plan's
        // max_response_bytes to every response it measures.
        qint64 maxBodyBytes = 1 << 20;
    };
    static ProbeResult fetch(const Request &request);
};

} // namespace Preflight
