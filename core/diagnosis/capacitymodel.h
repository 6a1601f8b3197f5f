#pragma once

#include "levelsummary.h"

#include <QString>

#include <vector>

namespace Preflight {

// Universal Scalability Law fit X(N) = λN / (1 + σ(N−1) + κN(N−1)), least squares on throughput.
struct UslFit
{
    bool valid = false;
    QString reason;         // why there is no fit ("needs at least 4 closed-model levels, have 3")
    double lambda = 0;      // req/s of one user without contention
    double sigma = 0;       // contention, 0..1
    double kappa = 0;       // coherency, >= 0
    double peak_users = -1; // N* = sqrt((1−σ)/κ); -1 when κ = 0 or N* lies beyond kUslMaxExtrapolation × the
                            // largest measured level (an extrapolation, not a finding)
    double peak_rps = -1;   // X(N*); without N* the asymptote λ/σ (or -1 when σ = 0 too)
    double r2 = 0;          // coefficient of determination on the fitted points
    int points = 0;

    double predict(double users) const;
};

// Fit the USL on (users, throughput) points. σ is constrained to [0, 1], κ to >= 0; λ is solved in closed
// form for each (σ, κ), which is searched on a grid and refined by a shrinking pattern search.
// Refuses (valid = false, reason set) with fewer than kUslMinLevels distinct user counts.
constexpr int kUslMinLevels = 4;
constexpr double kUslMaxExtrapolation = 10;
UslFit fitUsl(const std::vector<double> &users, const std::vector<double> &rps);

// How the backend scales, derived from the levels of one run (pure).
struct CapacityModel
{
    double service_time_ms = -1;        // S, see serviceTime_ms(); -1 unknown
    double service_time_from_load = -1; // the load (users) of the level S was taken from
    double effective_parallelism_max = -1;
    // Plateau of P(N) = X(N)·S: the first level after which P grows by less than kPlateauGrowth.
    bool plateau_reached = false;
    int plateau_level = -1;    // index into the levels vector
    double plateau_load = -1;  // users (or rate) at that level
    double plateau_value = -1; // mean P over the plateau levels
    UslFit usl;
    // Highest load such that it and every lower level pass the gates' per-level checks (GateSet::
    // levelPasses); -1 when even the lowest level fails or nothing was evaluated. Set by the diagnoser.
    double supported_load = -1;
    bool supported_open_model = false;
};

constexpr double kPlateauGrowth = 0.2; // P(later) <= (1 + 0.2) · P(level) for every later level

// Service time, parallelism maximum, plateau and USL fit (closed-model, non-ramp levels only).
CapacityModel buildCapacityModel(const std::vector<LevelSummary> &levels);

} // namespace Preflight
