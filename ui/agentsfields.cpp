#include "agentsfields.h"

#include "distributed/distributedsetup.h"
#include "uiwiring.h"

#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionGroupBox>
#include <QVBoxLayout>

namespace Preflight {

namespace {

const QString kDefaultListen = QStringLiteral("0.0.0.0:7443");

QString settingsKey(const char *name)
{
    return QStringLiteral("agents/") + QLatin1String(name);
}

} // namespace

AgentsFields::AgentsFields(QWidget *parent)
    : QGroupBox(parent), m_agents(new QSpinBox), m_listen(new QLineEdit), m_cert(new QLineEdit), m_key(new QLineEdit),
      m_tokenFile(new QLineEdit), m_wait(new QSpinBox), m_note(new QLabel), m_body(new QWidget)
{
    setObjectName(QStringLiteral("agentsFields"));
    setTitle(tr("Run the load on agents"));
    setCheckable(true);
    setChecked(false);
    UiWiring::name(this, tr("Run the load on agents"),
                   tr("Off: this machine generates the load. On: `preflight agent` processes do, and this one "
                      "coordinates them (docs/distributed.md)"));

    m_agents->setObjectName(QStringLiteral("agentCount"));
    m_agents->setRange(1, 1000);
    m_agents->setValue(1);
    UiWiring::name(m_agents, tr("Agents"), tr("How many `preflight agent` processes generate the load (--agents)"));
    m_listen->setObjectName(QStringLiteral("agentListen"));
    m_listen->setText(kDefaultListen);
    m_listen->setPlaceholderText(kDefaultListen);
    UiWiring::name(m_listen, tr("Listen on"), tr("HOST:PORT where the agents connect (--listen)"));
    m_wait->setObjectName(QStringLiteral("agentWait"));
    m_wait->setRange(1, 3600);
    m_wait->setValue(60);
    m_wait->setSuffix(tr(" s"));
    UiWiring::name(m_wait, tr("Ready wait"),
                   tr("How long to wait for every agent before the run fails (--agent-wait)"));
    m_note->setObjectName(QStringLiteral("agentsNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_note->hide();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Age&nts"), m_agents);
    form->addRow(tr("Listen &on"), m_listen);
    const struct
    {
        QLineEdit *edit;
        const char *objectName;
        QString label, name, browseName, description, dialogTitle, filter;
    } files[] = {
        {m_cert, "agentCert", tr("C&ertificate"), tr("Certificate"), tr("Choose the certificate file"),
         tr("The coordinator's TLS certificate (PEM) the agents connect to (--agent-cert)"),
         tr("Coordinator certificate"), tr("PEM certificates (*.pem *.crt);;All files (*)")},
        {m_key, "agentKey", tr("Ke&y"), tr("Key"), tr("Choose the key file"),
         tr("The certificate's unencrypted PEM key (--agent-key)"), tr("Coordinator key"),
         tr("PEM keys (*.key *.pem);;All files (*)")},
        {m_tokenFile, "agentTokenFile", tr("To&ken file"), tr("Token file"), tr("Choose the token file"),
         tr("File holding the agents' shared token, at least 16 bytes (--agent-token-file); PREFLIGHT_AGENT_TOKEN "
            "wins when set. The token is read at Start and never shown or stored"),
         tr("Agent token file"), tr("All files (*)")},
    };
    for (const auto &f : files) {
        f.edit->setObjectName(QLatin1String(f.objectName));
        UiWiring::name(f.edit, f.name, f.description);
        auto *browse = new QPushButton(tr("Browse…"));
        browse->setObjectName(QLatin1String(f.objectName) + QStringLiteral("Browse"));
        UiWiring::name(browse, f.browseName, f.description);
        QLineEdit *edit = f.edit;
        const QString title = f.dialogTitle, filter = f.filter;
        connect(browse, &QPushButton::clicked, this, [this, edit, title, filter] {
            const QString file = QFileDialog::getOpenFileName(this, title, edit->text(), filter);
            if (file.isEmpty())
                return;
            edit->setText(file);
            edited();
        });
        connect(edit, &QLineEdit::textEdited, this, &AgentsFields::edited);
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        auto *label = new QLabel(f.label);
        label->setBuddy(edit);
        form->addRow(label, row);
    }
    if (qEnvironmentVariableIsSet("PREFLIGHT_AGENT_TOKEN"))
        m_tokenFile->setPlaceholderText(tr("PREFLIGHT_AGENT_TOKEN is set and is used"));
    form->addRow(tr("Ready &wait"), m_wait);

    auto *body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    body->addLayout(form);
    body->addWidget(m_note);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_body);
    fold();
    connect(this, &QGroupBox::toggled, this, [this] {
        fold();
        edited();
    });
    connect(m_agents, &QSpinBox::valueChanged, this, &AgentsFields::edited);
    connect(m_wait, &QSpinBox::valueChanged, this, &AgentsFields::edited);
    connect(m_listen, &QLineEdit::textEdited, this, &AgentsFields::edited);
}

