#pragma once

#include <QByteArray>

#include <utility>
#include <vector>

namespace Demo {

struct HttpResponse
{
    int status = 200;
    QByteArray content_type = "application/json";
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers; // extra headers, e.g. Retry-After

    static HttpResponse json(int status, const QByteArray &body)
    {
        HttpResponse r;
        r.status = status;
        r.body = body;
        return r;
    }
    // {"error": message}
    static HttpResponse error(int status, const QString &message);
    static const char *reason(int status);
    // Status line, headers and body, ready to write. `keepAlive` selects the Connection header.
    QByteArray serialize(bool keepAlive) const;
};

} // namespace Demo
