#include "cli.h"
#include "commandline.h"
#include "commands.h"
#include "outputpaths.h"
#include "storereading.h"

#include "report/reportwriter.h"
#include "store/runstore.h"

#include <QDir>
#include <QTextStream>

namespace Preflight::Cli {

namespace {
const char *kReportUsage =
    "Usage: preflight report RUN_ID [--store FILE] (--html FILE | --pdf FILE)... [--baseline RUN_ID]\n"
    "                        [--page-size a4|letter] [--title TEXT]\n"
    "\n"
    "Writes the readiness report of a stored run: verdict, executive summary, gates, root causes, damage by\n"
    "load level, charts, queries, and the method. Self-contained and offline (no external resource).\n"
    "  --html FILE          one HTML file (inline CSS and SVG charts)\n"
    "  --pdf FILE           a PDF (needs the GUI build)\n"
    "  --baseline RUN_ID    add a before/after section against that run\n"
    "  --page-size SIZE     PDF page size: a4 (default) or letter\n"
    "  --title TEXT         report title (default: \"Readiness report: <run name>\")\n"
    "  --store FILE         the run store (default: the user's store)\n";

int usageError(const QString &message)
{
    QTextStream(stderr)
        << "preflight report: " << message
        << "; usage: preflight report RUN_ID [--store FILE] (--html FILE | --pdf FILE) [--baseline RUN_ID]\n";
    return ExitUsage;
}
} // namespace

int reportCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QList<QCommandLineOption> cliOptions{
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")},
        {QStringLiteral("store"), QStringLiteral("The run store."), QStringLiteral("FILE")},
        {QStringLiteral("html"), QStringLiteral("HTML report."), QStringLiteral("FILE")},
        {QStringLiteral("pdf"), QStringLiteral("PDF report."), QStringLiteral("FILE")},
        {QStringLiteral("baseline"), QStringLiteral("Before/after against that run."), QStringLiteral("RUN_ID")},
        {QStringLiteral("page-size"), QStringLiteral("a4 or letter."), QStringLiteral("SIZE")},
        {QStringLiteral("title"), QStringLiteral("Report title."), QStringLiteral("TEXT")},
    };
    QString parseError;
    if (!parseArguments(parser, cliOptions, QStringLiteral("preflight report"), args, &parseError))
        return usageError(parseError);
    if (parser.isSet(QStringLiteral("help"))) {
        out << kReportUsage;
        return ExitReady;
    }
    const StoreLocation storeAt = storeLocation(parser);
    const QString htmlFile = parser.value(QStringLiteral("html"));
    const QString pdfFile = parser.value(QStringLiteral("pdf"));
    const QString baselineText = parser.value(QStringLiteral("baseline"));
    const QString pageSizeText = parser.value(QStringLiteral("page-size"));
    const QString title = parser.value(QStringLiteral("title"));
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
    std::optional<qint64> baselineId;
    if (!baselineText.isEmpty()) {
        baselineId = parseRunId(baselineText);
        if (!baselineId)
            return usageError(QStringLiteral("--baseline \"%1\" is not a run id").arg(baselineText));
    }
    if (htmlFile.isEmpty() && pdfFile.isEmpty())
        return usageError(QStringLiteral("give --html FILE, --pdf FILE or both"));
    ReportOptions options;
    options.title = title;
    if (!pageSizeText.isEmpty()) {
        const std::optional<ReportPageSize> size = reportPageSizeFromId(pageSizeText);
        if (!size)
            return usageError(QStringLiteral("--page-size \"%1\" is not a4 or letter").arg(pageSizeText));
        options.page_size = *size;
    }
    if (!htmlFile.isEmpty() && ReportWriter::formatOf(htmlFile) != ReportFormatKind::Html)
        return usageError(QStringLiteral("--html \"%1\" must end in .html").arg(htmlFile));
    if (!pdfFile.isEmpty() && ReportWriter::formatOf(pdfFile) != ReportFormatKind::Pdf)
        return usageError(QStringLiteral("--pdf \"%1\" must end in .pdf").arg(pdfFile));
    const ReportWriter reports = reportWriter();
    for (const QString &file : {htmlFile, pdfFile}) {
        QString error;
        if (!file.isEmpty() && !reports.check(file, &error)) {
            err << "preflight report: " << error << '\n';
            return ExitUsage;
        }
    }
    {
        OutputPaths paths;
        paths.addStore(storeAt.label, storeAt.path);
        paths.addOutput(QStringLiteral("--html"), htmlFile);
        paths.addOutput(QStringLiteral("--pdf"), pdfFile);
        if (const QString problem = paths.check(); !problem.isEmpty()) {
            err << "preflight report: " << problem << '\n';
            return ExitUsage;
        }
    }

    RunStore store;
    QString loadError;
    const std::optional<RunData> run = loadStoredRun(store, storeAt.path, *id, &loadError);
    if (!run) {
        err << "preflight report: " << loadError << '\n';
        return ExitUsage;
    }
    std::optional<RunData> baseline;
    if (baselineId) {
        StoreError error;
        baseline = store.loadRun(*baselineId, &error);
        if (!baseline) {
            err << "preflight report: baseline: " << error.message << '\n';
            return ExitUsage;
        }
        options.baseline = &*baseline;
    }

    // One model and one document for both files, so the HTML and the PDF say exactly the same.
    const ReportDocument document = ReportDocument::compose(ReportModel::build(*run, options));
    for (const QString &file : {htmlFile, pdfFile}) {
        if (file.isEmpty())
            continue;
        QString writeError;
        if (!reports.write(document, file, options.page_size, &writeError)) {
            err << "preflight report: " << writeError << '\n';
            return ExitUsage;
        }
        out << "wrote " << QDir::toNativeSeparators(file) << '\n';
    }
    return ExitReady;
}

} // namespace Preflight::Cli
