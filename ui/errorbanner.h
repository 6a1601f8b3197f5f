#pragma once

#include <QFrame>

QT_BEGIN_NAMESPACE
class QLabel;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

// An inline message above the dashboard: what went wrong and what to do about it, with a close button.
// Replaces modal error boxes (docs/architecture.md); a new message replaces the previous one.
class ErrorBanner : public QFrame
{
    Q_OBJECT
public:
    enum class Kind { Error, Warning, Info };

    explicit ErrorBanner(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &message, const QString &fix = {});
    QString message() const;
    QString fix() const;
    Kind kind() const { return m_kind; }

public slots:
    void dismiss();

signals:
    void dismissed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColours();

    QLabel *m_icon;
    QLabel *m_message;
    QLabel *m_fix;
    QToolButton *m_close;
    Kind m_kind = Kind::Info;
    bool m_applyingColours = false;
};

} // namespace Preflight
