#pragma once

#include "store/runstore.h"

#include <QString>

#include <type_traits>
#include <utility>

namespace Preflight {

// What one store call brings back to the GUI: its value, or why not as a sentence (empty when it worked).
template <typename T> struct StoreOutcome
{
    T value{};
    QString error;
    bool ok() const { return error.isEmpty(); }
};

namespace StoreCall {

// How a panel opens the store. Writing: the run history (its list checks the file once with quick_check).
// Reading: pickers that only read and must not create, check or recover anything (the report's baselines).
RunStore::OpenOptions writing(bool quickCheck = false);
RunStore::OpenOptions reading();

// Opens the run store at `path` on the calling thread, runs `op(store, &error)` and returns its value, or the
// message of the open error or of the error op set. For worker threads (JobTracker): a RunStore is one
// connection for the one thread that made it, so every call opens its own.
template <typename Op>
auto run(const QString &path, const RunStore::OpenOptions &options, Op op)
    -> StoreOutcome<std::invoke_result_t<Op, RunStore &, StoreError *>>
{
    StoreOutcome<std::invoke_result_t<Op, RunStore &, StoreError *>> outcome;
    RunStore store;
    if (const StoreError e = store.open(path, options)) {
        outcome.error = e.message;
        return outcome;
    }
    StoreError error;
    outcome.value = op(store, &error);
    if (error)
        outcome.error = error.message;
    return outcome;
}

} // namespace StoreCall
} // namespace Preflight
