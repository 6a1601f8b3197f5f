#pragma once

#include "reportdocument.h"

#include <QByteArray>
#include <QString>

namespace Preflight {

// The report as one self-contained HTML5 file: inline CSS, inline SVG charts, no script, no font, image or
// stylesheet from anywhere else (a Content-Security-Policy of default-src 'none' says so to the browser too).
// Responsive (readable on a phone: tables and charts scroll sideways) and printable (print CSS keeps headings
// with their content, repeats table headers, never splits a chart or a finding card). Pure; thread-safe.
class HtmlReport
{
public:
    // How charts are embedded. InlineSvg is the report; ImageResource writes <img src="chart:ID"> and a simple
    // stylesheet for Qt's rich-text engine (QTextBrowser previews, which show neither SVG nor modern CSS): the
    // caller adds each chart image as a resource under that name.
    enum class Charts { InlineSvg, ImageResource };

    static QByteArray render(const ReportDocument &document, Charts charts = Charts::InlineSvg);
    // Atomic write (QSaveFile). false and *error (a sentence naming the file) when it cannot be written.
    static bool write(const ReportDocument &document, const QString &path, QString *error);
};

} // namespace Preflight
