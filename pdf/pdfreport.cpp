#include "pdfreport.h"

#include "chartpainter.h"

#include <QAbstractTextDocumentLayout>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QTextOption>

#include <functional>
#include <memory>
#include <vector>

namespace Preflight {

namespace {

constexpr int kDpi = 300;
constexpr double kPt = kDpi / 72.0; // device pixels per point

const QColor kInk(0x11, 0x18, 0x27);
const QColor kMuted(0x4b, 0x55, 0x63);
const QColor kLine(0xe5, 0xe7, 0xeb);
const QColor kSoft(0xf9, 0xfa, 0xfb);
const QColor kHeaderBg(0xf3, 0xf4, 0xf6);

QColor toneColor(const QString &tone)
{
    if (tone == QLatin1String("pass") || tone == QLatin1String("ready"))
        return QColor(0x15, 0x80, 0x3d);
    if (tone == QLatin1String("fail") || tone == QLatin1String("not-ready") || tone == QLatin1String("danger"))
        return QColor(0xb9, 0x1c, 0x1c);
    if (tone == QLatin1String("warn") || tone == QLatin1String("inconclusive") || tone == QLatin1String("medium"))
        return QColor(0xb4, 0x53, 0x09);
    if (tone == QLatin1String("critical"))
        return QColor(0x99, 0x1b, 0x1b);
    if (tone == QLatin1String("high"))
        return QColor(0xc2, 0x41, 0x0c);
    if (tone == QLatin1String("low"))
        return QColor(0x1d, 0x4e, 0xd8);
    if (tone == QLatin1String("muted"))
        return kMuted;
    return QColor(0x4b, 0x55, 0x63);
}

QColor toneBackground(const QString &tone)
{
    if (tone == QLatin1String("pass") || tone == QLatin1String("ready"))
        return QColor(0xec, 0xfd, 0xf5);
    if (tone == QLatin1String("fail") || tone == QLatin1String("not-ready") || tone == QLatin1String("danger"))
        return QColor(0xfe, 0xf2, 0xf2);
    if (tone == QLatin1String("warn") || tone == QLatin1String("inconclusive"))
        return QColor(0xff, 0xfb, 0xeb);
    return Qt::transparent;
}

// A piece of the page flow that is never split: a paragraph, a table row, a code line, a chart.
struct Atom
{
    double height = 0;      // device pixels
    double spaceBefore = 0; // dropped at the top of a page
    double spaceAfter = 0;
    bool keepWithNext = false; // headings, table headers, code labels
    int keepTogether = 1;      // with the next keepTogether-1 atoms when they fit on one page
    int tableHeader = -1;      // rows: the header atom to repeat on a page the table continues on
    bool marker = false;       // group begin/end: no ink, only a pagination hint
    QString groupTone;         // inside a finding card: the colour of its left bar
    double indent = 0;
    double barExtend = 0; // the card bar continues over the gap to the next atom of the same card
    std::function<void(QPainter &, double x, double y)> paint;
};

struct Placement
{
    int atom = -1;
    double y = 0;
};

class Layout
{
public:
    Layout(QPaintDevice *device, double width) : m_device(device), m_width(width)
    {
        m_body.setFamily(QStringLiteral("DejaVu Sans"));
        m_body.setPointSizeF(9.2);
        m_mono.setFamily(QStringLiteral("DejaVu Sans Mono"));
        m_mono.setStyleHint(QFont::Monospace);
        m_mono.setPointSizeF(7.6);
        m_small = m_body;
        m_small.setPointSizeF(7.8);
    }

    std::vector<Atom> atoms;

