#pragma once

#include <QKeySequence>
#include <QList>
#include <QPalette>
#include <QString>

QT_BEGIN_NAMESPACE
class QAction;
class QObject;
class QWidget;
QT_END_NAMESPACE

namespace Preflight::UiWiring {

// Shared wiring for panels (docs/architecture.md), so that every page names its controls the same way.

// Sets the accessible name (and description) and, when empty, the tooltip.
void name(QWidget *widget, const QString &accessibleName, const QString &description = {});

// An action with shortcuts and a tooltip that shows the first shortcut.
QAction *action(QObject *parent, const QString &text, const QList<QKeySequence> &shortcuts = {},
                const QString &toolTip = {});

// Fusion-style dark palette for screenshots and `PREFLIGHT_PALETTE=dark`.
QPalette darkPalette();
bool isDark(const QPalette &palette);

// Interactive controls (buttons, edits, combos, spin boxes, item views, check boxes) under root that
// have no accessible name: what the accessibility test walks for.
QList<QWidget *> unnamedControls(QWidget *root);

} // namespace Preflight::UiWiring
