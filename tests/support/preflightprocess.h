#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>

class QProcess;

namespace PreflightTest {

// The `preflight` executable run as a user runs it, for the CLI tests.
struct CliResult
{
    int exitCode = -1; // -1: crashed (a signal), -2: did not finish in time
    QString out;
    QString err;
    bool crashed() const { return exitCode == -1; }
};

struct CliOptions
{
    int timeout_ms = 60000;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Called once the process has started; may send it signals or wait for something.
    std::function<void(QProcess &)> whileRunning;
    // Run the process as this uid/gid (only when the test runs as root): a root process ignores file
    // permissions, so tests of read-only files run preflight as an unprivileged user. -1: unchanged.
    int uid = -1;
    int gid = -1;
};

// Runs `program` with `args`. Tests use runPreflight() below, which names the build's preflight.
CliResult runProgram(const QString &program, const QStringList &args, const CliOptions &options = {});

#ifdef PREFLIGHT_BIN
inline CliResult runPreflight(const QStringList &args, const CliOptions &options = {})
{
    return runProgram(QStringLiteral(PREFLIGHT_BIN), args, options);
}
#endif

// The unprivileged uid/gid tests may use when running as root ("nobody"), or -1 when not root.
int unprivilegedUid();
int unprivilegedGid();

} // namespace PreflightTest
