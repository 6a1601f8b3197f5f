#include "writerlock.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Preflight {

WriterLock::~WriterLock()
{
    release(false);
}

QString WriterLock::lockPath(const QString &storePath, const QString &token)
{
    return storePath + QStringLiteral("-run-") + token + QStringLiteral(".lock");
}

bool WriterLock::acquire(const QString &path, QString *error)
{
    release(false);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (error)
            *error = QStringLiteral("cannot create the writer lock %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (error)
            *error = QStringLiteral("the writer lock %1 is held by another process").arg(path);
        ::close(fd);
        return false;
    }
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) == 0 && ::write(fd, pid.constData(), size_t(pid.size())) < 0) {
        // The pid in the file is informative only; the flock is what counts.
    }
    m_fd = fd;
    m_path = path;
    return true;
}

bool WriterLock::tryTakeOver(const QString &path)
{
    release(false);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT; // no lock file: the writer finished or never got as far as locking
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
    }
    m_fd = fd;
    m_path = path;
    return true;
}

void WriterLock::release(bool remove)
{
    if (m_fd < 0)
        return;
    if (remove)
        ::unlink(QFile::encodeName(m_path).constData());
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
    m_fd = -1;
}

} // namespace Preflight
