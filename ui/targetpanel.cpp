#include "targetpanel.h"

#include "plan/planparser.h"
#include "uiwiring.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

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

} // namespace

TargetPanel::TargetPanel(QWidget *parent)
    : QWidget(parent), m_name(new QLineEdit), m_baseUrl(new QLineEdit),
      m_endpoints(table({tr("Method"), tr("Path"), tr("Weight")}, tr("Endpoints"))),
      m_headers(table({tr("Header"), tr("Value")}, tr("Request headers"))), m_timeout(new QSpinBox),
      m_health(new QLineEdit), m_conninfo(new QLineEdit)
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
    UiWiring::name(m_timeout, tr("Request timeout"), tr("A request without a complete answer by then counts as a timeout"));
    m_health->setObjectName(QStringLiteral("healthPath"));
    m_health->setPlaceholderText(QStringLiteral("/health"));
    UiWiring::name(m_health, tr("Health path"), tr("Checked before the run; empty: the first endpoint is used"));
    m_conninfo->setObjectName(QStringLiteral("conninfo"));
    m_conninfo->setPlaceholderText(tr("service=app_readonly, postgresql://…, or sqlite:/path/app.db"));
    UiWiring::name(m_conninfo, tr("Database connection"),
                   tr("libpq conninfo or sqlite:PATH; passwords belong in .pgpass, a service file or ${env:NAME}"));

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

    auto *endpointButtons = new QHBoxLayout;
    for (QToolButton *b : {addButton, removeButton, upButton, downButton})
        endpointButtons->addWidget(b);
    endpointButtons->addStretch();
    auto *headerButtons = new QHBoxLayout;
    headerButtons->addWidget(addHeaderButton);
    headerButtons->addWidget(removeHeaderButton);
    headerButtons->addStretch();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Base &URL"), m_baseUrl);
    form->addRow(tr("&Timeout"), m_timeout);
    form->addRow(tr("&Health path"), m_health);
    form->addRow(tr("&Database"), m_conninfo);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Endpoints (weights set the mix)")));
    layout->addWidget(m_endpoints, 2);
    layout->addLayout(endpointButtons);
    layout->addWidget(new QLabel(tr("Headers sent with every request")));
    layout->addWidget(m_headers, 1);
    layout->addLayout(headerButtons);

    for (QLineEdit *edit : {m_name, m_baseUrl, m_health, m_conninfo})
        connect(edit, &QLineEdit::textEdited, this, &TargetPanel::changed);
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
    m_health->setText(plan.health_path);
    m_conninfo->setText(plan.database.conninfo);
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
    plan->health_path = m_health->text().trimmed();
    plan->database.conninfo = m_conninfo->text().trimmed();

    std::vector<EndpointSpec> endpoints;
    for (int row = 0; row < m_endpoints->rowCount(); ++row) {
        auto text = [&](int column) {
            const QTableWidgetItem *item = m_endpoints->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        const QTableWidgetItem *methodItem = m_endpoints->item(row, MethodColumn);
        const int specIndex = methodItem ? methodItem->data(kSpecIndexRole).toInt() : -1;
        EndpointSpec spec = specIndex >= 0 && size_t(specIndex) < m_specs.size() ? m_specs[size_t(specIndex)] : EndpointSpec{};
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
    for (QWidget *w : std::initializer_list<QWidget *>{m_name, m_baseUrl, m_endpoints, m_headers, m_timeout, m_health, m_conninfo})
        w->setEnabled(editable);
    for (QToolButton *b : std::as_const(m_buttons))
        b->setEnabled(editable);
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

} // namespace Preflight
