#include "finding.h"

namespace Preflight {

QString severityId(Severity s)
{
    switch (s) {
    case Severity::Critical:
        return QStringLiteral("critical");
    case Severity::High:
        return QStringLiteral("high");
    case Severity::Medium:
        return QStringLiteral("medium");
    case Severity::Low:
        return QStringLiteral("low");
    case Severity::Info:
        break;
    }
    return QStringLiteral("info");
}

Severity severityFromId(const QString &id)
{
    for (Severity s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low})
        if (severityId(s) == id)
            return s;
    return Severity::Info;
}

std::optional<double> Finding::parameter(const QString &metric) const
{
    for (const Evidence &e : evidence)
        if (e.metric == metric)
            return e.value;
    return std::nullopt;
}

} // namespace Preflight
