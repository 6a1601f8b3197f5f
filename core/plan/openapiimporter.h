#pragma once

#include "importsupport.h"

#include <QHash>
#include <QJsonArray>

// Endpoints from an OpenAPI 3.0/3.1 document (internal to EndpointImport: call fromOpenApi()/fromFile()).
namespace Preflight::EndpointImport::Detail {

class OpenApiImporter
{
public:
    OpenApiImporter(const QJsonObject &root, const Options &options)
        : m_root(root), m_options(options), m_warn(&m_result.warnings)
    {
    }

    Result run();

private:
    struct Server
    {
        QString origin; // scheme://host[:port], empty when the spec names none (or a relative one)
        QString prefix; // "/v1": prepended to every path
    };

    QJsonValue resolve(const QJsonValue &value, const QString &where);
    QJsonObject resolveObject(const QJsonValue &value, const QString &where)
    {
        return resolve(value, where).toObject();
    }
    Server server();
    void importOperation(const QString &specPath, const QString &method, const QJsonObject &pathItem,
                         const QJsonObject &op, const QString &prefix);
    std::optional<PathVariable> pathVariable(const QString &label, const QString &name, const QJsonObject &param);
    QStringList queryPairs(const QString &label, const QJsonObject &param);
    void requestBody(const QString &label, const QJsonObject &op, EndpointSpec &e);
    std::optional<QJsonValue> exampleFromSchema(const QJsonValue &schema, int depth, QStringList *refStack,
                                                QString *missing);
    // One body's example: exampleFromSchema with a fresh per-body budget (and what is left of the document's).
    std::optional<QJsonValue> exampleBody(const QJsonValue &schema, QString *missing);
    QJsonArray examplesOf(const QJsonObject &param, const QJsonObject &schema);
    QJsonObject schemaOf(const QJsonObject &param)
    {
        return resolveObject(param.value(QLatin1String("schema")), QStringLiteral("schema"));
    }
    static QString typeOf(const QJsonObject &schema);
    void noteSecurity(const QJsonObject &op);
    void securityWarnings();
    void collectExamples();
    static QString sampleOfFormat(const QString &format, const QJsonObject &schema);

    QJsonObject m_root;
    Options m_options;
    Result m_result;
    Warnings m_warn;
    QStringList m_securityUsed; // securitySchemes names required by imported operations, first-use order
    QHash<QString, QStringList> m_examplesByName; // parameter name -> examples documented anywhere (collectExamples)
    // Schema nodes exampleFromSchema visited for the current body and for the whole document. A $ref is expanded
    // in place each time it is met, so a few kB of schemas whose properties refer to the same next schema expand
    // exponentially (fuzz_import, docs/fuzzing.md); past a budget the body is not built.
    int m_exampleNodes = 0;
    int m_exampleNodesTotal = 0;
    bool m_exampleBudgetSpent = false;
};

} // namespace Preflight::EndpointImport::Detail
