#include "gates.h"

#include "querycount.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <map>

namespace Preflight {

namespace {

const QLatin1String kNoFindingPrefix("no_finding:");

struct CheckKind
{
    const char *id;
    GateSpec::Op defaultOp;
    const char *unit;
    const char *words; // label stem
    bool perLevel;     // judged on the expected level
    bool ratio;        // threshold must be in [0, 1]
};

const CheckKind kKinds[] = {
    {"p50_ms", GateSpec::Op::Le, "ms", "P50", true, false},
    {"p90_ms", GateSpec::Op::Le, "ms", "P90", true, false},
    {"p95_ms", GateSpec::Op::Le, "ms", "P95", true, false},
    {"p99_ms", GateSpec::Op::Le, "ms", "P99", true, false},
    {"p999_ms", GateSpec::Op::Le, "ms", "P99.9", true, false},
    {"max_ms", GateSpec::Op::Le, "ms", "max latency", true, false},
    {"mean_ms", GateSpec::Op::Le, "ms", "mean latency", true, false},
    {"error_rate", GateSpec::Op::Le, "ratio", "error rate", true, true},
    {"success_rate", GateSpec::Op::Ge, "ratio", "success", true, true},
    {"timeout_rate", GateSpec::Op::Le, "ratio", "timeouts", true, true},
    {"success_rate_2x", GateSpec::Op::Ge, "ratio", "success at 2× load", false, true},
    {"min_rps", GateSpec::Op::Ge, "req/s", "sustains", false, false},
    {"queries_per_request", GateSpec::Op::Le, "queries", "queries per request", false, false},
    {"db_backends_ratio", GateSpec::Op::Le, "ratio", "DB backends / max_connections", false, true},
};

const CheckKind *kindOf(const QString &id)
{
    for (const CheckKind &k : kKinds)
        if (id == QLatin1String(k.id))
            return &k;
    return nullptr;
}

QString opSymbol(GateSpec::Op op)
{
    switch (op) {
    case GateSpec::Op::Lt:
        return QStringLiteral("<");
    case GateSpec::Op::Le:
        return QStringLiteral("≤");
    case GateSpec::Op::Gt:
        return QStringLiteral(">");
    case GateSpec::Op::Ge:
        break;
    }
    return QStringLiteral("≥");
}

QString formatNumber(double v)
{
    return QString::number(v, 'g', 6);
}

GateSpec spec(const char *id, GateSpec::Op op, double threshold)
{
    GateSpec g;
    g.id = QLatin1String(id);
    g.op = op;
    g.threshold = threshold;
    return g;
}

double levelValue(const QString &id, const LevelSummary &l)
{
    if (id == QLatin1String("p50_ms"))
        return l.p50_ms;
    if (id == QLatin1String("p90_ms"))
        return l.p90_ms;
    if (id == QLatin1String("p95_ms"))
        return l.p95_ms;
    if (id == QLatin1String("p99_ms"))
        return l.p99_ms;
    if (id == QLatin1String("p999_ms"))
        return l.p999_ms;
    if (id == QLatin1String("max_ms"))
        return l.max_ms;
    if (id == QLatin1String("mean_ms"))
        return l.mean_ms;
    if (id == QLatin1String("error_rate"))
        return l.error_rate;
    if (id == QLatin1String("success_rate"))
        return l.success_rate;
    if (id == QLatin1String("timeout_rate"))
        return l.timeout_rate;
    return 0;
}

// A level "sustains" its offered rate (open model) when it completed at least 98% of it successfully:
// window edges make a perfectly kept 50 req/s measure 49.8. Closed model: the measured successful rate.
constexpr double kSustainTolerance = 0.02;
double sustainedRps(const LevelSummary &l)
{
    if (l.open_model && l.rate > 0 && l.ok_rps >= (1 - kSustainTolerance) * l.rate)
        return std::max(l.rate, l.ok_rps);
    return l.ok_rps;
}

bool parseOp(const QString &s, GateSpec::Op *op)
{
    if (s == QLatin1String("<"))
        *op = GateSpec::Op::Lt;
    else if (s == QLatin1String("<=") || s == QStringLiteral("≤"))
        *op = GateSpec::Op::Le;
    else if (s == QLatin1String(">"))
        *op = GateSpec::Op::Gt;
    else if (s == QLatin1String(">=") || s == QStringLiteral("≥"))
        *op = GateSpec::Op::Ge;
    else
        return false;
    return true;
}

void upsert(std::vector<GateSpec> &checks, const GateSpec &g)
{
    for (GateSpec &c : checks)
        if (c.id == g.id) {
            c = g;
            return;
        }
    checks.push_back(g);
}

} // namespace

bool GateSpec::accepts(double value) const
{
    switch (op) {
    case Op::Lt:
        return value < threshold;
    case Op::Le:
        return value <= threshold;
    case Op::Gt:
        return value > threshold;
    case Op::Ge:
        break;
    }
    return value >= threshold;
}

QString GateSpec::unit() const
{
    if (id.startsWith(kNoFindingPrefix))
        return QStringLiteral("findings");
    const CheckKind *k = kindOf(id);
    return k ? QLatin1String(k->unit) : QString();
}

QString GateSpec::label() const
{
    if (id.startsWith(kNoFindingPrefix))
        return QStringLiteral("no %1 finding").arg(id.mid(kNoFindingPrefix.size()));
    const CheckKind *k = kindOf(id);
    if (!k)
        return id;
    const QString words = QLatin1String(k->words);
    if (id == QLatin1String("min_rps"))
        return QStringLiteral("sustains %1 %2 req/s").arg(opSymbol(op), formatNumber(threshold));
    if (k->ratio && id != QLatin1String("db_backends_ratio"))
        return QStringLiteral("%1 %2 %3%").arg(words, opSymbol(op), formatNumber(threshold * 100));
    if (id == QLatin1String("db_backends_ratio"))
        return QStringLiteral("%1 %2 %3%").arg(words, opSymbol(op), formatNumber(threshold * 100));
    const QString unit = QLatin1String(k->unit);
    return QStringLiteral("%1 %2 %3%4")
        .arg(words, opSymbol(op), formatNumber(threshold),
             unit == QLatin1String("ms") ? QStringLiteral(" ms") : QString());
}

QStringList GateSet::presetNames()
{
    return {QStringLiteral("launch"), QStringLiteral("revised")};
}

QStringList GateSet::knownCheckIds()
{
    QStringList ids;
    for (const CheckKind &k : kKinds)
        ids << QLatin1String(k.id);
    return ids;
}

std::optional<GateSet> GateSet::preset(const QString &name)
{
    using Op = GateSpec::Op;
    GateSet set;
    set.m_name = name;
    if (name == QLatin1String("launch")) {
        // docs/diagnosis.md: P95 ≤ 120 ms · P99 ≤ 200 ms · error rate < 0.1% · sustains ≥ 50 req/s · no pool-exhaustion
        set.m_checks = {spec("p95_ms", Op::Le, 120), spec("p99_ms", Op::Le, 200), spec("error_rate", Op::Lt, 0.001),
                        spec("min_rps", Op::Ge, 50), spec("no_finding:pool-exhaustion", Op::Le, 0)};
        return set;
    }
    if (name == QLatin1String("revised")) {
        // P50 < 50 ms · P95 < 200 ms · P99 < 500 ms · success > 99% at expected load · success > 95% at 2×
        // load · timeouts < 0.5% · sustains ≥ 100 req/s
        set.m_checks = {spec("p50_ms", Op::Lt, 50),
                        spec("p95_ms", Op::Lt, 200),
                        spec("p99_ms", Op::Lt, 500),
                        spec("success_rate", Op::Gt, 0.99),
                        spec("success_rate_2x", Op::Gt, 0.95),
                        spec("timeout_rate", Op::Lt, 0.005),
                        spec("min_rps", Op::Ge, 100)};
        return set;
    }
    return std::nullopt;
}

std::optional<GateSet> GateSet::fromJson(const QJsonObject &json, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<GateSet> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    GateSet set;
    set.m_name = QStringLiteral("custom");
    if (json.contains(QLatin1String("preset"))) {
        const QString base = json.value(QLatin1String("preset")).toString();
        auto p = preset(base);
        if (!p)
            return fail(QStringLiteral("gates.preset: unknown preset '%1' (known: %2)")
                            .arg(base, presetNames().join(QStringLiteral(", "))));
        set = *p;
        set.m_name = base + QStringLiteral("+custom");
    }
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const QString where = QStringLiteral("gates.") + key;
        if (key == QLatin1String("preset") || key == QLatin1String("description"))
            continue;
        if (key == QLatin1String("name")) {
            if (!v.isString() || v.toString().isEmpty())
                return fail(where + QStringLiteral(": must be a non-empty string"));
            set.m_name = v.toString();
            continue;
        }
        if (key == QLatin1String("expected_users") || key == QLatin1String("expected_rate")) {
            if (!v.isDouble() || v.toDouble() <= 0)
                return fail(where + QStringLiteral(": must be a number above 0"));
            (key == QLatin1String("expected_users") ? set.m_expected_users : set.m_expected_rate) = v.toDouble();
            continue;
        }
        if (key == QLatin1String("no_finding")) {
            if (!v.isArray())
                return fail(where + QStringLiteral(": must be an array of finding ids, e.g. [\"pool-exhaustion\"]"));
            for (const QJsonValue &f : v.toArray()) {
                if (!f.isString() || f.toString().isEmpty())
                    return fail(where + QStringLiteral(": every entry must be a finding id string"));
                GateSpec g;
                g.id = kNoFindingPrefix + f.toString();
                g.op = GateSpec::Op::Le;
                upsert(set.m_checks, g);
            }
            continue;
        }
        if (key.startsWith(kNoFindingPrefix)) {
            if (key.size() == kNoFindingPrefix.size())
                return fail(where + QStringLiteral(": names no finding id"));
            if (!v.isBool())
                return fail(where + QStringLiteral(": must be true or false"));
            if (v.toBool()) {
                GateSpec g;
                g.id = key;
                g.op = GateSpec::Op::Le;
                g.threshold = 0;
                upsert(set.m_checks, g);
            } else {
                set.m_checks.erase(std::remove_if(set.m_checks.begin(), set.m_checks.end(),
                                                  [&](const GateSpec &c) { return c.id == key; }),
                                   set.m_checks.end());
            }
            continue;
        }
        const CheckKind *kind = kindOf(key);
        if (!kind)
            return fail(QStringLiteral("%1: unknown check id '%2' (known: %3, no_finding:<id>, no_finding, name, "
                                       "preset, expected_users, expected_rate)")
                            .arg(where, key, knownCheckIds().join(QStringLiteral(", "))));
        GateSpec g;
        g.id = key;
        g.op = kind->defaultOp;
        if (v.isNull()) { // remove a preset's check
            set.m_checks.erase(std::remove_if(set.m_checks.begin(), set.m_checks.end(),
                                              [&](const GateSpec &c) { return c.id == key; }),
                               set.m_checks.end());
            continue;
        }
        if (v.isDouble()) {
            g.threshold = v.toDouble();
        } else if (v.isObject() && v.toObject().size() == 1) {
            const QJsonObject o = v.toObject();
            if (!parseOp(o.begin().key(), &g.op))
                return fail(QStringLiteral("%1: unknown operator '%2' (use <, <=, >, >=)").arg(where, o.begin().key()));
            if (!o.begin().value().isDouble())
                return fail(QStringLiteral("%1.%2: must be a number").arg(where, o.begin().key()));
            g.threshold = o.begin().value().toDouble();
        } else {
            return fail(where +
                        QStringLiteral(": must be a number or an object with one operator, e.g. {\"<=\": 150}"));
        }
        if (!std::isfinite(g.threshold) || g.threshold < 0)
            return fail(where + QStringLiteral(": must be a finite number >= 0"));
        if (kind->ratio && g.threshold > 1)
            return fail(
                where +
                QStringLiteral(": is a ratio between 0 and 1 (0.001 = 0.1%), got %1").arg(formatNumber(g.threshold)));
        upsert(set.m_checks, g);
    }
    if (set.m_checks.empty())
        return fail(QStringLiteral("gates: no checks (give at least one check id, or \"preset\")"));
    return set;
}

