#pragma once

#include <QString>

namespace Preflight::ErrorHints {

// What a user can do about a run failure, from RunController::runFailed's message and exit code
// (DESIGN.md §5 codes). Empty when the message already names its fix.
QString suggestedFix(const QString &message, int exitCode);

} // namespace Preflight::ErrorHints
