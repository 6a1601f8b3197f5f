#pragma once

#include "data/rundata.h"
#include "store/runstore.h"

#include <QString>

#include <optional>

class QCommandLineParser;

namespace Preflight::Cli {

// Opens the run store for a command that only reads it (`runs`, `report`, `export`): as a writer when the
// file allows it (so that runs cut off by a writer that died are marked interrupted), else read-only, so that
// a store on a read-only file, directory or mount can still be listed and reported (docs/cli.md).
// Never creates the file.
StoreError openStoreForReading(RunStore &store, const QString &path);

// A run id as the commands take it: a positive number; nullopt for anything else.
std::optional<qint64> parseRunId(const QString &text);

// The store a reading command was pointed at: `--store FILE`, else the user's default store, and how an error
// message names it ("--store" or "the default run store", for OutputPaths).
struct StoreLocation
{
    QString path;
    QString label;
};
StoreLocation storeLocation(const QCommandLineParser &parser);

// Opens `path` for reading (openStoreForReading) and loads run `id`; on failure, nullopt and *error says why.
std::optional<RunData> loadStoredRun(RunStore &store, const QString &path, qint64 id, QString *error);

} // namespace Preflight::Cli
