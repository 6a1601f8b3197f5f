#include "importsupport.h"

#include "planparser.h"
#include "secrets.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace Preflight::EndpointImport::Detail {
QString writesHint()
{
    return QStringLiteral("import again with writes included (--include-writes) to load-test it");
}

// YAML is the other common OpenAPI encoding; name the conversion instead of a JSON syntax error at line 1.
bool looksLikeYaml(const QByteArray &bytes)
{
    static const QRegularExpression keyLine(QStringLiteral("^(---|%YAML|[A-Za-z_\"'][^:\\n]*:(\\s|$))"),
                                            QRegularExpression::MultilineOption);
    const QString head = QString::fromUtf8(bytes.left(4096));
    return keyLine.match(head).hasMatch();
}

std::optional<QJsonObject> parseObject(const QByteArray &bytes, QString *error)
{
    QByteArray text = bytes;
    if (text.startsWith("\xEF\xBB\xBF"))
        text = text.mid(3);
    const QByteArray trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("the file is empty; export the OpenAPI document or the HAR again");
        return std::nullopt;
    }
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[') && looksLikeYaml(trimmed)) {
        *error = QStringLiteral("this looks like YAML; Preflight imports OpenAPI as JSON: convert it first, "
                                "e.g. `yq -o json openapi.yaml > openapi.json`, and import the .json file");
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        int line = 0, column = 0;
        lineColumnAt(text, parseError.offset, &line, &column);
        *error = QStringLiteral("line %1, column %2: malformed JSON: %3")
                     .arg(line)
                     .arg(column)
                     .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("expected a JSON object (an OpenAPI 3 document or a HAR file), found an array");
        return std::nullopt;
    }
    return doc.object();
}

// A JSON scalar as the text a URL or header carries; null QString when not a scalar.
QString scalarText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 15);
    }
    return {};
}

QString percentEncoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

bool isInteger(const QString &text, qint64 *value)
{
    static const QRegularExpression digits(QStringLiteral("^-?[0-9]{1,18}$"));
    if (!digits.match(text).hasMatch())
        return false;
    if (value)
        *value = text.toLongLong();
    return true;
}

bool isUuid(const QString &text)
{
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return uuid.match(text).hasMatch();
}

// OAuth redirects carry one-time codes in the query (?code=…&state=…): secrets there, not in a JSON body.
bool isSecretQueryName(const QString &name)
{
    return Secrets::isSecretName(name) || name.compare(QLatin1String("code"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("state"), Qt::CaseInsensitive) == 0;
}

// Values that are credentials whatever their name: JWTs and HTTP authentication schemes.
bool isSecretValue(const QString &value)
{
    static const QRegularExpression secret(
        QStringLiteral("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.|^\\s*(bearer|basic|digest|token|apikey)\\s+\\S"),
        QRegularExpression::CaseInsensitiveOption);
    return secret.match(value).hasMatch();
}

// "X-API-Key" -> "API_KEY": the environment variable a warning suggests.
QString envNameFor(const QString &name)
{
    if (name.compare(QLatin1String("Authorization"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("API_TOKEN");
    if (name.compare(QLatin1String("Cookie"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("SESSION_COOKIE");
    QString env;
    for (const QChar c : name)
        env.append(c.isLetterOrNumber() && c.unicode() < 128 ? c.toUpper() : QLatin1Char('_'));
    if (env.startsWith(QLatin1String("X_")))
        env = env.mid(2);
    while (env.contains(QLatin1String("__")))
        env.replace(QLatin1String("__"), QLatin1String("_"));
    if (env.isEmpty() || env[0].isDigit())
        env.prepend(QLatin1String("SECRET_"));
    return env;
}

// The value a warning proposes for a dropped credential header.
QString placeholderFor(const QString &header, const QString &droppedValue)
{
    const QString env = envNameFor(header);
    const QString scheme = droppedValue.trimmed().section(QLatin1Char(' '), 0, 0);
    if (header.compare(QLatin1String("Authorization"), Qt::CaseInsensitive) == 0 &&
        droppedValue.contains(QLatin1Char(' ')))
        return scheme + QStringLiteral(" ${env:") + env + QLatin1Char('}');
    if (header.compare(QLatin1String("Authorization"), Qt::CaseInsensitive) == 0 && droppedValue.isEmpty())
        return QStringLiteral("Bearer ${env:") + env + QLatin1Char('}');
    return QStringLiteral("${env:") + env + QLatin1Char('}');
}

// Replaces the values of secret-named keys in a JSON body by ${env:NAME} placeholders (resolved at send time).
QJsonValue scrubJson(const QJsonValue &value, QStringList *replacedKeys)
{
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (Secrets::isSecretName(it.key()) && !it.value().isObject() && !it.value().isArray() &&
                !it.value().isNull()) {
                replacedKeys->append(it.key());
                it.value() = QString(QStringLiteral("${env:") + envNameFor(it.key()) + QLatin1Char('}'));
            } else if (it.value().isString() && isSecretValue(it.value().toString())) {
                replacedKeys->append(it.key());
                it.value() = QString(QStringLiteral("${env:") + envNameFor(it.key()) + QLatin1Char('}'));
            } else {
                it.value() = scrubJson(it.value(), replacedKeys);
            }
        }
        return o;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (auto it = a.begin(); it != a.end(); ++it)
            *it = scrubJson(*it, replacedKeys);
        return a;
    }
    return value;
}

QString uniqueVarName(QString wanted, const std::map<QString, PathVariable> &taken, std::map<QString, int> *lastSuffix)
{
    QString base;
    for (const QChar c : wanted)
        base.append(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') ? c : QLatin1Char('_'));
    if (base.isEmpty())
        base = QStringLiteral("var");
    // {seq} is the built-in request counter (README.md, "The plan"): a variable may not take its name.
    QString name = base == QLatin1String("seq") ? QStringLiteral("seq_") : base;
    int &n = (*lastSuffix)[base]; // the suffix this base last took (0: none yet); the search resumes after it
    while (taken.count(name)) {
        n = std::max(n + 1, 2);
        name = base + QString::number(n);
    }
    return name;
}

// Values seen for one variable -> Range when all are integers, else a List (README.md, "The plan": vars).
PathVariable variableFromValues(const QStringList &values)
{
    PathVariable var;
    qint64 lo = 0, hi = 0;
    bool allIntegers = !values.isEmpty();
    for (int i = 0; i < values.size() && allIntegers; ++i) {
        qint64 v = 0;
        allIntegers = isInteger(values[i], &v);
        lo = i == 0 ? v : std::min(lo, v);
        hi = i == 0 ? v : std::max(hi, v);
    }
    if (allIntegers) {
        var.kind = PathVariable::Kind::Range;
        var.from = lo;
        var.to = hi;
    } else {
        var.kind = PathVariable::Kind::List;
        var.values = values.mid(0, kMaxListValues);
    }
    return var;
}

} // namespace Preflight::EndpointImport::Detail
