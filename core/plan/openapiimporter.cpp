#include "openapiimporter.h"

#include "jsonpointer.h"
#include "planparser.h"
#include "secrets.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace Preflight::EndpointImport::Detail {

namespace {
// Budgets for example bodies built from schemas (schema nodes visited, each $ref counted every time it is
// expanded). A real request body has at most a few hundred fields; the document-wide budget keeps a document with
// thousands of operations that share one large schema from multiplying the work.
constexpr int kMaxExampleNodesPerBody = 10000;
constexpr int kMaxExampleNodesPerDocument = 200000;
// $ref hops followed from one value. Real documents chain two or three (a parameter to a schema to a schema); a
// long chain, followed again at every use, made the import quadratic in the document's size.
constexpr int kMaxRefHops = 32;
} // namespace

// Follows local $ref chains ("#/components/schemas/Order"); Undefined (and a warning) for a cycle, a dangling or
// an external reference.
QJsonValue OpenApiImporter::resolve(const QJsonValue &value, const QString &where)
{
    QJsonValue current = value;
    QStringList seen;
    while (current.isObject() && current.toObject().contains(QLatin1String("$ref"))) {
        const QString ref = current.toObject().value(QLatin1String("$ref")).toString();
        if (!ref.startsWith(QLatin1Char('#'))) {
            m_warn.add(QStringLiteral("%1: external $ref \"%2\" not followed; bundle the spec into one file first "
                                      "(e.g. `redocly bundle` or `swagger-cli bundle`)")
                           .arg(where, ref));
            return QJsonValue(QJsonValue::Undefined);
        }
        if (seen.contains(ref)) {
            m_warn.add(QStringLiteral("%1: $ref \"%2\" refers to itself in a cycle; ignored").arg(where, ref));
            return QJsonValue(QJsonValue::Undefined);
        }
        if (seen.size() == kMaxRefHops) {
            m_warn.add(QStringLiteral("%1: $ref \"%2\" leads through a chain of more than %3 $refs; ignored")
                           .arg(where, seen.first())
                           .arg(kMaxRefHops));
            return QJsonValue(QJsonValue::Undefined);
        }
        seen.append(ref);
        current = jsonPointer(m_root, QUrl::fromPercentEncoding(ref.mid(1).toUtf8()));
        if (current.isUndefined()) {
            m_warn.add(QStringLiteral("%1: $ref \"%2\" points at nothing in this document; ignored").arg(where, ref));
            return current;
        }
    }
    return current;
}

OpenApiImporter::Server OpenApiImporter::server()
{
    Server s;
    const QJsonArray servers = m_root.value(QLatin1String("servers")).toArray();
    if (servers.isEmpty())
        return s;
    const QJsonObject first = servers.first().toObject();
    const QString declared = first.value(QLatin1String("url")).toString().trimmed();
    QString url = declared;
    const QJsonObject variables = first.value(QLatin1String("variables")).toObject();
    // Variables with a default take it; the others stay as {name}, so that the path prefix survives a host the
    // spec leaves open ("https://{host}/plc/api/v2": every request would 404 without /plc/api/v2).
    static const QRegularExpression variable(QStringLiteral("\\{([^}]*)\\}"));
    QStringList open;
    for (qsizetype from = 0;;) {
        const QRegularExpressionMatch m = variable.match(url, from);
        if (!m.hasMatch())
            break;
        const QJsonValue def = variables.value(m.captured(1)).toObject().value(QLatin1String("default"));
        if (def.isString()) {
            url.replace(m.capturedStart(), m.capturedLength(), def.toString());
            from = m.capturedStart() + def.toString().size();
        } else {
            open.append(m.captured(1));
            from = m.capturedEnd();
        }
    }
    const qsizetype schemeEnd = url.indexOf(QLatin1String("://"));
    const qsizetype pathStart = schemeEnd < 0 ? 0 : url.indexOf(QLatin1Char('/'), schemeEnd + 3);
    const QString origin = schemeEnd < 0 ? QString() : (pathStart < 0 ? url : url.left(pathStart));
    QString path = pathStart < 0 ? QString() : url.mid(pathStart);
    path = path.section(QLatin1Char('?'), 0, 0).section(QLatin1Char('#'), 0, 0);
    if (path.contains(QLatin1Char('{'))) {
        m_warn.add(
            QStringLiteral("servers[0].url \"%1\": a variable in the path has no default, so the endpoint paths start "
                           "without the server's prefix; give the whole base URL with --base-url")
                .arg(declared));
        path.clear();
    }
    path = QUrl(path).path(QUrl::FullyEncoded);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    s.prefix = path;
    if (origin.isEmpty())
        return s; // relative ("/v1"): relative to wherever the document is served; the caller names the host
    if (origin.contains(QLatin1Char('{'))) {
        m_warn.add(
            QStringLiteral("servers[0].url \"%1\": variable {%2} has no default; give the backend with --base-url "
                           "(the endpoint paths keep the server's prefix%3)")
                .arg(declared, open.first(), path.isEmpty() ? QString() : QStringLiteral(" ") + path));
        return s;
    }
    QString error;
    const auto normal = PlanParser::normaliseBaseUrl(QUrl(origin).toString(QUrl::RemoveUserInfo), &error);
    if (!normal) {
        m_warn.add(QStringLiteral("servers[0].url: %1; give the base URL yourself (--base-url)").arg(error));
        return s;
    }
    s.origin = *normal;
    return s;
}

