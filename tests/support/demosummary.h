#pragma once

// Runs `preflight demo --headless` as a user would and reads its JSON summary: shared by the end-to-end
// flaw diagnosis tests (SQLite and PostgreSQL).
#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace PreflightTest {

constexpr int kDemoTimeout_ms = 180000; // one row is ~15 s; generous for two loaded cores

struct DemoRun
{
    int exitCode = -1;
    QJsonObject summary;
    QByteArray stderrTail;
    double elapsed_s = 0;
};

// `preflight demo --headless --quiet --flaw FLAW --levels LEVELS --step STEP --json … --store …` (plus
// `--db conninfo` when given), the demo target binary passed through PREFLIGHT_DEMO_TARGET.
DemoRun runHeadlessDemo(const QString &preflightBin, const QString &demoTargetBin, const QTemporaryDir &dir,
                        const QString &flaw, const QString &levels, const QString &step, const QString &conninfo = {});

QJsonArray findingsWithId(const QJsonObject &summary, const QString &id);
QJsonObject finding(const QJsonObject &summary, const QString &id);
// The first evidence value of that metric whose note contains noteContains; NaN if none.
double evidenceValue(const QJsonObject &finding, const QString &metric, const QString &noteContains = {});
QJsonObject levelWithUsers(const QJsonObject &summary, int users);
// Findings, levels and verdict in a few lines, for the test log.
QString describeSummary(const QJsonObject &summary);

extern const QStringList kAtLeastMedium;

} // namespace PreflightTest
