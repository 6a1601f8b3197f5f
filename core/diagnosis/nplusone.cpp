#include "nplusone.h"

#include <cmath>

namespace Preflight::NPlusOne {

namespace {

bool same(double a, double b)
{
    return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b));
}

} // namespace

QString quote(const QString &text)
{
    // Must stay as the rule writes its notes (core/diagnosis/rules/databaserules.cpp, shortText); tst_nplusone
    // runs the rule and checks that every statement it names is found here.
    constexpr int kMax = 120;
    const QString s = text.simplified();
    return s.size() > kMax ? s.left(kMax - 1) + QStringLiteral("…") : s;
}

Role role(const QueryStat &query, const std::vector<Finding> &findings, const Finding **finding)
{
    if (finding)
        *finding = nullptr;
    const bool profiled = !query.endpoint.isEmpty();
    const QString quoted = quote(query.text);
    const QString child = QStringLiteral("child: ") + quoted;
    const QString parentTail = QStringLiteral(": ") + quoted;
    for (const Finding &f : findings) {
        if (f.id != QLatin1String("n-plus-one") || (profiled && f.endpoint != query.endpoint))
            continue;
        for (const Evidence &e : f.evidence) {
            Role r = Role::None;
            if (e.metric == QLatin1String("calls_per_request") && e.note == child
                && (!profiled || same(e.value, query.calls_per_request)))
                r = Role::Child;
            else if (e.metric == QLatin1String("parent_rows_per_call") && e.note.startsWith(QLatin1String("parent"))
                     && e.note.endsWith(parentTail) && (!profiled || same(e.value, query.rows_per_call)))
                r = Role::Parent;
            else if (e.metric == QLatin1String("parent_calls_per_request") && e.note.startsWith(QLatin1String("parent"))
                     && e.note.endsWith(parentTail) && (!profiled || same(e.value, query.calls_per_request)))
                r = Role::Parent;
            if (r != Role::None) {
                if (finding)
                    *finding = &f;
                return r;
            }
        }
    }
    return Role::None;
}

} // namespace Preflight::NPlusOne
