#pragma once

#include "data/rundata.h"
#include "plan/plan.h"

#include <vector>

namespace Preflight {

// A scenario (docs/architecture.md) compiled into consecutive stages on the run clock. Each stage ramps linearly
// from `from` to `to` (users for the closed model, arrivals/s for the open model). Immutable; thread-safe.
class Schedule
{
public:
    static Schedule compile(const ScenarioSpec &scenario);

    const std::vector<StageInfo> &stages() const { return m_stages; }
    bool isOpenModel() const { return m_openModel; }
    double duration_s() const { return m_duration_s; }
    double thinkTime_ms() const { return m_thinkTime_ms; }
    double peak() const; // highest users or rate of any stage

    // Stage index at time t (seconds since run start); -1 after the end.
    int stageAt(double t_s) const;
    // Users or rate asked for at time t; 0 after the end.
    double targetAt(double t_s) const;

private:
    std::vector<StageInfo> m_stages;
    bool m_openModel = false;
    double m_duration_s = 0;
    double m_thinkTime_ms = 0;
};

} // namespace Preflight
