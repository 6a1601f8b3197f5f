#pragma once

#include "storeerror.h"

#include "data/rundata.h"

#include <QString>

namespace Preflight {

// Writes a stored run out for other tools (`preflight export`). Pure file output; thread: any.
class RunExporter
{
public:
    // DIR/intervals.csv (one row per interval per endpoint: counts, error classes, status counts, corrected and
    // uncorrected percentiles, base64 histograms), DIR/db_samples.csv, DIR/pool_samples.csv, DIR/stages.csv.
    // Creates DIR. Returns the written file paths in *written.
    static StoreError writeCsv(const RunData &run, const QString &dir, QStringList *written = nullptr);
    // The raw run as JSON, schema preflight.run/1 (RunJson::run), indented.
    static StoreError writeJson(const RunData &run, const QString &file);

    static QString csvField(const QString &text); // quoted when it holds a comma, quote or newline
};

} // namespace Preflight
