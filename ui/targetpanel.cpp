#include "targetpanel.h"

#include "databasetestresult.h"
#include "loginstepeditor.h"
#include "passworddialog.h"
#include "plan/endpointimport.h"
#include "plan/planparser.h"
#include "plan/secretresolver.h"
#include "plan/secrets.h"
#include "poolsourceeditor.h"
#include "secretstore.h"
#include "transportfields.h"
#include "uiwiring.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace Preflight {

namespace {

constexpr int kSpecIndexRole = Qt::UserRole + 1;

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

QLabel *noteLabel(const QString &objectName)
{
    auto *l = new QLabel;
    l->setObjectName(objectName);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->hide();
    return l;
}

} // namespace

TargetPanel::~TargetPanel() = default;

TargetPanel::TargetPanel(QWidget *parent)
    : QWidget(parent), m_name(new QLineEdit), m_baseUrl(new QLineEdit),
      m_endpoints(table({tr("Method"), tr("Path"), tr("Weight")}, tr("Endpoints"))),
      m_headers(table({tr("Header"), tr("Value")}, tr("Request headers"))), m_timeout(new QSpinBox),
      m_transport(new TransportFields), m_health(new QLineEdit), m_conninfo(new QLineEdit),
      m_statementLog(new QLineEdit), m_testDatabase(new QPushButton(tr("Test"))),
      m_setPassword(new QPushButton(tr("Set password…"))), m_import(new QPushButton(tr("Import…"))),
      m_dbResult(new DatabaseTestResult), m_secretNote(noteLabel(QStringLiteral("secretNote"))),
      m_importMessage(noteLabel(QStringLiteral("importMessage"))), m_login(new LoginStepEditor),
      m_pool(new PoolSourceEditor), m_secrets(new SecretStore(this))
{
    setObjectName(QStringLiteral("targetPanel"));
    m_name->setObjectName(QStringLiteral("planName"));
    m_name->setPlaceholderText(tr("e.g. customer API before launch"));
    UiWiring::name(m_name, tr("Plan name"));
    m_baseUrl->setObjectName(QStringLiteral("baseUrl"));
    m_baseUrl->setPlaceholderText(QStringLiteral("http://127.0.0.1:8000"));
    UiWiring::name(m_baseUrl, tr("Base URL"), tr("Scheme, host and port of the backend under test"));
    m_endpoints->setObjectName(QStringLiteral("endpointsTable"));
    m_endpoints->horizontalHeader()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_endpoints->setColumnWidth(MethodColumn, 70);
    m_endpoints->setColumnWidth(WeightColumn, 60);
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
    m_conninfo->setObjectName(QStringLiteral("conninfo"));
    m_conninfo->setPlaceholderText(tr("service=app_readonly, postgresql://…, or sqlite:/path/app.db"));
    UiWiring::name(m_conninfo, tr("Database connection"),
                   tr("libpq conninfo or sqlite:PATH; passwords belong in .pgpass, a service file, ${env:NAME} or "
                      "${keychain:NAME} (Set password…)"));
    m_statementLog->setObjectName(QStringLiteral("statementLog"));
    m_statementLog->setPlaceholderText(tr("optional: /var/log/postgresql/…log or the app's SQL log"));
    UiWiring::name(m_statementLog, tr("Statement log"),
                   tr("A statement log to tail for queries per request when pg_stat_statements is not available"));
    m_testDatabase->setObjectName(QStringLiteral("testDatabase"));
    UiWiring::name(m_testDatabase, tr("Test database connection"),
                   tr("Connect once and show what Preflight can read (version, max_connections, pg_stat_statements)"));
    m_setPassword->setObjectName(QStringLiteral("setDatabasePassword"));
    UiWiring::name(m_setPassword, tr("Set database password"),
                   tr("Store the password in the OS keychain; the conninfo refers to it as ${keychain:NAME}"));
    m_import->setObjectName(QStringLiteral("importEndpoints"));
    UiWiring::name(m_import, tr("Import endpoints"),
                   tr("Import endpoints from an OpenAPI 3 JSON document or a HAR capture"));
    m_pool->setTargetProvider([this] {
        Plan plan;
        applyTo(&plan);
        return plan.target;
    });

    auto *addButton = toolButton(tr("Add"), tr("Add endpoint"));
    auto *removeButton = toolButton(tr("Remove"), tr("Remove endpoint"));
    auto *upButton = toolButton(tr("Up"), tr("Move endpoint up"));
    auto *downButton = toolButton(tr("Down"), tr("Move endpoint down"));
    auto *addHeaderButton = toolButton(tr("Add"), tr("Add header"));
    auto *removeHeaderButton = toolButton(tr("Remove"), tr("Remove header"));
    addButton->setObjectName(QStringLiteral("addEndpoint"));
    removeButton->setObjectName(QStringLiteral("removeEndpoint"));
    m_buttons = {addButton, removeButton, upButton, downButton, addHeaderButton, removeHeaderButton};
    connect(addButton, &QToolButton::clicked, this, &TargetPanel::addEndpoint);
    connect(removeButton, &QToolButton::clicked, this, &TargetPanel::removeEndpoint);
    connect(upButton, &QToolButton::clicked, this, &TargetPanel::moveEndpointUp);
    connect(downButton, &QToolButton::clicked, this, &TargetPanel::moveEndpointDown);
    connect(addHeaderButton, &QToolButton::clicked, this, &TargetPanel::addHeader);
    connect(removeHeaderButton, &QToolButton::clicked, this, &TargetPanel::removeHeader);

    connect(m_testDatabase, &QPushButton::clicked, this, &TargetPanel::testDatabase);
    connect(m_setPassword, &QPushButton::clicked, this, &TargetPanel::setDatabasePassword);
    connect(m_import, &QPushButton::clicked, this, &TargetPanel::importEndpoints);
    connect(m_login, &LoginStepEditor::setPasswordRequested, this, &TargetPanel::setLoginPassword);
    connect(m_login, &LoginStepEditor::changed, this, &TargetPanel::changed);
    connect(m_pool, &PoolSourceEditor::changed, this, &TargetPanel::changed);
    connect(m_secrets, &SecretStore::stored, this,
            [this](const QString &name, bool inKeychain, const QString &message) {
                const QString note = inKeychain
                                         ? tr("The password for ${keychain:%1} is in the OS keychain (service \"%2\").")
                                               .arg(name, SecretStore::service())
                                         : message;
                if (SecretResolver::keychainNames(m_conninfo->text()).contains(name))
                    showSecretNote(note);
                Plan plan;
                m_login->applyTo(&plan.target.login);
                if (SecretResolver::keychainNames(QString::fromUtf8(QJsonDocument(plan.target.login.json).toJson()))
                        .contains(name))
                    m_login->showNote(note);
            });
    connect(m_secrets, &SecretStore::availabilityChanged, this, [this](SecretStore::Availability availability) {
        if (availability == SecretStore::Availability::Unavailable)
            showSecretNote(tr("The OS keychain is unavailable (%1): ${keychain:…} passwords are asked for once per "
                              "session and kept in memory only, never saved.")
                               .arg(m_secrets->unavailableReason()));
    });

    auto *endpointButtons = new QHBoxLayout;
    for (QToolButton *b : {addButton, removeButton, upButton, downButton})
        endpointButtons->addWidget(b);
    endpointButtons->addStretch();
    endpointButtons->addWidget(m_import);
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
    auto *databaseRow = new QHBoxLayout;
    databaseRow->addWidget(m_conninfo, 1);
    databaseRow->addWidget(m_testDatabase);
    databaseRow->addWidget(m_setPassword);
    // A layout as the field gets no buddy from addRow: without one the label would show its '&'.
    auto *databaseLabel = new QLabel(tr("&Database"));
    databaseLabel->setBuddy(m_conninfo);
    form->addRow(databaseLabel, databaseRow);
    form->addRow(QString(), m_dbResult);
    form->addRow(QString(), m_secretNote);
    form->addRow(tr("Statement &log"), m_statementLog);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Endpoints (weights set the mix)")));
    layout->addWidget(m_endpoints, 2);
    layout->addLayout(endpointButtons);
    layout->addWidget(m_importMessage);
    layout->addWidget(new QLabel(tr("Headers sent with every request")));
    layout->addWidget(m_headers, 1);
    layout->addLayout(headerButtons);
    layout->addWidget(sectionLabel(tr("Login step")));
    layout->addWidget(m_login);
    layout->addWidget(sectionLabel(tr("Connection pool metrics")));
    layout->addWidget(m_pool);

    for (QLineEdit *edit : {m_name, m_baseUrl, m_health, m_conninfo, m_statementLog})
        connect(edit, &QLineEdit::textEdited, this, &TargetPanel::changed);
    connect(m_conninfo, &QLineEdit::textChanged, this, [this] {
        // A result for another conninfo would mislead: drop it, and any test still running.
        ++m_dbTestGeneration;
        m_dbResult->clear();
        setDatabaseTesting(false);
    });
    connect(m_transport, &TransportFields::changed, this, &TargetPanel::changed);
    connect(m_timeout, &QSpinBox::valueChanged, this, [this] {
        if (!m_loading)
            emit changed();
    });
    for (QTableWidget *t : {m_endpoints, m_headers}) {
        connect(t, &QTableWidget::itemChanged, this, [this] {
            if (!m_loading)
                emit changed();
        });
    }
}

