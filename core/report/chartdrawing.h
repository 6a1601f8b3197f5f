#pragma once

#include <QString>

#include <variant>
#include <vector>

namespace Preflight {

// A laid-out chart as an ordered list of drawing primitives: what SvgChart computes once and every report format
// draws, the HTML as SVG text (toSvg()) and the PDF with QPainter (pdf/chartpainter.h), so no format parses
// another's output. Coordinates are user units of the view box (0, 0, width, height), y pointing down as in SVG;
// colours are "#rrggbb". Later primitives paint over earlier ones. No QtGui. A value, cheap to move.
struct ChartDrawing
{
    struct Point
    {
        double x = 0;
        double y = 0;
    };
    // How a shape is outlined and filled: the SVG presentation attributes SvgChart uses.
    struct Paint
    {
        QString stroke; // empty: no outline
        double stroke_width = 1;
        std::vector<double> dash; // on, off lengths in user units; empty: solid
        bool round = false;       // round joins and caps (series lines); else SVG's default miter joins, butt caps
        QString fill;             // empty: not filled
        double fill_opacity = 1;
    };
    struct Line
    {
        Point from, to;
        Paint paint;
    };
    struct Polyline
    {
        std::vector<Point> points; // open, never filled
        Paint paint;
    };
    struct Polygon
    {
        std::vector<Point> points; // closed, filled (an area under a series)
        Paint paint;
    };
    struct Rect
    {
        double x = 0, y = 0, width = 0, height = 0;
        Paint paint;
    };
    struct Circle
    {
        Point center;
        double radius = 0;
        Paint paint;
    };
    enum class Anchor { Start, Middle, End };
    // One line of text in DejaVu Sans: (x, y) is the baseline point the anchor names.
    struct Text
    {
        double x = 0, y = 0;
        QString text; // plain text, not escaped
        double font_size = 11;
        Anchor anchor = Anchor::Start;
        QString fill;
        bool halo = false;       // white behind the text, so that it stays legible over lines
        double rotation_deg = 0; // clockwise about (x, y); -90 reads bottom to top (a y-axis label)
    };
    using Primitive = std::variant<Line, Polyline, Polygon, Rect, Circle, Text>;

    double width = 0; // the view box, user units
    double height = 0;
    QString description; // for screen readers (SVG <title>); may be empty
    std::vector<Primitive> primitives;

    // SVG Tiny 1.2 text: the view box as width and height, presentation attributes, numbers to 0.1 unit.
    // withNamespace: add xmlns (standalone files, QSvgRenderer); inline SVG in HTML5 needs none.
    QString toSvg(bool withNamespace = false) const;

    // Escapes &, <, > and " for SVG text and attribute values.
    static QString escape(const QString &text);
};

} // namespace Preflight