    void build(const ReportDocument &doc)
    {
        QString groupTone;
        int groupStart = -1;
        for (size_t bi = 0; bi < doc.blocks.size(); ++bi) {
            const ReportBlock &b = doc.blocks[bi];
            const size_t atomsBefore = atoms.size();
            m_groupTone = groupTone;
            m_indent = groupTone.isEmpty() ? 0 : 10 * kPt;
            const double w = m_width - m_indent - (groupTone.isEmpty() ? 0 : 6 * kPt);
            switch (b.kind) {
            case ReportBlock::Kind::Title:
                textAtom(QStringLiteral("<b>%1</b>").arg(b.text.toHtmlEscaped()), font(19, true), w, 0, 8 * kPt);
                break;
            case ReportBlock::Kind::Verdict:
                verdict(b, w);
                break;
            case ReportBlock::Kind::Banner:
                banner(b, w);
                break;
            case ReportBlock::Kind::Heading:
                heading(b, w);
                break;
            case ReportBlock::Kind::Paragraph:
                textAtom(reportInlineHtml(b.text, false), m_body, w, 2 * kPt, 6 * kPt);
                break;
            case ReportBlock::Kind::Bullets:
                for (int i = 0; i < b.items.size(); ++i)
                    bullet(b.items[i], w, i + 1 == b.items.size());
                break;
            case ReportBlock::Kind::Facts:
                facts(b, w);
                break;
            case ReportBlock::Kind::Table:
                table(b.table, w);
                break;
            case ReportBlock::Kind::Chart:
                chart(b, w);
                break;
            case ReportBlock::Kind::Code:
                code(b, w);
                break;
            case ReportBlock::Kind::GroupBegin: {
                Atom a;
                a.marker = true;
                a.spaceBefore = 6 * kPt;
                atoms.push_back(a);
                groupStart = int(atoms.size()) - 1;
                groupTone = b.tone.isEmpty() ? QStringLiteral("info") : b.tone;
                break;
            }
            case ReportBlock::Kind::GroupEnd:
                if (groupStart >= 0) {
                    atoms[size_t(groupStart)].keepTogether = int(atoms.size()) - groupStart;
                    if (!atoms.empty())
                        atoms.back().spaceAfter = std::max(atoms.back().spaceAfter, 10 * kPt);
                }
                groupStart = -1;
                groupTone.clear();
                break;
            }
            if (b.keep_with_next && atoms.size() > atomsBefore)
                atoms.back().keepWithNext = true;
        }
        for (size_t i = 0; i + 1 < atoms.size(); ++i)
            if (!atoms[i].groupTone.isEmpty() && !atoms[i + 1].marker && !atoms[i + 1].groupTone.isEmpty())
                atoms[i].barExtend = atoms[i].spaceAfter + atoms[i + 1].spaceBefore;
    }

private:
    QFont font(double pt, bool bold = false) const
    {
        QFont f = m_body;
        f.setPointSizeF(pt);
        f.setBold(bold);
        return f;
    }

    std::shared_ptr<QTextDocument> doc(const QString &html, const QFont &f, double width,
                                       Qt::Alignment align = Qt::AlignLeft) const
    {
        auto d = std::make_shared<QTextDocument>();
        d->documentLayout()->setPaintDevice(m_device);
        d->setDefaultFont(f);
        d->setDocumentMargin(0);
        d->setUseDesignMetrics(true);
        QTextOption option;
        option.setAlignment(align);
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        d->setDefaultTextOption(option);
        d->setDefaultStyleSheet(QStringLiteral("code { font-family: 'DejaVu Sans Mono'; background-color: #f3f4f6; }"));
        d->setHtml(html);
        d->setTextWidth(std::max(1.0, width));
        return d;
    }

    static void drawDoc(QPainter &p, const std::shared_ptr<QTextDocument> &d, double x, double y,
                        const QColor &color = kInk)
    {
        p.save();
        p.translate(x, y);
        QAbstractTextDocumentLayout::PaintContext ctx;
        ctx.palette.setColor(QPalette::Text, color);
        d->documentLayout()->draw(&p, ctx);
        p.restore();
    }

