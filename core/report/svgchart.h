#pragma once

#include "chartdrawing.h"

#include <QString>

#include <functional>
#include <vector>

namespace Preflight {

// A small line/area chart of the report (no QtGui): series, rules and axes in, a laid-out ChartDrawing out
// (ticks, labels, legend, everything placed), which the HTML writes as inline SVG and the PDF paints with
// QPainter, so charts stay vector in both and are laid out once. Values outside the axis range are clamped to
// it. A value, cheap to copy.
class SvgChart
{
public:
    struct Point
    {
        double x = 0;
        double y = 0; // NaN: a gap (the line is broken there)
    };
    enum class Style { Line, Step, Area, Dots };
    struct Series
    {
        QString name;  // legend text; empty: not in the legend
        QString color; // "#rrggbb"
        std::vector<Point> points;
        std::vector<Point> base; // Area: the lower edge (same x as points); empty: the axis
        Style style = Style::Line;
        bool dashed = false;
        double width = 1.6;
    };
    // A horizontal (gate) or vertical (stage, knee) line across the plot with a short label.
    struct Rule
    {
        double value = 0;
        QString label;
        QString color = QStringLiteral("#6b7280");
        bool dashed = true;
        bool strong = false; // thicker (gates), thin otherwise (stage boundaries)
    };
    using Formatter = std::function<QString(double)>;

    explicit SvgChart(double width = 720, double height = 270);

    void setDescription(const QString &text) { m_description = text; } // <title>, for screen readers
    void setXAxis(const QString &label, Formatter format, bool timeAxis = false);
    void setYAxis(const QString &label, Formatter format, bool logScale = false);
    // Fixed ranges; otherwise the data (and the rules) decide.
    void setXRange(double min, double max);
    void setYRange(double min, double max);
    void setRulesInRange(bool include) { m_rulesInRange = include; }

    void addSeries(const Series &series) { m_series.push_back(series); }
    void addHorizontalRule(const Rule &rule) { m_hRules.push_back(rule); }
    void addVerticalRule(const Rule &rule) { m_vRules.push_back(rule); }
    bool isEmpty() const;

    double width() const { return m_width; }
    double height() const { return m_height; }

    // The chart laid out in a view box of width() x height() user units.
    ChartDrawing drawing() const;
    // drawing().toSvg(withNamespace).
    QString toSvg(bool withNamespace = false) const;

    // Tick positions for an axis (exposed for tests): "nice" 1-2-5 steps, time steps (s, min, h), or decades.
    static std::vector<double> linearTicks(double min, double max, int target = 5);
    static std::vector<double> timeTicks(double min, double max, int target = 6);
    static std::vector<double> logTicks(double min, double max);

private:
    struct Range
    {
        double min = 0;
        double max = 1;
    };
    Range xRange() const;
    Range yRange() const;

    double m_width;
    double m_height;
    QString m_description;
    QString m_xLabel, m_yLabel;
    Formatter m_xFormat, m_yFormat;
    bool m_timeAxis = false;
    bool m_log = false;
    bool m_fixedX = false, m_fixedY = false;
    Range m_x, m_y;
    bool m_rulesInRange = true;
    std::vector<Series> m_series;
    std::vector<Rule> m_hRules, m_vRules;
};

} // namespace Preflight
