#include "nplusone.h"

#include <cmath>

namespace Preflight::NPlusOne {

QString quote(const QString &text)
{
    // Must stay as the rule writes its notes (core/diagnosis/rules/statementrules.cpp, shortText); tst_nplusone
    // runs the rule and checks that every statement it names is found here.
    constexpr int kMax = 120;
    const QString s = text.simplified();
    return s.size() > kMax ? s.left(kMax - 1) + QStringLiteral("…") : s;
}

Role role(const QueryStat &query, const std::vector<Finding> &findings, const Finding **finding)
{
    if (finding)
        *finding = nullptr;
    const bool profiled = query.phase == QueryPhase::Profile || query.endpoint >= 0;
    const QString text = query.text.simplified();
    for (const Finding &f : findings) {
        if (f.id != QLatin1String("n-plus-one") || (profiled && f.refs.endpoint != query.endpoint))
            continue;
        // The finding's structured references name its statements by fingerprint (text when there is none).
        for (const StatementRef &ref : f.refs.statements) {
            const bool same = !ref.fingerprint.isEmpty() && !query.fingerprint.isEmpty()
                                  ? ref.fingerprint == query.fingerprint
                                  : ref.text.simplified() == text;
            if (!same)
                continue;
            if (finding)
                *finding = &f;
            return ref.role == QLatin1String("parent") ? Role::Parent : Role::Child;
        }
    }
    return Role::None;
}

} // namespace Preflight::NPlusOne
