#include "targetpanel.h"

#include "databaseeditor.h"
#include "endpointseditor.h"
#include "loginstepeditor.h"
#include "passworddialog.h"
#include "plan/secretresolver.h"
#include "poolsourceeditor.h"
#include "secretstore.h"
#include "transportfields.h"
#include "uiwiring.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace Preflight {

namespace {

QToolButton *toolButton(const QString &text, const QString &accessibleName)
{
    auto *b = new QToolButton;
    b->setText(text);
    UiWiring::name(b, accessibleName);
    return b;
}

QTableWidget *table(const QStringList &headers, const QString &accessibleName)
{
    auto *t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setStretchLastSection(false);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setMinimumHeight(110);
    UiWiring::name(t, accessibleName);
    return t;
}

QLabel *sectionLabel(const QString &text)
{
    auto *l = new QLabel(text);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}

} // namespace

TargetPanel::~TargetPanel() = default;

TargetPanel::TargetPanel(QWidget *parent)
    : QWidget(parent), m_secrets(new SecretStore(this)), m_name(new QLineEdit), m_baseUrl(new QLineEdit),
      m_endpoints(new EndpointsEditor), m_headers(table({tr("Header"), tr("Value")}, tr("Request headers"))),
      m_timeout(new QSpinBox), m_transport(new TransportFields), m_health(new QLineEdit),
      m_database(new DatabaseEditor(m_secrets)), m_login(new LoginStepEditor), m_pool(new PoolSourceEditor)
{
    setObjectName(QStringLiteral("targetPanel"));
    m_name->setObjectName(QStringLiteral("planName"));
    m_name->setPlaceholderText(tr("e.g. customer API before launch"));
    UiWiring::name(m_name, tr("Plan name"));
    m_baseUrl->setObjectName(QStringLiteral("baseUrl"));
    m_baseUrl->setPlaceholderText(QStringLiteral("http://127.0.0.1:8000"));
    UiWiring::name(m_baseUrl, tr("Base URL"), tr("Scheme, host and port of the backend under test"));
    m_headers->setObjectName(QStringLiteral("headersTable"));
    m_headers->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_headers->setMinimumHeight(80);
    m_timeout->setObjectName(QStringLiteral("timeout"));
    m_timeout->setRange(1, 3600 * 1000);
    m_timeout->setSingleStep(1000);
    m_timeout->setSuffix(tr(" ms"));
    UiWiring::name(m_timeout, tr("Request timeout"),
                   tr("A request without a complete answer by then counts as a timeout"));
    m_health->setObjectName(QStringLiteral("healthPath"));
    m_health->setPlaceholderText(QStringLiteral("/health"));
    UiWiring::name(m_health, tr("Health path"), tr("Checked before the run; empty: the first endpoint is used"));
    m_pool->setTargetProvider([this] {
        Plan plan;
        applyTo(&plan);
        return plan.target;
    });
    m_endpoints->setBaseUrlSink([this](const QString &baseUrl) {
        if (!m_baseUrl->text().trimmed().isEmpty())
            return false;
        m_baseUrl->setText(baseUrl);
        return true;
    });

    auto *addHeaderButton = toolButton(tr("Add"), tr("Add header"));
    auto *removeHeaderButton = toolButton(tr("Remove"), tr("Remove header"));
    m_buttons = {addHeaderButton, removeHeaderButton};
    connect(addHeaderButton, &QToolButton::clicked, this, &TargetPanel::addHeader);
    connect(removeHeaderButton, &QToolButton::clicked, this, &TargetPanel::removeHeader);

    connect(m_endpoints, &EndpointsEditor::changed, this, &TargetPanel::changed);
    connect(m_database, &DatabaseEditor::changed, this, &TargetPanel::changed);
    connect(m_login, &LoginStepEditor::setPasswordRequested, this, &TargetPanel::setLoginPassword);
    connect(m_login, &LoginStepEditor::changed, this, &TargetPanel::changed);
    connect(m_pool, &PoolSourceEditor::changed, this, &TargetPanel::changed);
    connect(m_secrets, &SecretStore::stored, this,
            [this](const QString &name, bool inKeychain, const QString &message) {
                Plan plan;
                m_login->applyTo(&plan.target.login);
                if (SecretResolver::keychainNames(QString::fromUtf8(QJsonDocument(plan.target.login.json).toJson()))
                        .contains(name))
                    m_login->showNote(inKeychain ? tr("The password for ${keychain:%1} is in the OS keychain (service "
                                                      "\"%2\").")
                                                       .arg(name, SecretStore::service())
                                                 : message);
            });

    auto *headerButtons = new QHBoxLayout;
    headerButtons->addWidget(addHeaderButton);
    headerButtons->addWidget(removeHeaderButton);
    headerButtons->addStretch();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Base &URL"), m_baseUrl);
    form->addRow(tr("&Timeout"), m_timeout);
    form->addRow(tr("TLS / HTTP"), m_transport);
    form->addRow(tr("&Health path"), m_health);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_database);
    layout->addWidget(m_endpoints, 3);
    layout->addWidget(new QLabel(tr("Headers sent with every request")));
    layout->addWidget(m_headers, 1);
    layout->addLayout(headerButtons);
    layout->addWidget(sectionLabel(tr("Login step")));
    layout->addWidget(m_login);
    layout->addWidget(sectionLabel(tr("Connection pool metrics")));
    layout->addWidget(m_pool);

    for (QLineEdit *edit : {m_name, m_baseUrl, m_health})
        connect(edit, &QLineEdit::textEdited, this, &TargetPanel::changed);
    connect(m_transport, &TransportFields::changed, this, &TargetPanel::changed);
    connect(m_timeout, &QSpinBox::valueChanged, this, [this] {
        if (!m_loading)
            emit changed();
    });
    connect(m_headers, &QTableWidget::itemChanged, this, [this] {
        if (!m_loading)
            emit changed();
    });
}

