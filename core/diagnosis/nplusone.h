#pragma once

#include "data/finding.h"
#include "data/querystat.h"

#include <QString>

#include <vector>

// Which statements an n-plus-one finding is about, read back from the finding itself, so that every view that
// marks N+1 statements (the GUI's query inspector) agrees with the diagnosis instead of re-deriving it.
namespace Preflight::NPlusOne {

enum class Role { None, Parent, Child };

// How the n-plus-one rule quotes a statement in its evidence notes: one line (QString::simplified), at most
// 120 characters, the last one "…" when cut.
QString quote(const QString &text);

// The statement's part in the run's n-plus-one findings, read from the findings' references (FindingRefs::
// statements, matched by fingerprint, or by text when either has none): Parent for "parent", Child for "child"
// and "grandchild", None otherwise (also before diagnosis). A profiled statement matches only the finding of its
// own endpoint (FindingRefs::endpoint == QueryStat::endpoint); a whole-run statement matches a finding of any
// endpoint. *finding, when given, is
// set to the matching finding (nullptr for None). Pure.
Role role(const QueryStat &query, const std::vector<Finding> &findings, const Finding **finding = nullptr);

} // namespace Preflight::NPlusOne