void AgentsFields::fold()
{
    // Off, the section is one line, its check box: a local run needs none of it. The style draws the frame below
    // the title whatever the box holds, so the box ends with its title.
    const bool on = isChecked();
    m_body->setVisible(on);
    QStyleOptionGroupBox option;
    initStyleOption(&option);
    const QRect title =
        style()
            ->subControlRect(QStyle::CC_GroupBox, &option, QStyle::SC_GroupBoxCheckBox, this)
            .united(style()->subControlRect(QStyle::CC_GroupBox, &option, QStyle::SC_GroupBoxLabel, this));
    setMaximumHeight(on ? QWIDGETSIZE_MAX : title.bottom() + 2);
}

void AgentsFields::changeEvent(QEvent *event)
{
    QGroupBox::changeEvent(event);
    if (event->type() == QEvent::StyleChange || event->type() == QEvent::FontChange)
        fold();
}

void AgentsFields::edited()
{
    // A shown problem follows the edits: it goes once the field is right, or names the next one.
    if (!m_note->isHidden()) {
        QString problem;
        options(&problem);
    }
    emit changed();
}

void AgentsFields::showProblem(const QString &problem, QWidget *field)
{
    m_problemField = field;
    m_note->setText(problem);
    m_note->setVisible(!problem.isEmpty());
}

std::optional<DistributedOptions> AgentsFields::options(QString *problem)
{
    if (!isChecked()) {
        showProblem(QString(), nullptr);
        return DistributedOptions();
    }
    DistributedSetup setup;
    setup.agents = QString::number(m_agents->value());
    setup.listen = m_listen->text().trimmed().isEmpty() ? kDefaultListen : m_listen->text();
    setup.certFile = m_cert->text().trimmed();
    setup.keyFile = m_key->text().trimmed();
    setup.tokenFile = m_tokenFile->text().trimmed();
    setup.wait_s = QString::number(m_wait->value());
    const DistributedSetup::FieldNames names{tr("Agents"), tr("Listen on"),  tr("Certificate"),
                                             tr("Key"),    tr("Token file"), tr("Ready wait")};
    DistributedSetup::Problem found;
    std::optional<DistributedOptions> options = setup.check(names, &found);
    if (options) {
        showProblem(QString(), nullptr);
        return options;
    }
    QWidget *field = nullptr;
    switch (found.field) {
    case DistributedSetup::Field::Agents:
        field = m_agents;
        break;
    case DistributedSetup::Field::Listen:
        field = m_listen;
        break;
    case DistributedSetup::Field::CertFile:
        field = m_cert;
        break;
    case DistributedSetup::Field::KeyFile:
        field = m_key;
        break;
    case DistributedSetup::Field::TokenFile:
        field = m_tokenFile;
        break;
    case DistributedSetup::Field::Wait:
        field = m_wait;
        break;
    case DistributedSetup::Field::None:
        break;
    }
    showProblem(found.message, field);
    *problem = found.message;
    return std::nullopt;
}

void AgentsFields::restoreSettings()
{
    const QSettings settings;
    m_agents->setValue(settings.value(settingsKey("count"), 1).toInt());
    m_listen->setText(settings.value(settingsKey("listen"), kDefaultListen).toString());
    m_cert->setText(settings.value(settingsKey("certFile")).toString());
    m_key->setText(settings.value(settingsKey("keyFile")).toString());
    m_tokenFile->setText(settings.value(settingsKey("tokenFile")).toString());
    m_wait->setValue(settings.value(settingsKey("wait_s"), 60).toInt());
    setChecked(settings.value(settingsKey("enabled"), false).toBool());
    showProblem(QString(), nullptr);
}

void AgentsFields::saveSettings() const
{
    QSettings settings;
    settings.setValue(settingsKey("enabled"), isChecked());
    settings.setValue(settingsKey("count"), m_agents->value());
    settings.setValue(settingsKey("listen"), m_listen->text().trimmed());
    settings.setValue(settingsKey("certFile"), m_cert->text().trimmed());
    settings.setValue(settingsKey("keyFile"), m_key->text().trimmed());
    settings.setValue(settingsKey("tokenFile"), m_tokenFile->text().trimmed()); // the path; the token stays in it
    settings.setValue(settingsKey("wait_s"), m_wait->value());
}

} // namespace Preflight
