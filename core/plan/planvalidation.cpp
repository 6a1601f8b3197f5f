// PlanParser::validate: the rules a parsed plan must meet before it runs (bounds, references, ceilings).
#include "planparser.h"

#include "plankeys.h"

#include <QUrl>

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace {

// Hard ceilings that even an explicit `limits` block cannot pass: a run is always bounded.
constexpr double kCeilingDuration_s = 7 * 24 * 3600.0;
constexpr int kCeilingUsers = 20000;
constexpr double kCeilingRate = 1e6;

QString checkBound(const QString &what, double value, double limit, const QString &limitKey, double ceiling)
{
    if (value > ceiling)
        return QStringLiteral("%1 of %2 is above Preflight's ceiling of %3").arg(what).arg(value).arg(ceiling);
    if (value > limit)
        return QStringLiteral("%1 of %2 exceeds limits.%3 = %4; raise limits.%3 in the plan to allow it")
            .arg(what)
            .arg(value)
            .arg(limitKey)
            .arg(limit);
    return {};
}

// target.engine: which load path may carry the requests (core/load/loadpath.h resolves "auto").
QString engineProblem(const TargetSpec &target)
{
    const QString &engine = target.engine;
    if (engine != QLatin1String("auto") && engine != QLatin1String("curl") && engine != QLatin1String("raw"))
        return QStringLiteral("unknown engine \"%1\"; use \"auto\" (the default), \"curl\" or \"raw\"").arg(engine);
    if (engine != QLatin1String("raw"))
        return {};
    if (!target.base_url.startsWith(QLatin1String("http://"), Qt::CaseInsensitive))
        return QStringLiteral("the raw engine speaks plain http:// only; use \"auto\" or \"curl\" for this base URL");
    if (target.http_version != HttpVersion::Default && target.http_version != HttpVersion::Http1_1)
        return QStringLiteral("the raw engine speaks HTTP/1.1 only; use \"auto\" or \"curl\" with target.http_version "
                              "\"%1\"")
            .arg(httpVersionName(target.http_version));
    return {};
}

} // namespace

