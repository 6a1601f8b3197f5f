#include "httpversion.h"

namespace Preflight {

QString httpVersionName(HttpVersion version)
{
    switch (version) {
    case HttpVersion::Http1_1:
        return QStringLiteral("1.1");
    case HttpVersion::Http2:
        return QStringLiteral("2");
    case HttpVersion::Http2PriorKnowledge:
        return QStringLiteral("2-prior-knowledge");
    case HttpVersion::Default:
        break;
    }
    return {};
}

bool parseHttpVersion(const QString &name, HttpVersion *version)
{
    for (HttpVersion v :
         {HttpVersion::Default, HttpVersion::Http1_1, HttpVersion::Http2, HttpVersion::Http2PriorKnowledge}) {
        if (name == httpVersionName(v)) {
            *version = v;
            return true;
        }
    }
    return false;
}

QString httpVersionChoices()
{
    return QStringLiteral("\"1.1\", \"2\" or \"2-prior-knowledge\" (left out: libcurl's default, HTTP/2 over https "
                          "when the server offers it, else HTTP/1.1)");
}

} // namespace Preflight
