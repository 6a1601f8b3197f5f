#include "findingcard.h"

#include "data/format.h"

#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>

namespace Preflight {

namespace {

QString evidenceLine(const Evidence &e)
{
    QString value;
    if (e.unit == QLatin1String("ms"))
        value = Format::milliseconds(e.value);
    else if (e.unit == QLatin1String("ratio"))
        value = Format::percent(e.value);
    else
        value = QString::number(e.value, 'g', 4) + (e.unit.isEmpty() ? QString() : QLatin1Char(' ') + e.unit);
    QString line = QStringLiteral("<b>%1</b>: %2").arg(e.metric.toHtmlEscaped(), value.toHtmlEscaped());
    if (!e.note.isEmpty())
        line += QStringLiteral(" — ") + e.note.toHtmlEscaped();
    return line;
}

} // namespace

QColor FindingCard::severityColour(Severity severity)
{
    switch (severity) {
    case Severity::Critical:
        return QColor(0xc0, 0x39, 0x2b);
    case Severity::High:
        return QColor(0xe0, 0x6c, 0x1e);
    case Severity::Medium:
        return QColor(0xd4, 0xa0, 0x17);
    case Severity::Low:
        return QColor(0x3a, 0x7b, 0xd5);
    case Severity::Info:
        break;
    }
    return QColor(0x7f, 0x8c, 0x8d);
}

FindingCard::FindingCard(const Finding &finding, QWidget *parent) : QFrame(parent), m_id(finding.id)
{
    setObjectName(QStringLiteral("finding_") + finding.id);
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(finding.title);
    setAccessibleDescription(finding.summary);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click to show the evidence in the charts and the endpoint table"));

    const QColor colour = severityColour(finding.severity);
    auto *chip = new QLabel(severityId(finding.severity).toUpper() + QStringLiteral(" · ") + finding.id);
    chip->setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; border-radius: 3px; padding: 1px 6px; }")
                            .arg(colour.name()));
    chip->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);

    auto *title = new QLabel(finding.title);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    title->setFont(titleFont);
    title->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(4);
    layout->addWidget(chip);
    layout->addWidget(title);
    if (!finding.endpoint.isEmpty())
        layout->addWidget(new QLabel(tr("Endpoint: %1").arg(finding.endpoint)));
    auto *summary = new QLabel(finding.summary);
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary);
    if (!finding.evidence.empty()) {
        QStringList lines;
        for (const Evidence &e : finding.evidence)
            lines << evidenceLine(e);
        auto *evidence = new QLabel(QStringLiteral("<ul style=\"margin-left:0px; -qt-list-indent:1;\"><li>") +
                                    lines.join(QStringLiteral("</li><li>")) + QStringLiteral("</li></ul>"));
        evidence->setTextFormat(Qt::RichText);
        evidence->setWordWrap(true);
        layout->addWidget(evidence);
    }
    if (!finding.recommendation.isEmpty()) {
        auto *recommendation =
            new QLabel(QStringLiteral("<b>%1</b> %2").arg(tr("Fix:"), finding.recommendation.toHtmlEscaped()));
        recommendation->setTextFormat(Qt::RichText);
        recommendation->setWordWrap(true);
        recommendation->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(recommendation);
    }
    if (finding.confidence > 0)
        layout->addWidget(new QLabel(tr("confidence %1").arg(Format::percent(finding.confidence))));
}

void FindingCard::setSelected(bool selected)
{
    setLineWidth(selected ? 3 : 1);
}

void FindingCard::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        setFocus(Qt::MouseFocusReason);
        emit activated(m_id);
    }
    QFrame::mousePressEvent(event);
}

void FindingCard::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter || event->key() == Qt::Key_Space) {
        emit activated(m_id);
        return;
    }
    QFrame::keyPressEvent(event);
}

} // namespace Preflight
