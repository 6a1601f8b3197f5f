#pragma once

#include <QChart>
#include <QFont>
#include <QGraphicsLayout>
#include <QLegend>

namespace Preflight::ChartStyle {

// The dashboard's charts share a window of 900 px or less in height with the docks: every pixel of chrome
// (margins, legend) is taken from the plot and, once the plot is too short, Qt Charts elides the axis
// labels to "...". Keep the chrome tight and the legend text a step smaller than the axis labels.
inline void applyCompactChrome(QChart *chart)
{
    chart->setMargins(QMargins(2, 2, 2, 0));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont small = chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    chart->legend()->setFont(small);
}

} // namespace Preflight::ChartStyle
