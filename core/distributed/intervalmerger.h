#pragma once

#include "data/intervalsnapshot.h"

#include <map>
#include <vector>

namespace Preflight {

// Merges the agents' interval streams of a distributed run into one. Interval n of the run is the merge of
// interval n of every agent (all started at one wall-clock instant, so their interval n covers the same
// span of the run clock to within the clock-offset bound). It is released once every agent still in the run
// has delivered it or will send nothing more; intervals are released in index order.
//
// Merging is exact: counters add, histograms add bucket by bucket (LatencyHistogram::merge), so a percentile of
// the merged run is the percentile of the union of every agent's requests. Not thread-safe.
class IntervalMerger
{
public:
    explicit IntervalMerger(int agents);

    // Takes agent's next interval; returns the merged intervals this completes.
    std::vector<IntervalSnapshotPtr> add(int agent, const IntervalSnapshotPtr &snapshot);
    // The agent sends nothing more (done, lost or stopped); returns the merged intervals this completes.
    std::vector<IntervalSnapshotPtr> finish(int agent);
    // Every agent finished and every interval released.
    bool isFinished() const;
    int released() const { return m_next; }

    // Interval `parts` merged: counts and histograms added, target users/rate taken from the first part (every
    // agent reports the whole schedule's target), send lag the largest, load threads summed, and CPU seconds the
    // busiest agent's per thread times all threads (-1 if any part did not measure it): the worst generator.
    static IntervalSnapshot merge(const std::vector<IntervalSnapshotPtr> &parts);

private:
    std::vector<IntervalSnapshotPtr> release();

    std::vector<int> m_received; // per agent: intervals received
    std::vector<bool> m_finished;
    std::map<int, std::vector<IntervalSnapshotPtr>> m_pending; // by index
    int m_next = 0;
};

} // namespace Preflight
