#pragma once

#include "runbatch.h"
#include "runlistentry.h"
#include "runoutcome.h"
#include "sqlitedatabase.h"
#include "storeerror.h"

#include "data/rundata.h"

#include <optional>
#include <vector>

namespace Preflight {

struct RunSummary;

// The run store: one SQLite file holding every run (docs/store.md has the schema and the crash-safety
// design). Opened with WAL, synchronous=NORMAL and foreign keys on; migrated to StoreSchema::kCurrentVersion
// on open; runs left `running` by a writer that is gone are marked `interrupted` on open.
//
// Threading: one RunStore is one connection, used by one thread at a time. Any number of RunStores (in any
// threads or processes) may open the same file; readers never block the writer (WAL). Calls block on
// disk I/O: from the GUI, call them through QtConcurrent. To record a run while it happens, use RunRecorder,
// which owns its own RunStore on its own thread.
//
// Failures come back as a StoreError (or nullopt plus *error) with a message naming the file and the fix;
// nothing throws and a corrupt or foreign file is refused, never crashed on.
class RunStore
{
public:
    struct OpenOptions
    {
        bool create = true;              // create the file (and its directory) when missing
        bool quick_check = true;         // PRAGMA quick_check before use (O(file size), ~1 s per few 100 MB)
        bool recover_interrupted = true; // mark `running` runs of dead writers `interrupted`
        // Only read (`runs`, `report`, `export`): nothing is written, so a store whose file or directory is not
        // writable opens. No journal-mode change, migration or recovery; a store in an older format is refused
        // (upgrading it needs write access once). Implies create = false.
        bool read_only = false;
    };

    // <AppDataLocation>/runs.sqlite, e.g. ~/.local/share/preflight/preflight/runs.sqlite.
    static QString defaultPath();

    RunStore();
    ~RunStore();
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;

    StoreError open(const QString &path, const OpenOptions &options);
    StoreError open(const QString &path) { return open(path, OpenOptions()); }
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_db.path(); }
    // Ids of the runs this open() marked interrupted.
    const std::vector<qint64> &recoveredRuns() const { return m_recovered; }

    // PRAGMA quick_check; Kind::Corrupt with SQLite's first complaint when it fails.
    StoreError quickCheck();
    // Marks `running` runs whose writer is gone as interrupted (done by open()); returns their ids.
    std::vector<qint64> recoverInterruptedRuns(StoreError *error = nullptr);

    // Newest first.
    std::vector<RunListEntry> listRuns(StoreError *error = nullptr);
    // The whole run; percentiles are whatever the stored histograms give (nothing pre-computed is trusted).
    // Kind::NotFound for an unknown id.
    std::optional<RunData> loadRun(qint64 id, StoreError *error = nullptr);
    StoreError renameRun(qint64 id, const QString &name);
    // Deletes a run and everything measured in it. Refused (Kind::Busy) while its writer is alive.
    StoreError deleteRun(qint64 id);
    // Writes a complete run in one transaction (imports, tests, runs recorded elsewhere). Returns its id.
    std::optional<qint64> saveRun(const RunData &run, StoreError *error = nullptr);

    // --- Writing a run in pieces; RunRecorder's writer thread uses these. ---
    // Inserts the run as `running` with its plan (secrets scrubbed) and stages. writerToken names the
    // WriterLock the caller already holds (empty: no live writer, e.g. saveRun).
    std::optional<qint64> insertRun(const RunInfo &info, const Plan &plan, const std::vector<StageInfo> &stages,
                                    const QString &writerToken, StoreError *error = nullptr);
    // Appends samples in one transaction and refreshes the heartbeat and, when given, the list summary.
    StoreError appendBatch(qint64 runId, const RunBatch &batch, const RunSummary *summary = nullptr);
    // Writes the outcome and the final status in one transaction; the summary is recomputed from the stored
    // intervals.
    StoreError finishRun(qint64 runId, const RunOutcome &outcome);

private:
    StoreError configure(const OpenOptions &options);
    StoreError writeBatch(qint64 runId, const RunBatch &batch, const QString &planJson);
    StoreError writeOutcome(qint64 runId, const RunOutcome &outcome, const QString &planJson);
    std::optional<qint64> writeRun(const RunInfo &info, const Plan &plan, const std::vector<StageInfo> &stages,
                                   const QString &writerToken, StoreError *error);
    QString storedPlanJson(qint64 runId, StoreError *error);
    // The run's endpoints as stored (run_endpoints, in plan order): what columns naming an endpoint map against.
    StoreError storedEndpoints(qint64 runId, std::vector<EndpointSpec> *endpoints);
    bool writerAlive(const QString &token);

    SqliteDatabase m_db;
    std::vector<qint64> m_recovered;
};

} // namespace Preflight
