#include "capacitymodel.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace Preflight {

double UslFit::predict(double users) const
{
    const double d = 1 + sigma * (users - 1) + kappa * users * (users - 1);
    return d > 0 ? lambda * users / d : 0;
}

namespace {

struct Objective
{
    const std::vector<double> &n;
    const std::vector<double> &x;

    // Residual sum of squares with λ solved in closed form: X ≈ λ·g, λ = Σxg / Σg².
    double operator()(double sigma, double kappa, double *lambdaOut = nullptr) const
    {
        double sxg = 0, sgg = 0;
        std::vector<double> g(n.size());
        for (size_t i = 0; i < n.size(); ++i) {
            g[i] = n[i] / (1 + sigma * (n[i] - 1) + kappa * n[i] * (n[i] - 1));
            sxg += x[i] * g[i];
            sgg += g[i] * g[i];
        }
        const double lambda = sgg > 0 ? sxg / sgg : 0;
        double rss = 0;
        for (size_t i = 0; i < n.size(); ++i)
            rss += (x[i] - lambda * g[i]) * (x[i] - lambda * g[i]);
        if (lambdaOut)
            *lambdaOut = lambda;
        return rss;
    }
};

} // namespace

UslFit fitUsl(const std::vector<double> &usersIn, const std::vector<double> &rpsIn)
{
    UslFit fit;
    // One point per distinct user count (mean throughput when a count repeats).
    std::map<double, std::pair<double, int>> byUsers;
    for (size_t i = 0; i < usersIn.size() && i < rpsIn.size(); ++i) {
        if (usersIn[i] <= 0 || !std::isfinite(rpsIn[i]))
            continue;
        auto &slot = byUsers[usersIn[i]];
        slot.first += rpsIn[i];
        slot.second += 1;
    }
    std::vector<double> n, x;
    for (const auto &[users, sum] : byUsers) {
        n.push_back(users);
        x.push_back(sum.first / sum.second);
    }
    fit.points = int(n.size());
    if (fit.points < kUslMinLevels) {
        fit.reason = QStringLiteral("needs at least %1 closed-model levels with distinct user counts, have %2")
                         .arg(kUslMinLevels)
                         .arg(fit.points);
        return fit;
    }
    const Objective f{n, x};

    // Coarse grid: σ linear in [0, 1], κ logarithmic from 1e-7 to 1 plus κ = 0.
    std::vector<double> kappas{0};
    for (double e = -7; e <= 0.001; e += 0.25)
        kappas.push_back(std::pow(10.0, e));
    double bestS = 0, bestK = 0, best = f(0, 0);
    for (int i = 0; i <= 100; ++i) {
        const double s = i / 100.0;
        for (double k : kappas) {
            const double v = f(s, k);
            if (v < best) {
                best = v;
                bestS = s;
                bestK = k;
            }
        }
    }
    // Pattern search in (σ, log κ), with κ = 0 reachable through a linear step near zero.
    double stepS = 0.01;
    double stepLogK = 0.25;
    double stepLinK = std::max(bestK, 1e-7);
    for (int iter = 0; iter < 4000 && (stepS > 1e-12 || stepLogK > 1e-10); ++iter) {
        bool improved = false;
        const double cand[][2] = {
            {bestS + stepS, bestK},
            {bestS - stepS, bestK},
            {bestS, bestK > 0 ? bestK * std::pow(10.0, stepLogK) : stepLinK},
            {bestS, bestK > 0 ? bestK * std::pow(10.0, -stepLogK) : 0},
            {bestS, std::max(0.0, bestK - stepLinK)},
            {bestS + stepS, bestK > 0 ? bestK * std::pow(10.0, stepLogK) : 0},
            {bestS - stepS, bestK > 0 ? bestK * std::pow(10.0, -stepLogK) : 0},
            {bestS + stepS, bestK > 0 ? bestK * std::pow(10.0, -stepLogK) : 0},
            {bestS - stepS, bestK > 0 ? bestK * std::pow(10.0, stepLogK) : 0},
        };
        for (const auto &c : cand) {
            const double s = std::clamp(c[0], 0.0, 1.0);
            const double k = std::max(0.0, c[1]);
            const double v = f(s, k);
            if (v < best - 1e-15 * std::max(1.0, best)) {
                best = v;
                bestS = s;
                bestK = k;
                improved = true;
            }
        }
        if (!improved) {
            stepS /= 2;
            stepLogK /= 2;
            stepLinK /= 2;
        }
    }

    fit.sigma = bestS;
    fit.kappa = bestK;
    f(bestS, bestK, &fit.lambda);
    double mean = 0;
    for (double v : x)
        mean += v;
    mean /= double(x.size());
    double tot = 0;
    for (double v : x)
        tot += (v - mean) * (v - mean);
    fit.r2 = tot > 0 ? 1 - best / tot : (best < 1e-12 ? 1 : 0);
    const double peak = fit.kappa > 0 ? std::sqrt(std::max(0.0, 1 - fit.sigma) / fit.kappa) : -1;
    if (peak > 0 && peak <= kUslMaxExtrapolation * n.back()) {
        fit.peak_users = peak;
        fit.peak_rps = fit.predict(std::max(1.0, fit.peak_users));
    } else if (fit.sigma > 0) {
        fit.peak_rps = fit.lambda / fit.sigma; // asymptote, never reached
    }
    fit.valid = fit.lambda > 0;
    if (!fit.valid)
        fit.reason = QStringLiteral("throughput is zero at every level");
    return fit;
}

CapacityModel buildCapacityModel(const std::vector<LevelSummary> &levels)
{
    CapacityModel model;
    model.service_time_ms = serviceTime_ms(levels, &model.service_time_from_load);

    // Closed-model, non-ramp levels sorted by users: the sweep.
    std::vector<int> sweep;
    for (size_t i = 0; i < levels.size(); ++i)
        if (!levels[i].open_model && !levels[i].ramp && levels[i].requests > 0)
            sweep.push_back(int(i));
    std::stable_sort(sweep.begin(), sweep.end(),
                     [&](int a, int b) { return levels[size_t(a)].users < levels[size_t(b)].users; });

    for (const LevelSummary &level : levels)
        model.effective_parallelism_max = std::max(model.effective_parallelism_max, level.effective_parallelism);

    if (model.service_time_ms > 0 && sweep.size() >= 2) {
        for (size_t i = 0; i + 1 < sweep.size(); ++i) {
            const LevelSummary &here = levels[size_t(sweep[i])];
            if (here.effective_parallelism <= 0)
                continue;
            bool flat = true;
            double sum = here.effective_parallelism;
            for (size_t j = i + 1; j < sweep.size(); ++j) {
                const double p = levels[size_t(sweep[j])].effective_parallelism;
                flat = flat && p <= (1 + kPlateauGrowth) * here.effective_parallelism;
                sum += p;
            }
            if (flat) {
                model.plateau_reached = true;
                model.plateau_level = sweep[i];
                model.plateau_load = here.users;
                model.plateau_value = sum / double(sweep.size() - i);
                break;
            }
        }
    }

    std::vector<double> n, x;
    for (int i : sweep) {
        n.push_back(levels[size_t(i)].users);
        x.push_back(levels[size_t(i)].ok_rps);
    }
    model.usl = fitUsl(n, x);
    return model;
}

} // namespace Preflight
