#pragma once

#include "data/errorclass.h"
#include "requestfactory.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

namespace Preflight {

// The answer to one synchronous request made outside the load (reachability check, health, login, pool).
struct ProbeResult
{
    bool answered = false;          // an HTTP answer arrived (any status)
    int status = 0;
    ErrorClass error_class = ErrorClass::Other;  // when !answered
    QString error;                  // libcurl's words when !answered
    QByteArray body;                // at most the probe's body limit
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
        long timeout_ms = 5000;
        std::string caFile;
        bool insecure = false;
        qint64 maxBodyBytes = 1 << 20;
    };
    static ProbeResult fetch(const Request &request);
};

} // namespace Preflight
