// The public face of the importers: format detection and the file prefix on errors. OpenAPI is read in
// openapiimporter.cpp, HAR in harimporter.cpp, what both share in importsupport.cpp.
#include "endpointimport.h"

#include "harimporter.h"
#include "openapiimporter.h"

#include <QFile>

namespace Preflight::EndpointImport {

using namespace Detail;

namespace {

Result withFilePrefix(Result r, const QString &path)
{
    if (!r.error.isEmpty())
        r.error = path + QStringLiteral(": ") + r.error;
    return r;
}

} // namespace

Result fromOpenApi(const QByteArray &json, const Options &options)
{
    Result r;
    const auto root = parseObject(json, &r.error);
    if (!root)
        return r;
    return OpenApiImporter(*root, options).run();
}

Result fromHar(const QByteArray &json, const Options &options)
{
    Result r;
    const auto root = parseObject(json, &r.error);
    if (!root)
        return r;
    if (!root->value(QLatin1String("log")).toObject().value(QLatin1String("entries")).isArray()) {
        r.error = QStringLiteral("not a HAR file: log.entries is missing");
        return r;
    }
    return HarImporter(*root, options).run();
}

Result fromFile(const QString &path, const Options &options)
{
    Result r;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        r.error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return r;
    }
    const QByteArray bytes = file.readAll();
    const auto root = parseObject(bytes, &r.error);
    if (!root)
        return withFilePrefix(r, path);
    if (root->contains(QLatin1String("openapi")) || root->contains(QLatin1String("swagger")))
        return withFilePrefix(OpenApiImporter(*root, options).run(), path);
    if (root->value(QLatin1String("log")).toObject().value(QLatin1String("entries")).isArray())
        return withFilePrefix(HarImporter(*root, options).run(), path);
    r.error = QStringLiteral(
        "neither an OpenAPI 3 document (no \"openapi\" field) nor a HAR file (no \"log.entries\"); export "
        "the API description as OpenAPI JSON, or save the browser's network log as HAR");
    return withFilePrefix(r, path);
}

} // namespace Preflight::EndpointImport
