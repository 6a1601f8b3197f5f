#pragma once

#include <QByteArray>
#include <QString>

namespace Preflight {

// A failing response body folded into its signature: HTML tags dropped, whitespace collapsed, and everything
// that varies between two occurrences of the same error — numbers, ids, uuids, timestamps, hex, IP addresses —
// replaced by "<n>"; at most kMaxNormalizedChars characters. Cheap (one pass, no regular expressions),
// thread-safe. The load's FailureSampler keeps one sample per signature; diagnosis groups errors by it.
QString normalizeBody(const QByteArray &body);
constexpr int kMaxNormalizedChars = 300;

} // namespace Preflight
