#include "agentoptions.h"
#include "cli.h"
#include "commands.h"
#include "runexecution.h"

#include "commandline.h"
#include "diagnosis/gates.h"
#include "plan/planparser.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

#include <cmath>

namespace Preflight::Cli {

namespace {

struct ParsedRun
{
    Plan plan;
    RunController::Options options;
    RunOutputs outputs;
};

QList<QCommandLineOption> runOptions()
{
    auto opt = [](const QString &name, const QString &description, const QString &value = {}) {
        return value.isEmpty() ? QCommandLineOption(name, description) : QCommandLineOption(name, description, value);
    };
    return QList<QCommandLineOption>{
               opt(QStringLiteral("target"), QStringLiteral("Base URL of the backend (overrides the plan)."),
                   QStringLiteral("URL")),
               opt(QStringLiteral("endpoint"),
                   QStringLiteral("Endpoint as \"METHOD /path\"; repeat for several (replaces the plan's)."),
                   QStringLiteral("ENDPOINT")),
               opt(QStringLiteral("db"), QStringLiteral("Database: a libpq conninfo or sqlite:PATH."),
                   QStringLiteral("CONNINFO")),
               opt(QStringLiteral("scenario"), QStringLiteral("sweep | sustain | burst | soak."),
                   QStringLiteral("PRESET")),
               opt(QStringLiteral("users"), QStringLiteral("Virtual users (closed model)."), QStringLiteral("N")),
               opt(QStringLiteral("rate"), QStringLiteral("Arrivals per second (open model)."), QStringLiteral("R")),
               opt(QStringLiteral("duration"), QStringLiteral("Duration in seconds (sustain, burst, soak)."),
                   QStringLiteral("S")),
               opt(QStringLiteral("levels"), QStringLiteral("Sweep levels, e.g. 1,2,5,10,20,50."),
                   QStringLiteral("LIST")),
               opt(QStringLiteral("step"), QStringLiteral("Seconds per sweep level."), QStringLiteral("S")),
               opt(QStringLiteral("think-time"), QStringLiteral("Pause between a user's requests, ms."),
                   QStringLiteral("MS")),
               opt(QStringLiteral("timeout"), QStringLiteral("Per-request timeout, ms."), QStringLiteral("MS")),
               opt(QStringLiteral("max-users"), QStringLiteral("Raise limits.max_users (safety bound)."),
                   QStringLiteral("N")),
               opt(QStringLiteral("max-rate"), QStringLiteral("Raise limits.max_rate (safety bound)."),
                   QStringLiteral("R")),
               opt(QStringLiteral("max-duration"), QStringLiteral("Raise limits.max_duration_s (safety bound)."),
                   QStringLiteral("S")),
               opt(QStringLiteral("workers"), QStringLiteral("Load-generating threads (default: cores − 1)."),
                   QStringLiteral("N")),
               opt(QStringLiteral("engine"),
                   QStringLiteral("Load path: auto (raw HTTP/1.1 for plain http://, libcurl otherwise) | curl | raw."),
                   QStringLiteral("ENGINE")),
               opt(QStringLiteral("gates"),
                   QStringLiteral("launch | revised | FILE.json; the exit code then follows the gates."),
                   QStringLiteral("GATES")),
               opt(QStringLiteral("json"), QStringLiteral("Write the JSON summary (preflight.summary/1)."),
                   QStringLiteral("FILE")),
               opt(QStringLiteral("junit"),
                   QStringLiteral("Write JUnit XML (one testcase per gate and serious finding)."),
                   QStringLiteral("FILE")),
               opt(QStringLiteral("report"), QStringLiteral("Write the readiness report (.html or .pdf)."),
                   QStringLiteral("FILE")),
               opt(QStringLiteral("store"), QStringLiteral("Run store file (default: the user's data location)."),
                   QStringLiteral("FILE")),
               opt(QStringLiteral("insecure"),
                   QStringLiteral("Do not verify TLS certificates (recorded in the report).")),
               opt(QStringLiteral("ca-file"),
                   QStringLiteral("Trust the CA certificates in this PEM file (target.tls.ca_file)."),
                   QStringLiteral("FILE")),
               opt(QStringLiteral("http"),
                   QStringLiteral("HTTP version: 1.1 | 2 | 2-prior-knowledge (target.http_version)."),
                   QStringLiteral("VERSION")),
               opt(QStringLiteral("yes"), QStringLiteral("Allow a non-loopback target.")),
               opt(QStringLiteral("quiet"), QStringLiteral("No progress line and no summary table.")),
           } +
           distributedRunOptions();
}

bool toNumber(const QCommandLineParser &p, const QString &name, double minimum, double *out, QString *error,
              bool whole = false)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok || !std::isfinite(v) || !(v >= minimum)) {
        *error = QStringLiteral("--%1 %2: expected a number ≥ %3").arg(name, p.value(name)).arg(minimum);
        return false;
    }
    if (whole && v != std::floor(v)) {
        *error = QStringLiteral("--%1 %2: expected a whole number").arg(name, p.value(name));
        return false;
    }
    *out = v;
    return true;
}

