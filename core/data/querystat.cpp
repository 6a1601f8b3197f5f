#include "querystat.h"

namespace Preflight {

QString queryPhaseId(QueryPhase phase)
{
    switch (phase) {
    case QueryPhase::Profile:
        return QStringLiteral("profile");
    case QueryPhase::Run:
        return QStringLiteral("run");
    case QueryPhase::Stage:
        return QStringLiteral("stage");
    case QueryPhase::Log:
        return QStringLiteral("log");
    }
    return QStringLiteral("run");
}

QueryPhase queryPhaseFrom(const QString &id, bool *ok)
{
    for (QueryPhase p : {QueryPhase::Profile, QueryPhase::Run, QueryPhase::Stage, QueryPhase::Log})
        if (queryPhaseId(p) == id) {
            if (ok)
                *ok = true;
            return p;
        }
    if (ok)
        *ok = false;
    return QueryPhase::Run;
}

} // namespace Preflight
