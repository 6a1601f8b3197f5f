#pragma once

#include "data/rundata.h"
#include "plan/plan.h"

#include <QWidget>

#include <vector>

namespace Preflight {

// A small drawing of a scenario's load over time (users or arrivals/s), compiled by the same Schedule the
// engine runs, so the preview cannot disagree with the run.
class LoadShapePreview : public QWidget
{
    Q_OBJECT
public:
    explicit LoadShapePreview(QWidget *parent = nullptr);

    void setScenario(const ScenarioSpec &scenario);
    QString summary() const { return m_summary; } // "sweep · 60 s · peak 50 users"
    double duration_s() const { return m_duration_s; }

    QSize sizeHint() const override { return {260, 110}; }
    QSize minimumSizeHint() const override { return {160, 80}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<StageInfo> m_stages;
    bool m_openModel = false;
    double m_duration_s = 0;
    double m_peak = 0;
    QString m_summary;
};

} // namespace Preflight
