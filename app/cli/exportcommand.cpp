#include "cli.h"
#include "commandline.h"
#include "commands.h"
#include "outputpaths.h"
#include "storereading.h"

#include "report/jsonsummary.h"
#include "store/runjson.h"

#include "store/runexporter.h"
#include "store/runstore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

namespace Preflight::Cli {

namespace {
// The summary of a stored run: its findings, gates and verdict were stored; levels and capacity are
// recomputed from its intervals (pure functions, the same ones the live run used).
QJsonObject summaryOf(const RunData &run)
{
    const std::vector<LevelSummary> levels = summarizeLevels(run);
    const CapacityModel capacity = buildCapacityModel(levels);
    return JsonSummary::build(run, levels, &capacity);
}
} // namespace

namespace {
const char *kExportUsage =
    "Usage: preflight export RUN_ID [--store FILE] (--csv DIR | --json FILE)\n"
    "\n"
    "Writes a stored run's raw data.\n"
    "  --csv DIR      intervals.csv (per interval and endpoint), db_samples.csv, pool_samples.csv, stages.csv\n"
    "  --json FILE    the whole run, schema preflight.run/1, with its summary (preflight.summary/1)\n"
    "  --store FILE   the run store (default: the user's store)\n";

int usageError(const QString &message)
{
    QTextStream(stderr) << "preflight export: " << message
                        << "; usage: preflight export RUN_ID [--store FILE] "
                           "(--csv DIR | --json FILE)\n";
    return ExitUsage;
}
} // namespace

int exportCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QList<QCommandLineOption> cliOptions{
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")},
        {QStringLiteral("store"), QStringLiteral("The run store."), QStringLiteral("FILE")},
        {QStringLiteral("csv"), QStringLiteral("CSV directory."), QStringLiteral("DIR")},
        {QStringLiteral("json"), QStringLiteral("JSON file."), QStringLiteral("FILE")},
    };
    QString parseError;
    if (!parseArguments(parser, cliOptions, QStringLiteral("preflight export"), args, &parseError))
        return usageError(parseError);
    if (parser.isSet(QStringLiteral("help"))) {
        out << kExportUsage;
        return ExitReady;
    }
    const StoreLocation storeAt = storeLocation(parser);
    const QString csvDir = parser.value(QStringLiteral("csv"));
    const QString jsonFile = parser.value(QStringLiteral("json"));
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return usageError(QStringLiteral("unexpected argument \"%1\"").arg(positional[1]));
    const QString idText = positional.value(0);
    if (idText.isEmpty())
        return usageError(QStringLiteral("which run? give its id (see `preflight runs`)"));
    const std::optional<qint64> id = parseRunId(idText);
    if (!id)
        return usageError(
            QStringLiteral("\"%1\" is not a run id (a positive number, see `preflight runs`)").arg(idText));
    if (csvDir.isEmpty() == jsonFile.isEmpty())
        return usageError(QStringLiteral("give exactly one of --csv DIR or --json FILE"));
    {
        OutputPaths paths;
        paths.addStore(storeAt.label, storeAt.path);
        paths.addOutput(QStringLiteral("--json"), jsonFile);
        if (!csvDir.isEmpty()) {
            if (QFileInfo(csvDir).exists() && !QFileInfo(csvDir).isDir()) {
                err << "preflight export: --csv " << QDir::toNativeSeparators(csvDir)
                    << " exists and is not a directory; give a directory for the CSV files\n";
                return ExitUsage;
            }
            if (QFileInfo(csvDir).exists())
                paths.addOutput(QStringLiteral("--csv"), QDir(csvDir).filePath(QStringLiteral("summary.json")));
        }
        if (const QString problem = paths.check(); !problem.isEmpty()) {
            err << "preflight export: " << problem << '\n';
            return ExitUsage;
        }
    }

    RunStore store;
    QString loadError;
    const std::optional<RunData> run = loadStoredRun(store, storeAt.path, *id, &loadError);
    if (!run) {
        err << "preflight export: " << loadError << '\n';
        return ExitUsage;
    }
    if (!csvDir.isEmpty()) {
        QStringList written;
        if (const StoreError e = RunExporter::writeCsv(*run, csvDir, &written)) {
            err << "preflight export: " << e.message << '\n';
            return ExitUsage;
        }
        // Beside the raw intervals, the summary (docs/architecture.md) the run produced.
        const QString summaryPath = QDir(csvDir).filePath(QStringLiteral("summary.json"));
        if (QString writeError; !OutputPaths::write(summaryPath, JsonSummary::toBytes(summaryOf(*run)), &writeError)) {
            err << "preflight export: " << writeError << '\n';
            return ExitUsage;
        }
        written << summaryPath;
        for (const QString &file : written)
            out << "wrote " << QDir::toNativeSeparators(file) << '\n';
    } else {
        // The whole run (preflight.run/1) with its summary (preflight.summary/1) under "summary".
        QJsonObject whole = RunJson::run(*run);
        whole.insert(QStringLiteral("summary"), summaryOf(*run));
        const QByteArray bytes = QJsonDocument(whole).toJson(QJsonDocument::Indented);
        if (QString writeError; !OutputPaths::write(jsonFile, bytes, &writeError)) {
            err << "preflight export: " << writeError << '\n';
            return ExitUsage;
        }
        out << "wrote " << QDir::toNativeSeparators(jsonFile) << '\n';
    }
    return ExitReady;
}

} // namespace Preflight::Cli
