#include "intervalcompactor.h"

#include <algorithm>

namespace Preflight {

void IntervalCompactor::mergeInto(IntervalSnapshot &a, const IntervalSnapshot &b)
{
    a.end_s = b.end_s;
    a.target_users = b.target_users;
    a.target_rate = b.target_rate;
    a.in_flight = std::max(a.in_flight, b.in_flight);
    a.queued = std::max(a.queued, b.queued);
    a.started += b.started;
    a.dropped += b.dropped;
    if (a.endpoints.size() < b.endpoints.size())
        a.endpoints.resize(b.endpoints.size());
    for (size_t e = 0; e < b.endpoints.size(); ++e)
        a.endpoints[e].merge(b.endpoints[e]);
}

double IntervalCompactor::bucketFor(double age_s)
{
    if (age_s < kKeepRecent_s - 1e-9)
        return 0;
    if (age_s < 600)
        return 10;
    if (age_s < 3600)
        return 60;
    return 600;
}

size_t IntervalCompactor::compact(std::vector<IntervalSnapshot> &intervals, const std::vector<StageInfo> &stages,
                                  double now_s)
{
    auto stageStart = [&stages](int index) {
        return index >= 0 && size_t(index) < stages.size() ? stages[size_t(index)].start_s : -1e300;
    };
    std::vector<IntervalSnapshot> out;
    out.reserve(intervals.size());
    size_t merged = 0;
    for (IntervalSnapshot &in : intervals) {
        const double bucket_s = bucketFor(now_s - in.end_s);
        const bool old = bucket_s > 0;
        const bool pastWarmup = in.start_s >= stageStart(in.stage_index) + kWarmupKept_s - 1e-9;
        if (old && pastWarmup && !out.empty()) {
            IntervalSnapshot &last = out.back();
            const bool lastMergeable = last.stage_index == in.stage_index &&
                                       last.start_s >= stageStart(last.stage_index) + kWarmupKept_s - 1e-9;
            if (lastMergeable && in.end_s - last.start_s <= bucket_s + 1e-9) {
                mergeInto(last, in);
                ++merged;
                continue;
            }
        }
        out.push_back(std::move(in));
    }
    // A merge leaves its target dense; the buckets are kept, so they go back to the compact form.
    if (merged)
        for (IntervalSnapshot &bucket : out)
            for (EndpointStats &e : bucket.endpoints)
                e.compactHistograms();
    intervals = std::move(out);
    return merged;
}

} // namespace Preflight
