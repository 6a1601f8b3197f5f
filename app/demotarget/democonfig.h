#pragma once

#include "flaws.h"

#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace Demo {

// Everything the command line sets. -1 means "not given": the flaws then pick the value (e.g. small-pool sets
// pool 5 + 10 overflow and a 30 s timeout), otherwise the healthy default applies.
struct DemoConfig
{
    quint16 port = 0;
    int threads = -1;         // handler threads; default 8 (64 with small-pool so the pool can run dry)
    QString db;               // PostgreSQL conninfo; empty: SQLite
    QString sqlite_path;      // empty: a temp file removed at exit
    int pool_size = -1;       // default 10
    int pool_overflow = -1;   // default 10
    int pool_timeout_ms = -1; // default 30000
    int pool_recycle_s = 3600;
    int work_ms = -1;  // sleep while holding the connection; default 0 (small-pool: 20-50 ms)
    int slow_ms = 300; // slow-endpoint delay
    int customers = 500;
    int orders = 200000;
    quint32 seed = 42;
    QString sql_log;
    bool sql_log_marked_only = false; // log only requests carrying X-Preflight-Profile (profiling pass)
    pid_t parent_pid = 0;
    Flaws flaws;

    // Parses argv (without the program name). False and *error on a bad option; *help for --help.
    bool parse(const QStringList &args, QString *error, bool *help);
    static QString usage();
};

} // namespace Demo
