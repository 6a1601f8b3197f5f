#pragma once

#include "data/rundata.h"

// Store formats 4 and 5 / preflight.run/1 additive keys (docs/store.md): fills every field added in format 4 with
// distinct, non-default values, so that a round trip that drops or swaps one shows in a comparison.
namespace Preflight::Format4Fields {

// Every db sample gets active_running, idle-in-transaction ages, by_user, excluded and other_databases; every
// third one lock waits (with texts that need JSON escaping); every interval generator health; every finding refs
// (the first with statements, relation and columns); the run a verdict reason and diagnosis notes.
void fill(RunData &run);

} // namespace Preflight::Format4Fields
