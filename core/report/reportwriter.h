#pragma once

#include "reportdocument.h"
#include "reportmodel.h"

#include <QString>

#include <functional>
#include <optional>

namespace Preflight {

enum class ReportFormatKind { Html, Pdf };

// Writes a readiness report. HTML is written by core; PDF needs QtGui, so the GUI build registers a renderer
// at start-up (ui/report/pdfreport.h, PdfReport::install(), called by app/main.cpp) and a CLI-only build
// refuses .pdf with a message that says so.
//
// Threading: HTML writing is thread-safe. The PDF renderer must run where a QGuiApplication exists (the CLI
// creates one with the offscreen platform when a command writes a PDF; see app/main.cpp).
class ReportWriter
{
public:
    using PdfRenderer = std::function<bool(const ReportDocument &document, const QString &path, ReportPageSize pageSize,
                                           QString *error)>;

    // .html / .htm → Html, .pdf → Pdf (case-insensitive); nullopt otherwise.
    static std::optional<ReportFormatKind> formatOf(const QString &path);

    static void setPdfRenderer(PdfRenderer renderer);
    static bool hasPdfRenderer();

    // What a caller checks before a long run: a known extension, PDF support when .pdf, an existing directory.
    // false and *error (one sentence naming the fix) otherwise. Writes nothing.
    static bool check(const QString &path, QString *error);

    // Writes an already built document; false and *error on failure.
    static bool write(const ReportDocument &document, const QString &path, ReportPageSize pageSize, QString *error);
};

// The one call for a finished run: builds the model (ReportModel::build), composes it and writes `path`
// (.html or .pdf by extension). false and *error (one line, naming the file or the fix) on failure; never throws.
bool writeReport(const RunData &run, const QString &path, const ReportOptions &options, QString *error);

} // namespace Preflight
