#include "cli.h"
#include "commandline.h"
#include "commands.h"
#include "outputpaths.h"

#include "plan/endpointimport.h"
#include "plan/planparser.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTextStream>

#include <algorithm>
#include <vector>

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
    QTextStream(stderr)
        << "preflight import: " << message
        << "; usage: preflight import FILE [--base-url URL] [--include-writes] [-o PLAN.preflight.json]\n";
    return ExitUsage;
}

int failure(const QString &message)
{
    QTextStream(stderr) << "preflight import: " << message << '\n';
    return ExitUsage;
}

// A health check the API itself documents or was seen serving (any GET without variables whose path has a
// health-like segment: /health, /healthz, /api/v2/healthcheck, /actuator/health/liveness, /status/ready, /ping),
// preferring "health" names over "status" or "ping", then the shortest path; else the plan format's default.
QString healthPathOf(const std::vector<EndpointSpec> &endpoints)
{
    static const QRegularExpression health(
        QStringLiteral("^(health|healthz|healthcheck|health[-_]check|_health|livez|readyz|"
                       "liveness|readiness|live|ready)$"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression weaker(QStringLiteral("^(ping|status|heartbeat|alive)$"),
                                           QRegularExpression::CaseInsensitiveOption);
    QString best;
    int bestRank = 3;
    for (const EndpointSpec &e : endpoints) {
        if (e.method != QLatin1String("GET") || !e.vars.empty() || e.path.contains(QLatin1Char('?')))
            continue;
        int rank = 3;
        for (const QString &segment : e.path.split(QLatin1Char('/'), Qt::SkipEmptyParts))
            rank = std::min(rank, health.match(segment).hasMatch() ? 1 : weaker.match(segment).hasMatch() ? 2 : 3);
        if (rank < bestRank || (rank == bestRank && rank < 3 && e.path.size() < best.size())) {
            bestRank = rank;
            best = e.path;
        }
    }
    return best.isEmpty() ? QStringLiteral("/health") : best;
}

// Warnings that say the same thing about many operations ("GET /repos/{owner}/{repo}: {owner} has no example…",
// 193 times for one large spec) are printed once, with how many operations and the first few of them, where
// the first of them was.
QStringList groupedWarnings(const QStringList &warnings)
{
    constexpr int kGroupFrom = 10; // fewer are listed one by one: a small spec's warnings stay a checklist
    static const QRegularExpression label(
        QStringLiteral("^((?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE) \\S+)(:| skipped)(.*)$"));
    // The message without its operation: what the warnings of one group share.
    auto keyOf = [](const QString &w) -> QString {
        const QRegularExpressionMatch m = label.match(w);
        return m.hasMatch() ? m.captured(2) + m.captured(3) : QStringLiteral("\n") + w;
    };
    QHash<QString, QStringList> labels; // key -> operations, in order
    for (const QString &w : warnings)
        if (const QRegularExpressionMatch m = label.match(w); m.hasMatch())
            labels[keyOf(w)].append(m.captured(1));
    QStringList out;
    QSet<QString> done;
    for (const QString &w : warnings) {
        const QString key = keyOf(w);
        const QStringList &ops = labels[key];
        if (ops.size() < kGroupFrom) {
            out.append(w);
            continue;
        }
        if (done.contains(key))
            continue;
        done.insert(key);
        const QRegularExpressionMatch m = label.match(w);
        const QString rest = m.captured(2) == QLatin1String(" skipped") ? QStringLiteral("skipped") + m.captured(3)
                                                                        : m.captured(3).trimmed();
        out.append(QStringLiteral("%1 operations (%2, …): %3")
                       .arg(ops.size())
                       .arg(ops.mid(0, 3).join(QStringLiteral(", ")), rest));
    }
    return out;
}
} // namespace

int importCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QList<QCommandLineOption> options{
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")},
        {{QStringLiteral("o"), QStringLiteral("output")},
         QStringLiteral("Plan file to write."),
         QStringLiteral("FILE")},
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
    if (const QString output = parser.value(QStringLiteral("output"));
        !output.isEmpty() && output != QLatin1String("-")) {
        // Checked before reading: `import spec.json -o spec.json` must not replace the spec with a plan.
        OutputPaths paths;
        paths.addInput(QStringLiteral("the imported file"), file);
        paths.addOutput(parser.isSet(QStringLiteral("o")) && args.contains(QStringLiteral("-o"))
                            ? QStringLiteral("-o")
                            : QStringLiteral("--output"),
                        output);
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
        for (const QString &warning : groupedWarnings(result.warnings))
            err << "preflight import: warning: " << warning << '\n';
        err.flush();
    };
    if (result.endpoints.empty()) {
        printWarnings();
        return failure(
            QStringLiteral("nothing imported from %1: every request or operation was skipped (see the warnings above)")
                .arg(file));
    }
    if (baseUrl.isEmpty())
        baseUrl = result.base_url;
    if (baseUrl.isEmpty())
        return failure(
            QStringLiteral("%1 names no absolute server URL; give the backend with --base-url http://HOST:PORT")
                .arg(file));

    Plan plan;
    plan.name = QStringLiteral("imported from %1").arg(QFileInfo(file).fileName());
    plan.target.base_url = baseUrl;
    plan.endpoints = result.endpoints;
    plan.health_path = healthPathOf(plan.endpoints);
    if (const QString problem = PlanParser::validate(plan); !problem.isEmpty())
        return failure(
            QStringLiteral("the imported plan is not valid (%1); please report this with the file").arg(problem));

    const QByteArray bytes = QJsonDocument(plan.toJson()).toJson(QJsonDocument::Indented);
    const QString output = parser.value(QStringLiteral("output"));
    const QString summary = QStringLiteral("%1 endpoint%2 for %3")
                                .arg(plan.endpoints.size())
                                .arg(plan.endpoints.size() == 1 ? QString() : QStringLiteral("s"))
                                .arg(baseUrl);
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
