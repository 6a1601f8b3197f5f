#include "demoarguments.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace Preflight {

namespace {

void describe(QCommandLineParser &p)
{
    p.setApplicationDescription(
        QStringLiteral("Run Preflight against its built-in demo backend, which has real, switchable flaws."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("flaw"),
         QStringLiteral("Flaws, comma-separated: single-connection, small-pool, conn-per-request, n-plus-one, "
                        "missing-index, write-contention, slow-endpoint, no-health, none "
                        "(default: single-connection,n-plus-one)."),
         QStringLiteral("LIST")},
        {QStringLiteral("db"),
         QStringLiteral("PostgreSQL conninfo for the demo's data (default: its own SQLite file)."),
         QStringLiteral("CONNINFO")},
        {QStringLiteral("headless"), QStringLiteral("No window: run the plan, print the summary, write the outputs.")},
        {QStringLiteral("levels"), QStringLiteral("Sweep levels instead of the demo's, e.g. 1,5,20."),
         QStringLiteral("LIST")},
        {QStringLiteral("step"), QStringLiteral("Seconds per sweep level."), QStringLiteral("S")},
        {QStringLiteral("report"), QStringLiteral("Write the readiness report (.html or .pdf); with --headless."),
         QStringLiteral("FILE")},
        {QStringLiteral("json"), QStringLiteral("Write the JSON summary; with --headless."), QStringLiteral("FILE")},
        {QStringLiteral("junit"), QStringLiteral("Write JUnit XML; with --headless."), QStringLiteral("FILE")},
        {QStringLiteral("store"), QStringLiteral("Run store file; with --headless."), QStringLiteral("FILE")},
        {QStringLiteral("quiet"), QStringLiteral("No progress line and no summary table; with --headless.")},
    });
}

} // namespace

QString DemoArguments::helpText()
{
    QCommandLineParser p;
    describe(p);
    QString help = p.helpText();
    help.replace(QRegularExpression(QStringLiteral("^Usage: \\S*")), QStringLiteral("Usage: preflight demo"));
    return help;
}

std::optional<DemoArguments> DemoArguments::parse(const QStringList &args, QString *error)
{
    QCommandLineParser p;
    describe(p);
    if (!p.parse(QStringList{QStringLiteral("preflight demo")} + args)) {
        *error = p.errorText() + QStringLiteral("; see `preflight demo --help`");
        return std::nullopt;
    }
    if (!p.positionalArguments().isEmpty()) {
        *error =
            QStringLiteral("unexpected argument %1; see `preflight demo --help`").arg(p.positionalArguments().first());
        return std::nullopt;
    }
    DemoArguments a;
    a.help = p.isSet(QStringLiteral("help"));
    a.headless = p.isSet(QStringLiteral("headless"));
    a.quiet = p.isSet(QStringLiteral("quiet"));
    if (p.isSet(QStringLiteral("flaw")))
        a.launcher.flaws = p.value(QStringLiteral("flaw")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    a.launcher.db = p.value(QStringLiteral("db"));
    if (p.isSet(QStringLiteral("levels"))) {
        for (const QString &part : p.value(QStringLiteral("levels")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int level = part.trimmed().toInt(&ok);
            if (!ok || level < 1) {
                *error = QStringLiteral("--levels expects whole numbers ≥ 1 separated by commas, e.g. 1,5,20");
                return std::nullopt;
            }
            a.levels.push_back(level);
        }
        if (a.levels.empty()) {
            *error = QStringLiteral("--levels expects whole numbers ≥ 1 separated by commas, e.g. 1,5,20");
            return std::nullopt;
        }
    }
    if (p.isSet(QStringLiteral("step"))) {
        bool ok = false;
        a.step_s = p.value(QStringLiteral("step")).toDouble(&ok);
        if (!ok || !(a.step_s > 0)) {
            *error = QStringLiteral("--step expects a positive number of seconds, e.g. 5");
            return std::nullopt;
        }
    }
    a.reportPath = p.value(QStringLiteral("report"));
    a.jsonPath = p.value(QStringLiteral("json"));
    a.junitPath = p.value(QStringLiteral("junit"));
    a.storePath = p.value(QStringLiteral("store"));
    return a;
}

QStringList DemoArguments::headlessOnly() const
{
    QStringList set;
    if (!reportPath.isEmpty())
        set << QStringLiteral("--report");
    if (!jsonPath.isEmpty())
        set << QStringLiteral("--json");
    if (!junitPath.isEmpty())
        set << QStringLiteral("--junit");
    if (!storePath.isEmpty())
        set << QStringLiteral("--store");
    if (quiet)
        set << QStringLiteral("--quiet");
    return set;
}

void DemoArguments::applyTo(Plan *plan) const
{
    if (!levels.empty())
        plan->scenario.levels = levels;
    if (step_s > 0)
        plan->scenario.step_s = step_s;
}

} // namespace Preflight