// Refuses flags that the scenario they end up in would ignore: a run that silently does something else than
// what was asked is worse than an error (`--scenario sustain --levels 1,2` used to run a sweep).
QString conflictingScenarioFlags(const QCommandLineParser &p, const QString &preset, bool presetFromFlag)
{
    const auto set = [&](const char *name) { return p.isSet(QLatin1String(name)); };
    const QString source = presetFromFlag ? QStringLiteral("--scenario %1").arg(preset)
                                          : QStringLiteral("the plan's %1 scenario").arg(preset);
    if (set("users") && set("rate"))
        return QStringLiteral("--users and --rate: give one (users for the closed model, rate for the open model)");
    if (preset == QLatin1String("sweep")) {
        for (const char *flag : {"users", "rate", "duration"})
            if (set(flag))
                return QStringLiteral(
                           "--%1 does not apply to a sweep, which runs --levels for --step seconds each; drop "
                           "--%1, or use --scenario sustain")
                    .arg(QLatin1String(flag));
        return {};
    }
    for (const char *flag : {"levels", "step"})
        if (set(flag))
            return QStringLiteral("--%1 applies to a sweep, not to %2; drop --%1, or use --scenario sweep")
                .arg(QLatin1String(flag), source);
    if (preset == QLatin1String("stages")) {
        for (const char *flag : {"users", "rate", "duration"})
            if (set(flag))
                return QStringLiteral(
                           "--%1 does not apply to the plan's stages (each stage has its own); drop --%1, or "
                           "use --scenario sustain")
                    .arg(QLatin1String(flag));
    }
    if (preset == QLatin1String("burst") && set("rate"))
        return QStringLiteral("--rate does not apply to a burst, which starts --users at once; use --users");
    return {};
}

