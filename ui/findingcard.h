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

private:
    QString m_id;
};

} // namespace Preflight
