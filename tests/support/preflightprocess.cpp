#include "preflightprocess.h"

#include <QProcess>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace PreflightTest {

CliResult runProgram(const QString &program, const QStringList &args, const CliOptions &options)
{
    QProcess p;
    p.setProcessEnvironment(options.environment);
    if (options.uid >= 0 || options.gid >= 0) {
        const int uid = options.uid, gid = options.gid;
        p.setChildProcessModifier([uid, gid] {
            ::setgroups(0, nullptr);
            if (gid >= 0 && ::setgid(gid_t(gid)) != 0)
                ::_exit(126);
            if (uid >= 0 && ::setuid(uid_t(uid)) != 0)
                ::_exit(126);
        });
    }
    p.start(program, args);
    if (!p.waitForStarted())
        return {-3, {}, QStringLiteral("cannot start preflight: ") + p.errorString()};
    if (options.whileRunning)
        options.whileRunning(p);
    if (!p.waitForFinished(options.timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return {-2, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("TIMED OUT: ") + QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

int unprivilegedUid()
{
    if (::geteuid() != 0)
        return -1;
    const passwd *pw = ::getpwnam("nobody");
    return pw ? int(pw->pw_uid) : 65534;
}

int unprivilegedGid()
{
    if (::geteuid() != 0)
        return -1;
    const passwd *pw = ::getpwnam("nobody");
    return pw ? int(pw->pw_gid) : 65534;
}

} // namespace PreflightTest
