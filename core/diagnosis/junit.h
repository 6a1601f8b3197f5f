#pragma once

#include "diagnoser.h"

#include "data/rundata.h"

#include <QByteArray>

namespace Preflight {

// JUnit XML for CI: suite "preflight.gates" with one testcase per gate check (failure when measured and
// failed, skipped when unmeasured) and suite "preflight.findings" with one testcase per finding of
// severity high or critical (always a failure: the finding is the defect). UTF-8, never a secret
// (RunInfo::target carries no credentials).
QByteArray toJUnit(const Diagnosis &diagnosis, const RunInfo &info);

} // namespace Preflight
