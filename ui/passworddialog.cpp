#include "passworddialog.h"

#include "secretstore.h"

#include "uiwiring.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace Preflight {

PasswordDialog::PasswordDialog(QWidget *parent)
    : QDialog(parent), m_why(new QLabel), m_name(new QLineEdit), m_password(new QLineEdit),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("passwordDialog"));
    setWindowTitle(tr("Password"));
    m_why->setWordWrap(true);
    m_why->setObjectName(QStringLiteral("passwordReason"));
    m_name->setObjectName(QStringLiteral("secretName"));
    m_name->setPlaceholderText(QStringLiteral("DB_PASSWORD"));
    UiWiring::name(m_name, tr("Secret name"),
                   tr("The plan refers to the password as ${keychain:NAME}; letters, digits and _"));
    m_password->setObjectName(QStringLiteral("secretValue"));
    m_password->setEchoMode(QLineEdit::Password);
    UiWiring::name(m_password, tr("Password"), tr("Kept in the OS keychain, or only in memory for this session"));
    for (QAbstractButton *b : m_buttons->buttons())
        UiWiring::name(b, b->text().remove(QLatin1Char('&')));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("passwordOk"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Password"), m_password);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_why);
    layout->addLayout(form);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &PasswordDialog::updateOk);
    updateOk();
}

void PasswordDialog::setRequest(const QString &why, const QString &name, bool nameEditable)
{
    m_why->setText(why);
    m_name->setText(name);
    m_name->setReadOnly(!nameEditable);
    m_password->clear();
    (nameEditable && name.isEmpty() ? m_name : m_password)->setFocus();
    updateOk();
}

QString PasswordDialog::name() const
{
    return m_name->text().trimmed();
}

QString PasswordDialog::password() const
{
    return m_password->text();
}

bool PasswordDialog::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

void PasswordDialog::done(int result)
{
    QDialog::done(result);
    // The value has been read by the accepted()/finished() handlers, which run inside QDialog::done.
    m_password->clear();
}

void PasswordDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(isValidName(name()));
}

void PasswordDialog::askAndStore(QWidget *parent, SecretStore *secrets, const QString &why, const QString &defaultName,
                                 std::function<void(const QString &)> apply)
{
    auto *dialog = new PasswordDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRequest(why, defaultName, true);
    QObject::connect(dialog, &QDialog::accepted, parent, [dialog, secrets, apply] {
        const QString name = dialog->name();
        secrets->store(name, dialog->password());
        apply(name);
    });
    dialog->open();
}

} // namespace Preflight
