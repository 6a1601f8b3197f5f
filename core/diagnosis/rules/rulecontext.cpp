#include "rulecontext.h"

#include "data/format.h"
#include "plan/targethost.h"

#include <algorithm>
#include <map>

namespace Preflight {

RuleContext makeRuleContext(const RunData &run, const GateSet &gates)
{
    RuleContext ctx{run, gates, summarizeLevels(run), {}, recogniseErrorSamples(run), run.total()};
    ctx.capacity = buildCapacityModel(ctx.levels);
    ctx.dbSamples = !run.db_samples.empty();
    ctx.sqlite = run.database.kind == QLatin1String("sqlite") || run.plan.database.isSqlite();
    ctx.postgres = ctx.dbSamples && !ctx.sqlite;
    ctx.appSessions = AppSessions(run.plan.database);
    ctx.targetOnThisHost = isLoopbackUrl(run.plan.target.base_url);
    return ctx;
}

bool RuleContext::hostCpuSaturated(const LevelSummary &level) const
{
    return targetOnThisHost && level.host_cpus >= 2 && level.host_cpu_busy >= kHostCpuSaturated;
}

uint64_t serverErrors(const EndpointStats &stats)
{
    uint64_t n = 0;
    for (const auto &[status, count] : stats.status_counts)
        if (status >= 500)
            n += count;
    return n;
}

uint64_t addSignatureEvidence(const RuleContext &ctx, const QString &supports, Finding &f, int maxLines)
{
    struct Group
    {
        QString entry;
        QString excerpt;
        uint64_t count = 0;
    };
    std::map<std::pair<QString, QString>, Group> groups;
    uint64_t total = 0;
    for (const SignatureHit &h : ctx.signatures) {
        if (h.supports != supports)
            continue;
        Group &g = groups[{h.entry, h.excerpt}];
        g.entry = h.entry;
        g.excerpt = h.excerpt;
        g.count += h.count;
        total += h.count;
    }
    std::vector<Group> sorted;
    for (const auto &[key, g] : groups)
        sorted.push_back(g);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Group &a, const Group &b) { return a.count > b.count; });
    for (size_t i = 0; i < sorted.size() && int(i) < maxLines; ++i)
        f.evidence.push_back(evidence(QStringLiteral("error_signature"), double(sorted[i].count),
                                      QStringLiteral("responses"),
                                      QStringLiteral("%1: \"%2\"").arg(sorted[i].entry, sorted[i].excerpt)));
    return total;
}

QString RuleContext::endpointLabel(int index) const
{
    if (index < 0 || size_t(index) >= run.plan.endpoints.size())
        return QString();
    const EndpointSpec &e = run.plan.endpoints[size_t(index)];
    QString path = e.path;
    const qsizetype q = path.indexOf(QLatin1Char('?'));
    if (q >= 0)
        path.truncate(q);
    return e.method + QLatin1Char(' ') + path;
}

bool RuleContext::isWriteEndpoint(int index) const
{
    if (index < 0 || size_t(index) >= run.plan.endpoints.size())
        return false;
    const QString m = run.plan.endpoints[size_t(index)].method.toUpper();
    return m == QLatin1String("POST") || m == QLatin1String("PUT") || m == QLatin1String("PATCH") ||
           m == QLatin1String("DELETE");
}

std::vector<int> RuleContext::loadLevels() const
{
    std::vector<int> out;
    for (size_t i = 0; i < levels.size(); ++i)
        if (!levels[i].ramp && levels[i].requests > 0)
            out.push_back(int(i));
    std::stable_sort(out.begin(), out.end(), [&](int a, int b) {
        const LevelSummary &x = levels[size_t(a)], &y = levels[size_t(b)];
        if (x.open_model != y.open_model)
            return !x.open_model;
        return x.load() < y.load();
    });
    return out;
}

double RuleContext::offeredConcurrency(const LevelSummary &level) const
{
    if (!level.open_model) {
        // A user who thinks between requests offers R / (R + Z) of a request at a time (R: its latency there).
        const double z = run.plan.scenario.think_time_ms;
        if (z > 0 && level.mean_ms > 0)
            return level.users * level.mean_ms / (level.mean_ms + z);
        return level.users;
    }
    if (capacity.service_time_ms <= 0)
        return -1;
    return level.rate * capacity.service_time_ms / 1000.0;
}

void addSessionScopeEvidence(const RuleContext &ctx, Finding &f)
{
    std::map<QString, int> excluded;
    int otherDatabases = 0;
    std::map<QString, int> users;
    for (const DbSample &s : ctx.run.db_samples) {
        for (const auto &[reason, n] : s.excluded)
            excluded[reason] = std::max(excluded[reason], n);
        otherDatabases = std::max(otherDatabases, s.other_databases);
        for (const auto &[user, n] : s.by_user)
            users[user] = std::max(users[user], n);
    }
    QStringList roles;
    for (const auto &[user, n] : users)
        roles << QStringLiteral("%1 (up to %2)").arg(user).arg(n);
    QStringList left;
    int leftOut = 0;
    for (const auto &[reason, n] : excluded) {
        left << QStringLiteral("%1 × %2").arg(n).arg(reason);
        leftOut += n;
    }
    if (otherDatabases > 0)
        left << QStringLiteral("%1 × other databases").arg(otherDatabases);
    f.evidence.push_back(evidence(
        QStringLiteral("sessions_left_out"), leftOut + otherDatabases, QStringLiteral("sessions"),
        QStringLiteral("counted: %1%2; left out (most at once): %3")
            .arg(ctx.appSessions.describe(),
                 roles.isEmpty() ? QString() : QStringLiteral(" — roles seen: ") + roles.join(QStringLiteral(", ")),
                 left.isEmpty() ? QStringLiteral("none") : left.join(QStringLiteral(", ")))));
}

QString fmt(double value, int decimals)
{
    return Format::fixed(value, decimals);
}

QString pct(double ratio, int decimals)
{
    return Format::fixed(ratio * 100.0, decimals) + QLatin1Char('%');
}

QString usersLabel(double users)
{
    return Format::load(users, false);
}

Evidence evidence(const QString &metric, double value, const QString &unit, const QString &note)
{
    Evidence e;
    e.metric = metric;
    e.value = value;
    e.unit = unit;
    e.note = note;
    return e;
}

QString shortText(const QString &text, int max)
{
    const QString s = text.simplified();
    return s.size() > max ? s.left(max - 1) + QStringLiteral("…") : s;
}

} // namespace Preflight