void TargetPanel::appendEndpointRow(const QString &method, const QString &path, double weight, int specIndex)
{
    const int row = m_endpoints->rowCount();
    m_endpoints->insertRow(row);
    auto *methodItem = new QTableWidgetItem(method);
    methodItem->setData(kSpecIndexRole, specIndex);
    m_endpoints->setItem(row, MethodColumn, methodItem);
    m_endpoints->setItem(row, PathColumn, new QTableWidgetItem(path));
    m_endpoints->setItem(row, WeightColumn, new QTableWidgetItem(QString::number(weight)));
}

void TargetPanel::setPlan(const Plan &plan)
{
    m_loading = true;
    m_specs = plan.endpoints;
    m_name->setText(plan.name);
    m_baseUrl->setText(plan.target.base_url);
    m_timeout->setValue(plan.target.timeout_ms);
    m_transport->setTarget(plan.target);
    m_health->setText(plan.health_path);
    m_conninfo->setText(plan.database.conninfo);
    m_statementLog->setText(plan.database.log);
    m_login->setLogin(plan.target.login);
    m_pool->setSpec(plan.pool);
    m_importMessage->hide();
    m_endpoints->setRowCount(0);
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        const EndpointSpec &e = plan.endpoints[i];
        appendEndpointRow(e.method, e.path, e.weight, int(i));
    }
    m_headers->setRowCount(0);
    for (const auto &[name, value] : plan.target.headers) {
        const int row = m_headers->rowCount();
        m_headers->insertRow(row);
        m_headers->setItem(row, 0, new QTableWidgetItem(name));
        m_headers->setItem(row, 1, new QTableWidgetItem(value));
    }
    m_loading = false;
}

