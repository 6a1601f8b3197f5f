#pragma once

#include <QString>

#include <cstdint>

namespace Preflight::Format {

// The one place numbers become text in the GUI (tables, status line, cards). Locale-independent so that
// screenshots and tests read the same everywhere. Values that are unknown (negative, NaN) become "–".

// 0.42 ms, 4.20 ms, 42.0 ms, 420 ms, 4.20 s, 42.0 s
QString milliseconds(double ms);
// 0.5/s, 42.0/s, 420/s, 4200/s
QString perSecond(double value);
// A ratio 0..1 as a percentage: 0%, 0.05%, 4.20%, 42.0%, 100%
QString percent(double ratio);
// 12345 (no group separators: columns stay narrow and copy/paste as numbers)
QString count(uint64_t n);
// Run clock: 0:07, 1:02, 1:02:03
QString clock(double seconds);
// A measured amount that may be fractional (calls per request, rows per call, planner row estimates): whole
// numbers as such (1, 20, 250000), others with three significant digits (0.05, 3.05, 61.5, 1234)
QString amount(double value);
// A plan node's cost as EXPLAIN prints it, startup..total with two decimals: 0.00..4500.00
QString planCost(double startup, double total);

} // namespace Preflight::Format
