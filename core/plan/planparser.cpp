#include "planparser.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrl>

#include <cmath>

namespace Preflight {

QString PlanError::toString() const
{
    if (line > 0)
        return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
    return message;
}

namespace {

// Hard ceilings that even an explicit `limits` block cannot pass: a run is always bounded.
constexpr double kCeilingDuration_s = 7 * 24 * 3600.0;
constexpr int kCeilingUsers = 20000;
constexpr double kCeilingRate = 1e6;

const QStringList &knownPresets()
{
    static const QStringList presets{QStringLiteral("sweep"), QStringLiteral("sustain"), QStringLiteral("burst"),
                                     QStringLiteral("soak"), QStringLiteral("stages")};
    return presets;
}

const QStringList &knownMethods()
{
    static const QStringList methods{QStringLiteral("GET"),    QStringLiteral("POST"),  QStringLiteral("PUT"),
                                     QStringLiteral("PATCH"),  QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                                     QStringLiteral("OPTIONS")};
    return methods;
}

void lineColumnAt(const QByteArray &text, int offset, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else if ((uchar(text[i]) & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

// Reads typed fields and remembers the first problem with its path ("endpoints[2].weight").
class Reader
{
public:
    QString error;

    bool ok() const { return error.isEmpty(); }
    void fail(const QString &path, const QString &what)
    {
        if (error.isEmpty())
            error = path + QStringLiteral(": ") + what;
    }

    QString string(const QJsonObject &o, const char *key, const QString &path, const QString &fallback = {})
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isString()) {
            fail(join(path, key), QStringLiteral("must be a string"));
            return fallback;
        }
        return v.toString();
    }

    double number(const QJsonObject &o, const char *key, const QString &path, double fallback)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isDouble() || !std::isfinite(v.toDouble())) {
            fail(join(path, key), QStringLiteral("must be a number"));
            return fallback;
        }
        return v.toDouble();
    }

    bool boolean(const QJsonObject &o, const char *key, const QString &path, bool fallback)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isBool()) {
            fail(join(path, key), QStringLiteral("must be true or false"));
            return fallback;
        }
        return v.toBool();
    }

    QJsonObject object(const QJsonObject &o, const char *key, const QString &path)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isObject())
            fail(join(path, key), QStringLiteral("must be an object"));
        return v.toObject();
    }

    std::map<QString, QString> stringMap(const QJsonObject &o, const char *key, const QString &path)
    {
        std::map<QString, QString> out;
        const QJsonObject m = object(o, key, path);
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (!it.value().isString())
                fail(join(path, key) + QLatin1Char('.') + it.key(), QStringLiteral("must be a string"));
            else
                out[it.key()] = it.value().toString();
        }
        return out;
    }

    static QString join(const QString &path, const char *key)
    {
        return path.isEmpty() ? QString::fromLatin1(key) : path + QLatin1Char('.') + QLatin1String(key);
    }
};

void readTarget(Reader &r, const QJsonObject &o, TargetSpec &t)
{
    const QString path = QStringLiteral("target");
    t.base_url = r.string(o, "base_url", path);
    t.headers = r.stringMap(o, "headers", path);
    t.timeout_ms = int(r.number(o, "timeout_ms", path, t.timeout_ms));
    t.max_response_bytes = qint64(r.number(o, "max_response_bytes", path, double(t.max_response_bytes)));
    const QJsonObject tls = r.object(o, "tls", path);
    t.ca_file = r.string(tls, "ca_file", QStringLiteral("target.tls"));
    t.insecure = r.boolean(tls, "insecure", QStringLiteral("target.tls"), false);
    const QJsonObject login = r.object(o, "login", path);
    if (!login.isEmpty()) {
        const QString lp = QStringLiteral("target.login");
        t.login.enabled = true;
        t.login.method = r.string(login, "method", lp, t.login.method).toUpper();
        t.login.path = r.string(login, "path", lp);
        t.login.json = r.object(login, "json", lp);
        t.login.token_pointer = r.string(login, "token_pointer", lp, t.login.token_pointer);
        t.login.header = r.string(login, "header", lp, t.login.header);
        t.login.format = r.string(login, "format", lp, t.login.format);
        if (t.login.path.isEmpty())
            r.fail(lp + QStringLiteral(".path"), QStringLiteral("is required for a login step"));
    }
}