std::optional<GateSet> GateSet::fromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("gates file %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = QStringLiteral("gates file %1: not a JSON object (%2 at offset %3)")
                         .arg(path, pe.errorString())
                         .arg(pe.offset);
        return std::nullopt;
    }
    QString inner;
    auto set = fromJson(doc.object(), &inner);
    if (!set && error)
        *error = QStringLiteral("gates file %1: %2").arg(path, inner);
    return set;
}

std::optional<GateSet> GateSet::fromPlan(const Plan &plan, QString *error)
{
    if (!plan.gates_inline.isEmpty())
        return fromJson(plan.gates_inline, error);
    if (auto p = preset(plan.gates))
        return p;
    return fromFile(plan.gates, error);
}

void GateSet::setExpectedLoad(double users, double rate)
{
    m_expected_users = users;
    m_expected_rate = rate;
}

double GateSet::threshold(const QString &id, double fallback) const
{
    for (const GateSpec &g : m_checks)
        if (g.id == id)
            return g.threshold;
    return fallback;
}

bool GateSet::has(const QString &id) const
{
    return std::any_of(m_checks.begin(), m_checks.end(), [&](const GateSpec &g) { return g.id == id; });
}

int GateSet::expectedLevel(const std::vector<LevelSummary> &levels, QString *note) const
{
    const bool wantOpen = m_expected_rate > 0;
    const double expected = wantOpen ? m_expected_rate : m_expected_users;
    int best = -1;
    if (expected > 0) {
        for (size_t i = 0; i < levels.size(); ++i) {
            const LevelSummary &l = levels[i];
            if (l.open_model != wantOpen || l.requests == 0 || l.load() < expected - 1e-9)
                continue;
            if (best < 0 || l.load() < levels[size_t(best)].load())
                best = int(i);
        }
        if (note)
            *note = best >= 0 ? QStringLiteral("at %1 (expected load)").arg(levels[size_t(best)].loadLabel())
                              : QStringLiteral("the run never reached the expected load of %1 %2")
                                    .arg(expected)
                                    .arg(wantOpen ? QStringLiteral("req/s") : QStringLiteral("users"));
        return best;
    }
    // Highest load of the run; prefer steady levels over ramps.
    for (bool allowRamp : {false, true}) {
        for (size_t i = 0; i < levels.size(); ++i) {
            const LevelSummary &l = levels[i];
            if (l.requests == 0 || (l.ramp && !allowRamp))
                continue;
            if (best < 0 || l.load() >= levels[size_t(best)].load())
                best = int(i);
        }
        if (best >= 0)
            break;
    }
    if (note)
        *note = best >= 0 ? QStringLiteral("at %1 (highest load of the run)").arg(levels[size_t(best)].loadLabel())
                          : QStringLiteral("no level carried requests");
    return best;
}

