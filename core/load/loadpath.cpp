#include "loadpath.h"

#include "transportoptions.h"

namespace Preflight {

QString loadPathId(LoadPath path)
{
    return path == LoadPath::Raw ? QStringLiteral("raw") : QStringLiteral("curl");
}

LoadPathChoice chooseLoadPath(const QString &requested, const std::string &baseUrl, const TransportOptions &transport)
{
    LoadPathChoice c;
    if (requested == QLatin1String("raw")) {
        c.path = LoadPath::Raw;
        return c;
    }
    if (requested == QLatin1String("curl"))
        return c;
    const bool http = baseUrl.compare(0, 7, "http://") == 0;
    const size_t authorityEnd = baseUrl.find('/', 7);
    const bool userInfo =
        http && baseUrl.substr(7, authorityEnd == std::string::npos ? std::string::npos : authorityEnd - 7).find('@') !=
                    std::string::npos;
    if (!http)
        c.reason = QStringLiteral("not plain http:// (TLS and HTTP/2 need libcurl)");
    else if (transport.http_version != HttpVersion::Default && transport.http_version != HttpVersion::Http1_1)
        c.reason = QStringLiteral("HTTP/2 was asked for (target.http_version): the raw path speaks HTTP/1.1 only");
    else if (transport.streams_per_connection > 1)
        c.reason = QStringLiteral("multiplexing was asked for (target.multiplex): the raw path speaks HTTP/1.1 only");
    else if (!transport.proxy.empty())
        c.reason = QStringLiteral("a proxy is set in the environment (the raw path does not use proxies)");
    else if (userInfo)
        c.reason = QStringLiteral("the base URL carries credentials (the raw path sends no HTTP authentication)");
    else
        c.path = LoadPath::Raw;
    return c;
}

} // namespace Preflight
