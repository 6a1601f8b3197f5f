#pragma once

#include "plan/plan.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

class DatabaseEditor;
class EndpointsEditor;
class LoginStepEditor;
class PoolSourceEditor;
class TransportFields;
class SecretStore;

// Edits the target side of a plan: name, base URL, common headers, request timeout and health path here; the
// endpoints (EndpointsEditor: list, details, import), the login step (LoginStepEditor), the database connection
// (DatabaseEditor: Test, Set password…, statement log) and the pool source (PoolSourceEditor) in their own
// editors. Fields no editor shows are kept from the plan given to setPlan().
// Passwords: "Set password…" stores them through SecretStore (OS keychain, or memory only) and writes a
// `${keychain:NAME}` placeholder, never the password, into the field.
class TargetPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TargetPanel(QWidget *parent = nullptr);
    ~TargetPanel() override;

    void setPlan(const Plan &plan);
    // Writes the panel's fields into *plan. Returns an empty string, or what to correct.
    QString applyTo(Plan *plan) const;

    QLineEdit *baseUrlEdit() const { return m_baseUrl; }
    EndpointsEditor *endpointsEditor() const { return m_endpoints; }
    DatabaseEditor *databaseEditor() const { return m_database; }
    LoginStepEditor *loginEditor() const { return m_login; }
    PoolSourceEditor *poolEditor() const { return m_pool; }
    SecretStore *secretStore() const { return m_secrets; }

    void setEnabledForRun(bool editable);

public slots:
    void setLoginPassword();

signals:
    void changed();

private:
    void addHeader();
    void removeHeader();

    SecretStore *m_secrets;
    QLineEdit *m_name;
    QLineEdit *m_baseUrl;
    EndpointsEditor *m_endpoints;
    QTableWidget *m_headers;
    QSpinBox *m_timeout;
    TransportFields *m_transport;
    QLineEdit *m_health;
    DatabaseEditor *m_database;
    LoginStepEditor *m_login;
    PoolSourceEditor *m_pool;
    QList<QToolButton *> m_buttons;
    bool m_loading = false;
};

} // namespace Preflight