void readEndpoint(Reader &r, const QJsonObject &o, const QString &path, EndpointSpec &e)
{
    e.method = r.string(o, "method", path, e.method).toUpper();
    e.path = r.string(o, "path", path);
    e.name = r.string(o, "name", path, e.method + QLatin1Char(' ') + e.path);
    e.weight = r.number(o, "weight", path, 1);
    e.headers = r.stringMap(o, "headers", path);
    e.timeout_ms = int(r.number(o, "timeout_ms", path, 0));
    const QJsonValue json = o.value(QLatin1String("json"));
    if (!json.isUndefined() && !json.isNull()) {
        e.body_is_json = true;
        e.body = json.isObject()  ? QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact)
                 : json.isArray() ? QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact)
                                  : QJsonDocument(QJsonArray{json}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    } else {
        e.body = r.string(o, "body", path).toUtf8();
    }
    const QJsonObject vars = r.object(o, "vars", path);
    for (auto it = vars.begin(); it != vars.end(); ++it) {
        const QString vp = path + QStringLiteral(".vars.") + it.key();
        const QJsonObject v = it.value().toObject();
        PathVariable var;
        if (v.contains(QLatin1String("range"))) {
            const QJsonArray range = v.value(QLatin1String("range")).toArray();
            if (range.size() != 2 || !range[0].isDouble() || !range[1].isDouble()
                || range[0].toDouble() > range[1].toDouble()) {
                r.fail(vp + QStringLiteral(".range"), QStringLiteral("must be [from, to] with from ≤ to"));
                continue;
            }
            var.kind = PathVariable::Kind::Range;
            var.from = qint64(range[0].toDouble());
            var.to = qint64(range[1].toDouble());
        } else if (v.contains(QLatin1String("list"))) {
            var.kind = PathVariable::Kind::List;
            for (const QJsonValue &item : v.value(QLatin1String("list")).toArray())
                var.values.append(item.isString() ? item.toString() : QString::number(item.toDouble(), 'g', 15));
            if (var.values.isEmpty()) {
                r.fail(vp + QStringLiteral(".list"), QStringLiteral("must be a non-empty array"));
                continue;
            }
        } else {
            r.fail(vp, QStringLiteral("needs \"range\": [from, to] or \"list\": [...]"));
            continue;
        }
        e.vars[it.key()] = var;
    }
}

void readScenario(Reader &r, const QJsonObject &o, ScenarioSpec &s)
{
    const QString path = QStringLiteral("scenario");
    s.preset = r.string(o, "preset", path, s.preset);
    s.step_s = r.number(o, "step_s", path, s.step_s);
    s.users = r.number(o, "users", path, s.users);
    s.rate = r.number(o, "rate", path, s.rate);
    s.duration_s = r.number(o, "duration_s", path, s.duration_s);
    s.idle_s = r.number(o, "idle_s", path, s.idle_s);
    s.think_time_ms = r.number(o, "think_time_ms", path, s.think_time_ms);
    s.profile_requests = int(r.number(o, "profile_requests", path, s.profile_requests));
    if (o.contains(QLatin1String("levels"))) {
        s.levels.clear();
        const QJsonValue levels = o.value(QLatin1String("levels"));
        if (!levels.isArray())
            r.fail(path + QStringLiteral(".levels"), QStringLiteral("must be an array of user counts"));
        for (const QJsonValue &v : levels.toArray()) {
            if (!v.isDouble() || v.toDouble() < 1 || v.toDouble() != std::floor(v.toDouble()))
                r.fail(path + QStringLiteral(".levels"), QStringLiteral("must hold whole numbers ≥ 1"));
            else
                s.levels.push_back(int(v.toDouble()));
        }
    }
    if (o.contains(QLatin1String("stages"))) {
        const QJsonArray stages = o.value(QLatin1String("stages")).toArray();
        for (int i = 0; i < stages.size(); ++i) {
            const QString sp = path + QStringLiteral(".stages[%1]").arg(i);
            const QJsonObject st = stages[i].toObject();
            StageSpec stage;
            stage.duration_s = r.number(st, "duration_s", sp, 0);
            stage.users = r.number(st, "users", sp, -1);
            stage.rate = r.number(st, "rate", sp, -1);
            s.stages.push_back(stage);
        }
    }
}

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

} // namespace

