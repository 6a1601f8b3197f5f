#pragma once

#include <QString>

#include <cstdint>

// The one place numbers become text: GUI tables and cards, the CLI, the HTML/PDF report and the diagnosis's
// wording all call these, so one value reads the same everywhere. Pure, locale-independent (C locale, no
// group separators: columns stay narrow, copy/paste as numbers, read the same on every machine).
//
// Unknown: a measurement that is negative or not finite is "not measured" and reads "–" (en dash, U+2013).
// Precision: a measured amount (milliseconds, seconds, rates, percentages, amounts) shows three significant
// digits, and whole numbers from 100 up: 0.42 ms, 4.20 ms, 42.0 ms, 420 ms, 1.23 s, 31.2 s; 0.50/s, 4.20%.
// Trailing zeros are kept there, so a column's digits line up. Where the caller chooses the decimals
// (number(), fixed()), it says so at the call.
namespace Preflight::Format {

QString unknown(); // "–"

// Durations measured in milliseconds: 0.42 ms, 4.20 ms, 42.0 ms, 420 ms, 4.20 s, 42.0 s, 420 s.
QString milliseconds(double ms);
inline QString ms(double value_ms)
{
    return milliseconds(value_ms);
}
// A rate's number without its unit (for columns whose header names it): 0.50, 42.0, 420, 12346.
QString rate(double perSecond);
QString perSecond(double value); // rate + "/s"
QString rps(double value);       // rate + " req/s"
// A ratio 0..1 as a percentage: 0%, 0.012%, 0.500%, 4.20%, 42.0%, 100%. A ratio below 1 never reads "100%":
// decimals are added until it shows the difference (0.99996 -> "99.996%").
QString percent(double ratio);
// 12345
QString count(uint64_t n);
// A measured amount that may be fractional (calls per request, rows per call, planner row estimates): whole
// numbers as such (1, 20, 250000), others with three significant digits (0.05, 3.05, 61.5, 1234).
QString amount(double value);
// A plan node's cost as EXPLAIN prints it, startup..total with two decimals: 0.00..4500.00
QString planCost(double startup, double total);
// Run clock (seconds since run start, elapsed so far): 0:07, 1:02, 1:02:03.
QString clock(double seconds);
// A duration in words: 5 s, 42 s, 1 min 30 s, 1 h.
QString seconds(double value_s);
// A load level: "1 user", "20 users", "2.5 users", "50 req/s".
QString load(double value, bool openModel);
// A gate value or threshold in its unit ("ms", "ratio", "req/s", "queries", anything else: amount()).
QString gateValue(double value, const QString &unit);

// At most `decimals` decimals, trailing zeros dropped: number(20, 1) = "20", number(2.25, 1) = "2.3".
// Not finite: "–" (negative numbers are numbers here).
QString number(double value, int decimals = 0);
// Exactly `decimals` decimals: fixed(3, 1) = "3.0". Not finite: "–".
QString fixed(double value, int decimals = 0);

// Axis values (charts in the GUI and the report): the "nice" 1, 2, 5 × 10^n numbers of Heckbert's
// "Nice numbers for graph labels". Up: the smallest at or above v (an axis maximum); Nearest: the closest
// (a tick step). v <= 0 or not finite: 1.
enum class NiceRounding { Up, Nearest };
double niceNumber(double v, NiceRounding rounding);

} // namespace Preflight::Format
