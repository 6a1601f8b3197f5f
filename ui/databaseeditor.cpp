#include "databaseeditor.h"

#include "databasetestresult.h"
#include "jobtracker.h"
#include "passworddialog.h"
#include "plan/secretresolver.h"
#include "plan/secrets.h"
#include "secretstore.h"
#include "uiwiring.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace Preflight {

namespace {

enum Job { TestJob };

} // namespace

DatabaseEditor::~DatabaseEditor() = default;

DatabaseEditor::DatabaseEditor(SecretStore *secrets, QWidget *parent)
    : QWidget(parent), m_secrets(secrets), m_conninfo(new QLineEdit), m_statementLog(new QLineEdit),
      m_test(new QPushButton(tr("Test"))), m_setPassword(new QPushButton(tr("Set password…"))),
      m_result(new DatabaseTestResult), m_secretNote(new QLabel), m_jobs(new JobTracker(this))
{
    setObjectName(QStringLiteral("databaseEditor"));
    m_conninfo->setObjectName(QStringLiteral("conninfo"));
    m_conninfo->setPlaceholderText(tr("service=app_readonly, postgresql://…, or sqlite:/path/app.db"));
    UiWiring::name(m_conninfo, tr("Database connection"),
                   tr("libpq conninfo or sqlite:PATH; passwords belong in .pgpass, a service file, ${env:NAME} or "
                      "${keychain:NAME} (Set password…)"));
    m_statementLog->setObjectName(QStringLiteral("statementLog"));
    m_statementLog->setPlaceholderText(tr("optional: /var/log/postgresql/…log or the app's SQL log"));
    UiWiring::name(m_statementLog, tr("Statement log"),
                   tr("A statement log to tail for queries per request when pg_stat_statements is not available"));
    m_test->setObjectName(QStringLiteral("testDatabase"));
    UiWiring::name(m_test, tr("Test database connection"),
                   tr("Connect once and show what Preflight can read (version, max_connections, pg_stat_statements)"));
    m_setPassword->setObjectName(QStringLiteral("setDatabasePassword"));
    UiWiring::name(m_setPassword, tr("Set database password"),
                   tr("Store the password in the OS keychain; the conninfo refers to it as ${keychain:NAME}"));
    m_secretNote->setObjectName(QStringLiteral("secretNote"));
    m_secretNote->setWordWrap(true);
    m_secretNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_secretNote->hide();

    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *databaseRow = new QHBoxLayout;
    databaseRow->addWidget(m_conninfo, 1);
    databaseRow->addWidget(m_test);
    databaseRow->addWidget(m_setPassword);
    // A layout as the field gets no buddy from addRow: without one the label would show its '&'.
    auto *databaseLabel = new QLabel(tr("&Database"));
    databaseLabel->setBuddy(m_conninfo);
    form->addRow(databaseLabel, databaseRow);
    form->addRow(QString(), m_result);
    form->addRow(QString(), m_secretNote);
    form->addRow(tr("Statement &log"), m_statementLog);

    connect(m_test, &QPushButton::clicked, this, &DatabaseEditor::testDatabase);
    connect(m_setPassword, &QPushButton::clicked, this, &DatabaseEditor::setDatabasePassword);
    for (QLineEdit *edit : {m_conninfo, m_statementLog})
        connect(edit, &QLineEdit::textEdited, this, &DatabaseEditor::changed);
    connect(m_conninfo, &QLineEdit::textChanged, this, [this] {
        // A result for another conninfo would mislead: drop it, and any test still running.
        m_jobs->cancel(TestJob);
        m_result->clear();
        setTesting(false);
    });
    connect(
        m_secrets, &SecretStore::stored, this, [this](const QString &name, bool inKeychain, const QString &message) {
            if (!SecretResolver::keychainNames(m_conninfo->text()).contains(name))
                return;
            showSecretNote(inKeychain ? tr("The password for ${keychain:%1} is in the OS keychain (service \"%2\").")
                                            .arg(name, SecretStore::service())
                                      : message);
        });
    connect(m_secrets, &SecretStore::availabilityChanged, this, [this](SecretStore::Availability availability) {
        if (availability == SecretStore::Availability::Unavailable)
            showSecretNote(tr("The OS keychain is unavailable (%1): ${keychain:…} passwords are asked for once per "
                              "session and kept in memory only, never saved.")
                               .arg(m_secrets->unavailableReason()));
    });
}

