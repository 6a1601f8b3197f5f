#pragma once

#include "load/schedule.h"

#include <vector>

namespace Preflight {

// One agent's share of a distributed run (docs/distributed.md). The agent runs the whole plan's
// schedule with `workers` load threads that are global workers index, index + count, index + 2·count, … of
// workers·count (EngineOptions::segmentIndex/segmentCount), and {seq} values index+1, index+1+sequenceStride, …
struct Segment
{
    int index = 0;          // 0-based agent number
    int count = 1;          // agents in the run
    int workers = 1;        // load threads on this agent; the same on every agent
    int sequenceStride = 1; // agents + 1: the coordinator's profiling pass has the last residue
    int globalWorkers() const { return workers * count; }
};

// Splits a schedule over agents. Pure and deterministic.
//
// Closed model: the users of every stage (each sweep level, each ramp point) are split as evenly as possible
// over all workers of all agents, so agents differ by at most one user; endpoints are picked per request by
// weight (RequestFactory::pickEndpoint), so every agent keeps the plan's endpoint mix however few users it has.
// Open model: global worker g sends arrivals g, g + G, g + 2G, … of the schedule (G = all workers), so agent i
// of k sends arrivals i, i + k, i + 2k, … and the merged arrivals keep the schedule's spacing.
class SegmentPlan
{
public:
    // `agentWorkers`: each agent's own default worker count (its cores − 1). Every agent gets the smallest of
    // them (a global worker index must mean the same on every agent), and a closed model never more than its
    // share of the peak users needs.
    static std::vector<Segment> split(const Schedule &schedule, const std::vector<int> &agentWorkers);

    // Users the segment runs when the schedule asks for `targetUsers`.
    static int usersAt(const Segment &segment, double targetUsers);
    // Open model at a constant rate: the times (s) of the segment's first `limit` arrivals. For tests and docs.
    static std::vector<double> arrivals(const Segment &segment, double rate, int limit);
};

} // namespace Preflight
