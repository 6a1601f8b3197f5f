#pragma once

#include "store/runstore.h"

namespace Preflight::Cli {

// Opens the run store for a command that only reads it (`runs`, `report`, `export`): as a writer when the
// file allows it (so that runs cut off by a writer that died are marked interrupted), else read-only, so that
// a store on a read-only file, directory or mount can still be listed and reported (docs/cli.md).
// Never creates the file.
StoreError openStoreForReading(RunStore &store, const QString &path);

} // namespace Preflight::Cli
