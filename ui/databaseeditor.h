#pragma once

#include "plan/plan.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QPushButton;
QT_END_NAMESPACE

namespace Preflight {

class DatabaseTestResult;
class JobTracker;
class SecretStore;

// The plan's database: the connection (libpq conninfo or sqlite:PATH) with an inline Test (the capability check,
// off the GUI thread) and Set password…, and the optional statement log. Passwords: "Set password…" stores them
// through the SecretStore (OS keychain, or memory only) and writes a `${keychain:NAME}` placeholder, never the
// password, into the conninfo. Fields of DatabaseSpec it does not show (the app's sessions) are left as they are.
class DatabaseEditor : public QWidget
{
    Q_OBJECT
public:
    DatabaseEditor(SecretStore *secrets, QWidget *parent = nullptr);
    ~DatabaseEditor() override;

    void setDatabase(const DatabaseSpec &database);
    void applyTo(DatabaseSpec *database) const;
    void setEnabledForRun(bool editable);

    // `${keychain:…}` placeholder for a conninfo: replaces its password (key=value or URI) or appends one.
    static QString conninfoWithPassword(const QString &conninfo, const QString &placeholder);

    QLineEdit *conninfoEdit() const { return m_conninfo; }
    QLineEdit *statementLogEdit() const { return m_statementLog; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *setPasswordButton() const { return m_setPassword; }
    DatabaseTestResult *testResult() const { return m_result; }
    // The inline note under the conninfo (keychain unavailable, password stored…); empty when hidden.
    QString secretNote() const;

public slots:
    // Runs the capability check for the conninfo off the GUI thread and shows it under the field.
    void testDatabase();
    // Asks for a password, stores it (keychain or memory) and writes ${keychain:NAME} into the conninfo.
    void setDatabasePassword();

signals:
    void changed();
    // A database test ended (its result is shown in testResult()).
    void databaseTested();

private:
    void setTesting(bool testing);
    void showSecretNote(const QString &note);

    SecretStore *m_secrets;
    QLineEdit *m_conninfo;
    QLineEdit *m_statementLog;
    QPushButton *m_test;
    QPushButton *m_setPassword;
    DatabaseTestResult *m_result;
    QLabel *m_secretNote;
    JobTracker *m_jobs;
    bool m_editable = true;
};

} // namespace Preflight
