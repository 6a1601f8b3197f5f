#include "planparser.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

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
    static const QStringList methods{QStringLiteral("GET"),    QStringLiteral("POST"),   QStringLiteral("PUT"),
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

// Every key a plan may hold, by the object it belongs in (DESIGN.md §4). Keys that start with "_" or "$"
// ("_comment", "$schema") are the writer's notes and are ignored; anything else unknown is an error, because a
// misspelt key ("databse", "userz") would otherwise silently run a different test than the one written.
struct KnownObject
{
    const char *path; // as shown in messages; "" for the top level
    QStringList keys;
};

const std::vector<KnownObject> &knownObjects()
{
    static const std::vector<KnownObject> objects{
        {"",
         {QStringLiteral("name"), QStringLiteral("target"), QStringLiteral("endpoints"), QStringLiteral("health"),
          QStringLiteral("database"), QStringLiteral("pool"), QStringLiteral("scenario"), QStringLiteral("gates"),
          QStringLiteral("limits")}},
        {"target",
         {QStringLiteral("base_url"), QStringLiteral("headers"), QStringLiteral("login"), QStringLiteral("timeout_ms"),
          QStringLiteral("tls"), QStringLiteral("max_response_bytes"), QStringLiteral("engine")}},
        {"target.tls", {QStringLiteral("ca_file"), QStringLiteral("insecure")}},
        {"target.login",
         {QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("json"), QStringLiteral("token_pointer"),
          QStringLiteral("header"), QStringLiteral("format")}},
        {"endpoints[]",
         {QStringLiteral("name"), QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("weight"),
          QStringLiteral("headers"), QStringLiteral("timeout_ms"), QStringLiteral("json"), QStringLiteral("body"),
          QStringLiteral("vars")}},
        {"endpoints[].vars.NAME", {QStringLiteral("range"), QStringLiteral("list")}},
        {"health", {QStringLiteral("path")}},
        {"database", {QStringLiteral("conninfo"), QStringLiteral("log"), QStringLiteral("app")}},
        {"database.app", {QStringLiteral("user"), QStringLiteral("application_name"), QStringLiteral("client_addr")}},
        {"pool",
         {QStringLiteral("kind"), QStringLiteral("url"), QStringLiteral("pointers"), QStringLiteral("metrics")}},
        {"scenario",
         {QStringLiteral("preset"), QStringLiteral("levels"), QStringLiteral("step_s"), QStringLiteral("users"),
          QStringLiteral("rate"), QStringLiteral("duration_s"), QStringLiteral("idle_s"),
          QStringLiteral("think_time_ms"), QStringLiteral("stages"), QStringLiteral("profile_requests")}},
        {"scenario.stages[]", {QStringLiteral("duration_s"), QStringLiteral("users"), QStringLiteral("rate")}},
        {"limits", {QStringLiteral("max_duration_s"), QStringLiteral("max_users"), QStringLiteral("max_rate")}},
    };
    return objects;
}

const QStringList &knownKeys(const char *objectPath)
{
    for (const KnownObject &o : knownObjects())
        if (qstrcmp(o.path, objectPath) == 0)
            return o.keys;
    Q_ASSERT_X(false, "knownKeys", objectPath);
    static const QStringList none;
    return none;
}

// Optimal string alignment distance (Levenshtein with adjacent transpositions), case-insensitive.
int editDistance(const QString &a, const QString &b)
{
    const QString x = a.toLower(), y = b.toLower();
    const qsizetype n = x.size(), m = y.size();
    std::vector<std::vector<int>> d(size_t(n + 1), std::vector<int>(size_t(m + 1)));
    for (qsizetype i = 0; i <= n; ++i)
        d[size_t(i)][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][size_t(j)] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = x[i - 1] == y[j - 1] ? 0 : 1;
            int v = std::min({d[size_t(i - 1)][size_t(j)] + 1, d[size_t(i)][size_t(j - 1)] + 1,
                              d[size_t(i - 1)][size_t(j - 1)] + cost});
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
                v = std::min(v, d[size_t(i - 2)][size_t(j - 2)] + 1);
            d[size_t(i)][size_t(j)] = v;
        }
    }
    return d[size_t(n)][size_t(m)];
}

