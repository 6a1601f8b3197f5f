#pragma once

#include "plan/plan.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

// One endpoint as the endpoints editor shows it: text fields a user types into, turned back into an
// EndpointSpec with validation. Pure (no widgets), so that what the editor writes is tested on its own.
//
// Round trip: a draft made from a spec and not edited gives that spec back unchanged. Each part (variables,
// headers, body) is rebuilt from its text only when it was edited; until then the spec's own value is kept, so
// a list value or a body the text form cannot show exactly is never rewritten.
struct EndpointDraft
{
    enum class BodyKind { None, Json, Form, Text };
    struct Pair
    {
        QString name;
        QString value;
    };
    struct Variable
    {
        QString name;
        bool list = false; // false: a range "from-to"; true: values separated by commas
        QString values;    // "1-500" or "a, b, c"
    };

    EndpointSpec base; // as loaded; method, path and weight come from the list's row
    QString name;
    int timeout_ms = 0; // 0: the target's timeout
    std::vector<Variable> vars;
    std::vector<Pair> headers;
    BodyKind bodyKind = BodyKind::None;
    QString bodyText;        // Json (indented for editing) and Text
    std::vector<Pair> form;  // Form fields, decoded
    bool varsEdited = false; // set by the editor when the user changes that part
    bool headersEdited = false;
    bool bodyEdited = false;

    static EndpointDraft from(const EndpointSpec &spec);
    // The endpoint with this row's method, path and weight text; empty, or what to correct, phrased for the
    // user without the endpoint's number ("{id} in the path has no values: give it a range …").
    QString toSpec(const QString &method, const QString &path, const QString &weight, EndpointSpec *out) const;

    // {name} placeholders of a path that need values: not {seq} and not ${env:…}/${keychain:…}.
    static QStringList pathVariables(const QString &path);
    static QString variableText(const PathVariable &var); // "1-500", or "a, b, c"
    // A form body as fields; *exact is false when encoding the fields again would not give the same bytes.
    static std::vector<Pair> decodeForm(const QByteArray &body, bool *exact);
    // application/x-www-form-urlencoded; ${…} and {name} placeholders are kept as they are, to be filled in
    // when the request is built.
    static QByteArray encodeForm(const std::vector<Pair> &fields);
    static bool isFormContentType(const std::map<QString, QString> &headers);
};

} // namespace Preflight