QString OpenApiImporter::typeOf(const QJsonObject &schema)
{
    const QJsonValue type = schema.value(QLatin1String("type"));
    if (type.isString())
        return type.toString();
    for (const QJsonValue &t : type.toArray()) // 3.1: ["integer", "null"]
        if (t.toString() != QLatin1String("null"))
            return t.toString();
    const QJsonArray enumValues = schema.value(QLatin1String("enum")).toArray();
    if (!enumValues.isEmpty())
        return enumValues.first().isDouble() ? QStringLiteral("number") : QStringLiteral("string");
    if (schema.contains(QLatin1String("properties")))
        return QStringLiteral("object");
    return {};
}

// Example values a parameter documents, most specific first: parameter example(s), schema example(s), default.
QJsonArray OpenApiImporter::examplesOf(const QJsonObject &param, const QJsonObject &schema)
{
    QJsonArray out;
    auto add = [&out](const QJsonValue &v) {
        if (!v.isUndefined() && !v.isNull() && !out.contains(v))
            out.append(v);
    };
    add(param.value(QLatin1String("example")));
    const QJsonObject examples = param.value(QLatin1String("examples")).toObject();
    for (auto it = examples.begin(); it != examples.end(); ++it)
        add(resolveObject(it.value(), QStringLiteral("examples.") + it.key()).value(QLatin1String("value")));
    add(schema.value(QLatin1String("example")));
    for (const QJsonValue &v : schema.value(QLatin1String("examples")).toArray()) // 3.1 (JSON Schema) form
        add(v);
    if (out.isEmpty()) {
        add(schema.value(QLatin1String("const")));
        add(schema.value(QLatin1String("default")));
    }
    return out;
}

