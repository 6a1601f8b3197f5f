#include "diagnoser.h"

#include "rules/rules.h"

#include <algorithm>

namespace Preflight {

namespace {

// Root causes before symptoms when severity and confidence tie; also the fold targets.
int catalogueRank(const QString &id)
{
    static const QStringList order = {QStringLiteral("single-connection"),    QStringLiteral("serialized-server"),
                                      QStringLiteral("pool-exhaustion"),      QStringLiteral("lock-contention"),
                                      QStringLiteral("max-connections-near"), QStringLiteral("load-shedding"),
                                      QStringLiteral("n-plus-one"),           QStringLiteral("connection-churn"),
                                      QStringLiteral("missing-index"),        QStringLiteral("db-saturation"),
                                      QStringLiteral("worker-saturation"),    QStringLiteral("slow-endpoint"),
                                      QStringLiteral("idle-in-transaction"),  QStringLiteral("timeouts"),
                                      QStringLiteral("error-rate"),           QStringLiteral("health-endpoint-missing"),
                                      QStringLiteral("generator-saturated"),  QStringLiteral("capacity-knee")};
    const qsizetype i = order.indexOf(id);
    return i < 0 ? int(order.size()) : int(i);
}

void absorb(Finding &into, const Finding &from, const QString &as)
{
    into.severity = std::min(into.severity, from.severity); // Critical < … < Info
    for (Evidence e : from.evidence) {
        if (!as.isEmpty())
            e.note = e.note.isEmpty() ? as : e.note + QStringLiteral(" (") + as + QLatin1Char(')');
        into.evidence.push_back(e);
    }
    if (!as.isEmpty())
        into.summary += QStringLiteral(" Symptom: ") + from.title + QLatin1Char('.');
}

Finding *find(std::vector<Finding> &fs, const QString &id)
{
    for (Finding &f : fs)
        if (f.id == id)
            return &f;
    return nullptr;
}

// The timeouts finding when it blames Preflight's own connection cap (ruleTimeouts), and only then: no other
// failure finding, and the requests that were sent within the P95 gate. Those failed gates describe the generator,
// not the backend; nullptr otherwise.
const Finding *generatorCapOnly(const std::vector<Finding> &findings, const GateSet &gates)
{
    const Finding *cap = nullptr;
    for (const Finding &f : findings) {
        if (f.id == QLatin1String("timeouts") && f.parameter(QStringLiteral("generator_cap")).has_value())
            cap = &f;
        if (f.id == QLatin1String("error-rate") || f.id == QLatin1String("load-shedding"))
            return nullptr;
    }
    if (!cap)
        return nullptr;
    const std::optional<double> sentP95 = cap->parameter(QStringLiteral("sent_p95_ms"));
    if (gates.has(QStringLiteral("p95_ms")) && (!sentP95 || *sentP95 > gates.threshold(QStringLiteral("p95_ms"), 0)))
        return nullptr;
    return cap;
}

} // namespace

std::vector<Finding> mergeFindings(std::vector<Finding> in)
{
    // 1. Same id and endpoint: one finding, several evidence lines.
    std::vector<Finding> out;
    for (Finding &f : in) {
        auto same = std::find_if(out.begin(), out.end(), [&](const Finding &o) {
            return o.id == f.id && o.endpoint == f.endpoint && o.title == f.title;
        });
        if (same == out.end()) {
            out.push_back(std::move(f));
        } else {
            absorb(*same, f, QString());
            same->confidence = std::max(same->confidence, f.confidence);
        }
    }
    // 2. Symptoms folded into the root cause that explains them.
    auto fold = [&](const QString &symptom, const QStringList &causes) {
        Finding *s = find(out, symptom);
        // Timeouts that were Preflight's own connection cap are no symptom of the backend (a capped generator
        // shows the backend a plateau of exactly its k connections, which looks like a worker limit).
        if (!s || s->parameter(QStringLiteral("generator_cap")).has_value())
            return;
        for (const QString &c : causes) {
            // A cause inferred indirectly does not take over the symptom's direct evidence (and severity).
            constexpr double kFoldMinConfidence = 0.6;
            if (Finding *cause = find(out, c); cause && cause->confidence >= kFoldMinConfidence) {
                absorb(*cause, *s, QStringLiteral("symptom: %1").arg(symptom));
                const QString id = s->id;
                out.erase(std::remove_if(out.begin(), out.end(), [&](const Finding &f) { return f.id == id; }),
                          out.end());
                return;
            }
        }
    };
    fold(QStringLiteral("timeouts"),
         {QStringLiteral("single-connection"), QStringLiteral("serialized-server"), QStringLiteral("pool-exhaustion"),
          QStringLiteral("worker-saturation"), QStringLiteral("db-saturation")});
    fold(QStringLiteral("error-rate"), {QStringLiteral("lock-contention"), QStringLiteral("load-shedding")});
    // 3. Order: severity, then confidence, then root causes before symptoms.
    std::stable_sort(out.begin(), out.end(), [](const Finding &a, const Finding &b) {
        if (a.severity != b.severity)
            return a.severity < b.severity;
        if (a.confidence != b.confidence)
            return a.confidence > b.confidence;
        return catalogueRank(a.id) < catalogueRank(b.id);
    });
    return out;
}

Diagnosis analyze(const RunData &run, const GateSet &gates)
{
    Diagnosis d;
    const RuleContext ctx = makeRuleContext(run, gates);
    d.levels = ctx.levels;
    d.capacity = ctx.capacity;
    d.findings = mergeFindings(runAllRules(ctx));
    d.gate_preset = gates.name();
    d.gates = gates.evaluate(run, d.levels, d.findings);
    d.gates_pass = GateSet::allPass(d.gates);

    // Users supported within the gates: the highest load whose level and all lower ones pass.
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = d.levels[size_t(i)];
        if (!d.levels.empty() && l.open_model != ctx.levels[size_t(ctx.loadLevels().front())].open_model)
            break;
        if (!gates.levelPasses(l))
            break;
        d.capacity.supported_load = l.load();
        d.capacity.supported_open_model = l.open_model;
    }

