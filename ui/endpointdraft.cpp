#include "endpointdraft.h"

#include "loginstepeditor.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

namespace Preflight {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("EndpointDraft", text);
}

const QStringList &knownMethods()
{
    static const QStringList methods{QStringLiteral("GET"),    QStringLiteral("POST"),   QStringLiteral("PUT"),
                                     QStringLiteral("PATCH"),  QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                                     QStringLiteral("OPTIONS")};
    return methods;
}

std::vector<EndpointDraft::Pair> pairs(const std::map<QString, QString> &map)
{
    std::vector<EndpointDraft::Pair> out;
    for (const auto &[name, value] : map)
        out.push_back({name, value});
    return out;
}

// "1-500", "1..500", "1–500", "-5-5": whole numbers from ≤ to.
bool parseRange(const QString &text, qint64 *from, qint64 *to)
{
    static const QRegularExpression range(QStringLiteral(R"(^\s*(-?\d+)\s*(?:-|\.\.|–|—)\s*(-?\d+)\s*$)"));
    const QRegularExpressionMatch m = range.match(text);
    if (!m.hasMatch())
        return false;
    bool okFrom = false, okTo = false;
    *from = m.captured(1).toLongLong(&okFrom);
    *to = m.captured(2).toLongLong(&okTo);
    return okFrom && okTo;
}

} // namespace

QStringList EndpointDraft::pathVariables(const QString &path)
{
    QStringList names;
    for (qsizetype open = path.indexOf(QLatin1Char('{')); open >= 0; open = path.indexOf(QLatin1Char('{'), open + 1)) {
        const qsizetype close = path.indexOf(QLatin1Char('}'), open);
        if (close < 0)
            break;
        if (open > 0 && path[open - 1] == QLatin1Char('$'))
            continue; // ${env:NAME}: a secret or setting, resolved when the request is built
        const QString name = path.mid(open + 1, close - open - 1);
        if (name != QLatin1String("seq") && !names.contains(name))
            names << name;
    }
    return names;
}

QString EndpointDraft::variableText(const PathVariable &var)
{
    if (var.kind == PathVariable::Kind::Range)
        return QStringLiteral("%1-%2").arg(var.from).arg(var.to);
    return var.values.join(QStringLiteral(", "));
}

bool EndpointDraft::isFormContentType(const std::map<QString, QString> &headers)
{
    for (const auto &[name, value] : headers)
        if (name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0)
            return value.trimmed().startsWith(QLatin1String("application/x-www-form-urlencoded"), Qt::CaseInsensitive);
    return false;
}

QByteArray EndpointDraft::encodeForm(const std::vector<Pair> &fields)
{
    static const QRegularExpression placeholder(QStringLiteral(R"(\$\{[^}]*\}|\{[A-Za-z_][A-Za-z0-9_]*\})"));
    auto encode = [](const QString &text) -> QByteArray {
        QByteArray out;
        qsizetype at = 0;
        for (QRegularExpressionMatchIterator it = placeholder.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            out += QUrl::toPercentEncoding(text.mid(at, m.capturedStart() - at));
            out += m.captured().toUtf8();
            at = m.capturedEnd();
        }
        return out + QUrl::toPercentEncoding(text.mid(at));
    };
    QByteArrayList parts;
    for (const Pair &f : fields)
        parts << QByteArray(encode(f.name) + '=' + encode(f.value));
    return parts.join('&');
}

std::vector<EndpointDraft::Pair> EndpointDraft::decodeForm(const QByteArray &body, bool *exact)
{
    std::vector<Pair> fields;
    for (const QByteArray &part : body.split('&')) {
        const qsizetype eq = part.indexOf('=');
        QByteArray name = eq < 0 ? part : part.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        fields.push_back({QUrl::fromPercentEncoding(name), QUrl::fromPercentEncoding(value)});
    }
    *exact = !body.isEmpty() && encodeForm(fields) == body;
    return fields;
}

EndpointDraft EndpointDraft::from(const EndpointSpec &spec)
{
    EndpointDraft d;
    d.base = spec;
    d.name = spec.name;
    d.timeout_ms = spec.timeout_ms;
    for (const auto &[name, var] : spec.vars)
        d.vars.push_back({name, var.kind == PathVariable::Kind::List, variableText(var)});
    d.headers = pairs(spec.headers);
    if (spec.body_is_json) {
        d.bodyKind = BodyKind::Json;
        const QJsonDocument doc = QJsonDocument::fromJson(spec.body);
        d.bodyText =
            doc.isNull() ? QString::fromUtf8(spec.body) : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    } else if (!spec.body.isEmpty()) {
        bool exact = false;
        std::vector<Pair> fields = decodeForm(spec.body, &exact);
        if (exact && isFormContentType(spec.headers)) {
            d.bodyKind = BodyKind::Form;
            d.form = std::move(fields);
        } else {
            d.bodyKind = BodyKind::Text;
        }
        d.bodyText = QString::fromUtf8(spec.body);
    }
    return d;
}

