#include "storereading.h"

#include <QCommandLineParser>

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

std::optional<qint64> parseRunId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id < 1)
        return std::nullopt;
    return id;
}

StoreLocation storeLocation(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("store")))
        return {parser.value(QStringLiteral("store")), QStringLiteral("--store")};
    return {RunStore::defaultPath(), QStringLiteral("the default run store")};
}

std::optional<RunData> loadStoredRun(RunStore &store, const QString &path, qint64 id, QString *error)
{
    if (const StoreError e = openStoreForReading(store, path)) {
        *error = e.message;
        return std::nullopt;
    }
    StoreError loadError;
    std::optional<RunData> run = store.loadRun(id, &loadError);
    if (!run)
        *error = loadError.message;
    return run;
}

} // namespace Preflight::Cli