    // Notes: what could not be checked.
    if (!run.plan.database.isConfigured() && run.db_samples.empty())
        d.notes << QStringLiteral("No database configured: single-connection vs serialized-server, pool, churn, lock "
                                  "and query findings need --db.");
    else if (!ctx.sqlite && run.database.pg_stat_statements != QLatin1String("ok"))
        d.notes << QStringLiteral("pg_stat_statements is %1: n-plus-one and queries-per-request need it (%2).")
                       .arg(run.database.pg_stat_statements, run.database.remediation.isEmpty()
                                                                 ? QStringLiteral("shared_preload_libraries = "
                                                                                  "'pg_stat_statements', then CREATE "
                                                                                  "EXTENSION pg_stat_statements")
                                                                 : run.database.remediation.join(QStringLiteral("; ")));
    if (!d.capacity.usl.valid)
        d.notes << QStringLiteral("No USL fit: %1.").arg(d.capacity.usl.reason);
    // A loopback target shares this host's CPUs: where they were saturated, throughput says little about the backend.
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = d.levels[size_t(i)];
        if (!ctx.hostCpuSaturated(l))
            continue;
        d.notes << QStringLiteral("This host's %1 CPUs were %2 busy from %3 on, and the backend runs on this host: "
                                  "from there throughput is limited by CPU shared by the backend, its database and "
                                  "Preflight, so a serialised server is not inferred from flat throughput. Run "
                                  "Preflight from another machine to measure the backend alone.")
                       .arg(l.host_cpus)
                       .arg(pct(l.host_cpu_busy, 0), l.loadLabel());
        break;
    }
    if (run.pool_samples.empty() && run.plan.pool.kind.isEmpty())
        d.notes << QStringLiteral("No pool metrics: pool-exhaustion relies on DB sessions and error bodies.");

    // Verdict.
    const EndpointStats total = ctx.total;
    double load_s = 0;
    for (const LevelSummary &l : d.levels)
        load_s += l.duration_s;
    const bool anyFailed =
        std::any_of(d.gates.begin(), d.gates.end(), [](const GateCheck &c) { return c.measured && !c.pass; });
    const bool allMeasured = std::all_of(d.gates.begin(), d.gates.end(), [](const GateCheck &c) { return c.measured; });
    const bool completed = run.info.status == RunStatus::Completed;
    if (total.requests == 0) {
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason = QStringLiteral("no request completed");
    } else if (load_s < kMinLoad_s || total.requests < kMinRequests) {
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason = QStringLiteral("the run was too short (%1 s of load, %2 requests; needs %3 s and %4)")
                               .arg(fmt(load_s, 1))
                               .arg(total.requests)
                               .arg(fmt(kMinLoad_s))
                               .arg(kMinRequests);
    } else if (std::any_of(d.findings.begin(), d.findings.end(),
                           [](const Finding &f) { return f.id == QLatin1String("generator-saturated"); }) &&
               !std::any_of(d.gates.begin(), d.gates.end(), [](const GateCheck &c) {
                   // Failures are the backend's whatever the client's CPU: only latency and throughput are in doubt.
                   return c.measured && !c.pass &&
                          (c.id.contains(QLatin1String("error")) || c.id.contains(QLatin1String("success")) ||
                           c.id.contains(QLatin1String("timeout")));
               })) {
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason = QStringLiteral("Preflight's own load threads were saturated: the measurements describe the "
                                          "generator's limit as much as the backend's");
    } else if (const Finding *cap = generatorCapOnly(d.findings, gates)) {
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason =
            QStringLiteral("Preflight's connection limit was reached (%1 arrivals never sent with limits.max_users = "
                           "%2) while the requests it sent were answered in time: raise limits.max_users or lower the "
                           "rate")
                .arg(fmt(cap->parameter(QStringLiteral("never_sent")).value_or(0)),
                     fmt(cap->parameter(QStringLiteral("max_connections_client")).value_or(0)));
    } else if (anyFailed) {
        QStringList failed;
        for (const GateCheck &c : d.gates)
            if (c.measured && !c.pass)
                failed << c.label;
        d.verdict = QStringLiteral("not-ready");
        d.verdict_reason = QStringLiteral("failed: %1").arg(failed.join(QStringLiteral(", ")));
    } else if (!completed) {
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason =
            QStringLiteral("the run was %1%2")
                .arg(runStatusId(run.info.status),
                     run.info.status_reason.isEmpty() ? QString() : QStringLiteral(": ") + run.info.status_reason);
    } else if (!allMeasured) {
        QStringList missing;
        for (const GateCheck &c : d.gates)
            if (!c.measured)
                missing << c.label + QStringLiteral(" (") + c.note + QLatin1Char(')');
        d.verdict = QStringLiteral("inconclusive");
        d.verdict_reason = QStringLiteral("not measured: %1").arg(missing.join(QStringLiteral(", ")));
    } else {
        d.verdict = QStringLiteral("ready");
        d.verdict_reason = QStringLiteral("all %1 gate checks passed").arg(d.gates.size());
    }
    return d;
}

