#pragma once

#include <QDialog>

#include <functional>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QDialogButtonBox;
QT_END_NAMESPACE

namespace Preflight {

class SecretStore;

// Asks for one secret: its placeholder name (editable only when a new secret is being set) and its value,
// typed into a QLineEdit::Password field. The value is handed to the caller and never kept here after the
// dialog closes (the field is cleared on close). Open it with open() (window-modal, the GUI thread keeps
// running) and read name()/password() in the accepted() handler.
class PasswordDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PasswordDialog(QWidget *parent = nullptr);

    // `why` is shown above the fields; an empty `name` with nameEditable lets the user choose it.
    void setRequest(const QString &why, const QString &name, bool nameEditable);
    QString name() const;
    QString password() const;

    // Valid placeholder name: [A-Za-z_][A-Za-z0-9_]* (what ${keychain:NAME} accepts).
    static bool isValidName(const QString &name);
    // Opens a dialog for a new secret (returns at once); on OK stores the password through `secrets` (keychain,
    // or memory only) and calls apply(name) so that the caller writes the ${keychain:NAME} placeholder.
    static void askAndStore(QWidget *parent, SecretStore *secrets, const QString &why, const QString &defaultName,
                            std::function<void(const QString &name)> apply);

protected:
    void done(int result) override;

private:
    void updateOk();

    QLabel *m_why;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QDialogButtonBox *m_buttons;
};

} // namespace Preflight
