// preflight-demo-target: the built-in demo backend. See docs/demo.md.
//
// Start-up contract (read by core/demo/DemoLauncher): after the database is seeded and the socket is
// listening, stdout gets exactly two lines, flushed:
//   DATABASE sqlite:/tmp/preflight-demo-XXXXXX.sqlite     (or "DATABASE postgresql")
//   LISTENING http://127.0.0.1:PORT
// Errors go to stderr with exit code 2 (usage) or 3 (database/socket). SIGTERM/SIGINT exit cleanly (0),
// and so does the death of the parent (PR_SET_PDEATHSIG, and --parent-pid polled every 250 ms).

#include "connectionpool.h"
#include "demoapi.h"
#include "democonfig.h"
#include "httpserver.h"
#include "seeder.h"
#include "sqllog.h"

#include <QDir>
#include <QFile>
#include <QStringList>
#include <QTemporaryFile>

#include <csignal>
#include <cstdio>
#include <memory>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace Demo;

namespace {

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "preflight-demo-target: %s\n", message.toLocal8Bit().constData());
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    // Die with the launcher even if it is SIGKILLed. Set first so there is no window without it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);

    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    DemoConfig config;
    QString error;
    bool help = false;
    if (!config.parse(args, &error, &help))
        return fail(2, error + QStringLiteral("\n") + DemoConfig::usage());
    if (help) {
        std::fputs(DemoConfig::usage().toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (config.parent_pid > 0 && ::getppid() != config.parent_pid && ::kill(config.parent_pid, 0) != 0)
        return fail(3, QStringLiteral("parent process %1 is already gone").arg(config.parent_pid));

    // Signals are taken through a signalfd in the event loop: block them before any thread exists so every
    // thread inherits the mask.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    const int stopFd = ::signalfd(-1, &stopSignals, SFD_NONBLOCK | SFD_CLOEXEC);
    std::signal(SIGPIPE, SIG_IGN);

    // 200+ keep-alive clients plus pool connections can pass the default soft limit of 1024 descriptors.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    const Flaws &flaws = config.flaws;
    DbTarget target;
    std::unique_ptr<QTemporaryFile> tempDb;
    if (!config.db.isEmpty()) {
        target.kind = DbTarget::Kind::Postgres;
        target.pg_conninfo = config.db;
    } else {
        target.kind = DbTarget::Kind::Sqlite;
        if (config.sqlite_path.isEmpty()) {
            tempDb =
                std::make_unique<QTemporaryFile>(QDir::tempPath() + QStringLiteral("/preflight-demo-XXXXXX.sqlite"));
            if (!tempDb->open())
                return fail(3, QStringLiteral("cannot create a temporary SQLite file in %1").arg(QDir::tempPath()));
            tempDb->close();
            target.sqlite_path = tempDb->fileName();
        } else {
            target.sqlite_path = QFileInfo(config.sqlite_path).absoluteFilePath();
            QFile::remove(target.sqlite_path);
        }
    }

    {
        std::unique_ptr<DbConnection> seedConnection = DbConnection::open(target, &error);
        if (!seedConnection)
            return fail(3, error);
        Seeder seeder(*seedConnection, target.kind == DbTarget::Kind::Postgres);
        if (!seeder.run(config.customers, config.orders, config.seed, flaws.missing_index, &error))
            return fail(3, error);
    }

    SqlLog sqlLog;
    if (!config.sql_log.isEmpty() && !sqlLog.open(config.sql_log, &error))
        return fail(2, error);
    SqlLog *log = config.sql_log.isEmpty() ? nullptr : &sqlLog;

    const int threads = config.threads > 0 ? config.threads : (flaws.small_pool ? 64 : 8);
    PoolConfig poolConfig;
    if (flaws.single_connection) {
        poolConfig.mode = PoolConfig::Mode::Single;
        poolConfig.timeout_ms = -1;
    } else if (flaws.conn_per_request) {
        // No pool, so no pool ceiling to report: /health says max 0. (Reporting the handler threads as `max`
        // made in_use = max with requests queued for a thread look like an exhausted pool.)
        poolConfig.mode = PoolConfig::Mode::PerRequest;
    } else {
        poolConfig.mode = PoolConfig::Mode::Queue;
        poolConfig.size = flaws.small_pool ? 5 : 10;
        poolConfig.overflow = 10;
        poolConfig.timeout_ms = 30000;
    }
    if (config.pool_size > 0)
        poolConfig.size = config.pool_size;
    if (config.pool_overflow >= 0)
        poolConfig.overflow = config.pool_overflow;
    if (config.pool_timeout_ms > 0)
        poolConfig.timeout_ms = config.pool_timeout_ms;
    poolConfig.recycle_s = config.pool_recycle_s;

    auto pool = std::make_unique<ConnectionPool>(poolConfig, [target, log](QString *err) {
        std::unique_ptr<DbConnection> c = DbConnection::open(target, err);
        if (c)
            c->setSqlLog(log);
        return c;
    });
    DemoApi api(config, target, *pool, log);
    auto server = std::make_unique<HttpServer>([&api](const HttpRequest &r) { return api.handle(r); }, threads);
    api.setServer(server.get());
    server->setInlinePaths({QByteArrayLiteral("/health"), QByteArrayLiteral("/metrics")});
    if (!server->listen(config.port, &error))
        return fail(3, error);
    server->setStopFd(stopFd);
    server->setParentPid(config.parent_pid);

    const QByteArray database = target.kind == DbTarget::Kind::Sqlite
                                    ? "sqlite:" + QFile::encodeName(target.sqlite_path)
                                    : QByteArray("postgresql");
    std::printf("DATABASE %s\nLISTENING http://127.0.0.1:%u\n", database.constData(), unsigned(server->port()));
    std::fflush(stdout);
    std::fprintf(stderr, "preflight-demo-target: flaws %s, %d handler threads, pool %s\n",
                 flaws.enabled().join(QLatin1Char(',')).toLocal8Bit().constData(), threads,
                 pool->stats().mode.toLocal8Bit().constData());

    server->run();

    // Handler threads are joined; close every connection before the SQLite file (and its -wal/-shm) goes.
    server.reset();
    pool.reset();
    if (tempDb) {
        QFile::remove(target.sqlite_path + QStringLiteral("-wal"));
        QFile::remove(target.sqlite_path + QStringLiteral("-shm"));
    }
    ::close(stopFd);
    return 0;
}
