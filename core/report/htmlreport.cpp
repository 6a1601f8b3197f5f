#include "htmlreport.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace Preflight {

namespace {

// Kept in one string so the file needs nothing else. System fonts only.
const char *kCss = R"CSS(
:root { --ink: #111827; --muted: #4b5563; --line: #e5e7eb; --soft: #f9fafb;
  --pass: #15803d; --pass-bg: #ecfdf5; --fail: #b91c1c; --fail-bg: #fef2f2; --warn: #b45309; --warn-bg: #fffbeb;
  --critical: #991b1b; --high: #c2410c; --medium: #b45309; --low: #1d4ed8; --info: #4b5563; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 980px; padding: 28px 32px 48px; color: var(--ink); background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 14px; }
h2 { font-size: 1.3rem; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86em; }
p code, li code, td code, dd code { background: #f3f4f6; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2px 24px; margin: 8px 0 12px; }
dl.facts > div { display: flex; gap: 10px; padding: 3px 0; border-bottom: 1px solid var(--line); min-width: 0; }
dl.facts dt { flex: 0 0 9.5em; color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.verdict { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 22px; margin: 16px 0; padding: 16px 20px;
  border-radius: 8px; border: 2px solid; }
.verdict-word { font-size: 2.6rem; font-weight: 800; letter-spacing: 0.02em; line-height: 1.1; }
.verdict-detail { flex: 1 1 260px; }
.verdict-tally { font-weight: 600; }
.verdict-reason { color: var(--muted); }
.verdict-ready { color: var(--pass); background: var(--pass-bg); }
.verdict-not-ready { color: var(--fail); background: var(--fail-bg); }
.verdict-inconclusive { color: var(--warn); background: var(--warn-bg); }
.verdict .verdict-detail { color: var(--ink); }
.banner { margin: 10px 0; padding: 10px 14px; border-radius: 6px; border-left: 6px solid var(--fail);
  background: var(--fail-bg); font-weight: 600; }
.banner-warn { border-color: var(--warn); background: var(--warn-bg); }
nav.toc { margin: 10px 0 0; font-size: 0.9rem; color: var(--muted); }
nav.toc a { color: var(--muted); margin-right: 14px; white-space: nowrap; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; border-bottom: 2px solid #d1d5db; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.tone-fail td { background: var(--fail-bg); }
tr.tone-warn td { background: var(--warn-bg); }
tr.tone-muted td { color: var(--muted); }
td.tone-pass { color: var(--pass); font-weight: 700; }
td.tone-fail { color: var(--fail); font-weight: 700; }
td.tone-warn { color: var(--warn); font-weight: 700; }
td.tone-muted { color: var(--muted); }
.badge { display: inline-block; font-size: 0.72rem; font-weight: 700; letter-spacing: 0.04em; color: #fff;
  padding: 1px 7px; border-radius: 3px; margin-right: 8px; vertical-align: 2px; background: var(--info); }
.badge-critical { background: var(--critical); } .badge-high { background: var(--high); }
.badge-medium { background: var(--medium); } .badge-low { background: var(--low); }
.card { border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 6px; padding: 4px 16px 8px;
  margin: 12px 0; }
.card > h3 { margin-top: 12px; }
.card-critical { border-left-color: var(--critical); } .card-high { border-left-color: var(--high); }
.card-medium { border-left-color: var(--medium); } .card-low { border-left-color: var(--low); }
figure.chart { margin: 14px 0 22px; }
.chart-title { font-weight: 600; margin-bottom: 4px; }
.chart-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
.chart-scroll svg { display: block; width: 100%; height: auto; min-width: 540px; }
figure.chart figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 4px; }
.code { margin: 8px 0 12px; }
.code-label { font-size: 0.8rem; color: var(--muted); margin-bottom: 2px; }
.code pre { margin: 0; padding: 8px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.code mark { background: #fee2e2; color: var(--fail); font-weight: 700; }
ul { padding-left: 1.3em; }
footer { margin-top: 40px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.85rem; }
@media (max-width: 640px) {
  body { padding: 14px 12px 32px; font-size: 15px; }
  h1 { font-size: 1.4rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dt { flex-basis: 7.5em; }
  .verdict-word { font-size: 2rem; }
  .card { padding: 2px 10px 6px; }
}
@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { display: none; }
  h1, h2, h3, .chart-title, .code-label { break-after: avoid; page-break-after: avoid; }
  h2 { margin-top: 20px; }
  .verdict, .banner, figure.chart, .card, .code, dl.facts > div, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap, .chart-scroll { overflow: visible; }
  .chart-scroll svg { min-width: 0; }
  a { color: inherit; text-decoration: none; }
}
)CSS";

// Qt's rich-text subset: no custom properties, flex or grid; explicit colours per class.
const char *kPreviewCss = R"CSS(
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111827; }
h1 { font-size: 17pt; }
h2 { font-size: 14pt; margin-top: 18px; }
h3 { font-size: 11pt; margin-top: 10px; }
nav.toc { color: #4b5563; }
table { border-collapse: collapse; margin-top: 4px; margin-bottom: 8px; }
th { background-color: #f3f4f6; text-align: left; padding: 3px 6px; }
td { padding: 3px 6px; border-bottom: 1px solid #e5e7eb; }
td.num, th.num { text-align: right; }
tr.tone-fail { background-color: #fef2f2; }
tr.tone-warn { background-color: #fffbeb; }
td.tone-pass { color: #15803d; font-weight: bold; }
td.tone-fail { color: #b91c1c; font-weight: bold; }
td.tone-warn { color: #b45309; font-weight: bold; }
td.tone-muted, tr.tone-muted { color: #4b5563; }
dt { color: #4b5563; }
dd { margin-left: 16px; }
.verdict-word { font-size: 22pt; font-weight: bold; }
div.verdict-ready { color: #15803d; }
div.verdict-not-ready { color: #b91c1c; }
div.verdict-inconclusive { color: #b45309; }
.verdict-detail { color: #111827; }
.verdict-tally { font-weight: bold; }
.banner { background-color: #fef2f2; color: #b91c1c; font-weight: bold; }
.badge { color: #ffffff; background-color: #4b5563; font-weight: bold; }
.badge-critical { background-color: #991b1b; }
.badge-high { background-color: #c2410c; }
.badge-medium { background-color: #b45309; }
.badge-low { background-color: #1d4ed8; }
.chart-title { font-weight: bold; }
figcaption, .code-label, footer { color: #4b5563; }
pre { background-color: #f9fafb; font-family: "DejaVu Sans Mono", monospace; }
code { font-family: "DejaVu Sans Mono", monospace; }
mark { background-color: #fee2e2; color: #b91c1c; font-weight: bold; }
)CSS";

QString attr(const QString &text)
{
    return text.toHtmlEscaped();
}

void renderTable(const ReportTable &t, QString &out)
{
    out += QStringLiteral("<div class=\"table-wrap\"><table");
    if (!t.id.isEmpty())
        out += QStringLiteral(" id=\"%1\"").arg(attr(t.id));
    out += QStringLiteral("><thead><tr>");
    for (int c = 0; c < t.header.size(); ++c) {
        const bool num = size_t(c) < t.numeric.size() && t.numeric[size_t(c)];
        out += (num ? QStringLiteral("<th class=\"num\">") : QStringLiteral("<th>")) + reportInlineHtml(t.header[c]) +
               QStringLiteral("</th>");
    }
    out += QStringLiteral("</tr></thead><tbody>");
    for (const ReportTable::Row &r : t.rows) {
        out += QStringLiteral("<tr");
        if (!r.tone.isEmpty())
            out += QStringLiteral(" class=\"tone-%1\"").arg(attr(r.tone));
        for (const auto &[key, value] : r.data)
            out += QStringLiteral(" data-%1=\"%2\"").arg(attr(key), attr(value));
        out += QLatin1Char('>');
        for (int c = 0; c < r.cells.size(); ++c) {
            QStringList classes;
            if (size_t(c) < t.numeric.size() && t.numeric[size_t(c)])
                classes << QStringLiteral("num");
            const auto tone = r.cell_tones.find(c);
            if (tone != r.cell_tones.end() && !tone->second.isEmpty())
                classes << QStringLiteral("tone-") + tone->second;
            out += classes.isEmpty() ? QStringLiteral("<td>")
                                     : QStringLiteral("<td class=\"%1\">").arg(classes.join(QLatin1Char(' ')));
            out += reportInlineHtml(r.cells[c]) + QStringLiteral("</td>");
        }
        out += QStringLiteral("</tr>");
    }
    out += QStringLiteral("</tbody></table></div>\n");
}

} // namespace

QByteArray HtmlReport::render(const ReportDocument &document, Charts charts)
{
    QString out;
    out.reserve(256 * 1024);
    out += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                          "'unsafe-inline'; img-src data:\">\n"
                          "<meta name=\"generator\" content=\"Preflight %1\">\n<title>%2</title>\n<style>")
               .arg(QStringLiteral(PREFLIGHT_VERSION), document.title.toHtmlEscaped());
    out += QString::fromUtf8(charts == Charts::InlineSvg ? kCss : kPreviewCss);
    out += QStringLiteral("</style>\n</head>\n<body>\n<header class=\"report-head\">\n");

    bool inHeader = true;
    bool sectionOpen = false;
    auto closeHeader = [&]() {
        if (!inHeader)
            return;
        inHeader = false;
        out += QStringLiteral("<nav class=\"toc\" aria-label=\"Sections\">");
        for (const ReportBlock &b : document.blocks)
            if (b.kind == ReportBlock::Kind::Heading && b.level == 2)
                out += QStringLiteral("<a href=\"#%1\">%2</a>").arg(attr(b.id), b.text.toHtmlEscaped());
        out += QStringLiteral("</nav>\n</header>\n<main>\n");
    };

    for (const ReportBlock &b : document.blocks) {
        switch (b.kind) {
        case ReportBlock::Kind::Title:
            out += QStringLiteral("<h1>%1</h1>\n").arg(b.text.toHtmlEscaped());
            break;
        case ReportBlock::Kind::Verdict:
            out += QStringLiteral("<div class=\"verdict verdict-%1\" id=\"verdict\" role=\"status\"><div "
                                  "class=\"verdict-word\">%2</div>"
                                  "<div class=\"verdict-detail\">")
                       .arg(attr(b.tone), b.text.toHtmlEscaped());
            for (int i = 0; i < b.items.size(); ++i)
                out += QStringLiteral("<div class=\"%1\">%2</div>")
                           .arg(i == 0 ? QStringLiteral("verdict-tally") : QStringLiteral("verdict-reason"),
                                reportInlineHtml(b.items[i]));
            out += QStringLiteral("</div></div>\n");
            break;
        case ReportBlock::Kind::Banner:
            out += QStringLiteral("<div class=\"banner banner-%1\" role=\"alert\">%2</div>\n")
                       .arg(attr(b.tone), reportInlineHtml(b.text));
            break;
        case ReportBlock::Kind::Heading:
            if (b.level <= 2) {
                closeHeader();
                if (sectionOpen)
                    out += QStringLiteral("</section>\n");
                out += QStringLiteral("<section id=\"%1\">\n<h2>%2</h2>\n").arg(attr(b.id), b.text.toHtmlEscaped());
                sectionOpen = true;
            } else {
                out += b.id.isEmpty() ? QStringLiteral("<h3>") : QStringLiteral("<h3 id=\"%1\">").arg(attr(b.id));
                if (!b.badge.isEmpty())
                    out += QStringLiteral("<span class=\"badge%1\">%2</span>")
                               .arg(b.tone.isEmpty() ? QString() : QStringLiteral(" badge-") + attr(b.tone),
                                    b.badge.toHtmlEscaped());
                out += reportInlineHtml(b.text) + QStringLiteral("</h3>\n");
            }
            break;
        case ReportBlock::Kind::Paragraph:
            out += QStringLiteral("<p>%1</p>\n").arg(reportInlineHtml(b.text));
            break;
        case ReportBlock::Kind::Bullets:
            out += QStringLiteral("<ul>");
            for (const QString &item : b.items)
                out += QStringLiteral("<li>%1</li>").arg(reportInlineHtml(item));
            out += QStringLiteral("</ul>\n");
            break;
        case ReportBlock::Kind::Facts:
            out += QStringLiteral("<dl class=\"facts\">");
            for (const auto &[label, value] : b.facts)
                out += QStringLiteral("<div><dt>%1</dt><dd>%2</dd></div>")
                           .arg(label.toHtmlEscaped(), reportInlineHtml(value));
            out += QStringLiteral("</dl>\n");
            break;
        case ReportBlock::Kind::Table:
            renderTable(b.table, out);
            break;
        case ReportBlock::Kind::Chart:
            out +=
                QStringLiteral(
                    "<figure class=\"chart\" id=\"%1\"><div class=\"chart-title\">%2</div><div class=\"chart-scroll\">")
                    .arg(attr(b.id), b.text.toHtmlEscaped());
            if (charts == Charts::InlineSvg)
                out += b.chart.toSvg(false); // every text escaped by ChartDrawing
            else
                out += QStringLiteral("<img src=\"chart:%1\" width=\"%2\" height=\"%3\" alt=\"%4\">")
                           .arg(attr(b.id))
                           .arg(int(b.chart.width))
                           .arg(int(b.chart.height))
                           .arg(attr(b.text));
            out += QStringLiteral("</div><figcaption>%1</figcaption></figure>\n").arg(reportInlineHtml(b.caption));
            break;
        case ReportBlock::Kind::Code:
            out += QStringLiteral("<div class=\"code\">");
            if (!b.text.isEmpty())
                out += QStringLiteral("<div class=\"code-label\">%1</div>").arg(b.text.toHtmlEscaped());
            out += QStringLiteral("<pre><code>");
            for (int i = 0; i < b.items.size(); ++i) {
                const bool mark = size_t(i) < b.marked.size() && b.marked[size_t(i)];
                if (i)
                    out += QLatin1Char('\n');
                out += mark ? QStringLiteral("<mark>%1</mark>").arg(b.items[i].toHtmlEscaped())
                            : b.items[i].toHtmlEscaped();
            }
            out += QStringLiteral("</code></pre></div>\n");
            break;
        case ReportBlock::Kind::GroupBegin:
            out += QStringLiteral("<article class=\"card%1\">\n")
                       .arg(b.tone.isEmpty() ? QString() : QStringLiteral(" card-") + attr(b.tone));
            break;
        case ReportBlock::Kind::GroupEnd:
            out += QStringLiteral("</article>\n");
            break;
        }
    }
    closeHeader();
    if (sectionOpen)
        out += QStringLiteral("</section>\n");
    out += QStringLiteral("</main>\n<footer>%1</footer>\n</body>\n</html>\n").arg(document.footer.toHtmlEscaped());
    return out.toUtf8();
}

bool HtmlReport::write(const ReportDocument &document, const QString &path, QString *error)
{
    const QByteArray bytes = render(document);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    file.write(bytes);
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace Preflight
