#include "runexecution.h"

#include "cli.h"
#include "commands.h"
#include "data/format.h"
#include "diagnosis/junit.h"
#include "interruptwatcher.h"
#include "outputpaths.h"
#include "report/jsonsummary.h"
#include "report/reportwriter.h"
#include "store/runstore.h"
#include "texttable.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <map>
#include <unistd.h>

namespace Preflight::Cli {

namespace {

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    return OutputPaths::write(path, bytes, error);
}

// The plan's database file (sqlite:PATH), statement log and CA file: read by the run, never an output.
void addPlanInputs(OutputPaths &paths, const Plan &plan)
{
    if (plan.database.isSqlite())
        paths.addInput(QStringLiteral("the database (sqlite:)"), plan.database.conninfo.mid(int(qstrlen("sqlite:"))));
    paths.addInput(QStringLiteral("database.log"), plan.database.log);
    paths.addInput(QStringLiteral("target.tls.ca_file"), plan.target.ca_file);
}

// A gate or evidence value in its unit: "74.0 ms", "0.00%", "1116 req/s".
QString formatValue(double value, const QString &unit)
{
    if (unit == QLatin1String("ms"))
        return formatMs(value);
    if (unit == QLatin1String("ratio"))
        return formatPercent(value);
    if (unit == QLatin1String("req/s"))
        return formatRate(value) + QStringLiteral(" req/s");
    return QString::number(value, 'g', 4) + (unit.isEmpty() ? QString() : QLatin1Char(' ') + unit);
}

QString progressLine(const RunData &run, const IntervalSnapshot &s, double total_s)
{
    const EndpointStats t = s.total();
    const double rps = s.duration_s() > 0 ? double(t.requests) / s.duration_s() : 0;
    const QString load = s.target_rate > 0 ? QStringLiteral("%1 req/s").arg(s.target_rate, 0, 'f', 0)
                                           : QStringLiteral("%1 users").arg(s.target_users, 0, 'f', 0);
    uint64_t requests = 0;
    for (const IntervalSnapshot &i : run.intervals)
        requests += i.total().requests;
    return QStringLiteral(
               "[%1/%2 s] %3 · %4 req/s · p50 %5 · p95 %6 · p99 %7 · errors %8 · in flight %9 · %10 requests")
        .arg(s.end_s, 5, 'f', 1)
        .arg(total_s, 0, 'f', 0)
        .arg(load, formatRate(rps), formatMs(t.latency.percentile_ms(50)), formatMs(t.latency.percentile_ms(95)),
             formatMs(t.latency.percentile_ms(99)), formatPercent(t.errorRate()))
        .arg(s.in_flight)
        .arg(requests);
}

// The gate checks that did not pass, each with why: "P95 ≤ 120 ms (failed)", "queries per request ≤ 5 (not
// measured: no profiling pass: …)".
QStringList notPassed(const std::vector<GateCheck> &checks)
{
    QStringList out;
    for (const GateCheck &c : checks) {
        if (!c.measured)
            out << c.label + QStringLiteral(" (not measured") +
                       (c.note.isEmpty() ? QString() : QStringLiteral(": ") + c.note) + QLatin1Char(')');
        else if (!c.pass)
            out << c.label + QStringLiteral(" (failed)");
    }
    return out;
}

void printSummary(QTextStream &out, const RunData &run, const std::vector<LevelSummary> &levels)
{
    out << "\nPreflight run: " << run.info.name << " (" << runStatusId(run.info.status) << ", "
        << QString::number(run.info.duration_s, 'f', 1) << " s, " << run.info.workers << " worker threads"
        << (run.info.engine.isEmpty() ? QString() : QStringLiteral(", %1 engine").arg(run.info.engine)) << ")\n";
    if (!run.info.status_reason.isEmpty())
        out << "  " << run.info.status_reason << '\n';

    TextTable endpoints({QStringLiteral("endpoint"), QStringLiteral("requests"), QStringLiteral("req/s"),
                         QStringLiteral("errors"), QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99"),
                         QStringLiteral("max")});
    const auto totals = run.endpointTotals();
    auto row = [&](const QString &name, const EndpointStats &s) {
        endpoints.addRow({name, QString::number(s.requests),
                          formatRate(run.info.duration_s > 0 ? double(s.requests) / run.info.duration_s : 0),
                          formatPercent(s.errorRate()), formatMs(s.latency.percentile_ms(50)),
                          formatMs(s.latency.percentile_ms(95)), formatMs(s.latency.percentile_ms(99)),
                          formatMs(s.latency.max_us() / 1000.0)});
    };
    for (size_t i = 0; i < totals.size(); ++i)
        row(run.plan.endpoints[i].label(), totals[i]);
    if (totals.size() > 1)
        row(QStringLiteral("all endpoints"), run.total());
    out << '\n' << endpoints.render();

    // Open model: arrivals that never got a connection are timeouts (in success, the percentiles and the
    // gates); "never sent" says how many of the timeouts they were, per level (docs/cli.md).
    const bool openModel =
        std::any_of(levels.begin(), levels.end(), [](const LevelSummary &l) { return l.open_model; });
    if (levels.size() > 1 || (openModel && !levels.empty())) {
        QStringList header{QStringLiteral("load"),    QStringLiteral("req/s"), QStringLiteral("success"),
                           QStringLiteral("p50"),     QStringLiteral("p95"),   QStringLiteral("p99"),
                           QStringLiteral("timeouts")};
        if (openModel)
            header << QStringLiteral("never sent");
        header << QStringLiteral("db backends") << QStringLiteral("pool in use");
        TextTable table(header);
        const bool hasBackends = run.database.kind == QLatin1String("postgresql");
        for (const LevelSummary &l : levels) {
            QStringList cells{l.loadLabel(),      formatRate(l.rps),  formatPercent(l.success_rate), formatMs(l.p50_ms),
                              formatMs(l.p95_ms), formatMs(l.p99_ms), QString::number(l.timeouts)};
            if (openModel)
                cells << QString::number(l.never_sent);
            cells << (l.db_backends_max < 0 || !hasBackends ? Format::unknown() : QString::number(l.db_backends_max))
                  << (l.pool_in_use_max < 0 ? Format::unknown() : QString::number(l.pool_in_use_max));
            table.addRow(cells);
        }
        out << "\nBy load level:\n" << table.render();
        if (openModel &&
            std::any_of(levels.begin(), levels.end(), [](const LevelSummary &l) { return l.never_sent > 0; }))
            out << "(never sent: arrivals that found every connection busy for longer than the timeout; counted as "
                   "timeouts with the time they waited)\n";
    }

    const EndpointStats total = run.total();
    QStringList errorParts;
    for (const auto &[status, count] : total.status_counts)
        if (status >= 400)
            errorParts << QStringLiteral("%1× HTTP %2").arg(count).arg(status);
    for (int c = 0; c < kErrorClassCount; ++c)
        if (total.transport_errors[size_t(c)])
            errorParts
                << QStringLiteral("%1 %2").arg(total.transport_errors[size_t(c)]).arg(errorClassLabel(ErrorClass(c)));
    if (!errorParts.isEmpty())
        out << "\nErrors: " << errorParts.join(QStringLiteral(", ")) << '\n';
    if (const QString transport = total.transportSummary(); !transport.isEmpty())
        out << "Transport: " << transport
            << (run.info.tls_insecure ? QStringLiteral(" · TLS NOT VERIFIED (--insecure)") : QString()) << '\n';

    if (!run.gates.empty()) {
        out << "\nGates (" << run.gate_preset << "):\n";
        for (const GateCheck &g : run.gates) {
            out << "  " << (g.pass ? "pass  " : "FAIL  ") << g.label << " — "
                << (g.measured ? QStringLiteral("measured ") + formatValue(g.value, g.unit)
                               : QStringLiteral("not measured"));
            if (!g.note.isEmpty())
                out << " (" << g.note << ')';
            out << '\n';
        }
    }
    if (!run.findings.empty()) {
        out << "\nFindings:\n";
        for (const Finding &f : run.findings) {
            out << "  [" << severityId(f.severity) << "] " << f.title << " (" << f.id << ")\n";
            if (!f.summary.isEmpty())
                out << "      " << f.summary << '\n';
            if (!f.recommendation.isEmpty())
                out << "      → " << f.recommendation << '\n';
        }
    }
    for (const QString &w : run.warnings)
        out << "\nwarning: " << w << '\n';
    for (const QString &n : run.diagnosis_notes)
        out << "\nnote: " << n << '\n';
    if (!run.verdict.isEmpty()) {
        out << "\nVerdict: " << run.verdict.toUpper();
        if (!run.verdict_reason.isEmpty())
            out << QStringLiteral(" — ") << run.verdict_reason;
        out << '\n';
    }
    out.flush();
}

} // namespace

