#include "democonfig.h"

namespace Demo {

QString DemoConfig::usage()
{
    return QStringLiteral(
        "usage: preflight-demo-target [options]\n"
        "  --port N              listen on 127.0.0.1:N (0, the default: a free port)\n"
        "  --threads N           request handler threads (default 8; 64 with small-pool)\n"
        "  --flaw a,b,...        single-connection, small-pool, conn-per-request, n-plus-one, missing-index,\n"
        "                        write-contention, slow-endpoint, no-health, none (default none)\n"
        "  --db CONNINFO         use this PostgreSQL database (schema is dropped, recreated and seeded)\n"
        "  --sqlite PATH         SQLite file to create (default: a temp file removed at exit)\n"
        "  --pool-size N         connection pool size (default 10; small-pool 5)\n"
        "  --pool-overflow N     extra connections beyond the pool size (default 10)\n"
        "  --pool-timeout-ms N   how long a request waits for a connection (default 30000)\n"
        "  --pool-recycle-s N    replace connections older than this (default 3600; 0: never)\n"
        "  --work-ms N           work done while holding a connection, per request (default 0)\n"
        "  --slow-ms N           delay of the slow endpoint with slow-endpoint (default 300)\n"
        "  --customers N         seed size (default 500)\n"
        "  --orders N            rows in the orders table (default 200000)\n"
        "  --seed N              seed of the data generator (default 42)\n"
        "  --sql-log FILE        append '<request-id>\\t<sql>' per executed statement\n"
        "  --sql-log-marked-only log only requests with an X-Preflight-Profile header\n"
        "  --parent-pid PID      exit when this process exits\n"
        "Prints 'DATABASE <sqlite:PATH|postgresql>' then 'LISTENING http://127.0.0.1:PORT' when ready.\n");
}

bool DemoConfig::parse(const QStringList &args, QString *error, bool *help)
{
    *help = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString option = args[i];
        QString value;
        bool inlineValue = false;
        const qsizetype eq = option.indexOf(QLatin1Char('='));
        if (option.startsWith(QLatin1String("--")) && eq > 0) {
            value = option.mid(eq + 1);
            option = option.left(eq);
            inlineValue = true;
        }
        if (option == QLatin1String("--help") || option == QLatin1String("-h")) {
            *help = true;
            return true;
        }
        auto next = [&](QString *out) {
            if (inlineValue) {
                *out = value;
                return true;
            }
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("%1 needs a value").arg(option);
                return false;
            }
            *out = args[++i];
            return true;
        };
        auto number = [&](qint64 min, qint64 max, qint64 *out) {
            QString text;
            if (!next(&text))
                return false;
            bool ok = false;
            const qint64 n = text.toLongLong(&ok);
            if (!ok || n < min || n > max) {
                *error = QStringLiteral("%1: expected a number in [%2, %3], got '%4'")
                             .arg(option)
                             .arg(min)
                             .arg(max)
                             .arg(text);
                return false;
            }
            *out = n;
            return true;
        };
        qint64 n = 0;
        if (option == QLatin1String("--port")) {
            if (!number(0, 65535, &n))
                return false;
            port = quint16(n);
        } else if (option == QLatin1String("--threads")) {
            if (!number(1, 1024, &n))
                return false;
            threads = int(n);
        } else if (option == QLatin1String("--flaw") || option == QLatin1String("--flaws")) {
            QString list;
            if (!next(&list) || !Flaws::parse(list, &flaws, error))
                return false;
        } else if (option == QLatin1String("--db")) {
            if (!next(&db))
                return false;
        } else if (option == QLatin1String("--sqlite")) {
            if (!next(&sqlite_path))
                return false;
        } else if (option == QLatin1String("--pool-size")) {
            if (!number(1, 1000, &n))
                return false;
            pool_size = int(n);
        } else if (option == QLatin1String("--pool-overflow")) {
            if (!number(0, 1000, &n))
                return false;
            pool_overflow = int(n);
        } else if (option == QLatin1String("--pool-timeout-ms")) {
            if (!number(1, 3600000, &n))
                return false;
            pool_timeout_ms = int(n);
        } else if (option == QLatin1String("--pool-recycle-s")) {
            if (!number(0, 86400 * 365, &n))
                return false;
            pool_recycle_s = int(n);
        } else if (option == QLatin1String("--work-ms")) {
            if (!number(0, 60000, &n))
                return false;
            work_ms = int(n);
        } else if (option == QLatin1String("--slow-ms")) {
            if (!number(0, 60000, &n))
                return false;
            slow_ms = int(n);
        } else if (option == QLatin1String("--customers")) {
            if (!number(1, 1000000, &n))
                return false;
            customers = int(n);
        } else if (option == QLatin1String("--orders")) {
            if (!number(0, 100000000, &n))
                return false;
            orders = int(n);
        } else if (option == QLatin1String("--seed")) {
            if (!number(0, 0xffffffffLL, &n))
                return false;
            seed = quint32(n);
        } else if (option == QLatin1String("--sql-log")) {
            if (!next(&sql_log))
                return false;
        } else if (option == QLatin1String("--sql-log-marked-only")) {
            sql_log_marked_only = true;
        } else if (option == QLatin1String("--parent-pid")) {
            if (!number(1, 0x7fffffff, &n))
                return false;
            parent_pid = pid_t(n);
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(args[i]);
            return false;
        }
    }
    if (!db.isEmpty() && !sqlite_path.isEmpty()) {
        *error = QStringLiteral("--db and --sqlite are exclusive");
        return false;
    }
    return true;
}

} // namespace Demo
