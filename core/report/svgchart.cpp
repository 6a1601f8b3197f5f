#include "svgchart.h"

#include "data/format.h"

#include <QStringList>

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
const char *kFont = "DejaVu Sans, Helvetica, Arial, sans-serif";
const char *kGrid = "#e5e7eb";
const char *kAxis = "#9ca3af";
const char *kInk = "#374151";

QString n(double v)
{
    if (!std::isfinite(v))
        v = 0;
    return QString::number(std::round(v * 10) / 10, 'f', 1).replace(QStringLiteral(".0"), QString());
}

QString textElement(double x, double y, const QString &text, const QString &anchor, const QString &fill,
                    double size = kFontSize, const QString &extra = QString())
{
    return QStringLiteral(
               "<text x=\"%1\" y=\"%2\" font-family=\"%3\" font-size=\"%4\" fill=\"%5\" text-anchor=\"%6\"%7>%8</text>")
        .arg(n(x), n(y), QLatin1String(kFont), n(size), fill, anchor, extra, SvgChart::escape(text));
}

// Text with a white outline underneath so that it stays legible over lines.
QString haloText(double x, double y, const QString &text, const QString &anchor, const QString &fill, double size)
{
    return textElement(x, y, text, anchor, QStringLiteral("#ffffff"), size,
                       QStringLiteral(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\"")) +
           textElement(x, y, text, anchor, fill, size);
}

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

QString SvgChart::escape(const QString &text)
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