int executeRun(const Plan &plan, const RunController::Options &options, const RunOutputs &outputs)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    const bool tty = ::isatty(fileno(stderr)) && !outputs.quiet;
    // An output that could not be written, or that would destroy an input or the run store, is found before
    // the load, not after it.
    const ReportWriter reports = reportWriter();
    if (QString error; !outputs.reportPath.isEmpty() && !reports.check(outputs.reportPath, &error)) {
        err << "preflight: " << error << '\n';
        return ExitUsage;
    }
    {
        OutputPaths paths;
        for (const auto &[role, path] : outputs.inputs)
            paths.addInput(role, path);
        addPlanInputs(paths, plan);
        if (options.store)
            paths.addStore(outputs.storePath.isEmpty() ? QStringLiteral("the default run store")
                                                       : QStringLiteral("--store"),
                           outputs.storePath.isEmpty() ? RunStore::defaultPath() : outputs.storePath);
        paths.addOutput(QStringLiteral("--json"), outputs.jsonPath);
        paths.addOutput(QStringLiteral("--junit"), outputs.junitPath);
        paths.addOutput(QStringLiteral("--report"), outputs.reportPath);
        if (const QString problem = paths.check(); !problem.isEmpty()) {
            err << "preflight: " << problem << '\n';
            return ExitUsage;
        }
    }
    RunController controller;
    InterruptWatcher interrupts;
    int exitCode = ExitReady;
    const double total_s = Schedule::compile(plan.scenario).duration_s();
    int lastStage = -2;

    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &controller, [&](int count) {
        if (tty)
            err << "\r\033[K";
        err << (count == 1 ? "preflight: stopping (in-flight requests may finish; press Ctrl-C again to abandon them)\n"
                           : "preflight: abandoning in-flight requests\n");
        err.flush();
        controller.stop();
    });
    QObject::connect(&controller, &RunController::phaseChanged, &controller, [&](const QString &phase) {
        if (!outputs.quiet && phase != QLatin1String("running")) {
            if (tty)
                err << "\r\033[K";
            err << "preflight: " << phase << "…\n";
            err.flush();
        }
    });
    QObject::connect(&controller, &RunController::agentsWaiting, &controller, [&](const BarrierProgress &progress) {
        if (!outputs.quiet) {
            if (tty)
                err << "\r\033[K";
            err << "preflight: " << progress.describe() << "…\n";
            err.flush();
        }
    });
    QObject::connect(&controller, &RunController::snapshotAvailable, &controller, [&](const IntervalSnapshotPtr &s) {
        if (outputs.quiet)
            return;
        if (tty) {
            err << "\r\033[K" << progressLine(controller.run(), *s, total_s);
            err.flush();
        } else if (s->stage_index != lastStage && s->stage_index >= 0) {
            const StageInfo &stage = controller.run().stages[size_t(s->stage_index)];
            err << QStringLiteral("preflight: stage %1/%2: %3\n")
                       .arg(stage.index + 1)
                       .arg(controller.run().stages.size())
                       .arg(stage.label);
            err.flush();
        }
        lastStage = s->stage_index;
    });
    QObject::connect(&controller, &RunController::runFailed, &controller, [&](const RunFailure &failure) {
        if (tty)
            err << "\r\033[K";
        err << "preflight: " << failure.text() << '\n';
        err.flush();
        exitCode = exitCodeFor(failure.kind);
        QCoreApplication::exit(exitCode);
    });
    QObject::connect(&controller, &RunController::runFinished, &controller, [&](const RunDataPtr &finished) {
        if (tty)
            err << "\r\033[K";
        err.flush();
        const RunData &run = *finished;
        const DiagnosisPtr diagnosis = controller.diagnosis();
        if (!diagnosis) {
            // Stopped while the target was being checked: no load ran, so there is nothing to analyse or store.
            err << "preflight: interrupted before the load started; nothing was measured or stored\n";
            err.flush();
            exitCode = exitCodeFor(RunFailure::Kind::Interrupted);
            QCoreApplication::exit(exitCode);
            return;
        }
        if (!outputs.quiet)
            printSummary(out, run, diagnosis->levels);
        QString error;
        if (!outputs.jsonPath.isEmpty() &&
            !writeFile(outputs.jsonPath,
                       JsonSummary::toBytes(JsonSummary::build(run, diagnosis->levels, &diagnosis->capacity)),
                       &error)) {
            err << "preflight: " << error << '\n';
            exitCode = ExitUsage;
        }
        if (!outputs.junitPath.isEmpty() && !writeFile(outputs.junitPath, toJUnit(*diagnosis, run.info), &error)) {
            err << "preflight: " << error << '\n';
            exitCode = ExitUsage;
        }
        if (!outputs.reportPath.isEmpty()) {
            ReportOptions reportOptions;
            reportOptions.diagnosis = diagnosis.get();
            if (!reports.write(run, outputs.reportPath, reportOptions, &error)) {
                err << "preflight: " << error << '\n';
                exitCode = ExitUsage;
            } else if (!outputs.quiet) {
                out << "Report written to " << outputs.reportPath << '\n';
            }
        }
        if (run.info.id >= 0 && !outputs.quiet)
            out << "\nStored as run " << run.info.id << " (`preflight report " << run.info.id
                << " --html FILE` for the report)\n";
        // Interrupted, then every request failing inside Preflight (a guard trips on failures the plan caused),
        // then a lost agent, then a safety guard (the run and its findings are kept): RunFailure::ofFinishedRun's
        // order, with the distributed run's own cause before the guard that also marks it aborted.
        const std::optional<RunFailure> failure = RunFailure::ofFinishedRun(run);
        if (failure && failure->kind == RunFailure::Kind::RequestNotSent)
            err << "preflight: " << failure->text() << '\n';
        if (interrupts.count() > 0)
            exitCode = ExitInterrupted; // Ctrl-C during the analysis of a completed run
        else if (failure && failure->kind != RunFailure::Kind::SafetyGuard)
            exitCode = exitCodeFor(failure->kind);
        else if (controller.loadFailure().kind == LoadFailure::Kind::AgentLost)
            exitCode = ExitAgentLost; // stored with what was measured, marked aborted with the cause
        else if (failure)
            exitCode = exitCodeFor(failure->kind);
        else if (exitCode == ExitReady && plan.gates_explicit && run.verdict == QLatin1String("not-ready"))
            exitCode = ExitNotReady;
        else if (exitCode == ExitReady && plan.gates_explicit && run.verdict == QLatin1String("inconclusive") &&
                 !notPassed(run.gates).isEmpty()) {
            // Gates set explicitly gate a deploy: a check that was not measured, or failed while the verdict blames
            // Preflight itself, has not passed (docs/cli.md, "Inconclusive"). Every check measured and passed: 0.
            err << "preflight: the verdict is inconclusive (" << run.verdict_reason
                << ") and the gates were set explicitly: not passed: "
                << notPassed(run.gates).join(QStringLiteral("; "))
                << ". A check that was not shown to pass has not passed: measure what the note names, fix what the "
                   "reason names and re-run, or remove the check from the gates\n";
            exitCode = ExitNotReady;
        }
        QCoreApplication::exit(exitCode);
    });

    QObject::connect(&controller, &RunController::warningRaised, &controller, [&](const QString &message) {
        if (tty)
            err << "\r\033[K";
        err << "preflight: warning: " << message << '\n';
        err.flush();
    });
    RunController::Options runOptions = options;
    runOptions.storePath = outputs.storePath;
    controller.start(plan, runOptions);
    QCoreApplication::exec();
    return exitCode;
}

} // namespace Preflight::Cli