std::optional<PathVariable> OpenApiImporter::pathVariable(const QString &label, const QString &name,
                                                          const QJsonObject &param)
{
    PathVariable var;
    var.kind = PathVariable::Kind::List;
    const QJsonObject schema = schemaOf(param);
    const QString type = typeOf(schema);
    const QString format = schema.value(QLatin1String("format")).toString();
    const QJsonArray enumValues = schema.value(QLatin1String("enum")).toArray();
    const QJsonArray examples = examplesOf(param, schema);
    if (!enumValues.isEmpty()) {
        for (const QJsonValue &v : enumValues)
            if (!scalarText(v).isNull() && var.values.size() < kMaxListValues)
                var.values.append(percentEncoded(scalarText(v)));
        if (!var.values.isEmpty())
            return var;
    }
    const bool integer =
        type == QLatin1String("integer") ||
        (type == QLatin1String("number") && (format == QLatin1String("int32") || format == QLatin1String("int64")));
    if (integer) {
        // Bounds: 3.0 has minimum/maximum with boolean exclusive flags; 3.1 (JSON Schema) has numeric exclusive bounds.
        std::optional<double> lo, hi;
        const QJsonValue minV = schema.value(QLatin1String("minimum")), maxV = schema.value(QLatin1String("maximum"));
        const QJsonValue exMin = schema.value(QLatin1String("exclusiveMinimum")),
                         exMax = schema.value(QLatin1String("exclusiveMaximum"));
        if (minV.isDouble())
            lo = minV.toDouble() + (exMin.isBool() && exMin.toBool() ? 1 : 0);
        if (exMin.isDouble())
            lo = std::max(lo.value_or(-9.0e15), std::floor(exMin.toDouble()) + 1);
        if (maxV.isDouble())
            hi = maxV.toDouble() - (exMax.isBool() && exMax.toBool() ? 1 : 0);
        if (exMax.isDouble())
            hi = std::min(hi.value_or(9.0e15), std::ceil(exMax.toDouble()) - 1);
        auto range = [&var](double from, double to) {
            var.kind = PathVariable::Kind::Range;
            var.from = qint64(std::ceil(from));
            var.to = qint64(std::floor(to));
            return var.from <= var.to;
        };
        // A closed range describes every valid id; else documented examples (they exist), else a one-sided range.
        if (lo && hi && range(*lo, *hi))
            return var;
        for (const QJsonValue &v : examples)
            if (!scalarText(v).isNull() && var.values.size() < kMaxListValues)
                var.values.append(scalarText(v));
        if (var.values.isEmpty()) {
            for (const QString &v : m_examplesByName.value(param.value(QLatin1String("name")).toString()))
                if (isInteger(v) && var.values.size() < kMaxListValues)
                    var.values.append(v);
            if (!var.values.isEmpty())
                m_warn.add(
                    QStringLiteral(
                        "%1: {%2} has no example here; using the examples documented for %3 elsewhere in the spec")
                        .arg(label, name, param.value(QLatin1String("name")).toString()));
        }
        if (!var.values.isEmpty())
            return var;
        if (lo && range(*lo, *lo + 99))
            return var;
        if (hi && range(std::min(1.0, *hi), *hi < 1 ? *hi : std::min(*hi, 100.0)))
            return var;
        range(1, 100);
        m_warn.add(QStringLiteral(
                       "%1: {%2} is an integer without example or bounds; using 1..100: edit vars.%2 to ids that exist")
                       .arg(label, name));
        return var;
    }
    if (type == QLatin1String("boolean") && examples.isEmpty()) {
        var.values = QStringList{QStringLiteral("true"), QStringLiteral("false")};
        return var;
    }
    for (const QJsonValue &v : examples)
        if (!scalarText(v).isNull() && var.values.size() < kMaxListValues)
            var.values.append(percentEncoded(scalarText(v)));
    if (!var.values.isEmpty())
        return var;
    // Another operation may document the same parameter ("owner", "orderId"): its examples exist too.
    const QString paramName = param.value(QLatin1String("name")).toString();
    for (const QString &v : m_examplesByName.value(paramName))
        if (var.values.size() < kMaxListValues)
            var.values.append(percentEncoded(v));
    if (!var.values.isEmpty()) {
        m_warn.add(
            QStringLiteral("%1: {%2} has no example here; using the examples documented for %3 elsewhere in the spec")
                .arg(label, name, paramName));
        return var;
    }
    // Nothing documented: a value of the declared format at least passes validation (a uuid id given "1" is a
    // 422 on every request, not a measurement), and the warning says to put real ids in.
    const QString sample = sampleOfFormat(format, schema);
    var.values = QStringList{percentEncoded(sample)};
    m_warn.add(
        QStringLiteral("%1: {%2} has no example, enum or default; using \"%3\"%4: edit vars.%2 to values that exist")
            .arg(label, name, sample,
                 format.isEmpty() ? QString() : QStringLiteral(" (a placeholder %1)").arg(format)));
    return var;
}

// A value of a string schema's format when the spec gives no example (see pathVariable()).
QString OpenApiImporter::sampleOfFormat(const QString &format, const QJsonObject &schema)
{
    const QString f = format.toLower();
    if (f == QLatin1String("uuid"))
        return QStringLiteral("00000000-0000-4000-8000-000000000001");
    if (f == QLatin1String("date"))
        return QStringLiteral("2024-01-01");
    if (f == QLatin1String("date-time"))
        return QStringLiteral("2024-01-01T00:00:00Z");
    if (f == QLatin1String("email"))
        return QStringLiteral("user@example.com");
    if (f == QLatin1String("hostname"))
        return QStringLiteral("example.com");
    if (f == QLatin1String("ipv4"))
        return QStringLiteral("192.0.2.1");
    if (f == QLatin1String("uri") || f == QLatin1String("url"))
        return QStringLiteral("https://example.com/");
    const int minLength = schema.value(QLatin1String("minLength")).toInt(1);
    return minLength > 1 ? QString(qMin(minLength, 64), QLatin1Char('1')) : QStringLiteral("1");
}

