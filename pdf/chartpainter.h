#pragma once

#include "report/chartdrawing.h"

class QPainter;
class QRectF;

namespace Preflight {

// Paints a report chart (a ChartDrawing from core) with QPainter: shapes as vector lines, paths and rects, text
// as real text in DejaVu Sans, so that in a PDF the labels are selectable and searchable and cost a few bytes
// each. The view box is scaled to target. Text goes on top of every shape, haloed labels on a white box.
// Needs a QGuiApplication (fonts); call from the thread that owns the painter.
class ChartPainter
{
public:
    static void paint(QPainter &painter, const ChartDrawing &drawing, const QRectF &target);
};

} // namespace Preflight
