#pragma once

#include "plan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

// Imports plan endpoints from an OpenAPI 3.0/3.1 JSON document or a HAR 1.2 capture.
// Pure functions, thread-safe, no network: run them off the GUI thread for large files.
//
// Safety defaults: only reading operations (GET, HEAD) are imported unless Options::includeWrites is set,
// deprecated operations are skipped, and nothing that looks like a secret (cookies, Authorization, API-key
// headers or query parameters) is ever copied into an endpoint: it is named in a warning instead, with the
// `${env:NAME}` placeholder to use.
namespace Preflight::EndpointImport {

struct Result
{
    std::vector<EndpointSpec> endpoints;
    QString base_url; // from OpenAPI servers[0] (resolved against variables' defaults) or the HAR's most common origin;
                      // may be empty
    QStringList warnings; // what was skipped and why (one line each, user-actionable)
    QString error;        // non-empty: nothing imported (unreadable file, not JSON (line/column), neither format)
};

struct Options
{
    bool includeWrites = false; // also import POST/PUT/PATCH/DELETE operations (and HAR request bodies)
};

Result fromFile(const QString &path, const Options &options = {}); // detects the format from the content
Result fromOpenApi(const QByteArray &json, const Options &options = {});
Result fromHar(const QByteArray &json, const Options &options = {});

} // namespace Preflight::EndpointImport
