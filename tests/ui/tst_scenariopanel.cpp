// The scenario editor's launch gates: a preset, or a custom gates file that is checked before it is used.
#include "scenariopanel.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

class TestScenarioPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &json)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size())
            return {};
        return path;
    }

private slots:
    void presetIsTheDefault()
    {
        ScenarioPanel panel;
        QCOMPARE(panel.gatePreset(), QStringLiteral("launch"));
        Plan plan;
        QVERIFY(panel.applyTo(&plan).isEmpty());
        QCOMPARE(plan.gates, QStringLiteral("launch"));
    }

    void customGatesFileIsCheckedThenUsed()
    {
        ScenarioPanel panel;
        const QString good = writeFile(QStringLiteral("checkout.json"), R"({"p95_ms": 150, "queries_per_request": 5})");
        QVERIFY(!good.isEmpty());
        QVERIFY(panel.useGatesFile(good));
        QCOMPARE(panel.gatePreset(), good);
        auto *note = panel.findChild<QLabel *>(QStringLiteral("gatesNote"));
        QVERIFY(note);
        QVERIFY2(note->text().contains(QStringLiteral("P95")), qPrintable(note->text()));
        Plan plan;
        QVERIFY(panel.applyTo(&plan).isEmpty());
        QCOMPARE(plan.gates, good);
        auto *combo = panel.findChild<QComboBox *>(QStringLiteral("gatePreset"));
        QVERIFY(combo->currentText().contains(QStringLiteral("checkout.json")));

        // Choosing the same file again does not add a second entry.
        const int items = combo->count();
        QVERIFY(panel.useGatesFile(good));
        QCOMPARE(combo->count(), items);
    }

    void badGatesFileIsRefusedAndNamesTheFix_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("unknown check") << QByteArray(R"({"p96_ms": 150})") << QStringLiteral("p96_ms");
        QTest::newRow("not JSON") << QByteArray("{p95_ms: 150") << QStringLiteral("bad.json was not used");
    }

    void badGatesFileIsRefusedAndNamesTheFix()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, fragment);
        ScenarioPanel panel;
        const QString bad = writeFile(QStringLiteral("bad.json"), json);
        QVERIFY(!panel.useGatesFile(bad));
        QCOMPARE(panel.gatePreset(), QStringLiteral("launch")); // the previous choice stays
        auto *note = panel.findChild<QLabel *>(QStringLiteral("gatesNote"));
        QVERIFY(!note->isHidden());
        QVERIFY2(note->text().contains(fragment), qPrintable(note->text()));
    }

    void planWithAGatesFileShowsIt()
    {
        ScenarioPanel panel;
        Plan plan;
        plan.gates = m_dir.filePath(QStringLiteral("release-gates.json"));
        panel.setPlan(plan);
        QCOMPARE(panel.gatePreset(), plan.gates);
        Plan back;
        QVERIFY(panel.applyTo(&back).isEmpty());
        QCOMPARE(back.gates, plan.gates);
        // The chooser stays the last entry.
        auto *combo = panel.findChild<QComboBox *>(QStringLiteral("gatePreset"));
        QVERIFY(combo->itemText(combo->count() - 1).contains(QStringLiteral("Custom gates file")));
    }
};

QTEST_MAIN(TestScenarioPanel)
#include "tst_scenariopanel.moc"
