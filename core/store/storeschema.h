#pragma once

#include "storeerror.h"

#include <functional>
#include <vector>

namespace Preflight {

class SqliteDatabase;

// One schema step. `apply` runs inside the transaction that also sets PRAGMA user_version = version.
struct StoreMigration
{
    int version = 0; // the user_version after this step (1, 2, ...)
    const char *description = "";
    std::function<StoreError(SqliteDatabase &)> apply;
};

// The run store's schema history (docs/store.md). A later issue adds a step by appending to migrations()
// and raising kCurrentVersion; it never edits a released step.
class StoreSchema
{
public:
    static constexpr int kCurrentVersion = 5;

    static const std::vector<StoreMigration> &migrations();

    // Brings db from its user_version up to targetVersion (default: current), one transaction per step, so
    // an interrupted upgrade leaves the file at the last completed version. Refuses (Kind::TooNew) a file
    // whose user_version is above the highest known step. Thread: the caller's; db must be open.
    static StoreError migrate(SqliteDatabase &db, int targetVersion = kCurrentVersion);
    // Same with an explicit list (tests exercise the mechanism with fake steps).
    static StoreError migrate(SqliteDatabase &db, const std::vector<StoreMigration> &steps, int targetVersion);
};

} // namespace Preflight
