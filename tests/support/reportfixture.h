#pragma once

#include "data/rundata.h"

#include <QString>

// Diagnosed synthetic runs for the report tests (core and ui): what a stored run of each kind looks like.
namespace Preflight::ReportFixture {

// Secrets planted in the plan; no report may contain them.
inline const char *kPasswordCanary = "CANARY-PASSWORD-7f3a91";
inline const char *kTokenCanary = "CANARY-TOKEN-91bd02";

// A 1-2-5-10-20-50 user sweep against a backend that serialises every request on one PostgreSQL connection
// (timeouts from 20 users on), plus an N+1 endpoint (1 + 3·20 = 61 queries), a flagged Seq Scan plan, sampled
// error bodies, TLS verification off, and secret canaries in the conninfo and a header. Launch gates applied.
RunData singleConnectionRun();

// The same sweep against a backend that scales: every launch gate passes.
RunData healthyRun();

// A sustained open-model run of `duration_s` seconds (250 ms ticks) over `endpoints` endpoints at `rps` each.
RunData longRun(double duration_s = 3600, int endpoints = 4, double rps = 40);

} // namespace Preflight::ReportFixture
