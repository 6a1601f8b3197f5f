#pragma once

#include "data/finding.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace Preflight {

class FlowLayout;

// The launch gates as a row (wrapping when narrow) of pass/fail chips above the charts: live during a run
// (GateSet::evaluateLive over the last seconds) and final once the run is diagnosed (with the verdict).
class GateChips : public QWidget
{
    Q_OBJECT
public:
    explicit GateChips(QWidget *parent = nullptr);

    // `heading` says what the chips cover ("live, last 10 s", "verdict: not ready").
    void setChecks(const std::vector<GateCheck> &checks, const QString &heading);
    void clear();

    int chipCount() const { return int(m_chips.size()); }
    int failingCount() const { return m_failing; }
    QString chipText(int i) const;

private:
    FlowLayout *m_layout;
    QLabel *m_heading;
    std::vector<QLabel *> m_chips;
    int m_failing = 0;
};

} // namespace Preflight
