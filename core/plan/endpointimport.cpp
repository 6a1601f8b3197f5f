#include "endpointimport.h"

// Placeholder so that callers link while the importers are written; replaced by the real implementation.
namespace Preflight::EndpointImport {

static Result notYet()
{
    Result r;
    r.error = QStringLiteral("Endpoint import is not implemented yet.");
    return r;
}

Result fromFile(const QString &, const Options &) { return notYet(); }
Result fromOpenApi(const QByteArray &, const Options &) { return notYet(); }
Result fromHar(const QByteArray &, const Options &) { return notYet(); }

} // namespace Preflight::EndpointImport