    Atom &push(double height, double before, double after)
    {
        Atom a;
        a.height = height;
        a.spaceBefore = before;
        a.spaceAfter = after;
        a.groupTone = m_groupTone;
        a.indent = m_indent;
        atoms.push_back(std::move(a));
        return atoms.back();
    }

    void textAtom(const QString &html, const QFont &f, double w, double before, double after,
                  const QColor &color = kInk)
    {
        auto d = doc(html, f, w);
        Atom &a = push(d->size().height(), before, after);
        a.paint = [d, color](QPainter &p, double x, double y) { drawDoc(p, d, x, y, color); };
    }

    void heading(const ReportBlock &b, double w)
    {
        if (b.level <= 2) {
            auto d = doc(QStringLiteral("<b>%1</b>").arg(b.text.toHtmlEscaped()), font(14, true), w);
            const double rule = 1.6 * kPt, gap = 3 * kPt;
            Atom &a = push(d->size().height() + gap + rule, 16 * kPt, 6 * kPt);
            a.keepWithNext = true;
            a.paint = [d, w, rule, gap](QPainter &p, double x, double y) {
                drawDoc(p, d, x, y);
                p.fillRect(QRectF(x, y + d->size().height() + gap, w, rule), kInk);
            };
            return;
        }
        QString html;
        if (!b.badge.isEmpty())
            html +=
                QStringLiteral("<span style=\"background-color:%1; color:#ffffff; font-size:7.5pt; "
                               "font-weight:bold\">&nbsp;%2&nbsp;</span>&nbsp; ")
                    .arg(toneColor(b.tone.isEmpty() ? QStringLiteral("info") : b.tone).name(), b.badge.toHtmlEscaped());
        html += QStringLiteral("<b>%1</b>").arg(reportInlineHtml(b.text, false));
        auto d = doc(html, font(10.8, false), w);
        Atom &a = push(d->size().height(), 9 * kPt, 4 * kPt);
        a.keepWithNext = true;
        a.paint = [d](QPainter &p, double x, double y) { drawDoc(p, d, x, y); };
    }

    void verdict(const ReportBlock &b, double w)
    {
        const double pad = 10 * kPt;
        auto word = doc(QStringLiteral("<b>%1</b>").arg(b.text.toHtmlEscaped()), font(26, true), w);
        word->setTextWidth(-1);
        const double wordW = word->idealWidth();
        QString details;
        for (int i = 0; i < b.items.size(); ++i)
            details +=
                (i == 0 ? QStringLiteral("<p><b>%1</b></p>") : QStringLiteral("<p style=\"color:#4b5563\">%1</p>"))
                    .arg(reportInlineHtml(b.items[i], false));
        const double detailW = std::max(60 * kPt, w - wordW - 3 * pad);
        auto detail = doc(details, m_body, detailW);
        const double h = std::max(word->size().height(), detail->size().height()) + 2 * pad;
        Atom &a = push(h, 8 * kPt, 10 * kPt);
        const QColor color = toneColor(b.tone), bg = toneBackground(b.tone);
        a.paint = [=](QPainter &p, double x, double y) {
            p.save();
            p.setPen(QPen(color, 2 * kPt));
            p.setBrush(bg);
            p.drawRoundedRect(QRectF(x + kPt, y + kPt, w - 2 * kPt, h - 2 * kPt), 5 * kPt, 5 * kPt);
            p.restore();
            drawDoc(p, word, x + pad, y + (h - word->size().height()) / 2, color);
            drawDoc(p, detail, x + 2 * pad + wordW, y + (h - detail->size().height()) / 2);
        };
    }

    void banner(const ReportBlock &b, double w)
    {
        const double pad = 6 * kPt, bar = 4 * kPt;
        auto d = doc(QStringLiteral("<b>%1</b>").arg(reportInlineHtml(b.text, false)), m_body, w - 2 * pad - bar);
        const double h = d->size().height() + 2 * pad;
        Atom &a = push(h, 4 * kPt, 8 * kPt);
        const QColor color = toneColor(b.tone), bg = toneBackground(b.tone);
        a.paint = [=](QPainter &p, double x, double y) {
            p.fillRect(QRectF(x, y, w, h), bg);
            p.fillRect(QRectF(x, y, bar, h), color);
            drawDoc(p, d, x + bar + pad, y + pad);
        };
    }

