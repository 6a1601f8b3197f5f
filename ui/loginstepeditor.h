#pragma once

#include "plan/plan.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
QT_END_NAMESPACE

namespace Preflight {

// Edits the plan's login step (LoginSpec): on/off, method, path, JSON body, where the token is in the answer
// (JSON pointer), and the header it is sent in ("Bearer {token}"). The body is JSON text validated as it is
// typed: an error names its line and column. "Set password…" asks the owner (setPasswordRequested) to store a
// password in the keychain; setPasswordPlaceholder() then writes `${keychain:NAME}` into the body's password
// field.
class LoginStepEditor : public QWidget
{
    Q_OBJECT
public:
    explicit LoginStepEditor(QWidget *parent = nullptr);

    void setLogin(const LoginSpec &login);
    // Writes the editor's fields into *login. Returns an empty string, or what to correct.
    QString applyTo(LoginSpec *login) const;
    void setEnabledForRun(bool editable);

    // "Line 2, column 14: …" for the body as typed, or empty when it is a valid JSON object.
    QString bodyError() const;
    // The placeholder name the body already uses for its password field (for the dialog's default), if any.
    QString passwordPlaceholderName() const;
    // Sets the body's password field (the first top-level key with a secret-looking name, else "password") to
    // `${keychain:name}`. False (and an inline error) when the body is not a JSON object.
    bool setPasswordPlaceholder(const QString &name);
    void showNote(const QString &note);

    QCheckBox *enabledBox() const { return m_enabled; }
    QPlainTextEdit *bodyEdit() const { return m_body; }
    QLineEdit *pathEdit() const { return m_path; }

    // Line/column (1-based) of a byte offset into UTF-8 text, for JSON parse errors.
    static QString describeJsonError(const QByteArray &json, int offset, const QString &what);

signals:
    void changed();
    void setPasswordRequested();

private:
    void validateBody();
    void updateEnabled();

    QCheckBox *m_enabled;
    QComboBox *m_method;
    QLineEdit *m_path;
    QPlainTextEdit *m_body;
    QLabel *m_bodyError;
    QLineEdit *m_tokenPointer;
    QLineEdit *m_header;
    QLineEdit *m_format;
    QPushButton *m_setPassword;
    QLabel *m_note;
    bool m_loading = false;
    bool m_editable = true;
};

} // namespace Preflight