// Every documented example of every path and query parameter, by parameter name: a parameter without examples
// in one operation takes those of the same name in another.
void OpenApiImporter::collectExamples()
{
    const QJsonObject paths = m_root.value(QLatin1String("paths")).toObject();
    auto collect = [this](const QJsonValue &p) {
        // Resolved quietly: a broken $ref is reported where the operation is imported.
        QJsonValue current = p;
        for (int depth = 0; depth < 8 && current.isObject() && current.toObject().contains(QLatin1String("$ref"));
             ++depth) {
            const QString ref = current.toObject().value(QLatin1String("$ref")).toString();
            if (!ref.startsWith(QLatin1Char('#')))
                return;
            current = jsonPointer(m_root, QUrl::fromPercentEncoding(ref.mid(1).toUtf8()));
        }
        const QJsonObject param = current.toObject();
        const QString in = param.value(QLatin1String("in")).toString();
        if (in != QLatin1String("path") && in != QLatin1String("query"))
            return;
        QJsonObject schema = param.value(QLatin1String("schema")).toObject();
        if (schema.contains(QLatin1String("$ref")))
            schema =
                jsonPointer(m_root,
                            QUrl::fromPercentEncoding(schema.value(QLatin1String("$ref")).toString().mid(1).toUtf8()))
                    .toObject();
        QStringList &values = m_examplesByName[param.value(QLatin1String("name")).toString()];
        QList<QJsonValue> found{param.value(QLatin1String("example")), schema.value(QLatin1String("example"))};
        for (const QJsonValue &v : schema.value(QLatin1String("examples")).toArray())
            found.append(v);
        const QJsonObject examples = param.value(QLatin1String("examples")).toObject();
        for (auto it = examples.begin(); it != examples.end(); ++it)
            found.append(it.value().toObject().value(QLatin1String("value")));
        for (const QJsonValue &v : found) {
            const QString text = scalarText(v);
            if (!text.isNull() && !values.contains(text) && values.size() < kMaxListValues)
                values.append(text);
        }
    };
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const QJsonObject item = it.value().toObject();
        for (const QJsonValue &p : item.value(QLatin1String("parameters")).toArray())
            collect(p);
        for (auto op = item.begin(); op != item.end(); ++op)
            if (op.value().isObject())
                for (const QJsonValue &p : op.value().toObject().value(QLatin1String("parameters")).toArray())
                    collect(p);
    }
    for (auto it = m_examplesByName.begin(); it != m_examplesByName.end();)
        it = it.value().isEmpty() ? m_examplesByName.erase(it) : std::next(it);
}

// "name=value" pairs (already encoded) for one required query parameter; empty when it cannot be sent.
QStringList OpenApiImporter::queryPairs(const QString &label, const QJsonObject &param)
{
    const QString name = param.value(QLatin1String("name")).toString();
    if (isSecretQueryName(name)) {
        m_warn.add(
            QStringLiteral("%1: required query parameter %2 looks like a credential and is left out (plans never hold "
                           "secrets, and paths cannot take ${env:…}); send it as a header from target.headers if the "
                           "API accepts one")
                .arg(label, name));
        return {};
    }
    const QJsonObject schema = schemaOf(param);
    const QJsonArray examples = examplesOf(param, schema);
    QJsonValue value = examples.isEmpty() ? QJsonValue() : examples.first();
    if (value.isUndefined() || value.isNull()) {
        const QJsonArray enumValues = schema.value(QLatin1String("enum")).toArray();
        const QString type = typeOf(schema);
        if (!enumValues.isEmpty())
            value = enumValues.first();
        else if (type == QLatin1String("integer") || type == QLatin1String("number"))
            value = schema.value(QLatin1String("minimum")).isDouble() ? schema.value(QLatin1String("minimum"))
                                                                      : QJsonValue(1);
        else if (type == QLatin1String("boolean"))
            value = true;
        else if (type == QLatin1String("array")) {
            const QJsonObject items = resolveObject(schema.value(QLatin1String("items")), label);
            const QJsonArray itemExamples = examplesOf({}, items);
            if (!itemExamples.isEmpty())
                value = QJsonArray{itemExamples.first()};
        }
    }
    const QString encodedName = percentEncoded(name);
    if (value.isArray()) {
        const bool explode = param.value(QLatin1String("explode")).toBool(true);
        QStringList items;
        for (const QJsonValue &v : value.toArray())
            if (!scalarText(v).isNull())
                items.append(percentEncoded(scalarText(v)));
        if (items.isEmpty()) {
            m_warn.add(
                QStringLiteral("%1: required query parameter %2 has no usable example; left out: add it to the path")
                    .arg(label, name));
            return {};
        }
        if (!explode)
            return {encodedName + QLatin1Char('=') + items.join(QLatin1String("%2C"))};
        QStringList pairs;
        for (const QString &item : items)
            pairs.append(encodedName + QLatin1Char('=') + item);
        return pairs;
    }
    if (scalarText(value).isNull()) {
        if (value.isObject())
            m_warn.add(
                QStringLiteral("%1: required query parameter %2 is an object; left out: add it to the path by hand")
                    .arg(label, name));
        else {
            m_warn.add(
                QStringLiteral(
                    "%1: required query parameter %2 has no example, enum or default; sending %2=1: edit the path")
                    .arg(label, name));
            return {encodedName + QStringLiteral("=1")};
        }
        return {};
    }
    return {encodedName + QLatin1Char('=') + percentEncoded(scalarText(value))};
}

