#include "outputpaths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <sys/stat.h>

namespace Preflight::Cli {

namespace {

// What a path points at: the inode when it exists (so hard links, symbolic links and "./x" vs "x" compare
// equal), else the absolute path with its directory resolved.
struct Identity
{
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    mode_t mode = 0;
    QString normal;
};

Identity identify(const QString &path)
{
    Identity id;
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) == 0) {
        id.exists = true;
        id.device = st.st_dev;
        id.inode = st.st_ino;
        id.mode = st.st_mode;
    }
    const QFileInfo info(path);
    const QString dir = QFileInfo(info.absolutePath()).canonicalFilePath();
    id.normal = dir.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : dir + QLatin1Char('/') + info.fileName();
    return id;
}

bool sameFile(const Identity &a, const Identity &b)
{
    if (a.exists && b.exists)
        return a.device == b.device && a.inode == b.inode;
    return a.normal == b.normal;
}

QString kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a directory");
    if (S_ISCHR(mode))
        return QStringLiteral("a character device");
    if (S_ISBLK(mode))
        return QStringLiteral("a block device");
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    return QStringLiteral("not a regular file");
}

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

} // namespace

void OutputPaths::addInput(const QString &role, const QString &path)
{
    if (!path.isEmpty())
        m_entries.push_back({Entry::Kind::Input, role, path});
}

void OutputPaths::addStore(const QString &role, const QString &path)
{
    if (!path.isEmpty())
        m_entries.push_back({Entry::Kind::Store, role, path});
}

void OutputPaths::addOutput(const QString &flag, const QString &path)
{
    if (!path.isEmpty())
        m_entries.push_back({Entry::Kind::Output, flag, path});
}

QString OutputPaths::checkOne(const QString &flag, const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("%1 needs a file name").arg(flag);
    const Identity id = identify(path);
    if (id.exists && !S_ISREG(id.mode))
        return QStringLiteral("%1 %2 exists and is %3, not a regular file; Preflight only writes regular files: "
                              "choose a file path for %1")
            .arg(flag, shown(path), kindOf(id.mode));
    const QFileInfo dir(QFileInfo(path).absolutePath());
    if (!dir.exists() || !dir.isDir())
        return QStringLiteral(
                   "cannot write %2 (%1): the directory %3 does not exist; create it or choose another path for %1")
            .arg(flag, shown(path), shown(QFileInfo(path).absolutePath()));
    return {};
}

QString OutputPaths::check() const
{
    std::vector<Identity> ids;
    ids.reserve(m_entries.size());
    for (const Entry &e : m_entries)
        ids.push_back(identify(e.path));
    for (size_t i = 0; i < m_entries.size(); ++i) {
        const Entry &out = m_entries[i];
        if (out.kind != Entry::Kind::Output)
            continue;
        if (const QString problem = checkOne(out.role, out.path); !problem.isEmpty())
            return problem;
        for (size_t j = 0; j < m_entries.size(); ++j) {
            if (j == i)
                continue;
            const Entry &other = m_entries[j];
            bool same = sameFile(ids[i], ids[j]);
            if (!same && other.kind == Entry::Kind::Store) {
                // SQLite's companion files belong to the store as much as the file itself.
                for (const char *suffix : {"-wal", "-shm", "-journal"})
                    same = same || sameFile(ids[i], identify(other.path + QLatin1String(suffix)));
            }
            if (!same)
                continue;
            switch (other.kind) {
            case Entry::Kind::Input:
                return QStringLiteral("%1 %2 is %3, which this command reads; writing it would destroy it: choose "
                                      "another file for %1")
                    .arg(out.role, shown(out.path), other.role);
            case Entry::Kind::Store:
                return QStringLiteral("%1 %2 is the run store (%3); writing it would destroy every stored run: choose "
                                      "another file for %1")
                    .arg(out.role, shown(out.path), other.role);
            case Entry::Kind::Output:
                if (j < i)
                    return QStringLiteral("%1 and %2 name the same file %3; give each output its own file")
                        .arg(other.role, out.role, shown(out.path));
                break;
            }
        }
    }
    return {};
}

bool OutputPaths::write(const QString &path, const QByteArray &bytes, QString *error)
{
    if (const QString problem = checkOne(QStringLiteral("output"), path); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    QSaveFile file(path);
    // Never fall back to writing the target in place: a half-written file must not replace a whole one.
    file.setDirectWriteFallback(false);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(shown(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace Preflight::Cli
