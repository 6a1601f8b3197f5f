#pragma once

#include "plan/plan.h"

#include <QString>

namespace Preflight {

// The ready-made plan `preflight demo` runs against preflight-demo-target (docs/demo.md): the customer
// profile (N+1 when that flaw is on), search, create, customer, orders (missing-index), appointments and the
// revenue report (slow-endpoint), weighted like a small admin app; /health as health and pool source
// (json pointers /pool/in_use, /pool/idle, /pool/max, /pool/waiting); a short sweep 1,2,5,10,20,50 users at
// 5 s per level. `baseUrl` is what DemoLauncher::baseUrl() returns; `dbConninfo` is "sqlite:PATH" or a
// libpq conninfo (empty: no database section). Gates stay at the implicit `launch` preset.
// The result passes PlanParser::validate().
// `sqlLog` (optional, DemoLauncher::sqlLogPath()) becomes database.log: the profiling pass reads statements
// per request from it when the database has no pg_stat_statements (SQLite).
Plan demoPlan(const QString &baseUrl, const QString &dbConninfo, const QString &sqlLog = {});

} // namespace Preflight