bool GateSet::levelPasses(const LevelSummary &level) const
{
    if (level.requests == 0)
        return false;
    for (const GateSpec &g : m_checks) {
        const CheckKind *k = kindOf(g.id);
        if (k && k->perLevel && !g.accepts(levelValue(g.id, level)))
            return false;
    }
    return true;
}

bool GateSet::allPass(const std::vector<GateCheck> &checks)
{
    return std::all_of(checks.begin(), checks.end(), [](const GateCheck &c) { return c.measured && c.pass; });
}

std::vector<GateCheck> GateSet::evaluate(const RunData &run, const std::vector<LevelSummary> &levels,
                                         const std::vector<Finding> &findings) const
{
    QString levelNote;
    const int expected = expectedLevel(levels, &levelNote);
    std::vector<GateCheck> out;
    for (const GateSpec &g : m_checks) {
        GateCheck c;
        c.id = g.id;
        c.label = g.label();
        c.threshold = g.threshold;
        c.unit = g.unit();
        auto set = [&](double value, const QString &note) {
            c.value = value;
            c.measured = true;
            c.pass = g.accepts(value);
            c.note = note;
        };
        const CheckKind *k = kindOf(g.id);
        if (g.id.startsWith(kNoFindingPrefix)) {
            const QString fid = g.id.mid(kNoFindingPrefix.size());
            set(double(std::count_if(findings.begin(), findings.end(), [&](const Finding &f) { return f.id == fid; })),
                QString());
        } else if (k && k->perLevel) {
            if (expected >= 0)
                set(levelValue(g.id, levels[size_t(expected)]), levelNote);
            else
                c.note = levelNote;
        } else if (g.id == QLatin1String("success_rate_2x")) {
            if (expected < 0) {
                c.note = levelNote;
            } else {
                const LevelSummary &base = levels[size_t(expected)];
                int twice = -1;
                for (size_t i = 0; i < levels.size(); ++i) {
                    const LevelSummary &l = levels[i];
                    if (l.open_model == base.open_model && l.requests > 0 && l.load() >= 2 * base.load() - 1e-9 &&
                        (twice < 0 || l.load() < levels[size_t(twice)].load()))
                        twice = int(i);
                }
                if (twice >= 0)
                    set(levels[size_t(twice)].success_rate,
                        QStringLiteral("at %1 (2× %2)").arg(levels[size_t(twice)].loadLabel(), base.loadLabel()));
                else
                    c.note = QStringLiteral("no level at 2× %1; add one to the sweep or set expected_users")
                                 .arg(base.loadLabel());
            }
        } else if (g.id == QLatin1String("min_rps")) {
            int best = -1;
            for (size_t i = 0; i < levels.size(); ++i)
                if (levels[i].requests > 0 &&
                    (best < 0 || sustainedRps(levels[i]) > sustainedRps(levels[size_t(best)])))
                    best = int(i);
            if (best >= 0)
                set(sustainedRps(levels[size_t(best)]),
                    QStringLiteral("best level: %1").arg(levels[size_t(best)].loadLabel()));
            else
                c.note = QStringLiteral("no level carried requests");
        } else if (g.id == QLatin1String("queries_per_request")) {
            int worstEndpoint = -1;
            const double worst = QueryCount::worstPerRequest(run, &worstEndpoint);
            if (worst >= 0)
                set(worst,
                    QStringLiteral("endpoint %1 (profiling pass)").arg(run.plan.endpointDisplayName(worstEndpoint)));
            else
                c.note = QStringLiteral("no profiling pass: needs PostgreSQL with pg_stat_statements");
        } else if (g.id == QLatin1String("db_backends_ratio")) {
            int maxConn = run.database.max_connections;
            int peak = -1;
            for (const DbSample &s : run.db_samples) {
                if (s.max_connections > 0)
                    maxConn = s.max_connections;
                peak = std::max(peak, s.total_connections >= 0 ? s.total_connections : s.backends);
            }
            if (maxConn > 0 && peak >= 0)
                set(double(peak) / double(maxConn), QStringLiteral("%1 of %2 connections").arg(peak).arg(maxConn));
            else
                c.note = QStringLiteral("no database samples with max_connections");
        }
        out.push_back(c);
    }
    return out;
}

