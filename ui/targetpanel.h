#pragma once

#include "plan/plan.h"

#include <QWidget>

#include <functional>
#include <vector>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

class DatabaseTestResult;
class LoginStepEditor;
class PoolSourceEditor;
class TransportFields;
class SecretStore;

// Edits the target side of a plan: name, base URL, endpoints (method, path, weight; add, remove, reorder,
// import from OpenAPI/HAR), common headers, request timeout, health path, login step, database connection
// (with an inline Test and Set password…), statement log and pool source. Fields the panel does not show (path
// variables, bodies and headers of endpoints) are kept from the plan given to setPlan().
// Passwords: "Set password…" stores them through SecretStore (OS keychain, or memory only) and writes a
// `${keychain:NAME}` placeholder, never the password, into the field.
class TargetPanel : public QWidget
{
    Q_OBJECT
public:
    enum EndpointColumns { MethodColumn, PathColumn, WeightColumn, NUM_ENDPOINT_COLUMNS };

    explicit TargetPanel(QWidget *parent = nullptr);
    ~TargetPanel() override;

    void setPlan(const Plan &plan);
    // Writes the panel's fields into *plan. Returns an empty string, or what to correct.
    QString applyTo(Plan *plan) const;

    QLineEdit *baseUrlEdit() const { return m_baseUrl; }
    QLineEdit *conninfoEdit() const { return m_conninfo; }
    QTableWidget *endpointsTable() const { return m_endpoints; }
    QPushButton *testDatabaseButton() const { return m_testDatabase; }
    QPushButton *setPasswordButton() const { return m_setPassword; }
    QPushButton *importButton() const { return m_import; }
    DatabaseTestResult *databaseTestResult() const { return m_dbResult; }
    LoginStepEditor *loginEditor() const { return m_login; }
    PoolSourceEditor *poolEditor() const { return m_pool; }
    SecretStore *secretStore() const { return m_secrets; }
    // The inline note under the conninfo (keychain unavailable, password stored…); empty when hidden.
    QString secretNote() const;
    // Import warnings (or error) shown under the endpoints table; empty when hidden.
    QString importMessage() const;

    void setEndpoints(const QList<QPair<QString, QString>> &methodAndPath);
    void setEnabledForRun(bool editable);

    // `${keychain:…}` placeholder for a conninfo: replaces its password (key=value or URI) or appends one.
    static QString conninfoWithPassword(const QString &conninfo, const QString &placeholder);

public slots:
    void addEndpoint();
    void removeEndpoint();
    void moveEndpointUp();
    void moveEndpointDown();
    // Runs the capability check for the conninfo off the GUI thread and shows it under the field.
    void testDatabase();
    // Asks for a password, stores it (keychain or memory) and writes ${keychain:NAME} into the conninfo.
    void setDatabasePassword();
    void setLoginPassword();
    // File dialog, then importEndpointsFrom().
    void importEndpoints();
    // Reads OpenAPI 3 JSON / HAR off the GUI thread; asks Replace / Append / Cancel when the table has rows.
    void importEndpointsFrom(const QString &path);

signals:
    void changed();
    // A database test ended (its result is shown in databaseTestResult()).
    void databaseTested();
    // An import was applied or failed (its message is in importMessage()).
    void importFinished();

private:
    void appendEndpointRow(const QString &method, const QString &path, double weight, int specIndex);
    void moveEndpoint(int delta);
    void addHeader();
    void removeHeader();
    void setDatabaseTesting(bool testing);
    void askPassword(const QString &why, const QString &defaultName, std::function<void(const QString &name)> apply);
    void showSecretNote(const QString &note);
    void showImportMessage(const QString &text, bool error);
    void applyImport(const std::vector<EndpointSpec> &endpoints, const QString &baseUrl, bool replace,
                     const QStringList &warnings);

    QLineEdit *m_name;
    QLineEdit *m_baseUrl;
    QTableWidget *m_endpoints;
    QTableWidget *m_headers;
    QSpinBox *m_timeout;
    TransportFields *m_transport;
    QLineEdit *m_health;
    QLineEdit *m_conninfo;
    QLineEdit *m_statementLog;
    QPushButton *m_testDatabase;
    QPushButton *m_setPassword;
    QPushButton *m_import;
    DatabaseTestResult *m_dbResult;
    QLabel *m_secretNote;
    QLabel *m_importMessage;
    LoginStepEditor *m_login;
    PoolSourceEditor *m_pool;
    SecretStore *m_secrets;
    QList<QToolButton *> m_buttons;
    std::vector<EndpointSpec> m_specs; // endpoints as loaded or imported, for the fields the table does not show
    int m_dbTestGeneration = 0;
    int m_importGeneration = 0;
    bool m_dbTesting = false;
    bool m_loading = false;
    bool m_editable = true;
};

} // namespace Preflight