void applyDiagnosis(const Diagnosis &diagnosis, RunData *run)
{
    Q_ASSERT(run);
    run->findings = diagnosis.findings;
    run->gate_preset = diagnosis.gate_preset;
    run->gates = diagnosis.gates;
    run->verdict = diagnosis.verdict;
    run->verdict_reason = diagnosis.verdict_reason;
    run->diagnosis_notes = diagnosis.notes;
}

std::optional<QString> safetyGuard(const std::vector<IntervalSnapshot> &intervals,
                                   const std::vector<DbSample> &dbSamples, const SafetyLimits &limits)
{
    if (!intervals.empty()) {
        const double now_s = intervals.back().end_s;
        if (now_s >= limits.warmup_s + limits.window_s - 1e-9) {
            // Counts only: merging the histograms too cost ~15 ms per tick with 50 endpoints, on the GUI thread.
            uint64_t requests = 0, errors = 0;
            for (auto it = intervals.rbegin(); it != intervals.rend() && it->start_s >= now_s - limits.window_s - 1e-9;
                 ++it) {
                for (const EndpointStats &e : it->endpoints) {
                    requests += e.requests;
                    errors += e.errors();
                }
            }
            const double errorRate = requests ? double(errors) / double(requests) : 0.0;
            if (requests >= limits.min_requests && errorRate > limits.max_error_rate)
                return QStringLiteral("error rate %1 over the last %2 s (limit %3)")
                    .arg(pct(errorRate, 0), fmt(limits.window_s), pct(limits.max_error_rate, 0));
        }
    }
    for (auto it = dbSamples.rbegin(); it != dbSamples.rend(); ++it) {
        if (it->t_s < limits.warmup_s)
            break;
        const int backends = it->total_connections >= 0 ? it->total_connections : it->backends;
        if (it->max_connections > 0 && double(backends) > limits.max_backends_ratio * it->max_connections)
            return QStringLiteral("database backends at %1 of max_connections (%2 of %3; limit %4)")
                .arg(pct(double(backends) / it->max_connections, 0))
                .arg(backends)
                .arg(it->max_connections)
                .arg(pct(limits.max_backends_ratio, 0));
        break; // only the latest sample matters
    }
    return std::nullopt;
}

} // namespace Preflight
