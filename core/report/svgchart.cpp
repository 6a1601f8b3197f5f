#include "svgchart.h"

#include "data/format.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace Preflight {

namespace {

constexpr double kLeft = 66;
constexpr double kRight = 16;
constexpr double kBottom = 40;
constexpr double kLegendRow = 17;
constexpr double kFontSize = 11.5;
constexpr double kCharWidth = 6.6; // average advance at kFontSize, for layout estimates
const char *kGrid = "#e5e7eb";
const char *kAxis = "#9ca3af";
const char *kInk = "#374151";

// A round tick step that splits span into about target parts.
double niceStep(double span, int target)
{
    if (span <= 0 || !std::isfinite(span))
        return 1;
    return Format::niceNumber(span / std::max(1, target), Format::NiceRounding::Nearest);
}

} // namespace

SvgChart::SvgChart(double width, double height) : m_width(width), m_height(height) {}

void SvgChart::setXAxis(const QString &label, Formatter format, bool timeAxis)
{
    m_xLabel = label;
    m_xFormat = std::move(format);
    m_timeAxis = timeAxis;
}

void SvgChart::setYAxis(const QString &label, Formatter format, bool logScale)
{
    m_yLabel = label;
    m_yFormat = std::move(format);
    m_log = logScale;
}

void SvgChart::setXRange(double min, double max)
{
    m_fixedX = true;
    m_x = {min, max};
}

void SvgChart::setYRange(double min, double max)
{
    m_fixedY = true;
    m_y = {min, max};
}

bool SvgChart::isEmpty() const
{
    for (const Series &s : m_series)
        for (const Point &p : s.points)
            if (std::isfinite(p.y))
                return false;
    return true;
}

std::vector<double> SvgChart::linearTicks(double min, double max, int target)
{
    std::vector<double> ticks;
    if (!(max > min))
        return {min};
    const double step = niceStep(max - min, target);
    for (double v = std::ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
        ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return ticks;
}

std::vector<double> SvgChart::timeTicks(double min, double max, int target)
{
    static const double steps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    if (!(max > min))
        return {min};
    const double raw = (max - min) / std::max(1, target);
    double step = steps[std::size(steps) - 1];
    for (double s : steps)
        if (s >= raw) {
            step = s;
            break;
        }
    std::vector<double> ticks;
    for (double v = std::ceil(min / step - 1e-9) * step; v <= max + 1e-9; v += step)
        ticks.push_back(v);
    return ticks;
}

std::vector<double> SvgChart::logTicks(double min, double max)
{
    std::vector<double> ticks;
    if (!(min > 0) || !(max > min))
        return {min > 0 ? min : 1};
    const int lo = int(std::floor(std::log10(min) + 1e-9));
    const int hi = int(std::ceil(std::log10(max) - 1e-9));
    const bool fine = hi - lo <= 2; // few decades: 1-2-5 inside each
    for (int d = lo; d <= hi; ++d) {
        const double base = std::pow(10.0, d);
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1 && !fine)
                continue;
            const double v = base * m;
            if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9))
                ticks.push_back(v);
        }
    }
    return ticks;
}

SvgChart::Range SvgChart::xRange() const
{
    if (m_fixedX)
        return m_x;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const Series &s : m_series)
        for (const Point &p : s.points) {
            lo = std::min(lo, p.x);
            hi = std::max(hi, p.x);
        }
    if (!std::isfinite(lo))
        return {0, 1};
    if (hi <= lo)
        hi = lo + 1;
    return {lo, hi};
}

SvgChart::Range SvgChart::yRange() const
{
    if (m_fixedY)
        return m_y;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    auto take = [&](double y) {
        if (!std::isfinite(y) || (m_log && y <= 0))
            return;
        lo = std::min(lo, y);
        hi = std::max(hi, y);
    };
    for (const Series &s : m_series)
        for (const Point &p : s.points)
            take(p.y);
    if (m_rulesInRange)
        for (const Rule &r : m_hRules)
            take(r.value);
    if (m_log) {
        if (!std::isfinite(lo))
            return {1, 10};
        double a = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
        double b = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
        if (b <= a)
            b = a * 10;
        return {a, b};
    }
    if (!std::isfinite(hi) || hi <= 0)
        return {0, 1};
    const std::vector<double> ticks = linearTicks(0, hi * 1.04);
    double top = ticks.empty() ? hi : ticks.back();
    if (top < hi * 1.04)
        top += niceStep(hi * 1.04, 5);
    return {0, top};
}

