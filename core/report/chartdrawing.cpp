#include "chartdrawing.h"

#include <QStringList>

#include <cmath>

namespace Preflight {

namespace {

const char *kFontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";

// Numbers to 0.1 user unit, without a trailing ".0": small SVG, and the same text for the same drawing.
QString n(double v)
{
    if (!std::isfinite(v))
        v = 0;
    return QString::number(std::round(v * 10) / 10, 'f', 1).replace(QStringLiteral(".0"), QString());
}

QString points(const std::vector<ChartDrawing::Point> &pts)
{
    QString out;
    out.reserve(int(pts.size()) * 12);
    for (const ChartDrawing::Point &p : pts) {
        if (!out.isEmpty())
            out += QLatin1Char(' ');
        out += n(p.x) + QLatin1Char(',') + n(p.y);
    }
    return out;
}

// Fill first, then stroke: the attribute order the report's SVG has always had. A fillable shape without a
// fill says fill="none" (SVG would fill it black).
QString paintAttributes(const ChartDrawing::Paint &p, bool fillable)
{
    QString out;
    if (!p.fill.isEmpty()) {
        out += QStringLiteral(" fill=\"%1\"").arg(p.fill);
        if (p.fill_opacity != 1)
            out += QStringLiteral(" fill-opacity=\"%1\"").arg(QString::number(p.fill_opacity));
    } else if (fillable) {
        out += QStringLiteral(" fill=\"none\"");
    }
    if (!p.stroke.isEmpty()) {
        out += QStringLiteral(" stroke=\"%1\" stroke-width=\"%2\"").arg(p.stroke, n(p.stroke_width));
        if (p.round)
            out += QStringLiteral(" stroke-linejoin=\"round\" stroke-linecap=\"round\"");
        if (!p.dash.empty()) {
            QStringList lengths;
            for (double d : p.dash)
                lengths << n(d);
            out += QStringLiteral(" stroke-dasharray=\"%1\"").arg(lengths.join(QLatin1Char(' ')));
        }
    }
    return out;
}

QString anchorName(ChartDrawing::Anchor anchor)
{
    switch (anchor) {
    case ChartDrawing::Anchor::Middle:
        return QStringLiteral("middle");
    case ChartDrawing::Anchor::End:
        return QStringLiteral("end");
    case ChartDrawing::Anchor::Start:
        break;
    }
    return QStringLiteral("start");
}

QString textElement(double x, double y, const ChartDrawing::Text &t, const QString &fill, const QString &extra)
{
    return QStringLiteral(
               "<text x=\"%1\" y=\"%2\" font-family=\"%3\" font-size=\"%4\" fill=\"%5\" text-anchor=\"%6\"%7>%8</text>")
        .arg(n(x), n(y), QLatin1String(kFontFamily), n(t.font_size), fill, anchorName(t.anchor), extra,
             ChartDrawing::escape(t.text));
}

// The halo is a white outlined copy underneath; a rotated text is written at the origin of a transformed group.
QString textSvg(const ChartDrawing::Text &t)
{
    const bool rotated = t.rotation_deg != 0;
    const double x = rotated ? 0 : t.x, y = rotated ? 0 : t.y;
    QString out;
    if (rotated)
        out += QStringLiteral("<g transform=\"translate(%1 %2) rotate(%3)\">").arg(n(t.x), n(t.y), n(t.rotation_deg));
    if (t.halo)
        out += textElement(x, y, t, QStringLiteral("#ffffff"),
                           QStringLiteral(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\""));
    out += textElement(x, y, t, t.fill, QString());
    if (rotated)
        out += QStringLiteral("</g>");
    return out;
}

struct SvgWriter
{
    QString &out;

    void operator()(const ChartDrawing::Line &l) const
    {
        out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%4\"")
                   .arg(n(l.from.x), n(l.from.y), n(l.to.x), n(l.to.y)) +
               paintAttributes(l.paint, false) + QStringLiteral("/>");
    }
    void operator()(const ChartDrawing::Polyline &p) const
    {
        out += QStringLiteral("<polyline points=\"") + points(p.points) + QLatin1Char('"') +
               paintAttributes(p.paint, true) + QStringLiteral("/>");
    }
    void operator()(const ChartDrawing::Polygon &p) const
    {
        out += QStringLiteral("<polygon points=\"") + points(p.points) + QLatin1Char('"') +
               paintAttributes(p.paint, true) + QStringLiteral("/>");
    }
    void operator()(const ChartDrawing::Rect &r) const
    {
        out += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\"")
                   .arg(n(r.x), n(r.y), n(r.width), n(r.height)) +
               paintAttributes(r.paint, true) + QStringLiteral("/>");
    }
    void operator()(const ChartDrawing::Circle &c) const
    {
        out += QStringLiteral("<circle cx=\"%1\" cy=\"%2\" r=\"%3\"").arg(n(c.center.x), n(c.center.y), n(c.radius)) +
               paintAttributes(c.paint, true) + QStringLiteral("/>");
    }
    void operator()(const ChartDrawing::Text &t) const { out += textSvg(t); }
};

} // namespace

QString ChartDrawing::escape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&':
            out += QStringLiteral("&amp;");
            break;
        case '<':
            out += QStringLiteral("&lt;");
            break;
        case '>':
            out += QStringLiteral("&gt;");
            break;
        case '"':
            out += QStringLiteral("&quot;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString ChartDrawing::toSvg(bool withNamespace) const
{
    QString out;
    out.reserve(1024 + int(primitives.size()) * 160);
    out += QStringLiteral("<svg%1 viewBox=\"0 0 %2 %3\" width=\"%2\" height=\"%3\" role=\"img\">")
               .arg(withNamespace
                        ? QStringLiteral(" xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" baseProfile=\"tiny\"")
                        : QString(),
                    n(width), n(height));
    if (!description.isEmpty())
        out += QStringLiteral("<title>") + escape(description) + QStringLiteral("</title>");
    const SvgWriter writer{out};
    for (const Primitive &p : primitives)
        std::visit(writer, p);
    out += QStringLiteral("</svg>");
    return out;
}

} // namespace Preflight
