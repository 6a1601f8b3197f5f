#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace Preflight::Cli {

// The files a CLI command reads and writes, checked before anything is written (docs/cli.md):
//  - an output may not be one of the inputs (the plan, a gates file, an imported document), the run store
//    (or its -wal/-shm/-journal files) or another output: the same file is recognised through symbolic links,
//    hard links and relative paths;
//  - an output that exists must be a regular file: a device node, a FIFO, a socket or a directory is refused,
//    never replaced by a regular file;
//  - the directory an output goes to must exist.
// write() puts the bytes in a temporary file beside the target and renames it into place (QSaveFile), so a
// failed or interrupted write leaves the previous file whole.
//
// Messages name the flag, the file and the fix: `--json runs.sqlite is the run store (--store); choose another
// file for --json`. Pure checks on the file system at call time; not thread-safe (one command, one thread).
class OutputPaths
{
public:
    // `role` names the input as the user gave it: "the plan", "--gates", "the imported file".
    void addInput(const QString &role, const QString &path);
    // The run store; `role` is how it was given ("--store", "the default run store").
    void addStore(const QString &role, const QString &path);
    // An output; `flag` is the option that named it ("--json", "-o").
    void addOutput(const QString &flag, const QString &path);

    // The first problem, or an empty string when every output may be written.
    QString check() const;

    // Writes through a temporary file beside `path` and renames it into place. On failure *error says why.
    static bool write(const QString &path, const QByteArray &bytes, QString *error);
    // Why `path` may not be written as an output (exists and is not a regular file, or its directory is
    // missing), or an empty string. `flag` starts the message.
    static QString checkOne(const QString &flag, const QString &path);

private:
    struct Entry
    {
        enum class Kind { Input, Store, Output } kind;
        QString role;
        QString path;
    };
    std::vector<Entry> m_entries;
};

} // namespace Preflight::Cli