void DatabaseEditor::setDatabase(const DatabaseSpec &database)
{
    m_conninfo->setText(database.conninfo);
    m_statementLog->setText(database.log);
}

void DatabaseEditor::applyTo(DatabaseSpec *database) const
{
    database->conninfo = m_conninfo->text().trimmed();
    database->log = m_statementLog->text().trimmed();
}

void DatabaseEditor::setEnabledForRun(bool editable)
{
    m_editable = editable;
    for (QWidget *w : std::initializer_list<QWidget *>{m_conninfo, m_statementLog, m_setPassword})
        w->setEnabled(editable);
}

QString DatabaseEditor::secretNote() const
{
    return m_secretNote->isHidden() ? QString() : m_secretNote->text();
}

void DatabaseEditor::showSecretNote(const QString &note)
{
    m_secretNote->setText(note);
    m_secretNote->setVisible(!note.isEmpty());
}

void DatabaseEditor::setTesting(bool testing)
{
    m_test->setEnabled(!testing);
    m_test->setText(testing ? tr("Testing…") : tr("Test"));
}

void DatabaseEditor::testDatabase()
{
    const QString conninfo = m_conninfo->text().trimmed();
    if (conninfo.isEmpty()) {
        m_result->showError(tr("No database connection to test."),
                            tr("Enter a libpq conninfo (host=… dbname=… user=…, postgresql://…, service=NAME) or "
                               "sqlite:PATH."));
        emit databaseTested();
        return;
    }
    if (m_jobs->isRunning(TestJob))
        return;
    const JobTracker::Ticket ticket = m_jobs->begin(TestJob);
    setTesting(true);
    m_result->showTesting();
    // ${keychain:NAME} in the conninfo: into the session table first (keychain or password dialog).
    m_secrets->ensureSession(
        SecretResolver::keychainNames(conninfo), window(), [this, conninfo, ticket](bool ok, const QString &message) {
            if (!m_jobs->isCurrent(TestJob, ticket))
                return; // the conninfo changed while the password was asked for
            if (!ok) {
                setTesting(false);
                m_result->showError(message, tr("Press Test again and enter the password, or use Set password…."));
                emit databaseTested();
                return;
            }
            m_jobs->startAs(
                TestJob, ticket, [conninfo] { return DatabaseTestResult::run(conninfo); },
                [this](const DatabaseTestResult::Outcome &outcome) {
                    setTesting(false);
                    m_result->showOutcome(outcome);
                    emit databaseTested();
                });
        });
}

QString DatabaseEditor::conninfoWithPassword(const QString &conninfo, const QString &placeholder)
{
    return Secrets::conninfoWithPassword(conninfo, placeholder);
}

void DatabaseEditor::setDatabasePassword()
{
    const QString conninfo = m_conninfo->text().trimmed();
    if (conninfo.startsWith(QLatin1String("sqlite:"))) {
        showSecretNote(tr("A SQLite file has no password; nothing to store."));
        return;
    }
    const QStringList names = SecretResolver::keychainNames(conninfo);
    PasswordDialog::askAndStore(
        this, m_secrets,
        tr("The database password goes to the OS keychain (service \"%1\"); the conninfo refers to it as "
           "password=${keychain:NAME}. It is never written to the plan, the settings or the run store.")
            .arg(SecretStore::service()),
        names.value(0, QStringLiteral("DB_PASSWORD")), [this](const QString &name) {
            m_conninfo->setText(
                conninfoWithPassword(m_conninfo->text().trimmed(), QStringLiteral("${keychain:%1}").arg(name)));
            showSecretNote(tr("Storing the password for ${keychain:%1}…").arg(name));
            emit changed();
        });
}

} // namespace Preflight
