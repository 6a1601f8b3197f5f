#include "loginstepeditor.h"

#include "plan/secretresolver.h"
#include "plan/secrets.h"
#include "uiwiring.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>

namespace Preflight {

namespace {

// The body parsed as a JSON object, or an error "Line L, column C: …".
QJsonObject parseBody(const QString &text, QString *error)
{
    const QByteArray utf8 = text.toUtf8();
    if (utf8.trimmed().isEmpty())
        return {};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = LoginStepEditor::describeJsonError(utf8, pe.offset, pe.errorString());
        return {};
    }
    if (!doc.isObject()) {
        *error = LoginStepEditor::tr("The login body must be a JSON object, e.g. {\"username\": \"admin\", "
                                     "\"password\": \"${keychain:APP_PASSWORD}\"}.");
        return {};
    }
    return doc.object();
}

QString passwordKey(const QJsonObject &body)
{
    for (auto it = body.begin(); it != body.end(); ++it)
        if (Secrets::isSecretName(it.key()))
            return it.key();
    return QStringLiteral("password");
}

} // namespace

LoginStepEditor::LoginStepEditor(QWidget *parent)
    : QWidget(parent), m_enabled(new QCheckBox(tr("Log in before the run"))), m_method(new QComboBox),
      m_path(new QLineEdit), m_body(new QPlainTextEdit), m_bodyError(new QLabel), m_tokenPointer(new QLineEdit),
      m_header(new QLineEdit), m_format(new QLineEdit), m_setPassword(new QPushButton(tr("Set password…"))),
      m_note(new QLabel)
{
    setObjectName(QStringLiteral("loginStepEditor"));
    m_enabled->setObjectName(QStringLiteral("loginEnabled"));
    UiWiring::name(m_enabled, tr("Log in before the run"),
                   tr("Send one login request first and add its token to every request"));
    m_method->setObjectName(QStringLiteral("loginMethod"));
    m_method->addItems({QStringLiteral("POST"), QStringLiteral("PUT"), QStringLiteral("GET")});
    m_method->setEditable(false);
    UiWiring::name(m_method, tr("Login method"));
    m_path->setObjectName(QStringLiteral("loginPath"));
    m_path->setPlaceholderText(QStringLiteral("/api/v1/auth/login"));
    UiWiring::name(m_path, tr("Login path"));
    m_body->setObjectName(QStringLiteral("loginBody"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlaceholderText(QStringLiteral("{\"username\": \"admin\", \"password\": \"${keychain:APP_PASSWORD}\"}"));
    m_body->setMaximumHeight(90);
    m_body->setTabChangesFocus(true);
    UiWiring::name(m_body, tr("Login body"),
                   tr("JSON sent with the login request; passwords as ${keychain:NAME} or ${env:NAME}"));
    m_bodyError->setObjectName(QStringLiteral("loginBodyError"));
    m_bodyError->setWordWrap(true);
    m_bodyError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_bodyError->hide();
    m_tokenPointer->setObjectName(QStringLiteral("loginTokenPointer"));
    UiWiring::name(m_tokenPointer, tr("Token pointer"),
                   tr("JSON pointer to the token in the login answer, e.g. /access_token"));
    m_header->setObjectName(QStringLiteral("loginHeader"));
    UiWiring::name(m_header, tr("Token header"), tr("Header that carries the token on every request"));
    m_format->setObjectName(QStringLiteral("loginFormat"));
    UiWiring::name(m_format, tr("Token format"), tr("Header value; {token} is replaced by the token"));
    m_setPassword->setObjectName(QStringLiteral("loginSetPassword"));
    UiWiring::name(m_setPassword, tr("Set login password"),
                   tr("Store the login password in the OS keychain and refer to it as ${keychain:NAME}"));
    m_note->setObjectName(QStringLiteral("loginNote"));
    m_note->setWordWrap(true);
    m_note->hide();

    auto *methodPath = new QHBoxLayout;
    methodPath->addWidget(m_method);
    methodPath->addWidget(m_path, 1);
    auto *bodyButtons = new QHBoxLayout;
    bodyButtons->addStretch();
    bodyButtons->addWidget(m_setPassword);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Request"), methodPath);
    form->addRow(tr("Body"), m_body);
    form->addRow(QString(), m_bodyError);
    form->addRow(QString(), bodyButtons);
    form->addRow(QString(), m_note);
    form->addRow(tr("Token at"), m_tokenPointer);
    form->addRow(tr("Header"), m_header);
    form->addRow(tr("Format"), m_format);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_enabled);
    layout->addLayout(form);

    auto edited = [this] {
        if (!m_loading)
            emit changed();
    };
    connect(m_enabled, &QCheckBox::toggled, this, [this, edited] {
        updateEnabled();
        validateBody();
        edited();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, edited);
    for (QLineEdit *e : {m_path, m_tokenPointer, m_header, m_format})
        connect(e, &QLineEdit::textEdited, this, edited);
    connect(m_body, &QPlainTextEdit::textChanged, this, [this, edited] {
        validateBody();
        edited();
    });
    connect(m_setPassword, &QPushButton::clicked, this, &LoginStepEditor::setPasswordRequested);
    setLogin(LoginSpec{});
}

QString LoginStepEditor::describeJsonError(const QByteArray &json, int offset, const QString &what)
{
    int line = 1;
    int column = 1;
    const int end = std::min<int>(offset, int(json.size()));
    for (int i = 0; i < end; ++i) {
        if (json[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(json[i]) & 0xC0) != 0x80) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return tr("Line %1, column %2: %3").arg(line).arg(column).arg(what);
}

void LoginStepEditor::setLogin(const LoginSpec &login)
{
    m_loading = true;
    m_enabled->setChecked(login.enabled);
    const int method = m_method->findText(login.method.toUpper());
    if (method < 0)
        m_method->addItem(login.method.toUpper());
    m_method->setCurrentIndex(m_method->findText(login.method.toUpper()));
    m_path->setText(login.path);
    m_body->setPlainText(login.json.isEmpty()
                             ? QString()
                             : QString::fromUtf8(QJsonDocument(login.json).toJson(QJsonDocument::Indented)).trimmed());
    m_tokenPointer->setText(login.token_pointer);
    m_header->setText(login.header);
    m_format->setText(login.format);
    m_note->hide();
    updateEnabled();
    validateBody();
    m_loading = false;
}

QString LoginStepEditor::applyTo(LoginSpec *login) const
{
    login->enabled = m_enabled->isChecked();
    login->method = m_method->currentText();
    login->path = m_path->text().trimmed();
    login->token_pointer = m_tokenPointer->text().trimmed();
    login->header = m_header->text().trimmed();
    login->format = m_format->text();
    QString error;
    const QJsonObject body = parseBody(m_body->toPlainText(), &error);
    if (!error.isEmpty()) {
        if (login->enabled)
            return tr("Login body: %1").arg(error);
    } else {
        login->json = body;
    }
    if (!login->enabled)
        return {};
    if (login->path.isEmpty())
        return tr("The login step has no path; give one such as /api/v1/auth/login, or turn the login step off.");
    if (!login->path.startsWith(QLatin1Char('/')) && !login->path.startsWith(QLatin1String("http")))
        login->path.prepend(QLatin1Char('/'));
    if (!login->token_pointer.isEmpty() && !login->token_pointer.startsWith(QLatin1Char('/')))
        return tr("The login token pointer \"%1\" must start with / (a JSON pointer such as /access_token).")
            .arg(login->token_pointer);
    if (login->header.isEmpty())
        return tr("The login step needs the header that carries the token, e.g. Authorization.");
    if (!login->format.contains(QLatin1String("{token}")))
        return tr("The login token format must contain {token}, e.g. Bearer {token}.");
    return {};
}

QString LoginStepEditor::bodyError() const
{
    QString error;
    parseBody(m_body->toPlainText(), &error);
    return error;
}

QString LoginStepEditor::passwordPlaceholderName() const
{
    const QStringList names = SecretResolver::keychainNames(m_body->toPlainText());
    return names.isEmpty() ? QString() : names.first();
}

bool LoginStepEditor::setPasswordPlaceholder(const QString &name)
{
    QString error;
    QJsonObject body = parseBody(m_body->toPlainText(), &error);
    if (!error.isEmpty()) {
        showNote(tr("Fix the login body first: %1").arg(error));
        return false;
    }
    body.insert(passwordKey(body), QStringLiteral("${keychain:%1}").arg(name));
    m_body->setPlainText(QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Indented)).trimmed());
    return true;
}

void LoginStepEditor::showNote(const QString &note)
{
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
}

void LoginStepEditor::validateBody()
{
    const QString error = m_enabled->isChecked() ? bodyError() : QString();
    m_bodyError->setText(error);
    m_bodyError->setVisible(!error.isEmpty());
}

void LoginStepEditor::updateEnabled()
{
    const bool on = m_editable && m_enabled->isChecked();
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_method, m_path, m_body, m_tokenPointer, m_header, m_format, m_setPassword})
        w->setEnabled(on);
    m_enabled->setEnabled(m_editable);
}

void LoginStepEditor::setEnabledForRun(bool editable)
{
    m_editable = editable;
    updateEnabled();
}

} // namespace Preflight
