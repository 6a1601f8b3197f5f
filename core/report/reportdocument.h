#pragma once

#include "reportmodel.h"

#include <QString>
#include <QStringList>

#include <map>
#include <utility>
#include <vector>

namespace Preflight {

// A table of the report. Cells are plain text with the inline markup of ReportBlock::text.
struct ReportTable
{
    struct Row
    {
        QStringList cells;
        QString tone;                      // "" | pass | fail | warn | muted: the row's colour
        std::map<int, QString> cell_tones; // column → tone, for one cell (a failed gate's value)
        std::map<QString, QString> data;   // machine-readable values (HTML data-* attributes)
    };
    QStringList header;
    std::vector<bool> numeric;  // per column: right-aligned
    std::vector<double> widths; // per column: relative width hint (PDF); empty: by content
    std::vector<Row> rows;
    QString id; // HTML id of the table
};

// One block of the laid-out report: what both the HTML and the PDF renderer draw, in order, so that the two
// formats always say the same thing. Inline markup in text: `code` and **bold**; everything else is literal
// and escaped by the renderer.
struct ReportBlock
{
    enum class Kind {
        Title,      // text: the report title (h1)
        Verdict,    // text: READY/NOT READY/INCONCLUSIVE; tone: verdict id; items: tally, reason
        Banner,     // text; tone: danger | warn
        Heading,    // level 2 (section) or 3; id: anchor; badge + tone: severity label before the text
        Paragraph,  // text
        Bullets,    // items
        Facts,      // facts: label → value pairs
        Table,      // table
        Chart,      // id, text (figure title), caption, chart
        Code,       // items: lines; marked: highlighted lines (Seq Scans); text: optional label above
        GroupBegin, // keeps the blocks up to GroupEnd together (a finding card); tone: severity
        GroupEnd,
    };
    Kind kind = Kind::Paragraph;
    int level = 2;
    QString id;
    QString text;
    QString tone;
    QString badge;
    QStringList items;
    std::vector<bool> marked;
    std::vector<std::pair<QString, QString>> facts;
    ReportTable table;
    QString caption;
    ChartDrawing chart;
    bool keep_with_next = false; // never the last block on a page (an intro and what it introduces)
};

// The report as blocks (docs/report.md order): title block, executive summary, gates, findings, what the errors
// said, damage, charts, queries, before/after, method appendix. Pure, thread-safe.
class ReportDocument
{
public:
    static ReportDocument compose(const ReportModel &model);

    QString title;
    QString footer; // "Preflight 0.1.0 · run #12 · generated 2025-…"
    std::vector<ReportBlock> blocks;

    // Section anchors in order (ids of level-2 headings), for tests and the table of contents.
    QStringList sectionIds() const;
};

// Inline markup helpers shared by the renderers: `code` → <code>, **bold** → <b>/<strong>, the rest escaped.
QString reportInlineHtml(const QString &text, bool strongTag = true);
QString reportHtmlEscape(const QString &text);

} // namespace Preflight
