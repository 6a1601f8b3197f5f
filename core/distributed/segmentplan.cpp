#include "segmentplan.h"

#include "load/loaddriver.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

std::vector<Segment> SegmentPlan::split(const Schedule &schedule, const std::vector<int> &agentWorkers)
{
    const int count = int(agentWorkers.size());
    std::vector<Segment> segments;
    if (count == 0)
        return segments;
    int workers = std::max(1, *std::min_element(agentWorkers.begin(), agentWorkers.end()));
    if (!schedule.isOpenModel()) {
        // More workers than users would only idle: ⌈peak / agents⌉ is enough for the largest share.
        const int peak = int(std::ceil(schedule.peak() - 1e-9));
        workers = std::max(1, std::min(workers, (peak + count - 1) / count));
    }
    for (int i = 0; i < count; ++i) {
        Segment s;
        s.index = i;
        s.count = count;
        s.workers = workers;
        s.sequenceStride = count + 1;
        segments.push_back(s);
    }
    return segments;
}

int SegmentPlan::usersAt(const Segment &segment, double targetUsers)
{
    int users = 0;
    for (int j = 0; j < segment.workers; ++j)
        users += LoadDriver::closedShare(targetUsers, segment.index + segment.count * j, segment.globalWorkers());
    return users;
}

std::vector<double> SegmentPlan::arrivals(const Segment &segment, double rate, int limit)
{
    // LoadWorker::run()/pumpOpen(): global worker g starts at g / rate and then every G / rate.
    std::vector<double> times;
    const int g = segment.globalWorkers();
    for (int n = 0; int(times.size()) < limit; ++n)
        for (int j = 0; j < segment.workers && int(times.size()) < limit; ++j)
            times.push_back((double(segment.index + segment.count * j) + double(n) * g) / rate);
    std::sort(times.begin(), times.end());
    return times;
}

} // namespace Preflight