// How far `typed` is from `known`: the edit distance, or 1 when one is the other with a unit or qualifier
// added ("timeout" → "timeout_ms", "duration" → "duration_s"). Above the threshold: no suggestion.
int keyDistance(const QString &typed, const QString &known)
{
    const QString t = typed.toLower(), k = known.toLower();
    if (t == k)
        return 0;
    if ((k.startsWith(t) || t.startsWith(k)) && std::min(t.size(), k.size()) >= 3)
        return 1;
    return editDistance(t, k);
}

int threshold(const QString &typed)
{
    return std::clamp(int(typed.size()) / 3, 1, 3);
}

// "did you mean …?" for an unknown key: the nearest key of the same object, else a key of that name (or
// nearly) elsewhere in the plan, shown with its path so that the user sees where it belongs.
QString suggestion(const QString &typed, const char *objectPath)
{
    QString best;
    int bestDistance = threshold(typed) + 1;
    for (const QString &k : knownKeys(objectPath)) {
        const int d = keyDistance(typed, k);
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    if (!best.isEmpty())
        return QStringLiteral("; did you mean \"%1\"?").arg(best);
    for (const KnownObject &o : knownObjects()) {
        if (qstrcmp(o.path, objectPath) == 0)
            continue;
        for (const QString &k : o.keys) {
            const int d = keyDistance(typed, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = (*o.path ? QString::fromLatin1(o.path) + QLatin1Char('.') : QString()) + k;
            }
        }
    }
    if (!best.isEmpty())
        return QStringLiteral("; did you mean \"%1\"? (it belongs %2)")
            .arg(best, best.contains(QLatin1Char('.'))
                           ? QStringLiteral("in \"%1\"").arg(best.section(QLatin1Char('.'), 0, -2))
                           : QStringLiteral("at the top level"));
    return QStringLiteral("; known keys here: %1").arg(knownKeys(objectPath).join(QStringLiteral(", ")));
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

    // Refuses keys the plan format does not have; `objectPath` names the object in knownObjects(), `path` is
    // where it is in this plan ("endpoints[2]").
    void checkKeys(const QJsonObject &o, const char *objectPath, const QString &path)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString key = it.key();
            if (key.startsWith(QLatin1Char('_')) || key.startsWith(QLatin1Char('$')) ||
                knownKeys(objectPath).contains(key))
                continue;
            const QString where =
                path.isEmpty() ? QStringLiteral("at the top level of the plan") : QStringLiteral("in %1").arg(path);
            if (error.isEmpty())
                error = QStringLiteral("unknown key \"%1\" %2%3").arg(key, where, suggestion(key, objectPath));
            return;
        }
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
        return checked(v.toString(), join(path, key));
    }

    // A number in [minimum, maximum]; whole numbers only when `whole`.
    double number(const QJsonObject &o, const char *key, const QString &path, double fallback,
                  double minimum = -std::numeric_limits<double>::infinity(),
                  double maximum = std::numeric_limits<double>::infinity(), bool whole = false,
                  bool minimumExclusive = false)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isDouble() || !std::isfinite(v.toDouble())) {
            fail(join(path, key),
                 v.isString()
                     ? QStringLiteral("must be a number, not the string \"%1\" (drop the quotes)").arg(v.toString())
                     : QStringLiteral("must be a number"));
            return fallback;
        }
        const double d = v.toDouble();
        if (whole && d != std::floor(d)) {
            fail(join(path, key), QStringLiteral("must be a whole number (got %1)").arg(d));
            return fallback;
        }
        if (minimumExclusive ? !(d > minimum) : !(d >= minimum)) {
            fail(join(path, key), minimumExclusive
                                      ? QStringLiteral("must be greater than %1 (got %2)").arg(minimum).arg(d)
                                      : QStringLiteral("must be at least %1 (got %2)").arg(minimum).arg(d));
            return fallback;
        }
        if (d > maximum) {
            fail(join(path, key), QStringLiteral("must be at most %1 (got %2)").arg(maximum, 0, 'g', 12).arg(d));
            return fallback;
        }
        return d;
    }
    double positive(const QJsonObject &o, const char *key, const QString &path, double fallback,
                    double maximum = std::numeric_limits<double>::infinity())
    {
        return number(o, key, path, fallback, 0, maximum, false, true);
    }
    double whole(const QJsonObject &o, const char *key, const QString &path, double fallback, double minimum,
                 double maximum)
    {
        return number(o, key, path, fallback, minimum, maximum, true);
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
            const QString p = join(path, key) + QLatin1Char('.') + it.key();
            if (!it.value().isString())
                fail(p, QStringLiteral("must be a string"));
            else
                out[checked(it.key(), join(path, key))] = checked(it.value().toString(), p);
        }
        return out;
    }

    static QString join(const QString &path, const char *key)
    {
        return path.isEmpty() ? QString::fromLatin1(key) : path + QLatin1Char('.') + QLatin1String(key);
    }

