// The Target panel's database "Test" button and its inline result, against a throwaway PostgreSQL 15 server:
// the result names the server version and the pg_stat_statements state (with the remediation lines when it is not
// usable), and a wrong password or a refused port is an inline error that names the fix, never a modal box.
#include "databaseeditor.h"
#include "databasetestresult.h"
#include "pgserver.h"
#include "plan/secretresolver.h"
#include "targetpanel.h"
#include "testhttpserver.h"

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;

namespace {

constexpr int kTimeout_ms = 30000;
const QString kPassword = QStringLiteral("tst-dbresult-pw");
const QString kMonitor = QStringLiteral("monitor"); // may read every statement (pg_read_all_stats)
const QString kApp = QStringLiteral("app");         // a plain role
const QString kWithExtension = QStringLiteral("withext");
const QString kWithoutExtension = QStringLiteral("noext");

DatabaseTestResult::Outcome failure(DbError::Kind kind, const QString &message)
{
    DatabaseTestResult::Outcome o;
    o.error.kind = kind;
    o.error.message = message;
    return o;
}

} // namespace

class TestDatabaseTestResult : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        PREFLIGHT_START_PG(m_pg);
        QString error;
        QVERIFY2(m_pg.createRole(kMonitor, kPassword, {QStringLiteral("pg_read_all_stats")}, &error),
                 qPrintable(error));
        QVERIFY2(m_pg.createRole(kApp, kPassword, {}, &error), qPrintable(error));
        QVERIFY2(m_pg.createDatabase(kWithExtension, kApp, &error), qPrintable(error));
        QVERIFY2(m_pg.exec(QStringLiteral("CREATE EXTENSION pg_stat_statements"), kWithExtension, &error),
                 qPrintable(error));
        QVERIFY2(m_pg.createDatabase(kWithoutExtension, kApp, &error), qPrintable(error));
        m_version = m_pg.queryValue(QStringLiteral("SHOW server_version")).section(QLatin1Char(' '), 0, 0);
        QVERIFY(m_version.startsWith(QLatin1String("15.")));
    }

    void cleanup() { SecretResolver::clearSessionSecrets(); }

    void testButtonShowsTheCapabilityCheckInline_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("db");
        QTest::addColumn<QString>("pgss");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("remediation"); // a line the box must hold; empty: no box
        QTest::newRow("ok") << kMonitor << kWithExtension << QStringLiteral("ok") << int(DatabaseTestResult::State::Ok)
                            << QString();
        QTest::newRow("extension not created")
            << kMonitor << kWithoutExtension << QStringLiteral("missing") << int(DatabaseTestResult::State::Warning)
            << QStringLiteral("CREATE EXTENSION pg_stat_statements;");
        QTest::newRow("role may not read others' statements")
            << kApp << kWithExtension << QStringLiteral("insufficient-privilege")
            << int(DatabaseTestResult::State::Warning) << QStringLiteral("GRANT pg_read_all_stats TO \"app\";");
    }
    void testButtonShowsTheCapabilityCheckInline()
    {
        QFETCH(QString, role);
        QFETCH(QString, db);
        QFETCH(QString, pgss);
        QFETCH(int, state);
        QFETCH(QString, remediation);
        TargetPanel panel;
        panel.show();
        DatabaseTestResult *result = panel.databaseEditor()->testResult();
        QVERIFY(result->isHidden());
        panel.databaseEditor()->conninfoEdit()->setText(m_pg.tcpConninfo(role, kPassword, db));
        QSignalSpy tested(panel.databaseEditor(), &DatabaseEditor::databaseTested);
        QTest::mouseClick(panel.databaseEditor()->testButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kTimeout_ms);
        QCOMPARE(int(result->state()), state);
        QVERIFY(result->isVisible());
        QCOMPARE(result->summaryText(),
                 QStringLiteral("Connected: PostgreSQL %1 · max_connections %2 · pg_stat_statements %3")
                     .arg(m_version, m_pg.queryValue(QStringLiteral("SHOW max_connections")), pgss));
        QCOMPARE(result->detailsText().isEmpty(), remediation.isEmpty());
        if (remediation.isEmpty()) {
            QVERIFY(result->remediationText().isEmpty());
        } else {
            QVERIFY2(result->remediationText().split(QLatin1Char('\n')).contains(remediation),
                     qPrintable(result->remediationText()));
            QVERIFY(result->findChild<QWidget *>(QStringLiteral("copyRemediation"))->isVisible());
        }
        QVERIFY(panel.databaseEditor()->testButton()->isEnabled());
        QCOMPARE(panel.databaseEditor()->testButton()->text(), QStringLiteral("Test"));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        // The password never shows in the result.
        const QString shown = result->summaryText() + result->detailsText() + result->remediationText();
        QVERIFY(!shown.contains(kPassword));
    }

    void connectionFailuresAreInlineErrorsNamingTheFix_data()
    {
        QTest::addColumn<QString>("failure");
        QTest::addColumn<QString>("fix");
        QTest::newRow("wrong password") << QStringLiteral("password") << QStringLiteral("Set password…");
        QTest::newRow("refused port") << QStringLiteral("port") << QStringLiteral("Check host= and port=");
        QTest::newRow("not a conninfo") << QStringLiteral("syntax") << QStringLiteral("Correct the conninfo");
        QTest::newRow("empty") << QStringLiteral("empty") << QStringLiteral("Enter a libpq conninfo");
    }
    void connectionFailuresAreInlineErrorsNamingTheFix()
    {
        QFETCH(QString, failure);
        QFETCH(QString, fix);
        QString conninfo;
        if (failure == QLatin1String("password"))
            conninfo = m_pg.tcpConninfo(kMonitor, QStringLiteral("not-the-password"), kWithExtension);
        else if (failure == QLatin1String("port"))
            conninfo = QStringLiteral("host=127.0.0.1 port=%1 user=app dbname=app connect_timeout=5")
                           .arg(PreflightTest::TestHttpServer::refusedPort());
        else if (failure == QLatin1String("syntax"))
            conninfo = QStringLiteral("host=127.0.0.1 this is not a conninfo");
        TargetPanel panel;
        panel.show();
        panel.databaseEditor()->conninfoEdit()->setText(conninfo);
        QSignalSpy tested(panel.databaseEditor(), &DatabaseEditor::databaseTested);
        QTest::mouseClick(panel.databaseEditor()->testButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kTimeout_ms);
        DatabaseTestResult *result = panel.databaseEditor()->testResult();
        QCOMPARE(result->state(), DatabaseTestResult::State::Error);
        QVERIFY(result->isVisible());
        QVERIFY(!result->summaryText().isEmpty());
        QVERIFY2(result->detailsText().contains(fix),
                 qPrintable(result->summaryText() + QLatin1Char('\n') + result->detailsText()));
        QVERIFY(!result->summaryText().contains(QLatin1String("not-the-password")));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(panel.databaseEditor()->testButton()->isEnabled());
    }

    void aKeychainPasswordFromTheSessionTable()
    {
        // The password is in the session table (as after the keychain was read once): no dialog, connected.
        SecretResolver::setSessionSecret(QStringLiteral("TST_PG_PW"), kPassword);
        TargetPanel panel;
        panel.show();
        const QString conninfo = DatabaseEditor::conninfoWithPassword(
            m_pg.tcpConninfo(kMonitor, kPassword, kWithExtension), QStringLiteral("${keychain:TST_PG_PW}"));
        QVERIFY(!conninfo.contains(kPassword));
        panel.databaseEditor()->conninfoEdit()->setText(conninfo);
        QSignalSpy tested(panel.databaseEditor(), &DatabaseEditor::databaseTested);
        panel.databaseEditor()->testDatabase();
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kTimeout_ms);
        QCOMPARE(panel.databaseEditor()->testResult()->state(), DatabaseTestResult::State::Ok);
        QVERIFY(panel.databaseEditor()->testResult()->summaryText().contains(m_version));
    }

    void editingTheConninfoDropsTheResult()
    {
        TargetPanel panel;
        panel.show();
        panel.databaseEditor()->conninfoEdit()->setText(m_pg.tcpConninfo(kMonitor, kPassword, kWithExtension));
        QSignalSpy tested(panel.databaseEditor(), &DatabaseEditor::databaseTested);
        panel.databaseEditor()->testDatabase();
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kTimeout_ms);
        QVERIFY(panel.databaseEditor()->testResult()->isVisible());
        QTest::keyClicks(panel.databaseEditor()->conninfoEdit(), QStringLiteral(" "));
        QCOMPARE(panel.databaseEditor()->testResult()->state(), DatabaseTestResult::State::Empty);
        QVERIFY(panel.databaseEditor()->testResult()->isHidden());
    }

    void outcomesShownWithoutAServer_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("fix");
        QTest::newRow("auth") << int(DbError::Kind::Auth) << QStringLiteral("${keychain:NAME}");
        QTest::newRow("unreachable") << int(DbError::Kind::Unreachable) << QStringLiteral("Check host= and port=");
        QTest::newRow("config") << int(DbError::Kind::Config) << QStringLiteral("sqlite:PATH");
        QTest::newRow("query: the message says it") << int(DbError::Kind::Query) << QString();
    }
    void outcomesShownWithoutAServer()
    {
        QFETCH(int, kind);
        QFETCH(QString, fix);
        DatabaseTestResult result;
        result.show();
        result.showTesting();
        QCOMPARE(result.state(), DatabaseTestResult::State::Testing);
        result.showOutcome(failure(DbError::Kind(kind), QStringLiteral("it failed")));
        QCOMPARE(result.state(), DatabaseTestResult::State::Error);
        QCOMPARE(result.summaryText(), QStringLiteral("it failed"));
        if (fix.isEmpty())
            QVERIFY(result.detailsText().isEmpty());
        else
            QVERIFY2(result.detailsText().contains(fix), qPrintable(result.detailsText()));
        QVERIFY(result.remediationText().isEmpty());
        result.clear();
        QCOMPARE(result.state(), DatabaseTestResult::State::Empty);
        QVERIFY(result.isHidden());
    }

    void sqliteSummary()
    {
        DatabaseTestResult::Outcome o;
        o.capabilities.kind = QStringLiteral("sqlite");
        o.capabilities.server_version = QStringLiteral("3.40.1");
        o.capabilities.journal_mode = QStringLiteral("wal");
        o.capabilities.file_bytes = 2048;
        o.capabilities.page_size = 4096;
        o.tables = 3;
        DatabaseTestResult result;
        result.showOutcome(o);
        QCOMPARE(result.state(), DatabaseTestResult::State::Ok);
        QCOMPARE(result.summaryText(),
                 QStringLiteral("SQLite 3.40.1 · WAL journal · 2.0 kB file · WAL 0 bytes · 3 tables · page size 4096"));
    }

private:
    PgTestServer m_pg;
    QString m_version;
};

QTEST_MAIN(TestDatabaseTestResult)
#include "tst_databasetestresult.moc"