QString SvgChart::toSvg(bool withNamespace) const
{
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

    QString out;
    out.reserve(4096 + int(m_series.size()) * 8192);
    out += QStringLiteral("<svg%1 viewBox=\"0 0 %2 %3\" width=\"%2\" height=\"%3\" role=\"img\">")
               .arg(withNamespace
                        ? QStringLiteral(" xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" baseProfile=\"tiny\"")
                        : QString(),
                    n(m_width), n(m_height));
    if (!m_description.isEmpty())
        out += QStringLiteral("<title>") + escape(m_description) + QStringLiteral("</title>");
    out += QStringLiteral("<rect x=\"0\" y=\"0\" width=\"%1\" height=\"%2\" fill=\"#ffffff\"/>")
               .arg(n(m_width), n(m_height));

    // Grid and y ticks.
    const Formatter yFmt = m_yFormat ? m_yFormat : [](double v) { return QString::number(v); };
    const Formatter xFmt = m_xFormat ? m_xFormat : [](double v) { return QString::number(v); };
    const std::vector<double> yTicks = m_log ? logTicks(yr.min, yr.max) : linearTicks(yr.min, yr.max);
    for (double v : yTicks) {
        const double y = py(v);
        out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"%4\" stroke-width=\"1\"/>")
                   .arg(n(L), n(y), n(R), QLatin1String(kGrid));
        out += textElement(L - 6, y + 4, yFmt(v), QStringLiteral("end"), QLatin1String(kInk), kFontSize - 1);
    }
    const std::vector<double> xTicks = m_timeAxis ? timeTicks(xr.min, xr.max) : linearTicks(xr.min, xr.max, 6);
    double lastLabelEnd = -1e9;
    for (double v : xTicks) {
        const double x = px(v);
        out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\" stroke=\"%4\" stroke-width=\"1\"/>")
                   .arg(n(x), n(T), n(B), QLatin1String(kGrid));
        const QString label = xFmt(v);
        const double half = label.size() * kCharWidth / 2;
        if (x - half > lastLabelEnd + 4) {
            out += textElement(x, B + 15, label, QStringLiteral("middle"), QLatin1String(kInk), kFontSize - 1);
            lastLabelEnd = x + half;
        }
    }
    out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"%4\" stroke-width=\"1\"/>")
               .arg(n(L), n(B), n(R), QLatin1String(kAxis));
    out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\" stroke=\"%4\" stroke-width=\"1\"/>")
               .arg(n(L), n(T), n(B), QLatin1String(kAxis));
    if (!m_xLabel.isEmpty())
        out += textElement((L + R) / 2, m_height - 6, m_xLabel, QStringLiteral("middle"), QLatin1String(kInk));
    if (!m_yLabel.isEmpty())
        out += QStringLiteral("<g transform=\"translate(14 %1) rotate(-90)\">").arg(n((T + B) / 2)) +
               textElement(0, 0, m_yLabel, QStringLiteral("middle"), QLatin1String(kInk)) + QStringLiteral("</g>");

    // Vertical rules (stage boundaries, knee) under the data. Labels take the first of two rows where they
    // do not collide with an earlier label, else they are left out.
    double rowEnd[2] = {-1e9, -1e9};
    for (const Rule &r : m_vRules) {
        if (r.value < xr.min || r.value > xr.max)
            continue;
        const double x = px(r.value);
        out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\" stroke=\"%4\" stroke-width=\"%5\"%6/>")
                   .arg(n(x), n(T), n(B), r.color, r.strong ? QStringLiteral("1.4") : QStringLiteral("0.8"),
                        r.dashed ? QStringLiteral(" stroke-dasharray=\"4 3\"") : QString());
        if (r.label.isEmpty())
            continue;
        const double w = r.label.size() * (kCharWidth - 0.6);
        const bool flip = x + 3 + w > R; // near the right edge: label to the left of the line
        const double start = flip ? x - 3 - w : x + 3;
        for (int row = 0; row < 2; ++row) {
            if (start <= rowEnd[row] + 3)
                continue;
            out += haloText(flip ? x - 3 : x + 3, T + 11 + row * 13, r.label,
                            flip ? QStringLiteral("end") : QStringLiteral("start"),
                            r.strong ? r.color : QLatin1String(kInk), kFontSize - 1.5);
            rowEnd[row] = start + w;
            break;
        }
    }

    // Series: areas first so that lines stay on top.
    auto drawSeries = [&](const Series &s) {
        const QString dash = s.dashed ? QStringLiteral(" stroke-dasharray=\"6 4\"") : QString();
        if (s.style == Style::Area) {
            QString pts;
            for (const Point &p : s.points)
                pts += n(px(p.x)) + QLatin1Char(',') + n(py(std::isfinite(p.y) ? p.y : 0)) + QLatin1Char(' ');
            if (s.base.size() == s.points.size()) {
                for (auto it = s.base.rbegin(); it != s.base.rend(); ++it)
                    pts += n(px(it->x)) + QLatin1Char(',') + n(py(std::isfinite(it->y) ? it->y : 0)) + QLatin1Char(' ');
            } else if (!s.points.empty()) {
                pts += n(px(s.points.back().x)) + QLatin1Char(',') + n(B) + QLatin1Char(' ') +
                       n(px(s.points.front().x)) + QLatin1Char(',') + n(B);
            }
            out += QStringLiteral(
                       "<polygon points=\"%1\" fill=\"%2\" fill-opacity=\"0.35\" stroke=\"%2\" stroke-width=\"0.8\"/>")
                       .arg(pts.trimmed(), s.color);
            return;
        }
        if (s.style == Style::Dots) {
            for (const Point &p : s.points)
                if (std::isfinite(p.y))
                    out +=
                        QStringLiteral(
                            "<circle cx=\"%1\" cy=\"%2\" r=\"4\" fill=\"%3\" stroke=\"#ffffff\" stroke-width=\"1\"/>")
                            .arg(n(px(p.x)), n(py(p.y)), s.color);
            return;
        }
        QString pts;
        int count = 0;
        double prevY = NAN;
        auto flush = [&]() {
            if (count >= 2)
                out += QStringLiteral("<polyline points=\"%1\" fill=\"none\" stroke=\"%2\" stroke-width=\"%3\" "
                                      "stroke-linejoin=\"round\" stroke-linecap=\"round\"%4/>")
                           .arg(pts.trimmed(), s.color, n(s.width), dash);
            else if (count == 1)
                out += QStringLiteral("<circle cx=\"%1\" cy=\"%2\" r=\"1.8\" fill=\"%3\"/>")
                           .arg(pts.section(QLatin1Char(','), 0, 0), pts.section(QLatin1Char(','), 1, 1).trimmed(),
                                s.color);
            pts.clear();
            count = 0;
        };
        double prevX = NAN;
        for (const Point &p : s.points) {
            if (!std::isfinite(p.y)) {
                flush();
                prevY = NAN;
                continue;
            }
            if (s.style == Style::Step && std::isfinite(prevY) && std::isfinite(prevX) && p.y != prevY) {
                pts += n(px(prevX)) + QLatin1Char(',') + n(py(p.y)) + QLatin1Char(' ');
                ++count;
            }
            pts += n(px(p.x)) + QLatin1Char(',') + n(py(p.y)) + QLatin1Char(' ');
            ++count;
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
        out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"%4\" stroke-width=\"%5\"%6/>")
                   .arg(n(L), n(y), n(R), r.color, r.strong ? QStringLiteral("1.4") : QStringLiteral("1"),
                        r.dashed ? QStringLiteral(" stroke-dasharray=\"7 4\"") : QString());
        if (!r.label.isEmpty())
            out += haloText(R - 4, y - 4, r.label, QStringLiteral("end"), r.color, kFontSize - 1);
    }

    // Legend.
    for (const LegendItem &item : legend) {
        const Series &s = *item.series;
        if (s.style == Style::Area)
            out += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"16\" height=\"9\" fill=\"%3\" fill-opacity=\"0.35\" "
                                  "stroke=\"%3\" stroke-width=\"0.8\"/>")
                       .arg(n(item.x), n(item.y - 8), s.color);
        else if (s.style == Style::Dots)
            out += QStringLiteral("<circle cx=\"%1\" cy=\"%2\" r=\"4\" fill=\"%3\"/>")
                       .arg(n(item.x + 8), n(item.y - 4), s.color);
        else
            out +=
                QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\" stroke=\"%4\" stroke-width=\"2.2\"%5/>")
                    .arg(n(item.x), n(item.y - 4), n(item.x + 16), s.color,
                         s.dashed ? QStringLiteral(" stroke-dasharray=\"5 3\"") : QString());
        out += textElement(item.x + 22, item.y, s.name, QStringLiteral("start"), QLatin1String(kInk));
    }
    out += QStringLiteral("</svg>");
    return out;
}

} // namespace Preflight