// An example body built from a schema's own examples. Fails (nullopt, *missing names the gap) as soon as a required
// value has none: a guessed body ("string", 0) would only measure the backend's validation errors.
std::optional<QJsonValue> OpenApiImporter::exampleFromSchema(const QJsonValue &schemaValue, int depth,
                                                             QStringList *refStack, QString *missing)
{
    if (depth > 12) {
        *missing = QStringLiteral("the schema nests too deeply");
        return std::nullopt;
    }
    if (m_exampleBudgetSpent || m_exampleNodes >= kMaxExampleNodesPerBody ||
        m_exampleNodesTotal >= kMaxExampleNodesPerDocument) {
        if (!m_exampleBudgetSpent)
            *missing = m_exampleNodes >= kMaxExampleNodesPerBody
                           ? QStringLiteral("the schema expands to more than %1 values, counting each $ref every "
                                            "time it is used")
                                 .arg(kMaxExampleNodesPerBody)
                           : QStringLiteral("the document's schemas expanded to more than %1 values in all, counting "
                                            "each $ref every time it is used")
                                 .arg(kMaxExampleNodesPerDocument);
        m_exampleBudgetSpent = true; // every caller up the stack fails too: no partial body
        return std::nullopt;
    }
    ++m_exampleNodes;
    ++m_exampleNodesTotal;
    QJsonObject schema = schemaValue.toObject();
    if (schema.contains(QLatin1String("$ref"))) {
        const QString ref = schema.value(QLatin1String("$ref")).toString();
        if (refStack->contains(ref)) {
            *missing = QStringLiteral("%1 is recursive").arg(ref);
            return std::nullopt;
        }
        refStack->append(ref);
        auto v = exampleFromSchema(resolve(schema, QStringLiteral("request body")), depth + 1, refStack, missing);
        refStack->removeLast();
        return v;
    }
    for (const char *key : {"example", "const", "default"}) {
        const QJsonValue v = schema.value(QLatin1String(key));
        if (!v.isUndefined())
            return v;
    }
    if (const QJsonArray examples = schema.value(QLatin1String("examples")).toArray(); !examples.isEmpty())
        return examples.first();
    if (const QJsonArray enumValues = schema.value(QLatin1String("enum")).toArray(); !enumValues.isEmpty())
        return enumValues.first();
    if (const QJsonArray allOf = schema.value(QLatin1String("allOf")).toArray(); !allOf.isEmpty()) {
        QJsonObject merged;
        for (const QJsonValue &part : allOf) {
            const auto v = exampleFromSchema(part, depth + 1, refStack, missing);
            if (!v)
                return std::nullopt;
            if (!v->isObject())
                return v;
            const QJsonObject o = v->toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                merged.insert(it.key(), it.value());
        }
        return merged;
    }
    for (const char *key : {"oneOf", "anyOf"}) {
        const QJsonArray choices = schema.value(QLatin1String(key)).toArray();
        for (const QJsonValue &choice : choices) {
            if (auto v = exampleFromSchema(choice, depth + 1, refStack, missing))
                return v;
            if (m_exampleBudgetSpent)
                return std::nullopt;
        }
        if (!choices.isEmpty())
            return std::nullopt;
    }
    const QString type = typeOf(schema);
    if (type == QLatin1String("object")) {
        QJsonObject out;
        const QJsonArray required = schema.value(QLatin1String("required")).toArray();
        const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
        for (auto it = properties.begin(); it != properties.end(); ++it) {
            const QJsonObject property = resolveObject(it.value(), QStringLiteral("request body"));
            if (property.value(QLatin1String("readOnly")).toBool())
                continue; // set by the server, not sent
            const auto v = exampleFromSchema(it.value(), depth + 1, refStack, missing);
            if (m_exampleBudgetSpent)
                return std::nullopt;
            if (v)
                out.insert(it.key(), *v);
            else if (required.contains(it.key())) {
                if (missing->isEmpty() || !missing->contains(QLatin1String("property")))
                    *missing = QStringLiteral("required property \"%1\" has no example").arg(it.key());
                return std::nullopt;
            }
        }
        return out;
    }
    if (type == QLatin1String("array")) {
        const auto item = exampleFromSchema(schema.value(QLatin1String("items")), depth + 1, refStack, missing);
        if (item)
            return QJsonArray{*item};
        if (m_exampleBudgetSpent)
            return std::nullopt;
        if (schema.value(QLatin1String("minItems")).toInt() > 0)
            return std::nullopt;
        return QJsonArray{};
    }
    if (missing->isEmpty())
        *missing = QStringLiteral("a %1 value has no example").arg(type.isEmpty() ? QStringLiteral("schema") : type);
    return std::nullopt;
}

std::optional<QJsonValue> OpenApiImporter::exampleBody(const QJsonValue &schema, QString *missing)
{
    m_exampleNodes = 0;
    m_exampleBudgetSpent = false;
    QStringList refStack;
    return exampleFromSchema(schema, 0, &refStack, missing);
}