std::vector<GateCheck> GateSet::evaluateLive(const std::vector<IntervalSnapshot> &intervals, double window_s) const
{
    EndpointStats window;
    double from_s = 0, to_s = 0;
    if (!intervals.empty()) {
        to_s = intervals.back().end_s;
        from_s = to_s - window_s;
        double first_s = to_s;
        for (auto it = intervals.rbegin(); it != intervals.rend() && it->start_s >= from_s - 1e-9; ++it) {
            window.merge(it->total());
            first_s = it->start_s;
        }
        from_s = first_s;
    }
    LevelSummary l; // the window as a pseudo level
    l.requests = window.requests;
    l.error_rate = window.errorRate();
    l.success_rate = window.requests ? double(window.ok) / double(window.requests) : 1.0;
    l.timeout_rate = window.requests ? double(window.timeouts()) / double(window.requests) : 0.0;
    if (!window.latency.isEmpty()) {
        l.p50_ms = window.latency.percentile_ms(50);
        l.p90_ms = window.latency.percentile_ms(90);
        l.p95_ms = window.latency.percentile_ms(95);
        l.p99_ms = window.latency.percentile_ms(99);
        l.p999_ms = window.latency.percentile_ms(99.9);
        l.max_ms = double(window.latency.max_us()) / 1000.0;
        l.mean_ms = window.latency.mean_us() / 1000.0;
    }
    const double span_s = to_s - from_s;
    const QString note = QStringLiteral("over the last %1 s").arg(QString::number(span_s, 'f', 1));
    std::vector<GateCheck> out;
    for (const GateSpec &g : m_checks) {
        GateCheck c;
        c.id = g.id;
        c.label = g.label();
        c.threshold = g.threshold;
        c.unit = g.unit();
        const CheckKind *k = kindOf(g.id);
        double value = 0;
        bool measured = false;
        if (k && k->perLevel && window.requests > 0) {
            value = levelValue(g.id, l);
            measured = true;
        } else if (g.id == QLatin1String("min_rps") && span_s > 0) {
            value = double(window.ok) / span_s;
            measured = true;
        }
        if (measured) {
            c.value = value;
            c.measured = true;
            c.pass = g.accepts(value);
            c.note = note;
        } else {
            c.note = window.requests == 0 && k && k->perLevel ? QStringLiteral("no requests yet")
                                                              : QStringLiteral("evaluated at the end of the run");
        }
        out.push_back(c);
    }
    return out;
}

} // namespace Preflight