QString PlanParser::validate(const Plan &plan)
{
    QString urlError;
    if (plan.target.base_url.isEmpty())
        return QStringLiteral("target.base_url is missing; give the backend's URL, e.g. http://127.0.0.1:8000");
    if (!normaliseBaseUrl(plan.target.base_url, &urlError))
        return QStringLiteral("target.base_url: ") + urlError;
    if (plan.target.timeout_ms <= 0 || plan.target.timeout_ms > 3600 * 1000)
        return QStringLiteral("target.timeout_ms must be between 1 and 3600000 (no timeout is not allowed)");
    if (plan.target.max_response_bytes <= 0)
        return QStringLiteral("target.max_response_bytes must be positive");
    if (const QString problem = engineProblem(plan.target); !problem.isEmpty())
        return QStringLiteral("target.engine: ") + problem;
    if (plan.endpoints.empty())
        return QStringLiteral(
            "endpoints: a plan needs at least one endpoint, e.g. {\"method\": \"GET\", \"path\": \"/\"}");
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        const EndpointSpec &e = plan.endpoints[i];
        const QString p = QStringLiteral("endpoints[%1]").arg(i);
        if (!PlanKeys::methods().contains(e.method))
            return p + QStringLiteral(".method: unknown method \"%1\" (known: %2)")
                           .arg(e.method, PlanKeys::methods().join(QStringLiteral(", ")));
        if (!e.path.startsWith(QLatin1Char('/')))
            return p + QStringLiteral(".path: must start with / (it is appended to target.base_url)");
        // libcurl refuses such a URL before sending it: every request would fail inside Preflight, not at the
        // backend, and the run would blame the backend for it (docs/cli.md).
        for (const QChar c : e.path) {
            if (c == QLatin1Char(' '))
                return p + QStringLiteral(".path: \"%1\" contains a space, which a URL cannot hold; write it as %20")
                               .arg(e.path);
            if (c.isSpace() || c.category() == QChar::Other_Control || c == QChar(0x7F))
                return p + QStringLiteral(".path: \"%1\" contains a control character (tab, newline, …); remove it")
                               .arg(e.path);
        }
        for (const auto &[name, var] : e.vars)
            for (const QString &value : var.values)
                if (std::any_of(value.begin(), value.end(),
                                [](QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; }))
                    return p +
                           QStringLiteral(".vars.%1.list: \"%2\" contains a space or control character, which a URL "
                                          "cannot hold; write a space as %20")
                               .arg(name, value);
        if (!(e.weight > 0))
            return p + QStringLiteral(".weight: must be a positive number");
        if (e.timeout_ms < 0)
            return p + QStringLiteral(".timeout_ms: must be positive");
        for (qsizetype open = e.path.indexOf(QLatin1Char('{')); open >= 0;
             open = e.path.indexOf(QLatin1Char('{'), open + 1)) {
            const qsizetype close = e.path.indexOf(QLatin1Char('}'), open);
            if (close < 0)
                return p + QStringLiteral(".path: unclosed {");
            const QString var = e.path.mid(open + 1, close - open - 1);
            if (open > 0 && e.path[open - 1] == QLatin1Char('$'))
                continue; // ${env:NAME}: resolved when the request is built, not a path variable
            if (var != QLatin1String("seq") && !e.vars.count(var))
                return p + QStringLiteral(
                               ".path: {%1} has no entry in vars (give \"vars\": {\"%1\": {\"range\": [1, 100]}})")
                               .arg(var);
        }
    }
    const Limits &l = plan.limits;
    if (!(l.max_duration_s > 0) || l.max_users <= 0 || !(l.max_rate > 0))
        return QStringLiteral("limits: every limit must be positive (0 never means unlimited)");
    const ScenarioSpec &s = plan.scenario;
    if (!PlanKeys::presets().contains(s.preset))
        return QStringLiteral("scenario.preset: unknown preset \"%1\" (sweep, sustain, burst, soak, stages)")
            .arg(s.preset);
    if (s.think_time_ms < 0)
        return QStringLiteral("scenario.think_time_ms must not be negative");
    if (s.profile_requests < 0 || s.profile_requests > 1000)
        return QStringLiteral("scenario.profile_requests must be between 0 and 1000");

    double total_s = 0;
    double peakUsers = 0;
    double peakRate = 0;
    if (s.preset == QLatin1String("sweep")) {
        if (s.levels.empty())
            return QStringLiteral("scenario.levels: a sweep needs at least one level");
        if (!(s.step_s > 0))
            return QStringLiteral("scenario.step_s must be positive");
        for (int level : s.levels)
            peakUsers = std::max(peakUsers, double(level));
        total_s = s.step_s * double(s.levels.size());
    } else if (s.preset == QLatin1String("stages")) {
        if (s.stages.empty())
            return QStringLiteral("scenario.stages: give at least one {\"duration_s\": …, \"users\": …} stage");
        const bool open = s.stages.front().rate >= 0;
        for (size_t i = 0; i < s.stages.size(); ++i) {
            const StageSpec &st = s.stages[i];
            const QString p = QStringLiteral("scenario.stages[%1]").arg(i);
            if (!(st.duration_s > 0))
                return p + QStringLiteral(".duration_s must be positive");
            if ((st.users >= 0) == (st.rate >= 0))
                return p + QStringLiteral(": give exactly one of users or rate");
            if ((st.rate >= 0) != open)
                return p + QStringLiteral(": all stages must use the same model (users or rate)");
            total_s += st.duration_s;
            peakUsers = std::max(peakUsers, st.users);
            peakRate = std::max(peakRate, st.rate);
        }
    } else {
        if (s.users >= 0 && s.rate >= 0)
            return QStringLiteral("scenario: give users (closed model) or rate (open model), not both");
        if (s.preset == QLatin1String("burst") && !(s.users >= 1))
            return QStringLiteral("scenario.users: a burst needs the number of users to start at once");
        if (s.users >= 0 && s.users < 1)
            return QStringLiteral("scenario.users must be at least 1");
        if (s.rate >= 0 && !(s.rate > 0))
            return QStringLiteral("scenario.rate must be positive");
        if (s.users < 0 && s.rate < 0)
            return QStringLiteral("scenario: %1 needs users (closed model) or rate (open model), e.g. \"users\": 10")
                .arg(s.preset);
        if (!(s.duration_s > 0))
            return QStringLiteral(
                       "scenario.duration_s: %1 needs a positive duration in seconds, e.g. \"duration_s\": 60")
                .arg(s.preset);
        peakUsers = std::max(0.0, s.users);
        peakRate = std::max(0.0, s.rate);
        total_s = s.duration_s + (s.preset == QLatin1String("burst") ? std::max(0.0, s.idle_s) : 0.0);
    }
    if (auto e = checkBound(QStringLiteral("a duration"), total_s, l.max_duration_s, QStringLiteral("max_duration_s"),
                            kCeilingDuration_s);
        !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    if (auto e = checkBound(QStringLiteral("a user count"), peakUsers, l.max_users, QStringLiteral("max_users"),
                            kCeilingUsers);
        !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    if (auto e = checkBound(QStringLiteral("a rate"), peakRate, l.max_rate, QStringLiteral("max_rate"), kCeilingRate);
        !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    return {};
}

} // namespace Preflight
