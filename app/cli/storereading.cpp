#include "storereading.h"

namespace Preflight::Cli {

StoreError openStoreForReading(RunStore &store, const QString &path)
{
    RunStore::OpenOptions options;
    options.create = false;
    StoreError error = store.open(path, options);
    if (error.kind != StoreError::Kind::ReadOnly && error.kind != StoreError::Kind::Io)
        return error;
    RunStore::OpenOptions readOnly = options;
    readOnly.read_only = true;
    readOnly.recover_interrupted = false;
    const StoreError second = store.open(path, readOnly);
    // When reading fails too, the read-only attempt says what is wrong for reading (the first error would
    // tell the user to make the file writable, which reading does not need).
    return second;
}

} // namespace Preflight::Cli