void TargetPanel::setPlan(const Plan &plan)
{
    m_loading = true;
    m_name->setText(plan.name);
    m_baseUrl->setText(plan.target.base_url);
    m_timeout->setValue(plan.target.timeout_ms);
    m_transport->setTarget(plan.target);
    m_health->setText(plan.health_path);
    m_database->setDatabase(plan.database);
    m_login->setLogin(plan.target.login);
    m_pool->setSpec(plan.pool);
    m_endpoints->setEndpoints(plan.endpoints);
    m_headers->setRowCount(0);
    for (const auto &[name, value] : plan.target.headers) {
        const int row = m_headers->rowCount();
        m_headers->insertRow(row);
        m_headers->setItem(row, 0, new QTableWidgetItem(name));
        m_headers->setItem(row, 1, new QTableWidgetItem(value));
    }
    m_loading = false;
}

QString TargetPanel::applyTo(Plan *plan) const
{
    plan->name = m_name->text().trimmed();
    plan->target.base_url = m_baseUrl->text().trimmed();
    plan->target.timeout_ms = m_timeout->value();
    m_transport->applyTo(&plan->target);
    plan->health_path = m_health->text().trimmed();
    m_database->applyTo(&plan->database);
    if (const QString problem = m_login->applyTo(&plan->target.login); !problem.isEmpty())
        return problem;
    plan->pool = m_pool->spec();
    if (const QString problem = m_endpoints->applyTo(&plan->endpoints); !problem.isEmpty())
        return problem;

    plan->target.headers.clear();
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QTableWidgetItem *name = m_headers->item(row, 0);
        const QTableWidgetItem *value = m_headers->item(row, 1);
        if (name && !name->text().trimmed().isEmpty())
            plan->target.headers[name->text().trimmed()] = value ? value->text() : QString();
    }
    return {};
}

void TargetPanel::setEnabledForRun(bool editable)
{
    for (QWidget *w : std::initializer_list<QWidget *>{m_name, m_baseUrl, m_headers, m_timeout, m_health})
        w->setEnabled(editable);
    for (QToolButton *b : std::as_const(m_buttons))
        b->setEnabled(editable);
    m_endpoints->setEnabledForRun(editable);
    m_database->setEnabledForRun(editable);
    m_login->setEnabledForRun(editable);
    m_pool->setEnabledForRun(editable);
}

void TargetPanel::addHeader()
{
    const int row = m_headers->rowCount();
    m_headers->insertRow(row);
    m_headers->setItem(row, 0, new QTableWidgetItem(QStringLiteral("Accept")));
    m_headers->setItem(row, 1, new QTableWidgetItem(QStringLiteral("application/json")));
    m_headers->setCurrentCell(row, 0);
    emit changed();
}

void TargetPanel::removeHeader()
{
    const int row = m_headers->currentRow();
    if (row < 0)
        return;
    m_headers->removeRow(row);
    emit changed();
}

void TargetPanel::setLoginPassword()
{
    if (const QString error = m_login->bodyError(); !error.isEmpty()) {
        m_login->showNote(tr("Fix the login body first: %1").arg(error));
        return;
    }
    const QString current = m_login->passwordPlaceholderName();
    PasswordDialog::askAndStore(
        this, m_secrets,
        tr("The login password goes to the OS keychain (service \"%1\"); the login body refers to it as "
           "${keychain:NAME}. It is never written to the plan, the settings or the run store.")
            .arg(SecretStore::service()),
        current.isEmpty() ? QStringLiteral("APP_PASSWORD") : current, [this](const QString &name) {
            if (m_login->setPasswordPlaceholder(name))
                m_login->showNote(tr("Storing the password for ${keychain:%1}…").arg(name));
            emit changed();
        });
}

} // namespace Preflight
