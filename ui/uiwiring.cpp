#include "uiwiring.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTabBar>
#include <QTextEdit>
#include <QWidget>

namespace Preflight::UiWiring {

void name(QWidget *widget, const QString &accessibleName, const QString &description)
{
    widget->setAccessibleName(accessibleName);
    if (!description.isEmpty())
        widget->setAccessibleDescription(description);
    if (widget->toolTip().isEmpty())
        widget->setToolTip(description.isEmpty() ? accessibleName : description);
}

QAction *action(QObject *parent, const QString &text, const QList<QKeySequence> &shortcuts, const QString &toolTip)
{
    auto *a = new QAction(text, parent);
    a->setShortcuts(shortcuts);
    QString tip = toolTip.isEmpty() ? QString(text).remove(QLatin1Char('&')) : toolTip;
    if (!shortcuts.isEmpty())
        tip += QStringLiteral(" (") + shortcuts.first().toString(QKeySequence::NativeText) + QLatin1Char(')');
    a->setToolTip(tip);
    return a;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x5a, 0x9b, 0xea));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x50, 0x53, 0x57));
    p.setColor(QPalette::Midlight, QColor(0x45, 0x48, 0x4b));
    p.setColor(QPalette::Mid, QColor(0x3a, 0x3c, 0x3f));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QList<QWidget *> unnamedControls(QWidget *root)
{
    QList<QWidget *> missing;
    const QList<QWidget *> widgets = root->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        const bool interactive = qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w) ||
                                 qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractSpinBox *>(w) ||
                                 qobject_cast<QAbstractItemView *>(w) || qobject_cast<QTextEdit *>(w) ||
                                 qobject_cast<QPlainTextEdit *>(w);
        if (!interactive)
            continue;
        // Parts Qt builds inside other controls (a combo's line edit, a spin box's edit, a view's
        // scroll bars and header buttons) are named through their owner.
        QWidget *parent = w->parentWidget();
        const bool internal =
            (parent && (qobject_cast<QComboBox *>(parent) || qobject_cast<QAbstractSpinBox *>(parent))) ||
            w->objectName().startsWith(QLatin1String("qt_"));
        bool insideView = false;
        for (QWidget *p = parent; p; p = p->parentWidget()) {
            if (qobject_cast<QAbstractItemView *>(p) || qobject_cast<QAbstractSpinBox *>(p) ||
                qobject_cast<QComboBox *>(p) || qobject_cast<QTabBar *>(p)) {
                insideView = true;
                break;
            }
        }
        if (internal || insideView)
            continue;
        if (w->accessibleName().isEmpty())
            missing << w;
    }
    return missing;
}

} // namespace Preflight::UiWiring
