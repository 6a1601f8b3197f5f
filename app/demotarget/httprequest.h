#pragma once

#include <QByteArray>

#include <utility>
#include <vector>

namespace Demo {

// One parsed HTTP/1.1 request as handed from the event loop to a handler thread.
struct HttpRequest
{
    quint64 id = 0;                                         // unique per request, used as the SQL log's request id
    QByteArray method;                                      // as sent, e.g. "GET"
    QByteArray target;                                      // origin-form, e.g. "/api/v1/search?q=x"
    QByteArray path;                                        // target before '?', not percent-decoded
    QByteArray query;                                       // target after '?', may be empty
    std::vector<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return h.second;
        return QByteArray();
    }
};

} // namespace Demo
