#include "errorbanner.h"

#include "uiwiring.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace Preflight {

ErrorBanner::ErrorBanner(QWidget *parent)
    : QFrame(parent), m_icon(new QLabel), m_message(new QLabel), m_fix(new QLabel), m_close(new QToolButton)
{
    setObjectName(QStringLiteral("errorBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAccessibleName(tr("Message"));

    m_message->setObjectName(QStringLiteral("bannerMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_message->font();
    bold.setBold(true);
    m_message->setFont(bold);
    m_fix->setObjectName(QStringLiteral("bannerFix"));
    m_fix->setWordWrap(true);
    m_fix->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_close->setObjectName(QStringLiteral("bannerClose"));
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setAutoRaise(true);
    UiWiring::name(m_close, tr("Dismiss message"), tr("Hides this message"));
    connect(m_close, &QToolButton::clicked, this, &ErrorBanner::dismiss);

    auto *texts = new QVBoxLayout;
    texts->setSpacing(2);
    texts->addWidget(m_message);
    texts->addWidget(m_fix);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 4, 6);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addLayout(texts, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    hide();
}

void ErrorBanner::showMessage(Kind kind, const QString &message, const QString &fix)
{
    m_kind = kind;
    m_message->setText(message);
    m_fix->setText(fix);
    m_fix->setVisible(!fix.isEmpty());
    const QStyle::StandardPixmap icon = kind == Kind::Error     ? QStyle::SP_MessageBoxCritical
                                        : kind == Kind::Warning ? QStyle::SP_MessageBoxWarning
                                                                : QStyle::SP_MessageBoxInformation;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    applyColours();
    show();
}

QString ErrorBanner::message() const
{
    return isHidden() ? QString() : m_message->text();
}

QString ErrorBanner::fix() const
{
    return m_fix->text();
}

void ErrorBanner::dismiss()
{
    hide();
    emit dismissed();
}

void ErrorBanner::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !isHidden() && !m_applyingColours)
        applyColours();
}

void ErrorBanner::applyColours()
{
    // A tint of the palette's own window colour, so the banner works in light and dark palettes alike.
    const QColor accent = m_kind == Kind::Error     ? QColor(0xd6, 0x3c, 0x3c)
                          : m_kind == Kind::Warning ? QColor(0xe0, 0x8a, 0x1e)
                                                    : QColor(0x3a, 0x7b, 0xd5);
    const QColor base =
        parentWidget() ? parentWidget()->palette().color(QPalette::Window) : palette().color(QPalette::Window);
    QColor tint;
    tint.setRgbF(base.redF() * 0.8f + accent.redF() * 0.2f, base.greenF() * 0.8f + accent.greenF() * 0.2f,
                 base.blueF() * 0.8f + accent.blueF() * 0.2f);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, tint);
    m_applyingColours = true;
    setPalette(pal);
    m_applyingColours = false;
}

} // namespace Preflight