void TargetPanel::setEndpoints(const QList<QPair<QString, QString>> &methodAndPath)
{
    m_loading = true;
    m_endpoints->setRowCount(0);
    for (const auto &[method, path] : methodAndPath)
        appendEndpointRow(method, path, 1, -1);
    m_loading = false;
    emit changed();
}

QString TargetPanel::applyTo(Plan *plan) const
{
    plan->name = m_name->text().trimmed();
    plan->target.base_url = m_baseUrl->text().trimmed();
    plan->target.timeout_ms = m_timeout->value();
    m_transport->applyTo(&plan->target);
    plan->health_path = m_health->text().trimmed();
    plan->database.conninfo = m_conninfo->text().trimmed();
    plan->database.log = m_statementLog->text().trimmed();
    if (const QString problem = m_login->applyTo(&plan->target.login); !problem.isEmpty())
        return problem;
    plan->pool = m_pool->spec();

    std::vector<EndpointSpec> endpoints;
    for (int row = 0; row < m_endpoints->rowCount(); ++row) {
        auto text = [&](int column) {
            const QTableWidgetItem *item = m_endpoints->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        const QTableWidgetItem *methodItem = m_endpoints->item(row, MethodColumn);
        const int specIndex = methodItem ? methodItem->data(kSpecIndexRole).toInt() : -1;
        EndpointSpec spec =
            specIndex >= 0 && size_t(specIndex) < m_specs.size() ? m_specs[size_t(specIndex)] : EndpointSpec{};
        spec.method = text(MethodColumn).toUpper();
        if (spec.method.isEmpty())
            spec.method = QStringLiteral("GET");
        spec.path = text(PathColumn);
        if (spec.path.isEmpty())
            return tr("Endpoint %1 has no path; give one such as /api/items, or remove the row.").arg(row + 1);
        if (!spec.path.startsWith(QLatin1Char('/')))
            spec.path.prepend(QLatin1Char('/'));
        bool ok = false;
        const QString weightText = text(WeightColumn);
        spec.weight = weightText.isEmpty() ? 1.0 : weightText.toDouble(&ok);
        if (!weightText.isEmpty() && (!ok || !(spec.weight > 0)))
            return tr("Endpoint %1: the weight \"%2\" must be a positive number.").arg(row + 1).arg(weightText);
        endpoints.push_back(spec);
    }
    plan->endpoints = endpoints;

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
    m_editable = editable;
    for (QWidget *w : std::initializer_list<QWidget *>{m_name, m_baseUrl, m_endpoints, m_headers, m_timeout, m_health,
                                                       m_conninfo, m_statementLog, m_setPassword, m_import})
        w->setEnabled(editable);
    for (QToolButton *b : std::as_const(m_buttons))
        b->setEnabled(editable);
    m_login->setEnabledForRun(editable);
    m_pool->setEnabledForRun(editable);
}

void TargetPanel::addEndpoint()
{
    appendEndpointRow(QStringLiteral("GET"), QStringLiteral("/"), 1, -1);
    const int row = m_endpoints->rowCount() - 1;
    m_endpoints->setCurrentCell(row, PathColumn);
    emit changed();
}

void TargetPanel::removeEndpoint()
{
    const int row = m_endpoints->currentRow();
    if (row < 0)
        return;
    m_endpoints->removeRow(row);
    emit changed();
}

void TargetPanel::moveEndpointUp()
{
    moveEndpoint(-1);
}

void TargetPanel::moveEndpointDown()
{
    moveEndpoint(+1);
}

void TargetPanel::moveEndpoint(int delta)
{
    const int row = m_endpoints->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_endpoints->rowCount())
        return;
    m_loading = true;
    for (int column = 0; column < NUM_ENDPOINT_COLUMNS; ++column) {
        QTableWidgetItem *a = m_endpoints->takeItem(row, column);
        QTableWidgetItem *b = m_endpoints->takeItem(to, column);
        m_endpoints->setItem(row, column, b);
        m_endpoints->setItem(to, column, a);
    }
    m_loading = false;
    m_endpoints->setCurrentCell(to, m_endpoints->currentColumn());
    emit changed();
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

QString TargetPanel::secretNote() const
{
    return m_secretNote->isHidden() ? QString() : m_secretNote->text();
}

QString TargetPanel::importMessage() const
{
    return m_importMessage->isHidden() ? QString() : m_importMessage->text();
}

void TargetPanel::showSecretNote(const QString &note)
{
    m_secretNote->setText(note);
    m_secretNote->setVisible(!note.isEmpty());
}

// --- database test ---------------------------------------------------------------------------------------------

void TargetPanel::setDatabaseTesting(bool testing)
{
    m_dbTesting = testing;
    m_testDatabase->setEnabled(!testing);
    m_testDatabase->setText(testing ? tr("Testing…") : tr("Test"));
}

void TargetPanel::testDatabase()
{
    const QString conninfo = m_conninfo->text().trimmed();
    if (conninfo.isEmpty()) {
        m_dbResult->showError(tr("No database connection to test."),
                              tr("Enter a libpq conninfo (host=… dbname=… user=…, postgresql://…, service=NAME) or "
                                 "sqlite:PATH."));
        emit databaseTested();
        return;
    }
    if (m_dbTesting)
        return;
    const int generation = ++m_dbTestGeneration;
    setDatabaseTesting(true);
    m_dbResult->showTesting();
    // ${keychain:NAME} in the conninfo: into the session table first (keychain or password dialog).
    m_secrets->ensureSession(SecretResolver::keychainNames(conninfo), window(),
                             [this, conninfo, generation](bool ok, const QString &message) {
                                 if (generation != m_dbTestGeneration)
                                     return;
                                 if (!ok) {
                                     setDatabaseTesting(false);
                                     m_dbResult->showError(
                                         message, tr("Press Test again and enter the password, or use Set password…."));
                                     emit databaseTested();
                                     return;
                                 }
                                 QtConcurrent::run([conninfo] {
                                     return DatabaseTestResult::run(conninfo);
                                 }).then(this, [this, generation](const DatabaseTestResult::Outcome &outcome) {
                                     if (generation != m_dbTestGeneration)
                                         return; // the conninfo changed while the test ran
                                     setDatabaseTesting(false);
                                     m_dbResult->showOutcome(outcome);
                                     emit databaseTested();
                                 });
                             });
}

// --- passwords -------------------------------------------------------------------------------------------------

QString TargetPanel::conninfoWithPassword(const QString &conninfo, const QString &placeholder)
{
    return Secrets::conninfoWithPassword(conninfo, placeholder);
}

void TargetPanel::askPassword(const QString &why, const QString &defaultName,
                              std::function<void(const QString &)> apply)
{
    auto *dialog = new PasswordDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRequest(why, defaultName, true);
    connect(dialog, &QDialog::accepted, this, [this, dialog, apply] {
        const QString name = dialog->name();
        m_secrets->store(name, dialog->password());
        apply(name);
        emit changed();
    });
    dialog->open();
}

void TargetPanel::setDatabasePassword()
{
    const QString conninfo = m_conninfo->text().trimmed();
    if (conninfo.startsWith(QLatin1String("sqlite:"))) {
        showSecretNote(tr("A SQLite file has no password; nothing to store."));
        return;
    }
    const QStringList names = SecretResolver::keychainNames(conninfo);
    askPassword(tr("The database password goes to the OS keychain (service \"%1\"); the conninfo refers to it as "
                   "password=${keychain:NAME}. It is never written to the plan, the settings or the run store.")
                    .arg(SecretStore::service()),
                names.value(0, QStringLiteral("DB_PASSWORD")), [this](const QString &name) {
                    m_conninfo->setText(
                        conninfoWithPassword(m_conninfo->text().trimmed(), QStringLiteral("${keychain:%1}").arg(name)));
                    showSecretNote(tr("Storing the password for ${keychain:%1}…").arg(name));
                });
}

void TargetPanel::setLoginPassword()
{
    if (const QString error = m_login->bodyError(); !error.isEmpty()) {
        m_login->showNote(tr("Fix the login body first: %1").arg(error));
        return;
    }
    const QString current = m_login->passwordPlaceholderName();
    askPassword(tr("The login password goes to the OS keychain (service \"%1\"); the login body refers to it as "
                   "${keychain:NAME}. It is never written to the plan, the settings or the run store.")
                    .arg(SecretStore::service()),
                current.isEmpty() ? QStringLiteral("APP_PASSWORD") : current, [this](const QString &name) {
                    if (m_login->setPasswordPlaceholder(name))
                        m_login->showNote(tr("Storing the password for ${keychain:%1}…").arg(name));
                });
}

// --- import ----------------------------------------------------------------------------------------------------

void TargetPanel::importEndpoints()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import endpoints"), QString(),
                                                      tr("OpenAPI 3 JSON or HAR (*.json *.har);;All files (*)"));
    if (!path.isEmpty())
        importEndpointsFrom(path);
}

