#include "chartpainter.h"

#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPolygonF>
#include <QRectF>

#include <algorithm>

namespace Preflight {

namespace {

using D = ChartDrawing;

// Text is laid out at 8× its size and scaled down: font hinting at a few device pixels would skew the advances.
constexpr double kTextOversize = 8;
const QColor kHaloBox(255, 255, 255, 230);
const QColor kDefaultInk(0x11, 0x18, 0x27);

QColor colorOf(const QString &name, double opacity = 1)
{
    QColor c = QColor::fromString(name);
    if (c.isValid() && opacity < 1)
        c.setAlphaF(float(std::clamp(opacity, 0.0, 1.0)));
    return c;
}

// The pen and brush SVG would use: miter joins (limit 4) and butt caps unless round, dashes in user units.
void applyPaint(QPainter &p, const D::Paint &paint)
{
    if (paint.stroke.isEmpty() || paint.stroke_width <= 0) {
        p.setPen(Qt::NoPen);
    } else {
        QPen pen(colorOf(paint.stroke), paint.stroke_width, Qt::SolidLine, paint.round ? Qt::RoundCap : Qt::FlatCap,
                 paint.round ? Qt::RoundJoin : Qt::SvgMiterJoin);
        pen.setMiterLimit(4);
        if (!paint.dash.empty()) {
            QList<qreal> pattern; // QPen counts dashes in pen widths
            for (double d : paint.dash)
                pattern << d / paint.stroke_width;
            if (pattern.size() % 2)
                pattern += QList<qreal>(pattern); // SVG repeats an odd list
            pen.setDashPattern(pattern);
        }
        p.setPen(pen);
    }
    p.setBrush(paint.fill.isEmpty() ? QBrush(Qt::NoBrush) : QBrush(colorOf(paint.fill, paint.fill_opacity)));
}

QPolygonF polygonOf(const std::vector<D::Point> &points)
{
    QPolygonF poly;
    poly.reserve(qsizetype(points.size()));
    for (const D::Point &pt : points)
        poly << QPointF(pt.x, pt.y);
    return poly;
}

struct ShapePainter
{
    QPainter &p;

    void operator()(const D::Line &l) const
    {
        applyPaint(p, l.paint);
        p.drawLine(QPointF(l.from.x, l.from.y), QPointF(l.to.x, l.to.y));
    }
    void operator()(const D::Polyline &l) const
    {
        applyPaint(p, l.paint);
        p.drawPolyline(polygonOf(l.points)); // never filled
    }
    void operator()(const D::Polygon &g) const
    {
        applyPaint(p, g.paint);
        p.drawPolygon(polygonOf(g.points), Qt::WindingFill); // SVG's fill-rule: nonzero
    }
    void operator()(const D::Rect &r) const
    {
        applyPaint(p, r.paint);
        p.drawRect(QRectF(r.x, r.y, r.width, r.height));
    }
    void operator()(const D::Circle &c) const
    {
        applyPaint(p, c.paint);
        p.drawEllipse(QPointF(c.center.x, c.center.y), c.radius, c.radius);
    }
    void operator()(const D::Text &) const {} // texts go on top, in their own passes
};

// A text's font and its box in user units relative to its anchor point (0, 0), baseline at y = 0.
struct PlacedText
{
    QFont font;
    QRectF box;
};

PlacedText place(const QPainter &p, const D::Text &t)
{
    PlacedText out{QFont(QStringLiteral("DejaVu Sans")), {}};
    out.font.setPixelSize(std::max(1, qRound(t.font_size * kTextOversize)));
    const QFontMetricsF fm(out.font, p.device());
    const double w = fm.horizontalAdvance(t.text) / kTextOversize;
    double x = 0;
    if (t.anchor == D::Anchor::Middle)
        x = -w / 2;
    else if (t.anchor == D::Anchor::End)
        x = -w;
    out.box = QRectF(x, -fm.ascent() / kTextOversize, w, (fm.ascent() + fm.descent()) / kTextOversize);
    return out;
}

// Moves the painter's origin to the text's anchor point, rotated as the text is.
void toAnchor(QPainter &p, const D::Text &t)
{
    p.translate(t.x, t.y);
    if (t.rotation_deg != 0)
        p.rotate(t.rotation_deg);
}

} // namespace

void ChartPainter::paint(QPainter &painter, const ChartDrawing &drawing, const QRectF &target)
{
    if (!(drawing.width > 0) || !(drawing.height > 0))
        return;
    painter.save();
    painter.translate(target.topLeft());
    painter.scale(target.width() / drawing.width, target.height() / drawing.height);

    // Shapes in order, then every halo box, then every text: a label is never crossed by a later line.
    const ShapePainter shapes{painter};
    for (const D::Primitive &primitive : drawing.primitives)
        std::visit(shapes, primitive);

    std::vector<std::pair<const D::Text *, PlacedText>> texts;
    for (const D::Primitive &primitive : drawing.primitives)
        if (const auto *t = std::get_if<D::Text>(&primitive); t && !t->text.isEmpty())
            texts.emplace_back(t, place(painter, *t));
    for (const auto &[t, placed] : texts) {
        if (!t->halo)
            continue;
        painter.save();
        toAnchor(painter, *t);
        painter.fillRect(placed.box.adjusted(-1.5, -0.5, 1.5, 0.5), kHaloBox);
        painter.restore();
    }
    for (const auto &[t, placed] : texts) {
        painter.save();
        toAnchor(painter, *t);
        painter.translate(placed.box.left(), 0);
        painter.scale(1 / kTextOversize, 1 / kTextOversize);
        painter.setFont(placed.font);
        const QColor ink = colorOf(t->fill);
        painter.setPen(ink.isValid() ? ink : kDefaultInk);
        painter.drawText(QPointF(0, 0), t->text);
        painter.restore();
    }
    painter.restore();
}

} // namespace Preflight