// Plan file (optional) + flags → plan. Flags override the plan (docs/cli.md), and the plan is validated only
// once they have: a sustain plan without duration_s is complete with --duration.
std::optional<ParsedRun> parse(const QStringList &args, QString *error, bool *helpShown)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Drive load at a backend, watch its database, and say whether it is ready."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("plan"), QStringLiteral("Plan file (JSON, see the README)."),
                            QStringLiteral("[PLAN.json]"));
    if (!parseArguments(p, runOptions(), QStringLiteral("preflight run"), args, error)) {
        *error += QStringLiteral("; see `preflight run --help`");
        return std::nullopt;
    }
    if (p.isSet(QStringLiteral("help"))) {
        // helpText() names the executable's path; name the command a user types instead.
        QString help = p.helpText();
        help.replace(QRegularExpression(QStringLiteral("^Usage: \\S+")), QStringLiteral("Usage: preflight run"));
        QTextStream(stdout)
            << help
            << "\nExit codes: 0 ready (or completed without explicit gates) · 1 not ready · 2 usage or plan error ·\n"
               "            3 target or database unreachable · 4 aborted by a safety guard · 130 interrupted.\n";
        *helpShown = true;
        return std::nullopt;
    }
    const QStringList positional = p.positionalArguments();
    if (positional.size() > 1) {
        *error = QStringLiteral("one plan file at most; got %1").arg(positional.join(QStringLiteral(", ")));
        return std::nullopt;
    }

    ParsedRun parsed;
    Plan &plan = parsed.plan;
    const bool fromPlan = !positional.isEmpty();
    if (fromPlan) {
        PlanError planError;
        auto fromFile = PlanParser::readFile(positional[0], &planError);
        if (!fromFile) {
            *error = positional[0] + QStringLiteral(": ") + planError.toString();
            return std::nullopt;
        }
        plan = *fromFile;
        parsed.outputs.inputs.push_back({QStringLiteral("the plan"), positional[0]});
    } else {
        if (!p.isSet(QStringLiteral("target"))) {
            *error = QStringLiteral("give a plan file or --target URL; see `preflight run --help`");
            return std::nullopt;
        }
        // Without a plan: a short steady run unless a scenario is asked for.
        plan.scenario.preset = QStringLiteral("sustain");
        plan.health_path.clear();
    }
    if (p.isSet(QStringLiteral("target"))) {
        const auto url = PlanParser::normaliseBaseUrl(p.value(QStringLiteral("target")), error);
        if (!url) {
            *error = QStringLiteral("--target: ") + *error;
            return std::nullopt;
        }
        plan.target.base_url = *url;
    }
    if (p.isSet(QStringLiteral("endpoint"))) {
        plan.endpoints.clear();
        for (const QString &text : p.values(QStringLiteral("endpoint"))) {
            auto e = PlanParser::parseEndpointShorthand(text, error);
            if (!e) {
                *error = QStringLiteral("--endpoint: ") + *error;
                return std::nullopt;
            }
            plan.endpoints.push_back(*e);
        }
    }
    if (plan.endpoints.empty()) {
        EndpointSpec root;
        root.path = QStringLiteral("/");
        root.name = root.label();
        plan.endpoints.push_back(root);
    }
    if (p.isSet(QStringLiteral("db")))
        plan.database.conninfo = p.value(QStringLiteral("db"));

    ScenarioSpec &s = plan.scenario;
    const QString planPreset = s.preset;
    const bool usersSet = p.isSet(QStringLiteral("users")), rateSet = p.isSet(QStringLiteral("rate"));
    const bool durationSet = p.isSet(QStringLiteral("duration")), levelsSet = p.isSet(QStringLiteral("levels"));
    const bool scenarioSet = p.isSet(QStringLiteral("scenario"));
    if (scenarioSet) {
        s.preset = p.value(QStringLiteral("scenario"));
        static const QStringList cliPresets{QStringLiteral("sweep"), QStringLiteral("sustain"), QStringLiteral("burst"),
                                            QStringLiteral("soak")};
        if (!cliPresets.contains(s.preset)) {
            *error = QStringLiteral("--scenario %1: expected sweep, sustain, burst or soak").arg(s.preset);
            return std::nullopt;
        }
    } else if (levelsSet || p.isSet(QStringLiteral("step"))) {
        // --levels alone asks for a sweep, whatever the plan had.
        if (s.preset != QLatin1String("stages"))
            s.preset = QStringLiteral("sweep");
    } else if ((usersSet || rateSet || durationSet) && s.preset == QLatin1String("sweep")) {
        // `run plan.json --users 5` asks for a steady run of the plan's endpoints.
        s.preset = QStringLiteral("sustain");
    }
    if (const QString conflict = conflictingScenarioFlags(p, s.preset, scenarioSet); !conflict.isEmpty()) {
        *error = conflict;
        return std::nullopt;
    }
    if (usersSet)
        s.rate = -1;
    if (rateSet)
        s.users = -1;
    if (!toNumber(p, QStringLiteral("users"), 1, &s.users, error, true) ||
        !toNumber(p, QStringLiteral("rate"), 0.001, &s.rate, error) ||
        !toNumber(p, QStringLiteral("duration"), 0.001, &s.duration_s, error) ||
        !toNumber(p, QStringLiteral("step"), 0.001, &s.step_s, error) ||
        !toNumber(p, QStringLiteral("think-time"), 0, &s.think_time_ms, error))
        return std::nullopt;
    // A scenario chosen on the command line (or a run without a plan) gets defaults for what was not given;
    // a plan's own scenario must be complete (validate() below names what is missing).
    const bool flagScenario = !fromPlan || s.preset != planPreset;
    if (flagScenario && s.preset != QLatin1String("sweep") && s.preset != QLatin1String("stages")) {
        if (s.duration_s <= 0)
            s.duration_s = s.preset == QLatin1String("soak") ? 600 : 10;
        if (s.users < 0 && s.rate < 0)
            s.users = 10;
    }
    if (levelsSet) {
        s.levels.clear();
        for (const QString &part : p.value(QStringLiteral("levels")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int level = part.trimmed().toInt(&ok);
            if (!ok || level < 1) {
                *error = QStringLiteral("--levels %1: expected whole numbers ≥ 1 separated by commas, e.g. 1,2,5,10")
                             .arg(p.value(QStringLiteral("levels")));
                return std::nullopt;
            }
            s.levels.push_back(level);
        }
        if (s.levels.empty()) {
            *error = QStringLiteral("--levels needs at least one level, e.g. 1,2,5,10");
            return std::nullopt;
        }
    }
    double timeout = plan.target.timeout_ms, maxUsers = plan.limits.max_users, workers = 0;
    if (!toNumber(p, QStringLiteral("timeout"), 1, &timeout, error, true) ||
        !toNumber(p, QStringLiteral("max-users"), 1, &maxUsers, error, true) ||
        !toNumber(p, QStringLiteral("max-rate"), 0.001, &plan.limits.max_rate, error) ||
        !toNumber(p, QStringLiteral("max-duration"), 0.001, &plan.limits.max_duration_s, error) ||
        !toNumber(p, QStringLiteral("workers"), 1, &workers, error, true))
        return std::nullopt;
    if (timeout > 3600 * 1000 || maxUsers > 1e6 || workers > 1024) {
        *error = timeout > 3600 * 1000 ? QStringLiteral("--timeout: at most 3600000 ms (one hour)")
                 : maxUsers > 1e6      ? QStringLiteral("--max-users: at most 1000000")
                                       : QStringLiteral("--workers: at most 1024 threads");
        return std::nullopt;
    }
    plan.target.timeout_ms = int(timeout);
    plan.limits.max_users = int(maxUsers);
    if (p.isSet(QStringLiteral("insecure")))
        plan.target.insecure = true;
    if (p.isSet(QStringLiteral("engine"))) {
        plan.target.engine = p.value(QStringLiteral("engine")).toLower();
        if (plan.target.engine != QLatin1String("auto") && plan.target.engine != QLatin1String("curl") &&
            plan.target.engine != QLatin1String("raw")) {
            *error = QStringLiteral("--engine %1: expected auto, curl or raw").arg(p.value(QStringLiteral("engine")));
            return std::nullopt;
        }
    }
    if (p.isSet(QStringLiteral("ca-file")))
        plan.target.ca_file = p.value(QStringLiteral("ca-file"));
    if (p.isSet(QStringLiteral("http")) &&
        !parseHttpVersion(p.value(QStringLiteral("http")), &plan.target.http_version)) {
        *error = QStringLiteral("--http %1: expected %2").arg(p.value(QStringLiteral("http")), httpVersionChoices());
        return std::nullopt;
    }
    if (plan.target.multiplex > 1 && plan.target.http_version == HttpVersion::Http1_1) {
        *error = QStringLiteral("--http 1.1 cannot multiplex the plan's target.multiplex streams per connection; "
                                "use --http 2, or remove target.multiplex from the plan");
        return std::nullopt;
    }
    if (p.isSet(QStringLiteral("gates"))) {
        plan.gates = p.value(QStringLiteral("gates"));
        plan.gates_inline = {};
        plan.gates_explicit = true;
    }
    if (plan.gates_inline.isEmpty() && !GateSet::presetNames().contains(plan.gates)) {
        const QString from =
            p.isSet(QStringLiteral("gates")) ? QStringLiteral("--gates") : QStringLiteral("the plan's \"gates\"");
        const QFileInfo gatesFile(plan.gates);
        if (!gatesFile.exists()) {
            *error = QStringLiteral("%1 \"%2\": no such preset (%3) and no such file; give a preset or the path of a "
                                    "gates JSON file")
                         .arg(from, plan.gates, GateSet::presetNames().join(QStringLiteral(", ")));
            return std::nullopt;
        }
        if (!gatesFile.isFile()) {
            *error = QStringLiteral("%1 \"%2\" is not a file; give a preset (%3) or the path of a gates JSON file")
                         .arg(from, plan.gates, GateSet::presetNames().join(QStringLiteral(", ")));
            return std::nullopt;
        }
        parsed.outputs.inputs.push_back({from, plan.gates});
    }
    if (QString problem = PlanParser::validate(plan); !problem.isEmpty()) {
        if (fromPlan)
            problem = positional[0] + QStringLiteral(": ") + problem;
        *error = problem;
        return std::nullopt;
    }
    if (auto normal = PlanParser::normaliseBaseUrl(plan.target.base_url, error))
        plan.target.base_url = *normal;
    parsed.options.allowNonLoopback = p.isSet(QStringLiteral("yes"));
    if (!readDistributedOptions(p, &parsed.options.distributed, error))
        return std::nullopt;
    parsed.options.engine.workers = int(workers);
    parsed.outputs.jsonPath = p.value(QStringLiteral("json"));
    parsed.outputs.junitPath = p.value(QStringLiteral("junit"));
    parsed.outputs.reportPath = p.value(QStringLiteral("report"));
    parsed.outputs.storePath = p.value(QStringLiteral("store"));
    parsed.outputs.quiet = p.isSet(QStringLiteral("quiet"));
    for (const char *flag : {"json", "junit", "report", "store"})
        if (p.isSet(QLatin1String(flag)) && p.value(QLatin1String(flag)).isEmpty()) {
            *error = QStringLiteral("--%1 needs a file name").arg(QLatin1String(flag));
            return std::nullopt;
        }
    return parsed;
}

} // namespace

int runCommand(const QStringList &args)
{
    QString error;
    bool helpShown = false;
    auto parsed = parse(args, &error, &helpShown);
    if (helpShown)
        return ExitReady;
    if (!parsed) {
        QTextStream(stderr) << "preflight run: " << error << '\n';
        return ExitUsage;
    }
    return executeRun(parsed->plan, parsed->options, parsed->outputs);
}

} // namespace Preflight::Cli