void TargetPanel::showImportMessage(const QString &text, bool error)
{
    m_importMessage->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
    m_importMessage->setText(text);
    m_importMessage->setVisible(!text.isEmpty());
}

void TargetPanel::importEndpointsFrom(const QString &path)
{
    const int generation = ++m_importGeneration;
    m_import->setEnabled(false);
    m_import->setText(tr("Importing…"));
    const QString fileName = QFileInfo(path).fileName();
    QtConcurrent::run([path] {
        return EndpointImport::fromFile(path);
    }).then(this, [this, generation, fileName](const EndpointImport::Result &result) {
        m_import->setText(tr("Import…"));
        m_import->setEnabled(m_editable);
        if (generation != m_importGeneration)
            return;
        if (!result.error.isEmpty() || result.endpoints.empty()) {
            QStringList lines{result.error.isEmpty() ? tr("%1 has no endpoints to import.").arg(fileName)
                                                     : tr("Nothing imported from %1: %2").arg(fileName, result.error)};
            lines += result.warnings;
            showImportMessage(lines.join(QLatin1Char('\n')), true);
            emit importFinished();
            return;
        }
        if (m_endpoints->rowCount() == 0) {
            applyImport(result.endpoints, result.base_url, true, result.warnings);
            return;
        }
        // The one question: the table already has rows.
        auto *box = new QMessageBox(
            QMessageBox::Question, tr("Import endpoints"),
            tr("%1 has %n endpoint(s). Replace the %2 in the table, or append?", nullptr, int(result.endpoints.size()))
                .arg(fileName)
                .arg(m_endpoints->rowCount()),
            QMessageBox::NoButton, this);
        box->setObjectName(QStringLiteral("importChoice"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        QPushButton *replace = box->addButton(tr("Replace"), QMessageBox::DestructiveRole);
        QPushButton *append = box->addButton(tr("Append"), QMessageBox::AcceptRole);
        QPushButton *cancel = box->addButton(QMessageBox::Cancel);
        replace->setObjectName(QStringLiteral("importReplace"));
        append->setObjectName(QStringLiteral("importAppend"));
        cancel->setObjectName(QStringLiteral("importCancel"));
        box->setDefaultButton(append);
        connect(box, &QMessageBox::buttonClicked, this, [this, replace, append, result](QAbstractButton *clicked) {
            if (clicked == replace || clicked == append)
                applyImport(result.endpoints, result.base_url, clicked == replace, result.warnings);
            else
                emit importFinished();
        });
        box->open();
    });
}

void TargetPanel::applyImport(const std::vector<EndpointSpec> &endpoints, const QString &baseUrl, bool replace,
                              const QStringList &warnings)
{
    m_loading = true;
    if (replace) {
        m_endpoints->setRowCount(0);
        m_specs.clear();
    }
    for (const EndpointSpec &e : endpoints) {
        m_specs.push_back(e);
        appendEndpointRow(e.method, e.path, e.weight, int(m_specs.size() - 1));
    }
    m_loading = false;
    const bool filledBaseUrl = m_baseUrl->text().trimmed().isEmpty() && !baseUrl.isEmpty();
    if (filledBaseUrl)
        m_baseUrl->setText(baseUrl);
    QStringList lines{tr("Imported %n endpoint(s)", nullptr, int(endpoints.size())) +
                      (filledBaseUrl ? tr("; base URL set to %1.").arg(baseUrl) : QStringLiteral("."))};
    lines += warnings;
    showImportMessage(lines.join(QLatin1Char('\n')), false);
    emit changed();
    emit importFinished();
}

} // namespace Preflight
