#pragma once

#include "endpointimport.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QSet>

#include <map>
#include <optional>

// What the OpenAPI and HAR importers share (internal to EndpointImport): parsing, URL text, secret names and
// values, variables from seen values, deduplicated warnings.
namespace Preflight::EndpointImport::Detail {

inline constexpr int kMaxListValues = 100;            // a List variable keeps at most this many values seen
inline constexpr qsizetype kMaxBodyBytes = 64 * 1024; // larger HAR bodies are uploads, not something to replay

// The hint appended to every "write operation skipped" warning.
QString writesHint();

class Warnings
{
public:
    explicit Warnings(QStringList *out) : m_out(out) {}
    void add(const QString &line)
    {
        if (!m_seen.contains(line)) {
            m_seen.insert(line);
            m_out->append(line);
        }
    }

private:
    QStringList *m_out;
    QSet<QString> m_seen;
};

// YAML is the other common OpenAPI encoding; name the conversion instead of a JSON syntax error at line 1.
bool looksLikeYaml(const QByteArray &bytes);
// The document's top-level object, or nullopt with *error naming line and column (or the YAML conversion).
std::optional<QJsonObject> parseObject(const QByteArray &bytes, QString *error);
// A JSON scalar as the text a URL or header carries; null QString when not a scalar.
QString scalarText(const QJsonValue &v);
QString percentEncoded(const QString &text);
bool isInteger(const QString &text, qint64 *value = nullptr);
bool isUuid(const QString &text);
// OAuth redirects carry one-time codes in the query (?code=…&state=…): secrets there, not in a JSON body.
bool isSecretQueryName(const QString &name);
// Values that are credentials whatever their name: JWTs and HTTP authentication schemes.
bool isSecretValue(const QString &value);
// "X-API-Key" -> "API_KEY": the environment variable a warning suggests.
QString envNameFor(const QString &name);
// The value a warning proposes for a dropped credential header.
QString placeholderFor(const QString &header, const QString &droppedValue = {});
// Replaces the values of secret-named keys in a JSON body by ${env:NAME} placeholders (resolved at send time).
QJsonValue scrubJson(const QJsonValue &value, QStringList *replacedKeys);
// A variable name for `wanted` that is not in `taken`: `wanted` with every character that is not a letter, digit,
// '_' or '-' made '_', then with 2, 3, ... appended. *lastSuffix (one map per endpoint) remembers the suffix each
// base name last took, so n variables of one name cost n look-ups, not n^2/2 (a URL that repeats one query name
// thousands of times; docs/fuzzing.md).
QString uniqueVarName(QString wanted, const std::map<QString, PathVariable> &taken, std::map<QString, int> *lastSuffix);
// Values seen for one variable -> Range when all are integers, else a List (README.md, "The plan": vars).
PathVariable variableFromValues(const QStringList &values);

} // namespace Preflight::EndpointImport::Detail
