#pragma once

#include <QString>

#include <cstdint>

namespace Preflight::ReportFormat {

// The one place that turns numbers into report text (HTML, PDF and the executive summary all use it), so the
// same value always reads the same. Pure; "–" (en dash) stands for "not measured" wherever a value is < 0
// or not finite.

QString number(double value, int decimals = 0); // 1234.5 -> "1,234.5" (grouped, C locale)
QString count(uint64_t value);                  // 61234 -> "61,234"
QString ms(double value_ms);                // 0.43 -> "0.43 ms", 4.3 -> "4.3 ms", 120 -> "120 ms", 31200 -> "31.2 s"
QString percent(double ratio);              // 0.587 -> "58.7%", 0.00012 -> "0.012%", 1 -> "100%"
QString rps(double value);                  // 48.2 -> "48.2 req/s", 1234 -> "1,234 req/s"
QString seconds(double value_s);            // 5 -> "5 s", 90 -> "1 min 30 s", 3600 -> "1 h"
QString clock(double value_s);              // run clock for axes: 75 -> "1:15", 3600 -> "1:00:00"
QString load(double value, bool openModel); // "1 user", "20 users", "50 req/s"
// A gate value or threshold in its unit ("ms", "ratio", "req/s", "queries", "").
QString gateValue(double value, const QString &unit);
QString dash(); // "–"

} // namespace Preflight::ReportFormat