QString EndpointDraft::toSpec(const QString &methodText, const QString &pathText, const QString &weightText,
                              EndpointSpec *out) const
{
    EndpointSpec spec = base;
    spec.method = methodText.trimmed().toUpper();
    if (spec.method.isEmpty())
        spec.method = QStringLiteral("GET");
    if (!knownMethods().contains(spec.method))
        return tr("the method \"%1\" is not one Preflight sends; use %2.")
            .arg(methodText.trimmed(), knownMethods().join(QStringLiteral(", ")));
    spec.path = pathText.trimmed();
    if (spec.path.isEmpty())
        return tr("the path is empty; give one such as /api/items, or remove the row.");
    if (!spec.path.startsWith(QLatin1Char('/')))
        spec.path.prepend(QLatin1Char('/'));
    if (spec.path.contains(QLatin1Char(' ')))
        return tr("the path \"%1\" contains a space, which a URL cannot hold; write it as %20.").arg(spec.path);
    bool ok = false;
    spec.weight = weightText.trimmed().isEmpty() ? 1.0 : weightText.trimmed().toDouble(&ok);
    if (!weightText.trimmed().isEmpty() && (!ok || !(spec.weight > 0)))
        return tr("the weight \"%1\" must be a positive number.").arg(weightText);
    spec.name = name.trimmed().isEmpty() ? spec.method + QLatin1Char(' ') + spec.path : name.trimmed();
    spec.timeout_ms = timeout_ms;

    if (varsEdited) {
        spec.vars.clear();
        for (const Variable &v : vars) {
            const QString varName = v.name.trimmed();
            if (varName.isEmpty())
                return tr("a variable has no name; give the name used in the path (id for {id}), or remove it.");
            if (spec.vars.count(varName))
                return tr("{%1} is listed twice under Variables; remove one.").arg(varName);
            PathVariable var;
            if (v.list) {
                var.kind = PathVariable::Kind::List;
                for (const QString &value : v.values.split(QLatin1Char(','), Qt::SkipEmptyParts))
                    if (!value.trimmed().isEmpty())
                        var.values << value.trimmed();
                if (var.values.isEmpty())
                    return tr("{%1} has an empty list: give values separated by commas, e.g. a, b, c.").arg(varName);
                for (const QString &value : std::as_const(var.values))
                    if (std::any_of(value.begin(), value.end(), [](QChar c) { return c.isSpace(); }))
                        return tr("the value \"%1\" of {%2} contains a space, which a URL cannot hold; write it "
                                  "as %20.")
                            .arg(value, varName);
            } else {
                var.kind = PathVariable::Kind::Range;
                if (v.values.trimmed().isEmpty())
                    return tr("{%1} in the path has no values: give it a range such as 1-100, or a list.").arg(varName);
                if (!parseRange(v.values, &var.from, &var.to))
                    return tr("the range of {%1}, \"%2\", is not two whole numbers; write it like 1-500.")
                        .arg(varName, v.values.trimmed());
                if (var.from > var.to)
                    return tr("the range of {%1} starts above its end; write the smaller number first, e.g. %2-%3.")
                        .arg(varName)
                        .arg(var.to)
                        .arg(var.from);
            }
            spec.vars[varName] = var;
        }
    }
    for (const QString &var : pathVariables(spec.path))
        if (!spec.vars.count(var))
            return tr("{%1} in the path has no values: give it a range such as 1-100, or a list, under Variables.")
                .arg(var);

    if (headersEdited) {
        spec.headers.clear();
        for (const Pair &h : headers)
            if (!h.name.trimmed().isEmpty())
                spec.headers[h.name.trimmed()] = h.value;
    }

    if (bodyEdited) {
        spec.body.clear();
        spec.body_is_json = false;
        switch (bodyKind) {
        case BodyKind::None:
            break;
        case BodyKind::Json: {
            const QByteArray utf8 = bodyText.toUtf8();
            QJsonParseError pe;
            const QJsonDocument doc = QJsonDocument::fromJson(utf8, &pe);
            if (utf8.trimmed().isEmpty())
                return tr("the JSON body is empty; type an object such as {\"name\": \"item-{seq}\"}, or choose No "
                          "body.");
            if (pe.error != QJsonParseError::NoError)
                return tr("the JSON body is not valid: %1; fix it, or choose Text for a body that is not JSON.")
                    .arg(LoginStepEditor::describeJsonError(utf8, pe.offset, pe.errorString()));
            spec.body_is_json = true;
            spec.body = doc.toJson(QJsonDocument::Compact);
            break;
        }
        case BodyKind::Form:
            for (const Pair &f : form)
                if (f.name.trimmed().isEmpty())
                    return tr("a form field has no name; name it, or remove the row.");
            spec.body = encodeForm(form);
            if (!isFormContentType(spec.headers)) {
                for (auto it = spec.headers.begin(); it != spec.headers.end();)
                    it = it->first.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0
                             ? spec.headers.erase(it)
                             : std::next(it);
                spec.headers[QStringLiteral("Content-Type")] = QStringLiteral("application/x-www-form-urlencoded");
            }
            break;
        case BodyKind::Text:
            spec.body = bodyText.toUtf8();
            break;
        }
    }
    *out = spec;
    return {};
}

} // namespace Preflight