private:
    // A NUL character ends a C string: libcurl, libpq and SQLite would silently cut the text there.
    QString checked(const QString &text, const QString &path)
    {
        if (text.contains(QChar(0)))
            fail(path, QStringLiteral("contains a NUL character (\\u0000), which cannot be sent; remove it"));
        return text;
    }
};

void readTarget(Reader &r, const QJsonObject &o, TargetSpec &t)
{
    const QString path = QStringLiteral("target");
    r.checkKeys(o, "target", path);
    t.base_url = r.string(o, "base_url", path);
    t.headers = r.stringMap(o, "headers", path);
    t.timeout_ms = int(r.whole(o, "timeout_ms", path, t.timeout_ms, 1, 3600 * 1000));
    t.max_response_bytes = qint64(r.whole(o, "max_response_bytes", path, double(t.max_response_bytes), 1, 1e15));
    t.engine = r.string(o, "engine", path, t.engine).toLower();
    const QJsonObject tls = r.object(o, "tls", path);
    r.checkKeys(tls, "target.tls", QStringLiteral("target.tls"));
    t.ca_file = r.string(tls, "ca_file", QStringLiteral("target.tls"));
    t.insecure = r.boolean(tls, "insecure", QStringLiteral("target.tls"), false);
    const QJsonObject login = r.object(o, "login", path);
    if (!login.isEmpty()) {
        const QString lp = QStringLiteral("target.login");
        r.checkKeys(login, "target.login", lp);
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
    r.checkKeys(o, "endpoints[]", path);
    e.method = r.string(o, "method", path, e.method).toUpper();
    e.path = r.string(o, "path", path);
    e.name = r.string(o, "name", path, e.method + QLatin1Char(' ') + e.path);
    e.weight = r.positive(o, "weight", path, 1);
    e.headers = r.stringMap(o, "headers", path);
    e.timeout_ms = int(r.whole(o, "timeout_ms", path, 0, 1, 3600 * 1000));
    const QJsonValue json = o.value(QLatin1String("json"));
    if (!json.isUndefined() && !json.isNull()) {
        e.body_is_json = true;
        e.body = json.isObject()  ? QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact)
                 : json.isArray() ? QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact)
                                  : QJsonDocument(QJsonArray{json}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        if (o.contains(QLatin1String("body")))
            r.fail(path, QStringLiteral("give \"json\" or \"body\", not both"));
    } else {
        e.body = r.string(o, "body", path).toUtf8();
    }
    const QJsonObject vars = r.object(o, "vars", path);
    for (auto it = vars.begin(); it != vars.end(); ++it) {
        const QString vp = path + QStringLiteral(".vars.") + it.key();
        if (!it.value().isObject()) {
            r.fail(vp, QStringLiteral("must be an object: {\"range\": [1, 100]} or {\"list\": [\"a\", \"b\"]}"));
            continue;
        }
        const QJsonObject v = it.value().toObject();
        r.checkKeys(v, "endpoints[].vars.NAME", vp);
        PathVariable var;
        if (v.contains(QLatin1String("range"))) {
            const QJsonArray range = v.value(QLatin1String("range")).toArray();
            auto whole = [](const QJsonValue &x) {
                return x.isDouble() && x.toDouble() == std::floor(x.toDouble()) && std::abs(x.toDouble()) < 9e15;
            };
            if (range.size() != 2 || !whole(range[0]) || !whole(range[1]) ||
                range[0].toDouble() > range[1].toDouble()) {
                r.fail(vp + QStringLiteral(".range"),
                       QStringLiteral("must be [from, to] with whole numbers from ≤ to"));
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
    r.checkKeys(o, "scenario", path);
    s.preset = r.string(o, "preset", path, s.preset);
    s.step_s = r.positive(o, "step_s", path, s.step_s);
    s.users = r.whole(o, "users", path, s.users, 1, 1e9);
    s.rate = r.positive(o, "rate", path, s.rate);
    s.duration_s = r.positive(o, "duration_s", path, s.duration_s);
    s.idle_s = r.number(o, "idle_s", path, s.idle_s, 0);
    s.think_time_ms = r.number(o, "think_time_ms", path, s.think_time_ms, 0);
    s.profile_requests = int(r.whole(o, "profile_requests", path, s.profile_requests, 0, 1000));
    if (o.contains(QLatin1String("levels"))) {
        s.levels.clear();
        const QJsonValue levels = o.value(QLatin1String("levels"));
        if (!levels.isArray())
            r.fail(path + QStringLiteral(".levels"),
                   QStringLiteral("must be an array of user counts, e.g. [1, 2, 5, 10]"));
        for (const QJsonValue &v : levels.toArray()) {
            if (!v.isDouble() || v.toDouble() < 1 || v.toDouble() != std::floor(v.toDouble()) || v.toDouble() > 1e9)
                r.fail(path + QStringLiteral(".levels"), QStringLiteral("must hold whole numbers ≥ 1"));
            else
                s.levels.push_back(int(v.toDouble()));
        }
    }
    if (o.contains(QLatin1String("stages"))) {
        const QJsonValue stagesValue = o.value(QLatin1String("stages"));
        if (!stagesValue.isArray())
            r.fail(path + QStringLiteral(".stages"),
                   QStringLiteral("must be an array of {\"duration_s\": …, \"users\": …} stages"));
        const QJsonArray stages = stagesValue.toArray();
        for (int i = 0; i < stages.size(); ++i) {
            const QString sp = path + QStringLiteral(".stages[%1]").arg(i);
            if (!stages[i].isObject()) {
                r.fail(sp, QStringLiteral("must be an object like {\"duration_s\": 10, \"users\": 5}"));
                continue;
            }
            const QJsonObject st = stages[i].toObject();
            r.checkKeys(st, "scenario.stages[]", sp);
            StageSpec stage;
            stage.duration_s = r.positive(st, "duration_s", sp, 0);
            stage.users = r.whole(st, "users", sp, -1, 0, 1e9);
            stage.rate = r.number(st, "rate", sp, -1, 0);
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
    // "127.0.0.1:8000", "localhost:8000/api", "example.com": a host without a scheme, which QUrl would read as a
    // scheme named "localhost" or a relative path.
    static const QRegularExpression schemeLike(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:(?!\\d)"));
    if (!trimmed.contains(QLatin1String("://")) && !schemeLike.match(trimmed).hasMatch()) {
        *error = QStringLiteral("\"%1\" has no scheme; write it as http://%1 (or https://%1)").arg(trimmed);
        return std::nullopt;
    }
    for (const QChar c : trimmed) {
        if (c.isSpace() || c.category() == QChar::Other_Control) {
            *error = QStringLiteral("\"%1\" contains %2, which a URL cannot hold; remove it (or write a space as %20)")
                         .arg(trimmed, c == QLatin1Char(' ') ? QStringLiteral("a space")
                                                             : QStringLiteral("a control character"));
            return std::nullopt;
        }
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) {
        // QUrl's text ends with its internal state ("; source was …; scheme = …"): keep the first clause only.
        QString why = url.errorString().section(QLatin1Char(';'), 0, 0).trimmed();
        if (!why.isEmpty())
            why[0] = why[0].toLower();
        QString fix = QStringLiteral("write it like http://127.0.0.1:8000/prefix");
        if (why.contains(QLatin1String("port"), Qt::CaseInsensitive))
            fix = QStringLiteral("the port must be a number from 1 to 65535");
        else if (why.contains(QLatin1String("host"), Qt::CaseInsensitive))
            fix = QStringLiteral("check the host name (letters, digits, dots and dashes, or an IP address)");
        *error = QStringLiteral("\"%1\" is not a valid URL (%2); %3").arg(trimmed, why, fix);
        return std::nullopt;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        *error = QStringLiteral("\"%1\" is not an http:// or https:// URL; write it like http://127.0.0.1:8000")
                     .arg(trimmed);
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
        *error = parts.size() > 2
                     ? QStringLiteral("endpoint \"%1\" is not of the form \"METHOD /path\" (a space in the "
                                      "path must be written %20)")
                           .arg(text)
                     : QStringLiteral("endpoint \"%1\" is not of the form \"METHOD /path\"").arg(text);
        return std::nullopt;
    }
    if (!knownMethods().contains(e.method)) {
        *error = QStringLiteral("endpoint \"%1\": unknown method %2 (known: %3)")
                     .arg(text, e.method, knownMethods().join(QStringLiteral(", ")));
        return std::nullopt;
    }
    if (!e.path.startsWith(QLatin1Char('/'))) {
        *error = QStringLiteral("endpoint \"%1\": the path must start with /, e.g. \"GET /api/items\"").arg(text);
        return std::nullopt;
    }
    for (const QChar c : e.path) {
        if (c.category() == QChar::Other_Control || c == QChar(0x7F)) {
            *error = QStringLiteral("endpoint \"%1\": the path contains a control character; remove it").arg(text);
            return std::nullopt;
        }
    }
    e.name = e.label();
    return e;
}

namespace {
std::optional<QByteArray> readPlanFile(const QString &path, PlanError *error)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        error->message =
            QStringLiteral("cannot read plan %1: it is %2, not a plan file")
                .arg(path, info.isDir() ? QStringLiteral("a directory") : QStringLiteral("not a regular file"));
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error->message = QStringLiteral("cannot read plan %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A plan is a few kilobytes; a huge file is a mistake (a log, a database), not a plan to hold in memory.
    constexpr qint64 kMaxPlanBytes = 64 << 20;
    if (file.size() > kMaxPlanBytes) {
        error->message =
            QStringLiteral("cannot read plan %1: %2 MB is far too large for a plan (is it the right file?)")
                .arg(path)
                .arg(file.size() >> 20);
        return std::nullopt;
    }
    return file.readAll();
}
} // namespace

std::optional<Plan> PlanParser::parseFile(const QString &path, PlanError *error)
{
    const std::optional<QByteArray> bytes = readPlanFile(path, error);
    return bytes ? parse(*bytes, error) : std::nullopt;
}

std::optional<Plan> PlanParser::readFile(const QString &path, PlanError *error)
{
    const std::optional<QByteArray> bytes = readPlanFile(path, error);
    return bytes ? read(*bytes, error) : std::nullopt;
}

namespace {

// Plans are UTF-8 JSON. Editors on some systems save UTF-16 (with or without a byte-order mark) or put a
// UTF-8 BOM first: those are decoded rather than refused with a confusing JSON error. Any other NUL byte
// means the file is not text.
std::optional<QByteArray> planText(const QByteArray &bytes, PlanError *error)
{
    auto decode = [&](QStringConverter::Encoding encoding, qsizetype skip) -> std::optional<QByteArray> {
        QStringDecoder decoder(encoding);
        const QString text = decoder.decode(bytes.mid(skip));
        if (decoder.hasError()) {
            error->message =
                QStringLiteral("the plan looks like UTF-16 text but does not decode as such; save it as UTF-8");
            return std::nullopt;
        }
        return text.toUtf8();
    };
    if (bytes.startsWith("\xEF\xBB\xBF"))
        return bytes.mid(3);
    if (bytes.startsWith(QByteArray("\xFF\xFE\x00\x00", 4)))
        return decode(QStringConverter::Utf32LE, 4);
    if (bytes.startsWith(QByteArray("\x00\x00\xFE\xFF", 4)))
        return decode(QStringConverter::Utf32BE, 4);
    if (bytes.startsWith("\xFF\xFE"))
        return decode(QStringConverter::Utf16LE, 2);
    if (bytes.startsWith("\xFE\xFF"))
        return decode(QStringConverter::Utf16BE, 2);
    const qsizetype nul = bytes.indexOf('\0');
    if (nul < 0)
        return bytes;
    // UTF-16 without a byte-order mark: JSON starts with ASCII, so every other byte of the first ones is 0.
    if (bytes.size() >= 4 && bytes.size() % 2 == 0) {
        if (bytes[0] != 0 && bytes[1] == 0 && bytes[3] == 0)
            return decode(QStringConverter::Utf16LE, 0);
        if (bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0)
            return decode(QStringConverter::Utf16BE, 0);
    }
    lineColumnAt(bytes, int(nul), &error->line, &error->column);
    error->message = QStringLiteral("the plan contains a NUL byte; a plan is UTF-8 JSON text (is this a binary file?)");
    return std::nullopt;
}

QString jsonKind(const QJsonDocument &doc, const QByteArray &text)
{
    if (doc.isArray())
        return QStringLiteral("an array");
    const QByteArray t = text.trimmed();
    if (t == "null")
        return QStringLiteral("null");
    if (t.startsWith('"'))
        return QStringLiteral("a string");
    if (t == "true" || t == "false")
        return QStringLiteral("a boolean");
    if (t.isEmpty())
        return QStringLiteral("empty");
    return QStringLiteral("a number");
}

} // namespace

std::optional<Plan> PlanParser::read(const QByteArray &bytes, PlanError *error)
{
    const std::optional<QByteArray> text = planText(bytes, error);
    if (!text)
        return std::nullopt;
    const QByteArray &json = *text;
    if (json.trimmed().isEmpty()) {
        error->message =
            QStringLiteral("the plan is empty; a plan is a JSON object, see the plan format in the README");
        return std::nullopt;
    }
    const QByteArray trimmed = json.trimmed();
    const bool scalar = !trimmed.startsWith('{') && !trimmed.startsWith('[') &&
                        (trimmed == "null" || trimmed == "true" || trimmed == "false" || trimmed.startsWith('"') ||
                         (!trimmed.isEmpty() && (std::isdigit(uchar(trimmed[0])) || trimmed[0] == '-')));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError && !scalar) {
        lineColumnAt(json, parseError.offset, &error->line, &error->column);
        error->message = QStringLiteral("malformed JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        error->message =
            QStringLiteral("the plan is %1, not a JSON object; a plan looks like {\"target\": {\"base_url\": "
                           "\"http://127.0.0.1:8000\"}, \"endpoints\": [{\"path\": \"/\"}]} (see the README)")
                .arg(jsonKind(doc, json));
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    Reader r;
    Plan plan;
    r.checkKeys(root, "", {});
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
    const QJsonObject health = r.object(root, "health", {});
    r.checkKeys(health, "health", QStringLiteral("health"));
    plan.health_path = r.string(health, "path", QStringLiteral("health"), QStringLiteral("/health"));
    const QJsonObject database = r.object(root, "database", {});
    r.checkKeys(database, "database", QStringLiteral("database"));
    plan.database.conninfo = r.string(database, "conninfo", QStringLiteral("database"));
    plan.database.log = r.string(database, "log", QStringLiteral("database"));
    const QJsonObject app = r.object(database, "app", QStringLiteral("database"));
    r.checkKeys(app, "database.app", QStringLiteral("database.app"));
    plan.database.app_user = r.string(app, "user", QStringLiteral("database.app"));
    plan.database.app_application_name = r.string(app, "application_name", QStringLiteral("database.app"));
    plan.database.app_client_addr = r.string(app, "client_addr", QStringLiteral("database.app"));
    const QJsonObject pool = r.object(root, "pool", {});
    r.checkKeys(pool, "pool", QStringLiteral("pool"));
    plan.pool.kind = r.string(pool, "kind", QStringLiteral("pool"));
    plan.pool.url = r.string(pool, "url", QStringLiteral("pool"));
    plan.pool.pointers = r.stringMap(pool, "pointers", QStringLiteral("pool"));
    plan.pool.metrics = r.stringMap(pool, "metrics", QStringLiteral("pool"));
    readScenario(r, r.object(root, "scenario", {}), plan.scenario);
    const QJsonValue gates = root.value(QLatin1String("gates"));
    if (gates.isString()) {
        plan.gates = gates.toString();
        plan.gates_explicit = true;
        if (plan.gates.trimmed().isEmpty())
            r.fail(QStringLiteral("gates"),
                   QStringLiteral("is empty; give a preset (launch, revised), a gates file or an object"));
    } else if (gates.isObject()) {
        plan.gates = QStringLiteral("custom");
        plan.gates_inline = gates.toObject();
        plan.gates_explicit = true;
    } else if (!gates.isUndefined() && !gates.isNull()) {
        r.fail(QStringLiteral("gates"),
               QStringLiteral("must be a preset name (launch, revised), a gates file or an object"));
    }
    const QJsonObject limits = r.object(root, "limits", {});
    r.checkKeys(limits, "limits", QStringLiteral("limits"));
    plan.limits.max_duration_s =
        r.positive(limits, "max_duration_s", QStringLiteral("limits"), plan.limits.max_duration_s);
    plan.limits.max_users = int(r.whole(limits, "max_users", QStringLiteral("limits"), plan.limits.max_users, 1, 1e9));
    plan.limits.max_rate = r.positive(limits, "max_rate", QStringLiteral("limits"), plan.limits.max_rate);

    if (!r.ok()) {
        error->message = r.error;
        return std::nullopt;
    }
    return plan;
}

std::optional<Plan> PlanParser::parse(const QByteArray &json, PlanError *error)
{
    std::optional<Plan> plan = read(json, error);
    if (!plan)
        return std::nullopt;
    if (const QString problem = validate(*plan); !problem.isEmpty()) {
        error->message = problem;
        return std::nullopt;
    }
    if (auto normal = PlanParser::normaliseBaseUrl(plan->target.base_url, &error->message))
        plan->target.base_url = *normal;
    return plan;
}

namespace {
// target.engine: which load path may carry the requests (core/load/loadpath.h resolves "auto").
QString engineProblem(const QString &engine, const QString &baseUrl)
{
    if (engine != QLatin1String("auto") && engine != QLatin1String("curl") && engine != QLatin1String("raw"))
        return QStringLiteral("unknown engine \"%1\"; use \"auto\" (the default), \"curl\" or \"raw\"").arg(engine);
    if (engine == QLatin1String("raw") && !baseUrl.startsWith(QLatin1String("http://"), Qt::CaseInsensitive))
        return QStringLiteral("the raw engine speaks plain http:// only; use \"auto\" or \"curl\" for this base URL");
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
    if (const QString problem = engineProblem(plan.target.engine, plan.target.base_url); !problem.isEmpty())
        return QStringLiteral("target.engine: ") + problem;
    if (plan.endpoints.empty())
        return QStringLiteral(
            "endpoints: a plan needs at least one endpoint, e.g. {\"method\": \"GET\", \"path\": \"/\"}");
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        const EndpointSpec &e = plan.endpoints[i];
        const QString p = QStringLiteral("endpoints[%1]").arg(i);
        if (!knownMethods().contains(e.method))
            return p + QStringLiteral(".method: unknown method \"%1\" (known: %2)")
                           .arg(e.method, knownMethods().join(QStringLiteral(", ")));
        if (!e.path.startsWith(QLatin1Char('/')))
            return p + QStringLiteral(".path: must start with / (it is appended to target.base_url)");
        // libcurl refuses such a URL before sending it: every request would fail inside Preflight, not at the
        // backend, and the run would blame the backend for it (issue 15, item 12).
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
    if (!knownPresets().contains(s.preset))
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
                       {QStringLiteral("tls"),
                        QJsonObject{{QStringLiteral("ca_file"),
                                     this->target.ca_file.isEmpty() ? QJsonValue() : QJsonValue(this->target.ca_file)},
                                    {QStringLiteral("insecure"), this->target.insecure}}}};
    if (this->target.engine != QLatin1String("auto"))
        target.insert(QStringLiteral("engine"), this->target.engine);
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
