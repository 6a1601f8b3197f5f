#include "targethost.h"

#include <QRegularExpression>
#include <QUrl>

namespace Preflight {

bool isLoopbackUrl(const QString &url)
{
    const QString host = QUrl(url).host().toLower();
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return true;
    if (host == QLatin1String("::1") || host == QLatin1String("0:0:0:0:0:0:0:1"))
        return true;
    static const QRegularExpression ipv4Loopback(QStringLiteral(R"(^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$)"));
    return ipv4Loopback.match(host).hasMatch();
}

} // namespace Preflight