std::optional<QString> PlanParser::normaliseBaseUrl(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("the target URL is empty; give one like http://127.0.0.1:8000");
        return std::nullopt;
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) {
        *error = QStringLiteral("\"%1\" is not a valid URL (%2)").arg(trimmed, url.errorString());
        return std::nullopt;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        *error = QStringLiteral("\"%1\" is not an http:// or https:// URL").arg(trimmed);
        return std::nullopt;
    }
    if (url.host().isEmpty()) {
        *error = QStringLiteral("\"%1\" has no host; give one like http://127.0.0.1:8000").arg(trimmed);
        return std::nullopt;
    }
    if (url.hasQuery() || url.hasFragment()) {
        *error = QStringLiteral("\"%1\": put query strings in endpoint paths, not in the base URL").arg(trimmed);
        return std::nullopt;
    }
    QString normal = url.toString(QUrl::FullyEncoded);
    while (normal.endsWith(QLatin1Char('/')))
        normal.chop(1);
    return normal;
}

std::optional<EndpointSpec> PlanParser::parseEndpointShorthand(const QString &text, QString *error)
{
    const QStringList parts = text.simplified().split(QLatin1Char(' '));
    EndpointSpec e;
    if (parts.size() == 1) {
        e.path = parts[0];
    } else if (parts.size() == 2) {
        e.method = parts[0].toUpper();
        e.path = parts[1];
    } else {
        *error = QStringLiteral("endpoint \"%1\" is not of the form \"METHOD /path\"").arg(text);
        return std::nullopt;
    }
    if (!knownMethods().contains(e.method)) {
        *error = QStringLiteral("endpoint \"%1\": unknown method %2").arg(text, e.method);
        return std::nullopt;
    }
    if (!e.path.startsWith(QLatin1Char('/'))) {
        *error = QStringLiteral("endpoint \"%1\": the path must start with /").arg(text);
        return std::nullopt;
    }
    e.name = e.label();
    return e;
}

