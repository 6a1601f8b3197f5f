#pragma once

#include "rundata.h"

#include <QMetaType>

#include <memory>

namespace Preflight {

// A run shared between threads and views, read-only once handed over: RunController::runFinished, the GUI's
// run history and views, one-shot workers that diagnose or export a stored run.
using RunDataPtr = std::shared_ptr<const RunData>;

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::RunDataPtr)