    void bullet(const QString &item, double w, bool last)
    {
        const double hang = 10 * kPt;
        auto mark = doc(QStringLiteral("\u2022"), m_body, hang);
        auto d = doc(reportInlineHtml(item, false), m_body, w - hang);
        Atom &a = push(d->size().height(), 1 * kPt, last ? 6 * kPt : 1.5 * kPt);
        a.paint = [=](QPainter &p, double x, double y) {
            drawDoc(p, mark, x + 2 * kPt, y);
            drawDoc(p, d, x + hang, y);
        };
    }

    void facts(const ReportBlock &b, double w)
    {
        const double labelW = std::min(120 * kPt, w * 0.28), gap = 8 * kPt, padV = 2 * kPt;
        for (size_t i = 0; i < b.facts.size(); ++i) {
            auto label = doc(b.facts[i].first.toHtmlEscaped(), m_body, labelW);
            auto value = doc(reportInlineHtml(b.facts[i].second, false), m_body, w - labelW - gap);
            const double h = std::max(label->size().height(), value->size().height()) + 2 * padV;
            Atom &a = push(h, i == 0 ? 2 * kPt : 0, i + 1 == b.facts.size() ? 8 * kPt : 0);
            a.paint = [=](QPainter &p, double x, double y) {
                drawDoc(p, label, x, y + padV, kMuted);
                drawDoc(p, value, x + labelW + gap, y + padV);
                p.fillRect(QRectF(x, y + h - 0.5 * kPt, w, 0.5 * kPt), kLine);
            };
        }
    }

    void table(const ReportTable &t, double w)
    {
        const int cols = int(t.header.size());
        if (cols == 0)
            return;
        std::vector<double> widths(size_t(cols), 1.0);
        if (t.widths.size() == size_t(cols))
            widths = t.widths;
        double sum = 0;
        for (double v : widths)
            sum += v;
        std::vector<double> colW(static_cast<size_t>(cols)), colX(static_cast<size_t>(cols));
        double x0 = 0;
        for (int c = 0; c < cols; ++c) {
            colW[size_t(c)] = w * widths[size_t(c)] / sum;
            colX[size_t(c)] = x0;
            x0 += colW[size_t(c)];
        }
        const double padH = 3.5 * kPt, padV = 2.4 * kPt;
        QFont cellFont = m_body;
        cellFont.setPointSizeF(8.4);
        QFont headFont = cellFont;
        headFont.setBold(true);
        auto numeric = [&](int c) { return size_t(c) < t.numeric.size() && t.numeric[size_t(c)]; };
        auto rowAtom = [&](const QStringList &cells, const QFont &f, const QString &rowTone,
                           const std::map<int, QString> &cellTones, bool header) -> Atom & {
            std::vector<std::shared_ptr<QTextDocument>> docs;
            double h = 0;
            for (int c = 0; c < cols; ++c) {
                QString html = reportInlineHtml(c < cells.size() ? cells[c] : QString(), false);
                const auto tone = cellTones.find(c);
                if (tone != cellTones.end() && !tone->second.isEmpty())
                    html = QStringLiteral("<span style=\"color:%1; font-weight:bold\">%2</span>")
                               .arg(toneColor(tone->second).name(), html);
                auto d = doc(html, f, colW[size_t(c)] - 2 * padH, numeric(c) ? Qt::AlignRight : Qt::AlignLeft);
                h = std::max(h, d->size().height());
                docs.push_back(d);
            }
            h += 2 * padV;
            Atom &a = push(h, 0, 0);
            const QColor bg = header ? kHeaderBg : toneBackground(rowTone);
            const QColor color = rowTone == QLatin1String("muted") ? kMuted : kInk;
            a.paint = [=](QPainter &p, double x, double y) {
                if (bg.alpha() > 0)
                    p.fillRect(QRectF(x, y, w, h), bg);
                for (int c = 0; c < cols; ++c)
                    drawDoc(p, docs[size_t(c)], x + colX[size_t(c)] + padH, y + padV, color);
                p.fillRect(QRectF(x, y + h - (header ? 1.2 : 0.5) * kPt, w, (header ? 1.2 : 0.5) * kPt),
                           header ? QColor(0xd1, 0xd5, 0xdb) : kLine);
            };
            return a;
        };
        Atom &head = rowAtom(t.header, headFont, QString(), {}, true);
        head.keepWithNext = true;
        head.spaceBefore = 3 * kPt;
        const int headIndex = int(atoms.size()) - 1;
        for (const ReportTable::Row &r : t.rows) {
            Atom &a = rowAtom(r.cells, cellFont, r.tone, r.cell_tones, false);
            a.tableHeader = headIndex;
        }
        atoms.back().spaceAfter = 9 * kPt;
        if (t.rows.empty())
            atoms.back().keepWithNext = false;
    }