ChartDrawing SvgChart::drawing() const
{
    using D = ChartDrawing;
    // Legend first: it decides how much room the top needs.
    struct LegendItem
    {
        const Series *series;
        double x, y;
    };
    std::vector<LegendItem> legend;
    double lx = kLeft, ly = 13;
    for (const Series &s : m_series) {
        if (s.name.isEmpty())
            continue;
        const double w = 22 + s.name.size() * kCharWidth + 14;
        if (lx + w > m_width - kRight && lx > kLeft) {
            lx = kLeft;
            ly += kLegendRow;
        }
        legend.push_back({&s, lx, ly});
        lx += w;
    }
    const double top = ly + 15;
    const double L = kLeft, R = m_width - kRight, T = top, B = m_height - kBottom;
    const double plotW = std::max(1.0, R - L), plotH = std::max(1.0, B - T);
    const Range xr = xRange(), yr = yRange();
    const double lyMin = m_log ? std::log10(yr.min) : 0, lyMax = m_log ? std::log10(yr.max) : 1;

    auto px = [&](double x) { return L + (std::clamp(x, xr.min, xr.max) - xr.min) / (xr.max - xr.min) * plotW; };
    auto py = [&](double y) {
        double f;
        if (m_log)
            f = ((y > 0 ? std::log10(y) : lyMin) - lyMin) / (lyMax - lyMin);
        else
            f = (y - yr.min) / (yr.max - yr.min);
        return B - std::clamp(f, 0.0, 1.0) * plotH;
    };

    D out;
    out.width = m_width;
    out.height = m_height;
    out.description = m_description;
    auto add = [&](D::Primitive p) { out.primitives.push_back(std::move(p)); };
    auto stroke = [](const QString &color, double width, std::vector<double> dash = {}) {
        D::Paint p;
        p.stroke = color;
        p.stroke_width = width;
        p.dash = std::move(dash);
        return p;
    };
    auto dash = [](bool dashed, double on, double off) {
        return dashed ? std::vector<double>{on, off} : std::vector<double>{};
    };
    // Areas and their legend swatches: translucent fill, a thin outline of the same colour.
    auto area = [&](const QString &color) {
        D::Paint p = stroke(color, 0.8);
        p.fill = color;
        p.fill_opacity = 0.35;
        return p;
    };
    auto fill = [](const QString &color) {
        D::Paint p;
        p.fill = color;
        return p;
    };
    auto text = [&](double x, double y, const QString &label, D::Anchor anchor, const QString &color,
                    double size = kFontSize, bool halo = false) -> D::Text & {
        D::Text t;
        t.x = x;
        t.y = y;
        t.text = label;
        t.font_size = size;
        t.anchor = anchor;
        t.fill = color;
        t.halo = halo;
        add(t);
        return std::get<D::Text>(out.primitives.back());
    };
    const QString grid = QLatin1String(kGrid), axis = QLatin1String(kAxis), ink = QLatin1String(kInk);
    add(D::Rect{0, 0, m_width, m_height, fill(QStringLiteral("#ffffff"))});

    // Grid and y ticks.
    const Formatter yFmt = m_yFormat ? m_yFormat : [](double v) { return QString::number(v); };
    const Formatter xFmt = m_xFormat ? m_xFormat : [](double v) { return QString::number(v); };
    const std::vector<double> yTicks = m_log ? logTicks(yr.min, yr.max) : linearTicks(yr.min, yr.max);
    for (double v : yTicks) {
        const double y = py(v);
        add(D::Line{{L, y}, {R, y}, stroke(grid, 1)});
        text(L - 6, y + 4, yFmt(v), D::Anchor::End, ink, kFontSize - 1);
    }
    const std::vector<double> xTicks = m_timeAxis ? timeTicks(xr.min, xr.max) : linearTicks(xr.min, xr.max, 6);
    double lastLabelEnd = -1e9;
    for (double v : xTicks) {
        const double x = px(v);
        add(D::Line{{x, T}, {x, B}, stroke(grid, 1)});
        const QString label = xFmt(v);
        const double half = label.size() * kCharWidth / 2;
        if (x - half > lastLabelEnd + 4) {
            text(x, B + 15, label, D::Anchor::Middle, ink, kFontSize - 1);
            lastLabelEnd = x + half;
        }
    }
    add(D::Line{{L, B}, {R, B}, stroke(axis, 1)});
    add(D::Line{{L, T}, {L, B}, stroke(axis, 1)});
    if (!m_xLabel.isEmpty())
        text((L + R) / 2, m_height - 6, m_xLabel, D::Anchor::Middle, ink);
    if (!m_yLabel.isEmpty())
        text(14, (T + B) / 2, m_yLabel, D::Anchor::Middle, ink).rotation_deg = -90; // reads upwards

    // Vertical rules (stage boundaries, knee) under the data. Labels take the first of two rows where they
    // do not collide with an earlier label, else they are left out.
    double rowEnd[2] = {-1e9, -1e9};
    for (const Rule &r : m_vRules) {
        if (r.value < xr.min || r.value > xr.max)
            continue;
        const double x = px(r.value);
        add(D::Line{{x, T}, {x, B}, stroke(r.color, r.strong ? 1.4 : 0.8, dash(r.dashed, 4, 3))});
        if (r.label.isEmpty())
            continue;
        const double w = r.label.size() * (kCharWidth - 0.6);
        const bool flip = x + 3 + w > R; // near the right edge: label to the left of the line
        const double start = flip ? x - 3 - w : x + 3;
        for (int row = 0; row < 2; ++row) {
            if (start <= rowEnd[row] + 3)
                continue;
            text(flip ? x - 3 : x + 3, T + 11 + row * 13, r.label, flip ? D::Anchor::End : D::Anchor::Start,
                 r.strong ? r.color : ink, kFontSize - 1.5, true);
            rowEnd[row] = start + w;
            break;
        }
    }

    // Series: areas first so that lines stay on top.
    auto drawSeries = [&](const Series &s) {
        if (s.style == Style::Area) {
            D::Polygon polygon;
            for (const Point &p : s.points)
                polygon.points.push_back({px(p.x), py(std::isfinite(p.y) ? p.y : 0)});
            if (s.base.size() == s.points.size()) {
                for (auto it = s.base.rbegin(); it != s.base.rend(); ++it)
                    polygon.points.push_back({px(it->x), py(std::isfinite(it->y) ? it->y : 0)});
            } else if (!s.points.empty()) {
                polygon.points.push_back({px(s.points.back().x), B});
                polygon.points.push_back({px(s.points.front().x), B});
            }
            polygon.paint = area(s.color);
            add(std::move(polygon));
            return;
        }
        if (s.style == Style::Dots) {
            for (const Point &p : s.points)
                if (std::isfinite(p.y)) {
                    D::Paint dot = stroke(QStringLiteral("#ffffff"), 1);
                    dot.fill = s.color;
                    add(D::Circle{{px(p.x), py(p.y)}, 4, dot});
                }
            return;
        }
        D::Polyline line;
        line.paint = stroke(s.color, s.width, dash(s.dashed, 6, 4));
        line.paint.round = true;
        // A run of one point (between gaps) is a small dot.
        auto flush = [&]() {
            if (line.points.size() >= 2)
                add(line);
            else if (line.points.size() == 1)
                add(D::Circle{line.points.front(), 1.8, fill(s.color)});
            line.points.clear();
        };
        double prevX = NAN, prevY = NAN;
        for (const Point &p : s.points) {
            if (!std::isfinite(p.y)) {
                flush();
                prevY = NAN;
                continue;
            }
            if (s.style == Style::Step && std::isfinite(prevY) && std::isfinite(prevX) && p.y != prevY)
                line.points.push_back({px(prevX), py(p.y)});
            line.points.push_back({px(p.x), py(p.y)});
            prevX = p.x;
            prevY = p.y;
        }
        flush();
    };
    for (const Series &s : m_series)
        if (s.style == Style::Area)
            drawSeries(s);
    for (const Series &s : m_series)
        if (s.style != Style::Area)
            drawSeries(s);

    // Horizontal rules (gates) over the data, labels at the right end.
    for (const Rule &r : m_hRules) {
        if (m_log ? r.value <= 0 : false)
            continue;
        if (r.value < yr.min || r.value > yr.max)
            continue;
        const double y = py(r.value);
        add(D::Line{{L, y}, {R, y}, stroke(r.color, r.strong ? 1.4 : 1, dash(r.dashed, 7, 4))});
        if (!r.label.isEmpty())
            text(R - 4, y - 4, r.label, D::Anchor::End, r.color, kFontSize - 1, true);
    }

    // Legend.
    for (const LegendItem &item : legend) {
        const Series &s = *item.series;
        if (s.style == Style::Area) {
            add(D::Rect{item.x, item.y - 8, 16, 9, area(s.color)});
        } else if (s.style == Style::Dots) {
            add(D::Circle{{item.x + 8, item.y - 4}, 4, fill(s.color)});
        } else {
            add(D::Line{{item.x, item.y - 4}, {item.x + 16, item.y - 4}, stroke(s.color, 2.2, dash(s.dashed, 5, 3))});
        }
        text(item.x + 22, item.y, s.name, D::Anchor::Start, ink);
    }
    return out;
}

QString SvgChart::toSvg(bool withNamespace) const
{
    return drawing().toSvg(withNamespace);
}

} // namespace Preflight
