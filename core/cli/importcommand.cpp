#include "cli.h"
#include "commandline.h"
#include "commands.h"
#include "outputpaths.h"

#include "plan/endpointimport.h"
#include "plan/planparser.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

namespace Preflight::Cli {

namespace {
const char *kImportUsage =
    "Usage: preflight import FILE [--base-url URL] [--include-writes] [-o PLAN.preflight.json]\n"
    "\n"
    "Writes a plan whose endpoints come from an OpenAPI 3.0/3.1 JSON description or a HAR file (a browser's\n"
    "network log). Only reading requests (GET, HEAD, OPTIONS) are imported unless --include-writes is given.\n"
    "Credentials (cookies, Authorization, API keys, tokens in query strings) are never copied into the plan:\n"
    "the warnings on standard error say what was skipped and how to add it back as ${env:NAME}.\n"
    "  -o, --output FILE   write the plan to FILE (default: standard output)\n"
    "  --base-url URL      the backend to test (default: the spec's first server, or the HAR's main origin);\n"
    "                      endpoint paths keep the server's path prefix, e.g. /api/v1\n"
    "  --include-writes    also import POST, PUT, PATCH and DELETE, with their example or recorded bodies\n"
    "\n"
    "Exit codes: 0 plan written · 2 usage error, unreadable or unrecognised file, or nothing to import.\n";

int usageError(const QString &message)
{
    QTextStream(stderr) << "preflight import: " << message
                        << "; usage: preflight import FILE [--base-url URL] [--include-writes] [-o PLAN.preflight.json]\n";
    return ExitUsage;
}

int failure(const QString &message)
{
    QTextStream(stderr) << "preflight import: " << message << '\n';
    return ExitUsage;
}

// A health check the API itself documents or was seen serving; else the plan format's default.
QString healthPathOf(const std::vector<EndpointSpec> &endpoints)
{
    static const QStringList names{QStringLiteral("health"), QStringLiteral("healthz"), QStringLiteral("livez"),
                                   QStringLiteral("readyz"), QStringLiteral("ping"), QStringLiteral("status")};
    for (const EndpointSpec &e : endpoints) {
        if (e.method != QLatin1String("GET") || !e.vars.empty() || e.path.contains(QLatin1Char('?')))
            continue;
        if (names.contains(e.path.section(QLatin1Char('/'), -1).toLower()))
            return e.path;
    }
    return QStringLiteral("/health");
}
} // namespace

int importCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QList<QCommandLineOption> options{
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")},
        {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Plan file to write."), QStringLiteral("FILE")},
        {QStringLiteral("base-url"), QStringLiteral("The backend to test."), QStringLiteral("URL")},
        {QStringLiteral("include-writes"), QStringLiteral("Also import writing operations.")},
    };
    QString error;
    if (!parseArguments(parser, options, QStringLiteral("preflight import"), args, &error))
        return usageError(error);
    if (parser.isSet(QStringLiteral("help"))) {
        out << kImportUsage;
        return ExitReady;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(QStringLiteral("which file? give an OpenAPI 3 JSON document or a HAR file"));
    if (positional.size() > 1)
        return usageError(QStringLiteral("unexpected argument \"%1\"").arg(positional[1]));
    const QString file = positional[0];
    if (const QString output = parser.value(QStringLiteral("output")); !output.isEmpty() && output != QLatin1String("-")) {
        // Checked before reading: `import spec.json -o spec.json` must not replace the spec with a plan.
        OutputPaths paths;
        paths.addInput(QStringLiteral("the imported file"), file);
        paths.addOutput(parser.isSet(QStringLiteral("o")) && args.contains(QStringLiteral("-o")) ? QStringLiteral("-o") : QStringLiteral("--output"), output);
        if (const QString problem = paths.check(); !problem.isEmpty())
            return failure(problem);
    }
    QString baseUrl;
    if (parser.isSet(QStringLiteral("base-url"))) {
        const auto normal = PlanParser::normaliseBaseUrl(parser.value(QStringLiteral("base-url")), &error);
        if (!normal)
            return usageError(QStringLiteral("--base-url: ") + error);
        baseUrl = *normal;
    }

    EndpointImport::Options importOptions;
    importOptions.includeWrites = parser.isSet(QStringLiteral("include-writes"));
    const EndpointImport::Result result = EndpointImport::fromFile(file, importOptions);
    if (!result.error.isEmpty())
        return failure(result.error);
    // Warnings say what the written plan lacks; they go out with the plan, or as the reason there is none.
    const auto printWarnings = [&] {
        for (const QString &warning : result.warnings)
            err << "preflight import: warning: " << warning << '\n';
        err.flush();
    };
    if (result.endpoints.empty()) {
        printWarnings();
        return failure(QStringLiteral("nothing imported from %1: every request or operation was skipped (see the warnings above)")
                           .arg(file));
    }
    if (baseUrl.isEmpty())
        baseUrl = result.base_url;
    if (baseUrl.isEmpty())
        return failure(QStringLiteral("%1 names no absolute server URL; give the backend with --base-url http://HOST:PORT").arg(file));

    Plan plan;
    plan.name = QStringLiteral("imported from %1").arg(QFileInfo(file).fileName());
    plan.target.base_url = baseUrl;
    plan.endpoints = result.endpoints;
    plan.health_path = healthPathOf(plan.endpoints);
    if (const QString problem = PlanParser::validate(plan); !problem.isEmpty())
        return failure(QStringLiteral("the imported plan is not valid (%1); please report this with the file").arg(problem));

    const QByteArray bytes = QJsonDocument(plan.toJson()).toJson(QJsonDocument::Indented);
    const QString output = parser.value(QStringLiteral("output"));
    const QString summary = QStringLiteral("%1 endpoint%2 for %3").arg(plan.endpoints.size()).arg(plan.endpoints.size() == 1 ? QString() : QStringLiteral("s")).arg(baseUrl);
    if (output.isEmpty() || output == QLatin1String("-")) {
        out << QString::fromUtf8(bytes);
        out.flush();
        printWarnings();
        err << "preflight import: " << summary << '\n';
        return ExitReady;
    }
    if (QString writeError; !OutputPaths::write(output, bytes, &writeError))
        return failure(writeError);
    printWarnings();
    out << "wrote " << QDir::toNativeSeparators(output) << " (" << summary << "); run it with `preflight run "
        << QDir::toNativeSeparators(output) << "`\n";
    return ExitReady;
}

} // namespace Preflight::Cli