    void chart(const ReportBlock &b, double w)
    {
        auto title = doc(QStringLiteral("<b>%1</b>").arg(b.text.toHtmlEscaped()), m_body, w);
        auto caption = doc(reportInlineHtml(b.caption, false), m_small, w);
        const double aspect = b.chart.width > 0 ? b.chart.height / b.chart.width : 0.4;
        const double chartH = w * aspect;
        const double gap = 3 * kPt;
        auto drawing = std::make_shared<const ChartDrawing>(b.chart);
        const double h = title->size().height() + gap + chartH + gap + caption->size().height();
        Atom &a = push(h, 8 * kPt, 10 * kPt);
        a.paint = [=](QPainter &p, double x, double y) {
            drawDoc(p, title, x, y);
            const double sy = y + title->size().height() + gap;
            ChartPainter::paint(p, *drawing, QRectF(x, sy, w, chartH));
            drawDoc(p, caption, x, sy + chartH + gap, kMuted);
        };
    }

    void code(const ReportBlock &b, double w)
    {
        const int first = int(atoms.size());
        if (!b.text.isEmpty()) {
            auto label = doc(b.text.toHtmlEscaped(), m_small, w);
            Atom &a = push(label->size().height(), 3 * kPt, 1.5 * kPt);
            a.keepWithNext = true;
            a.paint = [label](QPainter &p, double x, double y) { drawDoc(p, label, x, y, kMuted); };
        }
        const double pad = 5 * kPt;
        for (int i = 0; i < b.items.size(); ++i) {
            const bool marked = size_t(i) < b.marked.size() && b.marked[size_t(i)];
            QFont f = m_mono;
            f.setBold(marked);
            // Preserve the leading indentation of plan trees.
            QString html = b.items[i].toHtmlEscaped();
            int lead = 0;
            while (lead < html.size() && html[lead] == QLatin1Char(' '))
                ++lead;
            html = QStringLiteral("&nbsp;").repeated(lead) + html.mid(lead);
            auto d = doc(html, f, w - 2 * pad);
            const bool firstLine = i == 0, lastLine = i + 1 == b.items.size();
            const double top = firstLine ? 4 * kPt : 0.6 * kPt, bottom = lastLine ? 4 * kPt : 0.6 * kPt;
            const double h = d->size().height() + top + bottom;
            Atom &a = push(h, b.text.isEmpty() && firstLine ? 3 * kPt : 0, lastLine ? 8 * kPt : 0);
            const QColor bg = marked ? QColor(0xfe, 0xe2, 0xe2) : kSoft;
            const QColor ink = marked ? toneColor(QStringLiteral("fail")) : kInk;
            a.paint = [=](QPainter &p, double x, double y) {
                p.fillRect(QRectF(x, y, w, h), bg);
                p.fillRect(QRectF(x, y, 0.8 * kPt, h), kLine);
                p.fillRect(QRectF(x + w - 0.8 * kPt, y, 0.8 * kPt, h), kLine);
                if (firstLine)
                    p.fillRect(QRectF(x, y, w, 0.8 * kPt), kLine);
                if (lastLine)
                    p.fillRect(QRectF(x, y + h - 0.8 * kPt, w, 0.8 * kPt), kLine);
                drawDoc(p, d, x + pad, y + top, ink);
            };
        }
        // Short blocks (a query, a small plan) stay on one page.
        const int count = int(atoms.size()) - first;
        if (count > 0 && count <= 16)
            atoms[size_t(first)].keepTogether = count;
    }

