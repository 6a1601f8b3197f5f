#pragma once

#include "data/finding.h"

#include <QFrame>

namespace Preflight {

// One finding as a card: severity chip, title, summary, evidence, recommendation.
class FindingCard : public QFrame
{
    Q_OBJECT
public:
    explicit FindingCard(const Finding &finding, QWidget *parent = nullptr);

    const QString &findingId() const { return m_id; }
    static QColor severityColour(Severity severity);
    void setSelected(bool selected);

signals:
    // Clicked, or Enter/Space with the card focused: show its evidence.
    void activated(const QString &findingId);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    QString m_id;
};

} // namespace Preflight
