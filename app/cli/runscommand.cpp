#include "cli.h"
#include "commands.h"
#include "storereading.h"

#include "store/runstore.h"

#include <QDir>
#include <QTextStream>

#include <algorithm>

namespace Preflight::Cli {

namespace {
const char *kRunsUsage = "Usage: preflight runs [--store FILE]\n"
                         "\n"
                         "Lists the runs in the run store, newest first.\n"
                         "  --store FILE   the run store (default: the user's store, see `preflight runs --help`)\n";

QString elide(const QString &text, int width)
{
    return text.size() <= width ? text : text.left(width - 1) + QChar(0x2026);
}
} // namespace

int runsCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QString storePath;
    bool explicitStore = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            out << kRunsUsage << "Default store: " << QDir::toNativeSeparators(RunStore::defaultPath()) << '\n';
            return ExitReady;
        }
        if (a == QLatin1String("--store") && i + 1 < args.size()) {
            storePath = args[++i];
            explicitStore = true;
        } else if (a.startsWith(QLatin1String("--store="))) {
            storePath = a.mid(8);
            explicitStore = true;
        } else {
            err << "preflight runs: unexpected argument \"" << a << "\"; usage: preflight runs [--store FILE]\n";
            return ExitUsage;
        }
    }
    if (!explicitStore)
        storePath = RunStore::defaultPath();

    RunStore store;
    const StoreError openError = openStoreForReading(store, storePath);
    if (openError.kind == StoreError::Kind::NotFound && !explicitStore) {
        out << "No runs stored yet (" << QDir::toNativeSeparators(storePath) << ").\n";
        return ExitReady;
    }
    if (openError) {
        err << "preflight runs: " << openError.message << '\n';
        return ExitUsage;
    }
    StoreError error;
    const std::vector<RunListEntry> runs = store.listRuns(&error);
    if (error) {
        err << "preflight runs: " << error.message << '\n';
        return ExitUsage;
    }
    if (runs.empty()) {
        out << "No runs stored yet (" << QDir::toNativeSeparators(storePath) << ").\n";
        return ExitReady;
    }
    for (qint64 id : store.recoveredRuns())
        err << "note: run " << id << " was cut off (Preflight stopped while recording) and is now marked interrupted\n";

    const QStringList header{QStringLiteral("ID"),       QStringLiteral("STARTED (UTC)"), QStringLiteral("STATUS"),
                             QStringLiteral("NAME"),     QStringLiteral("TARGET"),        QStringLiteral("SCENARIO"),
                             QStringLiteral("REQUESTS"), QStringLiteral("P95 ms"),        QStringLiteral("ERRORS")};
    std::vector<QStringList> rows;
    for (const RunListEntry &r : runs) {
        rows.push_back(
            {QString::number(r.id), r.started_at.toString(QStringLiteral("yyyy-MM-dd HH:mm")), runStatusId(r.status),
             elide(r.name, 32), elide(r.target, 40), r.scenario, QString::number(r.requests),
             r.requests ? QString::number(r.p95_ms, 'f', 1) : QStringLiteral("-"),
             r.requests ? QString::number(r.errorRate() * 100, 'f', 2) + QLatin1Char('%') : QStringLiteral("-")});
    }
    std::vector<int> widths(size_t(header.size()));
    for (int c = 0; c < header.size(); ++c) {
        widths[size_t(c)] = int(header[c].size());
        for (const QStringList &row : rows)
            widths[size_t(c)] = std::max(widths[size_t(c)], int(row[c].size()));
    }
    // Numbers right-aligned, text left-aligned.
    auto line = [&](const QStringList &cells) {
        QString text;
        for (int c = 0; c < cells.size(); ++c) {
            const bool numeric = c == 0 || c >= 6;
            const int w = widths[size_t(c)];
            text += numeric ? cells[c].rightJustified(w) : cells[c].leftJustified(w);
            if (c + 1 < cells.size())
                text += QStringLiteral("  ");
        }
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        out << text << '\n';
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
    return ExitReady;
}

} // namespace Preflight::Cli
