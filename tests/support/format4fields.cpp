#include "format4fields.h"

namespace Preflight::Format4Fields {

void fill(RunData &run)
{
    for (size_t i = 0; i < run.db_samples.size(); ++i) {
        DbSample &s = run.db_samples[i];
        const int n = int(i);
        s.active_running = n % 5;
        s.idle_in_transaction_s = {0.25 * n, 1.5, 12.125 + n};
        s.by_user = {{QStringLiteral("app"), 3 + n}, {QStringLiteral("reporting"), 1}};
        s.excluded = {{QStringLiteral("preflight's own"), 2}, {QStringLiteral("tool: psql"), n % 2}};
        s.other_databases = 7 + n;
        if (n % 3 == 0) {
            LockWait w;
            w.wait_s = 0.5 + n;
            w.query = QStringLiteral("UPDATE accounts SET balance = balance + $1 WHERE id = $2");
            w.relation = QStringLiteral("accounts");
            w.lock_type = QStringLiteral("transactionid");
            w.blocking_query = QStringLiteral("SELECT \"note\" FROM accounts WHERE id = $1 FOR UPDATE -- é\t\\");
            w.blocking_state = QStringLiteral("idle in transaction");
            w.blockers = 1 + n % 2;
            s.lock_waits.push_back(w);
            w.lock_type = QStringLiteral("tuple");
            w.blocking_state = QStringLiteral("active");
            w.wait_s = 0.125;
            s.lock_waits.push_back(w);
        }
    }
    for (size_t i = 0; i < run.intervals.size(); ++i) {
        IntervalSnapshot &iv = run.intervals[i];
        iv.client_cpu_s = 0.0625 * double(i % 9) + 0.001;
        iv.load_threads = 2 + int(i % 3);
        iv.send_lag_ms = i % 4 == 0 ? -1 : 0.75 * double(i % 11);
        iv.host_cpu_busy = i % 5 == 0 ? -1 : 0.125 * double(i % 8);
        iv.host_cpus = i % 5 == 0 ? 0 : 2 + int(i % 4);
    }
    for (size_t i = 0; i < run.findings.size(); ++i) {
        FindingRefs &r = run.findings[i].refs;
        r.endpoint = int(i % 3);
        r.level = int(i);
        if (i == 0) {
            r.relation = QStringLiteral("orders");
            r.columns = QStringList{QStringLiteral("customer_id"), QStringLiteral("status")};
            r.statements.push_back({QStringLiteral("abcd"), QStringLiteral("parent"),
                                    QStringLiteral("SELECT id FROM customers WHERE id = $1")});
            r.statements.push_back(
                {QString(), QStringLiteral("child"), QStringLiteral("SELECT * FROM orders WHERE customer_id = $1")});
        }
    }
    run.verdict_reason = QStringLiteral("P95 above 120 ms from 10 users on (\"profile\": 340 ms)");
    run.diagnosis_notes = QStringList{QStringLiteral("pg_stat_statements missing: no per-query evidence"),
                                      QStringLiteral("no pool metrics: pool exhaustion could not be checked")};
}

} // namespace Preflight::Format4Fields
