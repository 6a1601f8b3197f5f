#include "demosummary.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>

#include <cmath>

namespace PreflightTest {

// Runs `preflight demo --headless --quiet --db conninfo` with these flaws and sweep and returns its JSON summary.
DemoRun runHeadlessDemo(const QString &preflightBin, const QString &demoTargetBin, const QTemporaryDir &dir,
                        const QString &flaw, const QString &levels, const QString &step, const QString &conninfo)
{
    DemoRun r;
    const QString json = dir.filePath(flaw + QStringLiteral(".json"));
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!demoTargetBin.isEmpty())
        env.insert(QStringLiteral("PREFLIGHT_DEMO_TARGET"), demoTargetBin);
    p.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    p.start(preflightBin, QStringList{QStringLiteral("demo"), QStringLiteral("--headless"), QStringLiteral("--quiet"),
                                      QStringLiteral("--flaw"), flaw, QStringLiteral("--levels"), levels,
                                      QStringLiteral("--step"), step, QStringLiteral("--json"), json,
                                      QStringLiteral("--store"), dir.filePath(flaw + QStringLiteral(".sqlite"))} +
                              (conninfo.isEmpty() ? QStringList() : QStringList{QStringLiteral("--db"), conninfo}));
    if (!p.waitForFinished(kDemoTimeout_ms)) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.elapsed_s = timer.elapsed() / 1000.0;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.stderrTail = p.readAllStandardError().right(2000);
    QFile f(json);
    if (f.open(QIODevice::ReadOnly))
        r.summary = QJsonDocument::fromJson(f.readAll()).object();
    return r;
}

QJsonArray findingsWithId(const QJsonObject &summary, const QString &id)
{
    QJsonArray out;
    for (const QJsonValue &v : summary.value(QStringLiteral("findings")).toArray())
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            out.append(v);
    return out;
}

QJsonObject finding(const QJsonObject &summary, const QString &id)
{
    return findingsWithId(summary, id).first().toObject();
}

// The first evidence value of that metric whose note contains noteContains; NaN if none.
double evidenceValue(const QJsonObject &finding, const QString &metric, const QString &noteContains)
{
    for (const QJsonValue &v : finding.value(QStringLiteral("evidence")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("metric")).toString() == metric &&
            e.value(QStringLiteral("note")).toString().contains(noteContains))
            return e.value(QStringLiteral("value")).toDouble();
    }
    return qQNaN();
}

QJsonObject levelWithUsers(const QJsonObject &summary, int users)
{
    for (const QJsonValue &v : summary.value(QStringLiteral("levels")).toArray())
        if (v.toObject().value(QStringLiteral("users")).toDouble() == users)
            return v.toObject();
    return {};
}

QString describeSummary(const QJsonObject &summary)
{
    QStringList lines;
    for (const QJsonValue &v : summary.value(QStringLiteral("findings")).toArray()) {
        const QJsonObject f = v.toObject();
        lines << QStringLiteral("  %1 [%2] %3")
                     .arg(f.value(QStringLiteral("id")).toString(), f.value(QStringLiteral("severity")).toString(),
                          f.value(QStringLiteral("title")).toString());
    }
    for (const QJsonValue &v : summary.value(QStringLiteral("levels")).toArray()) {
        const QJsonObject l = v.toObject();
        lines << QStringLiteral("  level %1 users: %2 req/s, P %3, p50 %4 ms, errors %5, backends %6, pool in use %7")
                     .arg(l.value(QStringLiteral("users")).toDouble())
                     .arg(l.value(QStringLiteral("rps")).toDouble())
                     .arg(l.value(QStringLiteral("effective_parallelism")).toDouble())
                     .arg(l.value(QStringLiteral("latency_ms")).toObject().value(QStringLiteral("p50")).toDouble())
                     .arg(l.value(QStringLiteral("error_rate")).toDouble())
                     .arg(l.value(QStringLiteral("db_backends_max")).toInt(-1))
                     .arg(l.value(QStringLiteral("pool_in_use_max")).toInt(-1));
    }
    lines << QStringLiteral("  new backends/request %1")
                 .arg(summary.value(QStringLiteral("database"))
                          .toObject()
                          .value(QStringLiteral("new_backends_per_request"))
                          .toDouble(-1));
    lines << QStringLiteral("  verdict %1").arg(summary.value(QStringLiteral("verdict")).toString());
    return lines.join(QLatin1Char('\n'));
}

const QStringList kAtLeastMedium{QStringLiteral("medium"), QStringLiteral("high"), QStringLiteral("critical")};

} // namespace PreflightTest
