#pragma once

#include "data/rundata.h"

// A stored run for the run store's tests: a three-endpoint sweep plan with canary secrets in its headers, login
// and conninfo (${env:PREFLIGHT_CANARY} = CANARYENV789, password CANARY123), `intervals` ticks of seeded random
// traffic (latency histograms, statuses, transport errors), DB and pool samples, queries, plans, error samples,
// findings, gates and a verdict. Deterministic.
namespace Preflight::StoreFixture {

RunData makeRun(int intervals = 60);

} // namespace Preflight::StoreFixture