    QPaintDevice *m_device;
    double m_width;
    QFont m_body, m_mono, m_small;
    QString m_groupTone;
    double m_indent = 0;
};

// Assigns atoms to pages. Returns the placements of each page.
std::vector<std::vector<Placement>> paginate(const std::vector<Atom> &atoms, double top, double bottom)
{
    std::vector<std::vector<Placement>> pages(1);
    const double pageH = bottom - top;
    double y = top;
    int lastTable = -1; // table header of the last placed atom
    auto extent = [&](size_t from, int count) {
        double h = 0;
        for (size_t k = from; k < atoms.size() && k < from + size_t(count); ++k)
            h += (k == from ? 0 : atoms[k].spaceBefore) + atoms[k].height +
                 (k + 1 < from + size_t(count) ? atoms[k].spaceAfter : 0);
        return h;
    };
    for (size_t i = 0; i < atoms.size(); ++i) {
        const Atom &a = atoms[i];
        if (a.marker) {
            const double h = extent(i, a.keepTogether) + a.spaceBefore;
            if (y > top && y + h > bottom && h <= pageH) {
                pages.emplace_back();
                y = top;
                lastTable = -1;
            }
            continue;
        }
        // What must land on this page with the atom: the chain it keeps with, or the block it keeps together.
        double need = a.height;
        size_t j = i;
        while (atoms[j].keepWithNext) {
            size_t k = j + 1;
            bool group = false;
            while (k < atoms.size() && atoms[k].marker) {
                // An intro followed by a card: the card comes along when it fits on a page.
                if (atoms[k].keepTogether > 1 && extent(k, atoms[k].keepTogether) <= pageH - need) {
                    need += atoms[j].spaceAfter + atoms[k].spaceBefore + extent(k, atoms[k].keepTogether);
                    group = true;
                    break;
                }
                ++k;
            }
            if (group || k >= atoms.size())
                break;
            // A kept-together block (a short code block) in the chain comes along whole when it fits on a page.
            const double whole = atoms[k].keepTogether > 1 ? extent(k, atoms[k].keepTogether) : atoms[k].height;
            if (atoms[k].keepTogether > 1 && whole <= pageH - need) {
                need += atoms[j].spaceAfter + atoms[k].spaceBefore + whole;
                break;
            }
            need += atoms[j].spaceAfter + atoms[k].spaceBefore + atoms[k].height;
            j = k;
        }
        if (a.keepTogether > 1)
            need = std::max(need, extent(i, a.keepTogether));
        double before = y > top ? a.spaceBefore : 0;
        const bool fitsAlone = y + before + a.height <= bottom;
        const bool chainFits = y + before + need <= bottom;
        // Break when the chain would fit on a fresh page, or when not even the atom fits here.
        if (y > top && !chainFits && (need <= pageH || !fitsAlone)) {
            pages.emplace_back();
            y = top;
            before = 0;
            // A table that goes on: its header first.
            if (a.tableHeader >= 0 && lastTable == a.tableHeader) {
                pages.back().push_back({a.tableHeader, y});
                y += atoms[size_t(a.tableHeader)].height;
            }
        }
        pages.back().push_back({int(i), y + before});
        y += before + a.height + a.spaceAfter;
        lastTable = a.tableHeader >= 0 ? a.tableHeader
                                       : (i + 1 < atoms.size() && atoms[i + 1].tableHeader == int(i) ? int(i) : -1);
    }
    return pages;
}

} // namespace

bool PdfReport::write(const ReportDocument &document, const QString &path, ReportPageSize pageSize, QString *error,
                      int *pages)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        if (error)
            *error = QStringLiteral("PDF rendering needs a QGuiApplication (fonts); none exists in this process");
        return false;
    }
    QFile probe(path);
    if (!probe.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), probe.errorString());
        return false;
    }
    probe.close();

    QPdfWriter writer(path);
    writer.setResolution(kDpi);
    writer.setTitle(document.title);
    writer.setCreator(QStringLiteral("Preflight %1").arg(QStringLiteral(PREFLIGHT_VERSION)));
    writer.setPageLayout(QPageLayout(QPageSize(pageSize == ReportPageSize::Letter ? QPageSize::Letter : QPageSize::A4),
                                     QPageLayout::Portrait, QMarginsF(15, 14, 15, 14), QPageLayout::Millimeter));
    const QRect paint = writer.pageLayout().paintRectPixels(kDpi);
    const double width = paint.width();
    const double headerH = 16 * kPt, footerH = 18 * kPt;
    const double top = headerH, bottom = paint.height() - footerH;

    Layout layout(&writer, width);
    layout.build(document);
    const std::vector<std::vector<Placement>> placed = paginate(layout.atoms, top, bottom);

    QPainter painter;
    if (!painter.begin(&writer)) {
        if (error)
            *error =
                QStringLiteral("cannot write %1: the PDF could not be started").arg(QDir::toNativeSeparators(path));
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    QFont running(QStringLiteral("DejaVu Sans"));
    running.setPointSizeF(7.2);
    const int total = int(placed.size());
    for (int pg = 0; pg < total; ++pg) {
        if (pg > 0)
            writer.newPage();
        // Running header and footer.
        painter.setFont(running);
        painter.setPen(kMuted);
        const QRectF headRect(0, 0, width, headerH - 6 * kPt);
        if (pg > 0)
            painter.drawText(headRect, Qt::AlignLeft | Qt::AlignBottom, document.title);
        painter.fillRect(QRectF(0, headerH - 4 * kPt, width, 0.5 * kPt), kLine);
        const QRectF footRect(0, bottom + 6 * kPt, width, footerH - 6 * kPt);
        painter.fillRect(QRectF(0, bottom + 4 * kPt, width, 0.5 * kPt), kLine);
        painter.setFont(running);
        painter.setPen(kMuted);
        painter.drawText(footRect, Qt::AlignLeft | Qt::AlignTop,
                         painter.fontMetrics().elidedText(document.footer, Qt::ElideRight, int(width * 0.78)));
        painter.drawText(footRect, Qt::AlignRight | Qt::AlignTop,
                         QStringLiteral("Page %1 of %2").arg(pg + 1).arg(total));

        for (const Placement &p : placed[size_t(pg)]) {
            const Atom &a = layout.atoms[size_t(p.atom)];
            if (!a.groupTone.isEmpty()) {
                // The card's left bar, drawn per atom so it follows the card across pages.
                painter.fillRect(QRectF(0, p.y, 3 * kPt, std::min(a.height + a.barExtend, bottom - p.y)),
                                 toneColor(a.groupTone));
            }
            if (a.paint)
                a.paint(painter, a.indent, p.y);
        }
    }
    if (!painter.end()) {
        if (error)
            *error =
                QStringLiteral("cannot write %1: the PDF could not be finished").arg(QDir::toNativeSeparators(path));
        return false;
    }
    if (pages)
        *pages = total;
    return true;
}

} // namespace Preflight
