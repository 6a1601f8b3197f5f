#pragma once

#include "data/dbsample.h"
#include "data/intervalsnapshot.h"
#include "load/schedule.h"
#include "plan/plan.h"

#include <random>
#include <vector>

namespace PreflightBench {

// What the load engine, the DB sampler and the pool sampler would emit during a closed-model sweep
// against a backend that behaves like a real one: a USL-shaped throughput curve (knee near 45 users),
// latency growing past the knee, per-endpoint service times from 1.5 ms to 400 ms with a log-normal
// spread and a 1% tail, status codes (200/201/204, 404, 429, 500, 503 under overload) and transport
// errors (timeouts at 10 s, refused, resets) that appear as the load grows, every request recorded in
// the snapshot's HDR histograms exactly as LoadWorker::record does (corrected and uncorrected).
//
// Deterministic for a seed. Snapshots must be asked for in order (counts carry fractions between ticks).
// Not thread-safe: one producer thread owns it.
class SyntheticStream
{
public:
    static constexpr double kTick_s = 0.25;

    SyntheticStream(int endpoints, const std::vector<int> &levels, double step_s, unsigned seed = 7);

    const Preflight::Plan &plan() const { return m_plan; }
    const Preflight::Schedule &schedule() const { return m_schedule; }
    int tickCount() const { return m_ticks; }
    double duration_s() const { return m_schedule.duration_s(); }

    // Tick `index` (0-based, in order): [index·0.25 s, (index+1)·0.25 s).
    Preflight::IntervalSnapshotPtr snapshot(int index);
    // 1 Hz readings at t_s (whole seconds), for the users asked for at that time.
    Preflight::DbSample dbSample(double t_s);
    Preflight::PoolSample poolSample(double t_s);

    // Throughput (requests/s) and latency factor (× the one-user latency) at `users`.
    static double throughput(double users);
    static double latencyFactor(double users);

private:
    struct Endpoint
    {
        double share = 0;       // of the total throughput
        double service_ms = 10; // median at one user
        int okStatus = 200;
        bool hasIds = false; // GETs by id answer some 404s
        double serverErrorShare = 0;
    };

    Preflight::Plan m_plan;
    Preflight::Schedule m_schedule;
    std::vector<Endpoint> m_endpoints;
    std::vector<double> m_carry;
    std::mt19937_64 m_rng;
    int m_ticks = 0;
};

} // namespace PreflightBench
