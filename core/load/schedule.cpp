#include "schedule.h"

#include <algorithm>

namespace Preflight {

namespace {
QString number(double v)
{
    return QString::number(v, 'g', 6);
}

QString stageLabel(bool open, double from, double to)
{
    const QString unit =
        open ? QStringLiteral(" req/s") : (to == 1 ? QStringLiteral(" user") : QStringLiteral(" users"));
    if (from == to)
        return to == 0 ? QStringLiteral("idle") : number(to) + unit;
    return QStringLiteral("ramp ") + number(from) + QStringLiteral("→") + number(to) + unit;
}
} // namespace

Schedule Schedule::compile(const ScenarioSpec &s)
{
    Schedule schedule;
    schedule.m_thinkTime_ms = std::max(0.0, s.think_time_ms);
    auto add = [&schedule](double duration_s, double from, double to) {
        StageInfo stage;
        stage.index = int(schedule.m_stages.size());
        stage.start_s = schedule.m_duration_s;
        stage.duration_s = duration_s;
        stage.open_model = schedule.m_openModel;
        stage.from = from;
        stage.to = to;
        stage.label = stageLabel(stage.open_model, from, to);
        schedule.m_stages.push_back(stage);
        schedule.m_duration_s += duration_s;
    };

    if (s.preset == QLatin1String("sweep")) {
        for (int level : s.levels)
            add(s.step_s, level, level);
    } else if (s.preset == QLatin1String("stages")) {
        schedule.m_openModel = !s.stages.empty() && s.stages.front().rate >= 0;
        double previous = 0;
        for (const StageSpec &st : s.stages) {
            const double target = schedule.m_openModel ? st.rate : st.users;
            add(st.duration_s, previous, target);
            previous = target;
        }
    } else if (s.preset == QLatin1String("burst")) {
        if (s.idle_s > 0)
            add(s.idle_s, 0, 0);
        add(s.duration_s, s.users, s.users);
    } else { // sustain, soak
        schedule.m_openModel = s.rate > 0;
        const double value = schedule.m_openModel ? s.rate : s.users;
        add(s.duration_s, value, value);
    }
    for (StageInfo &stage : schedule.m_stages)
        stage.open_model = schedule.m_openModel;
    return schedule;
}

double Schedule::peak() const
{
    double peak = 0;
    for (const StageInfo &s : m_stages)
        peak = std::max({peak, s.from, s.to});
    return peak;
}

int Schedule::stageAt(double t_s) const
{
    if (t_s < 0)
        return m_stages.empty() ? -1 : 0;
    for (const StageInfo &s : m_stages)
        if (t_s < s.start_s + s.duration_s)
            return s.index;
    return -1;
}

double Schedule::targetAt(double t_s) const
{
    const int index = stageAt(t_s);
    if (index < 0)
        return 0;
    const StageInfo &s = m_stages[size_t(index)];
    const double fraction = s.duration_s > 0 ? std::clamp((t_s - s.start_s) / s.duration_s, 0.0, 1.0) : 1.0;
    return s.from + (s.to - s.from) * fraction;
}

} // namespace Preflight
