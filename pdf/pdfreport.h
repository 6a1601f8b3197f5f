#pragma once

#include "report/reportdocument.h"
#include "report/reportmodel.h"

#include <QString>

namespace Preflight {

// The readiness report as a PDF, painted with Qt's own PDF support (QPdfWriter + QPainter; text laid out by
// QTextDocument, charts painted from their ChartDrawing by ChartPainter so they stay vector with real text). A4 or
// Letter, a running header, "Page n of N" footers, headings kept with what follows them, table headers repeated on
// every page a table spans, and charts, finding cards and table rows never split when they fit on a page.
//
// Needs a QGuiApplication (fonts); the CLI creates one on the offscreen platform when it writes a PDF, and hands
// write() to core's ReportWriter (app/cli/cli.cpp). Target preflight_pdf (pdf/CMakeLists.txt).
// Not thread-safe with respect to other painting on the same fonts: call from the GUI thread.
class PdfReport
{
public:
    // false and *error when there is no QGuiApplication or the file cannot be written. *pages: pages written.
    static bool write(const ReportDocument &document, const QString &path, ReportPageSize pageSize, QString *error,
                      int *pages = nullptr);
};

} // namespace Preflight
