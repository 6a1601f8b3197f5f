#pragma once

#include "reportdocument.h"
#include "reportmodel.h"

#include <QString>

#include <functional>
#include <optional>

namespace Preflight {

enum class ReportFormatKind { Html, Pdf };

// Writes a readiness report file, HTML or PDF by its extension. HTML is written by core; PDF needs QtGui, so
// core cannot paint it: whoever links preflight_pdf passes PdfReport::write as the renderer (the CLI does, in
// app/cli/cli.cpp). A writer without one refuses .pdf with a message that says so.
//
// Threading: a value; HTML writing is thread-safe. The PDF renderer must run where a QGuiApplication exists
// (the CLI creates one on the offscreen platform when a command writes a PDF).
class ReportWriter
{
public:
    using PdfRenderer = std::function<bool(const ReportDocument &document, const QString &path, ReportPageSize pageSize,
                                           QString *error)>;

    explicit ReportWriter(PdfRenderer pdf = {}) : m_pdf(std::move(pdf)) {}

    // .html / .htm → Html, .pdf → Pdf (case-insensitive); nullopt otherwise.
    static std::optional<ReportFormatKind> formatOf(const QString &path);

    bool writesPdf() const { return bool(m_pdf); }

    // What a caller checks before a long run: a known extension, PDF support when .pdf, an existing directory.
    // false and *error (one sentence naming the fix) otherwise. Writes nothing.
    bool check(const QString &path, QString *error) const;

    // Writes an already built document; false and *error on failure.
    bool write(const ReportDocument &document, const QString &path, ReportPageSize pageSize, QString *error) const;

    // The one call for a finished run: builds the model (ReportModel::build), composes it and writes `path`.
    // false and *error (one line, naming the file or the fix) on failure; never throws.
    bool write(const RunData &run, const QString &path, const ReportOptions &options, QString *error) const;

private:
    PdfRenderer m_pdf;
};

} // namespace Preflight