void OpenApiImporter::requestBody(const QString &label, const QJsonObject &op, EndpointSpec &e)
{
    if (!op.contains(QLatin1String("requestBody")))
        return;
    const QJsonObject body = resolveObject(op.value(QLatin1String("requestBody")), label);
    const bool required = body.value(QLatin1String("required")).toBool();
    const QJsonObject content = body.value(QLatin1String("content")).toObject();
    QString jsonType, textType, formType;
    for (auto it = content.begin(); it != content.end(); ++it) {
        const QString type = it.key().toLower();
        if (jsonType.isEmpty() && (type == QLatin1String("application/json") || type.contains(QLatin1String("+json")) ||
                                   type.endsWith(QLatin1String("/json"))))
            jsonType = it.key();
        else if (textType.isEmpty() && type.startsWith(QLatin1String("text/")))
            textType = it.key();
        else if (formType.isEmpty() &&
                 type.section(QLatin1Char(';'), 0, 0).trimmed() == QLatin1String("application/x-www-form-urlencoded"))
            formType = it.key();
    }
    if (jsonType.isEmpty() && !formType.isEmpty()) {
        // A form body (OAuth token endpoints, classic web apps): the same example or schema as a JSON body would
        // have, sent as name=value pairs, as a HAR import replays it.
        const QJsonObject media = content.value(formType).toObject();
        std::optional<QJsonValue> value;
        if (media.value(QLatin1String("example")).isObject())
            value = media.value(QLatin1String("example"));
        else if (const QJsonObject examples = media.value(QLatin1String("examples")).toObject(); !examples.isEmpty())
            value = resolveObject(examples.begin().value(), label).value(QLatin1String("value"));
        QString missing;
        if (!value || !value->isObject())
            value = exampleBody(media.value(QLatin1String("schema")), &missing);
        if (!value || !value->isObject()) {
            m_warn.add(
                QStringLiteral("%1: no example form body (%2); imported without a body: add one under \"body\" as "
                               "name=value&… in the plan")
                    .arg(label, missing.isEmpty() ? formType : missing));
            return;
        }
        QStringList pairs, replaced;
        const QJsonObject fields = value->toObject();
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            QString text = scalarText(it.value());
            if (text.isNull())
                text = QString::fromUtf8(
                    QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
            if (Secrets::isSecretName(it.key()) || isSecretValue(text)) {
                replaced.append(it.key());
                pairs.append(percentEncoded(it.key()) + QStringLiteral("=${env:") + envNameFor(it.key()) +
                             QLatin1Char('}'));
            } else {
                pairs.append(percentEncoded(it.key()) + QLatin1Char('=') + percentEncoded(text));
            }
        }
        e.body = pairs.join(QLatin1Char('&')).toUtf8();
        e.headers[QStringLiteral("Content-Type")] = QStringLiteral("application/x-www-form-urlencoded");
        for (const QString &key : replaced)
            m_warn.add(QStringLiteral("%1: form field \"%2\" set to ${env:%3}: export %3 before the run")
                           .arg(label, key, envNameFor(key)));
        return;
    }
    if (jsonType.isEmpty()) {
        const QJsonObject media = content.value(textType).toObject();
        const QJsonValue example = media.value(QLatin1String("example"));
        if (!textType.isEmpty() && example.isString()) {
            e.body = example.toString().toUtf8();
            e.headers[QStringLiteral("Content-Type")] = textType;
        } else if (required || !content.isEmpty()) {
            m_warn.add(QStringLiteral(
                           "%1: request body (%2) not imported: Preflight sends JSON or raw text bodies; add one under "
                           "\"json\" or \"body\" in the plan")
                           .arg(label, content.keys().join(QLatin1String(", "))));
        }
        return;
    }
    const QJsonObject media = content.value(jsonType).toObject();
    std::optional<QJsonValue> value;
    if (media.contains(QLatin1String("example"))) {
        value = media.value(QLatin1String("example"));
    } else if (const QJsonObject examples = media.value(QLatin1String("examples")).toObject(); !examples.isEmpty()) {
        const QJsonValue v = resolveObject(examples.begin().value(), label).value(QLatin1String("value"));
        if (!v.isUndefined())
            value = v;
    }
    QString missing;
    if (!value)
        value = exampleBody(media.value(QLatin1String("schema")), &missing);
    if (!value) {
        m_warn.add(QStringLiteral(
                       "%1: no example request body (%2); imported without a body: add one under \"json\" in the plan")
                       .arg(label, missing));
        return;
    }
    if (value->isObject() || value->isArray()) {
        QStringList replaced;
        const QJsonValue scrubbed = scrubJson(*value, &replaced);
        e.body_is_json = true;
        e.body = scrubbed.isObject() ? QJsonDocument(scrubbed.toObject()).toJson(QJsonDocument::Compact)
                                     : QJsonDocument(scrubbed.toArray()).toJson(QJsonDocument::Compact);
        for (const QString &key : replaced)
            m_warn.add(QStringLiteral("%1: body field \"%2\" set to ${env:%3}: export %3 before the run")
                           .arg(label, key, envNameFor(key)));
    } else {
        // A bare JSON scalar body: the plan's "json" holds objects and arrays, so send it as raw text.
        e.body = QJsonDocument(QJsonArray{*value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        e.headers[QStringLiteral("Content-Type")] = jsonType;
    }
}

void OpenApiImporter::noteSecurity(const QJsonObject &op)
{
    const QJsonValue security = op.contains(QLatin1String("security")) ? op.value(QLatin1String("security"))
                                                                       : m_root.value(QLatin1String("security"));
    const QJsonArray requirements = security.toArray();
    // Alternatives: any one requirement object satisfies the operation; an empty one means "no auth needed".
    for (const QJsonValue &requirement : requirements)
        if (requirement.toObject().isEmpty())
            return;
    if (!requirements.isEmpty()) {
        for (const QString &name : requirements.first().toObject().keys())
            if (!m_securityUsed.contains(name))
                m_securityUsed.append(name);
    }
}

void OpenApiImporter::securityWarnings()
{
    const QJsonObject schemes =
        m_root.value(QLatin1String("components")).toObject().value(QLatin1String("securitySchemes")).toObject();
    for (const QString &name : m_securityUsed) {
        const QJsonObject scheme = resolveObject(schemes.value(name), QStringLiteral("securitySchemes.") + name);
        const QString type = scheme.value(QLatin1String("type")).toString();
        const QString in = scheme.value(QLatin1String("in")).toString();
        const QString what = QStringLiteral("the API requires authentication (securitySchemes.%1)").arg(name);
        if (type == QLatin1String("http") &&
            scheme.value(QLatin1String("scheme")).toString().compare(QLatin1String("basic"), Qt::CaseInsensitive) == 0)
            m_warn.add(
                what +
                QStringLiteral(
                    ": add \"Authorization\": \"Basic ${env:BASIC_AUTH}\" to target.headers and export BASIC_AUTH"));
        else if (type == QLatin1String("apiKey") && in == QLatin1String("header")) {
            const QString header = scheme.value(QLatin1String("name")).toString();
            m_warn.add(what + QStringLiteral(": add \"%1\": \"%2\" to target.headers and export %3")
                                  .arg(header, placeholderFor(header), envNameFor(header)));
        } else if (type == QLatin1String("apiKey") && in == QLatin1String("cookie")) {
            const QString cookie = scheme.value(QLatin1String("name")).toString();
            m_warn.add(what + QStringLiteral(": add \"Cookie\": \"%1=${env:%2}\" to target.headers and export %2")
                                  .arg(cookie, envNameFor(cookie)));
        } else if (type == QLatin1String("apiKey")) {
            m_warn.add(what +
                       QStringLiteral(
                           ": the key goes in query parameter %1, which a plan cannot hold as a secret; send it as a "
                           "header from target.headers with ${env:…} if the API accepts one")
                           .arg(scheme.value(QLatin1String("name")).toString()));
        } else {
            m_warn.add(what + QStringLiteral(
                                  ": add \"Authorization\": \"Bearer ${env:API_TOKEN}\" to target.headers and export "
                                  "API_TOKEN, or set up target.login to fetch a token"));
        }
    }
}

void OpenApiImporter::importOperation(const QString &specPath, const QString &method, const QJsonObject &pathItem,
                                      const QJsonObject &op, const QString &prefix)
{
    const QString upper = method.toUpper();
    const QString label = upper + QLatin1Char(' ') + specPath;
    if (op.value(QLatin1String("deprecated")).toBool()) {
        m_warn.add(QStringLiteral("%1 skipped: deprecated in the spec").arg(label));
        return;
    }
    if (upper == QLatin1String("TRACE")) {
        m_warn.add(QStringLiteral("%1 skipped: plans have no TRACE requests").arg(label));
        return;
    }
    const bool writes =
        upper != QLatin1String("GET") && upper != QLatin1String("HEAD") && upper != QLatin1String("OPTIONS");
    if (writes && !m_options.includeWrites) {
        m_warn.add(QStringLiteral("%1 skipped: it writes data; %2").arg(label, writesHint()));
        return;
    }

    // Path-level parameters, overridden by operation-level ones with the same name and location.
    std::map<std::pair<QString, QString>, QJsonObject> params;
    for (const QJsonObject &holder : {pathItem, op}) {
        for (const QJsonValue &p : holder.value(QLatin1String("parameters")).toArray()) {
            const QJsonObject param = resolveObject(p, label);
            if (!param.isEmpty())
                params[{param.value(QLatin1String("in")).toString(), param.value(QLatin1String("name")).toString()}] =
                    param;
        }
    }

    EndpointSpec e;
    e.method = upper;
    QString path = specPath;
    static const QRegularExpression placeholder(QStringLiteral("\\{([^}]+)\\}"));
    // Each {name} of the template becomes a plan variable; rebuild the path so renamed ones ({seq}) follow.
    QString built;
    qsizetype last = 0;
    std::map<QString, int> suffixes;
    for (auto it = placeholder.globalMatch(specPath); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        built += specPath.mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        const QString name = m.captured(1);
        const QString var = e.vars.count(name) ? name : uniqueVarName(name, e.vars, &suffixes);
        built += QLatin1Char('{') + var + QLatin1Char('}');
        if (e.vars.count(var))
            continue;
        const auto found = params.find({QStringLiteral("path"), name});
        if (found == params.end()) {
            PathVariable fallback;
            fallback.kind = PathVariable::Kind::List;
            fallback.values = QStringList{QStringLiteral("1")};
            e.vars[var] = fallback;
            m_warn.add(QStringLiteral("%1: {%2} is not declared as a path parameter; using \"1\": edit vars.%3")
                           .arg(label, name, var));
            continue;
        }
        if (auto v = pathVariable(label, var, found->second))
            e.vars[var] = *v;
    }
    built += specPath.mid(last);
    path = prefix + built;

    QStringList query;
    for (const auto &[key, param] : params) {
        if (!param.value(QLatin1String("required")).toBool())
            continue;
        const QString &in = key.first, &name = key.second;
        if (in == QLatin1String("query")) {
            query += queryPairs(label, param);
        } else if (in == QLatin1String("header")) {
            const QJsonArray examples = examplesOf(param, schemaOf(param));
            if (Secrets::isSecretName(name))
                m_warn.add(QStringLiteral(
                               "%1: required header %2 looks like a credential and is left out: add \"%2\": \"%3\" to "
                               "target.headers and export %4")
                               .arg(label, name, placeholderFor(name), envNameFor(name)));
            else if (!examples.isEmpty() && !scalarText(examples.first()).isNull())
                e.headers[name] = scalarText(examples.first());
            else
                m_warn.add(QStringLiteral("%1: required header %2 has no example; add it under \"headers\" in the plan")
                               .arg(label, name));
        } else if (in == QLatin1String("cookie")) {
            m_warn.add(
                QStringLiteral(
                    "%1: required cookie %2 left out: add \"Cookie\": \"%2=${env:%3}\" to target.headers, or set up "
                    "target.login")
                    .arg(label, name, envNameFor(name)));
        }
    }
    if (!query.isEmpty())
        path += (path.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) + query.join(QLatin1Char('&'));
    e.path = path;
    const QString operationId = op.value(QLatin1String("operationId")).toString().trimmed();
    e.name = operationId.isEmpty() ? upper + QLatin1Char(' ') + prefix + specPath : operationId;
    if (writes)
        requestBody(label, op, e);
    noteSecurity(op);
    m_result.endpoints.push_back(std::move(e));
}

Result OpenApiImporter::run()
{
    if (m_root.contains(QLatin1String("swagger"))) {
        m_result.error =
            QStringLiteral("this is a Swagger %1 document; Preflight imports OpenAPI 3: convert it first, e.g. "
                           "`npx swagger2openapi swagger.json -o openapi.json`")
                .arg(scalarText(m_root.value(QLatin1String("swagger"))));
        return m_result;
    }
    const QString version = m_root.value(QLatin1String("openapi")).toString();
    if (!version.startsWith(QLatin1String("3."))) {
        m_result.error =
            version.isEmpty()
                ? QStringLiteral("not an OpenAPI 3 document: the \"openapi\" field is missing")
                : QStringLiteral("OpenAPI %1 is not supported; Preflight imports OpenAPI 3.0 and 3.1").arg(version);
        return m_result;
    }
    const Server s = server();
    m_result.base_url = s.origin;
    collectExamples();
    const QJsonObject paths = m_root.value(QLatin1String("paths")).toObject();
    static const char *const kMethods[] = {"get", "head", "options", "post", "put", "patch", "delete", "trace"};
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const QString specPath = it.key();
        if (!specPath.startsWith(QLatin1Char('/'))) {
            m_warn.add(QStringLiteral("paths.%1 skipped: a path must start with /").arg(specPath));
            continue;
        }
        const QJsonObject pathItem = resolveObject(it.value(), specPath);
        for (const char *method : kMethods) {
            const QJsonValue op = pathItem.value(QLatin1String(method));
            if (op.isObject())
                importOperation(specPath, QString::fromLatin1(method), pathItem, op.toObject(), s.prefix);
        }
    }
    if (paths.isEmpty())
        m_warn.add(QStringLiteral("the document has no paths: nothing to import"));
    if (m_root.value(QLatin1String("webhooks")).isObject())
        m_warn.add(QStringLiteral("webhooks not imported: the API calls them, a load test does not"));
    securityWarnings();
    return m_result;
}
} // namespace Preflight::EndpointImport::Detail