std::optional<Plan> PlanParser::parseFile(const QString &path, PlanError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error->message = QStringLiteral("cannot read plan %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return parse(file.readAll(), error);
}

std::optional<Plan> PlanParser::parse(const QByteArray &json, PlanError *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        lineColumnAt(json, parseError.offset, &error->line, &error->column);
        error->message = QStringLiteral("malformed JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        error->message = QStringLiteral("a plan is a JSON object; see the plan format in the README");
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    Reader r;
    Plan plan;
    plan.name = r.string(root, "name", {});
    readTarget(r, r.object(root, "target", {}), plan.target);
    const QJsonValue endpoints = root.value(QLatin1String("endpoints"));
    if (!endpoints.isUndefined() && !endpoints.isArray())
        r.fail(QStringLiteral("endpoints"), QStringLiteral("must be an array"));
    const QJsonArray endpointArray = endpoints.toArray();
    for (int i = 0; i < endpointArray.size(); ++i) {
        const QString path = QStringLiteral("endpoints[%1]").arg(i);
        if (!endpointArray[i].isObject()) {
            r.fail(path, QStringLiteral("must be an object"));
            continue;
        }
        EndpointSpec e;
        readEndpoint(r, endpointArray[i].toObject(), path, e);
        plan.endpoints.push_back(e);
    }
    plan.health_path = r.string(r.object(root, "health", {}), "path", QStringLiteral("health"), QStringLiteral("/health"));
    const QJsonObject database = r.object(root, "database", {});
    plan.database.conninfo = r.string(database, "conninfo", QStringLiteral("database"));
    plan.database.log = r.string(database, "log", QStringLiteral("database"));
    const QJsonObject app = r.object(database, "app", {});
    plan.database.app_user = r.string(app, "user", QStringLiteral("database.app"));
    plan.database.app_application_name = r.string(app, "application_name", QStringLiteral("database.app"));
    plan.database.app_client_addr = r.string(app, "client_addr", QStringLiteral("database.app"));
    const QJsonObject pool = r.object(root, "pool", {});
    plan.pool.kind = r.string(pool, "kind", QStringLiteral("pool"));
    plan.pool.url = r.string(pool, "url", QStringLiteral("pool"));
    plan.pool.pointers = r.stringMap(pool, "pointers", QStringLiteral("pool"));
    plan.pool.metrics = r.stringMap(pool, "metrics", QStringLiteral("pool"));
    readScenario(r, r.object(root, "scenario", {}), plan.scenario);
    const QJsonValue gates = root.value(QLatin1String("gates"));
    if (gates.isString()) {
        plan.gates = gates.toString();
        plan.gates_explicit = true;
    } else if (gates.isObject()) {
        plan.gates = QStringLiteral("custom");
        plan.gates_inline = gates.toObject();
        plan.gates_explicit = true;
    } else if (!gates.isUndefined() && !gates.isNull()) {
        r.fail(QStringLiteral("gates"), QStringLiteral("must be a preset name (launch, revised) or an object"));
    }
    const QJsonObject limits = r.object(root, "limits", {});
    plan.limits.max_duration_s = r.number(limits, "max_duration_s", QStringLiteral("limits"), plan.limits.max_duration_s);
    plan.limits.max_users = int(r.number(limits, "max_users", QStringLiteral("limits"), plan.limits.max_users));
    plan.limits.max_rate = r.number(limits, "max_rate", QStringLiteral("limits"), plan.limits.max_rate);

    if (!r.ok()) {
        error->message = r.error;
        return std::nullopt;
    }
    if (const QString problem = validate(plan); !problem.isEmpty()) {
        error->message = problem;
        return std::nullopt;
    }
    if (auto normal = PlanParser::normaliseBaseUrl(plan.target.base_url, &error->message))
        plan.target.base_url = *normal;
    return plan;
}

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
    if (plan.endpoints.empty())
        return QStringLiteral("endpoints: a plan needs at least one endpoint, e.g. {\"method\": \"GET\", \"path\": \"/\"}");
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        const EndpointSpec &e = plan.endpoints[i];
        const QString p = QStringLiteral("endpoints[%1]").arg(i);
        if (!knownMethods().contains(e.method))
            return p + QStringLiteral(".method: unknown method \"%1\"").arg(e.method);
        if (!e.path.startsWith(QLatin1Char('/')))
            return p + QStringLiteral(".path: must start with / (it is appended to target.base_url)");
        if (!(e.weight > 0))
            return p + QStringLiteral(".weight: must be a positive number");
        if (e.timeout_ms < 0)
            return p + QStringLiteral(".timeout_ms: must be positive");
        for (qsizetype open = e.path.indexOf(QLatin1Char('{')); open >= 0; open = e.path.indexOf(QLatin1Char('{'), open + 1)) {
            const qsizetype close = e.path.indexOf(QLatin1Char('}'), open);
            if (close < 0)
                return p + QStringLiteral(".path: unclosed {");
            const QString var = e.path.mid(open + 1, close - open - 1);
            if (var != QLatin1String("seq") && !e.vars.count(var))
                return p + QStringLiteral(".path: {%1} has no entry in vars (give \"vars\": {\"%1\": {\"range\": [1, 100]}})").arg(var);
        }
    }
    const Limits &l = plan.limits;
    if (!(l.max_duration_s > 0) || l.max_users <= 0 || !(l.max_rate > 0))
        return QStringLiteral("limits: every limit must be positive (0 never means unlimited)");
    const ScenarioSpec &s = plan.scenario;
    if (!knownPresets().contains(s.preset))
        return QStringLiteral("scenario.preset: unknown preset \"%1\" (sweep, sustain, burst, soak, stages)").arg(s.preset);
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
            return QStringLiteral("scenario: %1 needs users or rate").arg(s.preset);
        if (!(s.duration_s > 0))
            return QStringLiteral("scenario.duration_s: %1 needs a positive duration").arg(s.preset);
        peakUsers = std::max(0.0, s.users);
        peakRate = std::max(0.0, s.rate);
        total_s = s.duration_s + (s.preset == QLatin1String("burst") ? std::max(0.0, s.idle_s) : 0.0);
    }
    if (auto e = checkBound(QStringLiteral("a duration"), total_s, l.max_duration_s, QStringLiteral("max_duration_s"), kCeilingDuration_s); !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    if (auto e = checkBound(QStringLiteral("a user count"), peakUsers, l.max_users, QStringLiteral("max_users"), kCeilingUsers); !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    if (auto e = checkBound(QStringLiteral("a rate"), peakRate, l.max_rate, QStringLiteral("max_rate"), kCeilingRate); !e.isEmpty())
        return QStringLiteral("scenario: ") + e;
    return {};
}

QJsonObject Plan::toJson() const
{
    auto stringMap = [](const std::map<QString, QString> &m) {
        QJsonObject o;
        for (const auto &[k, v] : m)
            o.insert(k, v);
        return o;
    };
    QJsonObject target{{QStringLiteral("base_url"), this->target.base_url},
                       {QStringLiteral("timeout_ms"), this->target.timeout_ms},
                       {QStringLiteral("max_response_bytes"), double(this->target.max_response_bytes)},
                       {QStringLiteral("tls"), QJsonObject{{QStringLiteral("ca_file"), this->target.ca_file.isEmpty() ? QJsonValue() : QJsonValue(this->target.ca_file)},
                                                           {QStringLiteral("insecure"), this->target.insecure}}}};
    if (!this->target.headers.empty())
        target.insert(QStringLiteral("headers"), stringMap(this->target.headers));
    if (this->target.login.enabled) {
        const LoginSpec &l = this->target.login;
        target.insert(QStringLiteral("login"), QJsonObject{{QStringLiteral("method"), l.method},
                                                           {QStringLiteral("path"), l.path},
                                                           {QStringLiteral("json"), l.json},
                                                           {QStringLiteral("token_pointer"), l.token_pointer},
                                                           {QStringLiteral("header"), l.header},
                                                           {QStringLiteral("format"), l.format}});
    }
    QJsonArray endpointArray;
    for (const EndpointSpec &e : endpoints) {
        QJsonObject o{{QStringLiteral("name"), e.name},
                      {QStringLiteral("method"), e.method},
                      {QStringLiteral("path"), e.path},
                      {QStringLiteral("weight"), e.weight}};
        if (!e.headers.empty())
            o.insert(QStringLiteral("headers"), stringMap(e.headers));
        if (e.timeout_ms > 0)
            o.insert(QStringLiteral("timeout_ms"), e.timeout_ms);
        if (e.body_is_json) {
            const QJsonDocument doc = QJsonDocument::fromJson(e.body);
            o.insert(QStringLiteral("json"), doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()));
        } else if (!e.body.isEmpty()) {
            o.insert(QStringLiteral("body"), QString::fromUtf8(e.body));
        }
        if (!e.vars.empty()) {
            QJsonObject vars;
            for (const auto &[name, v] : e.vars) {
                if (v.kind == PathVariable::Kind::Range)
                    vars.insert(name, QJsonObject{{QStringLiteral("range"), QJsonArray{double(v.from), double(v.to)}}});
                else
                    vars.insert(name, QJsonObject{{QStringLiteral("list"), QJsonArray::fromStringList(v.values)}});
            }
            o.insert(QStringLiteral("vars"), vars);
        }
        endpointArray.append(o);
    }
    QJsonObject scenarioObject{{QStringLiteral("preset"), scenario.preset}};
    if (scenario.preset == QLatin1String("sweep")) {
        QJsonArray levels;
        for (int l : scenario.levels)
            levels.append(l);
        scenarioObject.insert(QStringLiteral("levels"), levels);
        scenarioObject.insert(QStringLiteral("step_s"), scenario.step_s);
    } else if (scenario.preset == QLatin1String("stages")) {
        QJsonArray stages;
        for (const StageSpec &s : scenario.stages) {
            QJsonObject o{{QStringLiteral("duration_s"), s.duration_s}};
            o.insert(s.rate >= 0 ? QStringLiteral("rate") : QStringLiteral("users"), s.rate >= 0 ? s.rate : s.users);
            stages.append(o);
        }
        scenarioObject.insert(QStringLiteral("stages"), stages);
    } else {
        if (scenario.users >= 0)
            scenarioObject.insert(QStringLiteral("users"), scenario.users);
        if (scenario.rate >= 0)
            scenarioObject.insert(QStringLiteral("rate"), scenario.rate);
        scenarioObject.insert(QStringLiteral("duration_s"), scenario.duration_s);
        if (scenario.preset == QLatin1String("burst"))
            scenarioObject.insert(QStringLiteral("idle_s"), scenario.idle_s);
    }
    if (scenario.think_time_ms > 0)
        scenarioObject.insert(QStringLiteral("think_time_ms"), scenario.think_time_ms);
    scenarioObject.insert(QStringLiteral("profile_requests"), scenario.profile_requests);

    QJsonObject root{{QStringLiteral("name"), name},
                     {QStringLiteral("target"), target},
                     {QStringLiteral("endpoints"), endpointArray},
                     {QStringLiteral("scenario"), scenarioObject},
                     {QStringLiteral("limits"), QJsonObject{{QStringLiteral("max_duration_s"), limits.max_duration_s},
                                                            {QStringLiteral("max_users"), limits.max_users},
                                                            {QStringLiteral("max_rate"), limits.max_rate}}}};
    if (!health_path.isEmpty())
        root.insert(QStringLiteral("health"), QJsonObject{{QStringLiteral("path"), health_path}});
    if (database.isConfigured()) {
        QJsonObject db{{QStringLiteral("conninfo"), database.conninfo}};
        if (!database.log.isEmpty())
            db.insert(QStringLiteral("log"), database.log);
        QJsonObject app;
        if (!database.app_user.isEmpty())
            app.insert(QStringLiteral("user"), database.app_user);
        if (!database.app_application_name.isEmpty())
            app.insert(QStringLiteral("application_name"), database.app_application_name);
        if (!database.app_client_addr.isEmpty())
            app.insert(QStringLiteral("client_addr"), database.app_client_addr);
        if (!app.isEmpty())
            db.insert(QStringLiteral("app"), app);
        root.insert(QStringLiteral("database"), db);
    }
    if (!pool.kind.isEmpty())
        root.insert(QStringLiteral("pool"), QJsonObject{{QStringLiteral("kind"), pool.kind},
                                                        {QStringLiteral("url"), pool.url},
                                                        {QStringLiteral("pointers"), stringMap(pool.pointers)},
                                                        {QStringLiteral("metrics"), stringMap(pool.metrics)}});
    if (gates_explicit)
        root.insert(QStringLiteral("gates"), gates_inline.isEmpty() ? QJsonValue(gates) : QJsonValue(gates_inline));
    return root;
}

} // namespace Preflight
