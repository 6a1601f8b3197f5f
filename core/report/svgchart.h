#pragma once

#include <QString>

#include <functional>
#include <vector>

namespace Preflight {

// A small line/area chart written as SVG text (no QtGui): what the report embeds inline in HTML and paints
// into the PDF through QSvgRenderer, so charts stay vector in both. Only SVG Tiny 1.2 features are used
// (polyline, polygon, line, rect, circle, text; presentation attributes, no CSS, no clip paths) because that
// is what QSvgRenderer draws. Values outside the axis range are clamped to it. A value, cheap to copy.
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

    // withNamespace: add xmlns (standalone files and QSvgRenderer); inline SVG in HTML5 needs none.
    QString toSvg(bool withNamespace = false) const;

    // Tick positions for an axis (exposed for tests): "nice" 1-2-5 steps, time steps (s, min, h), or decades.
    static std::vector<double> linearTicks(double min, double max, int target = 5);
    static std::vector<double> timeTicks(double min, double max, int target = 6);
    static std::vector<double> logTicks(double min, double max);
    static QString escape(const QString &text);

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
