#include "planparser.h"

#include "plankeys.h"

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

namespace {

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
                PlanKeys::knownKeys(objectPath).contains(key))
                continue;
            const QString where =
                path.isEmpty() ? QStringLiteral("at the top level of the plan") : QStringLiteral("in %1").arg(path);
            if (error.isEmpty())
                error =
                    QStringLiteral("unknown key \"%1\" %2%3").arg(key, where, PlanKeys::suggestion(key, objectPath));
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
    t.cert_file = r.string(tls, "cert_file", QStringLiteral("target.tls"));
    t.key_file = r.string(tls, "key_file", QStringLiteral("target.tls"));
    if (!t.key_file.isEmpty() && t.cert_file.isEmpty())
        r.fail(QStringLiteral("target.tls.key_file"), QStringLiteral("needs target.tls.cert_file (the certificate "
                                                                     "the key belongs to)"));
    const QString version = r.string(o, "http_version", path);
    if (!parseHttpVersion(version, &t.http_version))
        r.fail(QStringLiteral("target.http_version"),
               QStringLiteral("must be %1; got \"%2\"").arg(httpVersionChoices(), version));
    t.multiplex = int(r.whole(o, "multiplex", path, 0, 0, 1000));
    if (t.multiplex > 1 && t.http_version == HttpVersion::Http1_1)
        r.fail(QStringLiteral("target.multiplex"),
               QStringLiteral("needs HTTP/2: set target.http_version to \"2\" or \"2-prior-knowledge\", or remove "
                              "target.multiplex (HTTP/1.1 sends one request per connection at a time)"));
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
    if (!PlanKeys::methods().contains(e.method)) {
        *error = QStringLiteral("endpoint \"%1\": unknown method %2 (known: %3)")
                     .arg(text, e.method, PlanKeys::methods().join(QStringLiteral(", ")));
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

} // namespace Preflight
