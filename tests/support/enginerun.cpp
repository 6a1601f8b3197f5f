#include "enginerun.h"

#include "load/requestfactory.h"
#include "load/schedule.h"

#include <QtGlobal>

#include <mutex>

using namespace Preflight;

namespace PreflightTest {

double EngineOutcome::rps(double from_s, double to_s) const
{
    uint64_t requests = 0;
    double span = 0;
    for (const auto &i : intervals) {
        if (i.start_s >= from_s && i.end_s <= to_s) {
            requests += i.total().requests;
            span += i.duration_s();
        }
    }
    return span > 0 ? double(requests) / span : 0;
}

EngineOutcome runEngineToEnd(const Plan &plan, const QString &engine, EngineOptions options,
                             std::function<void(LoadEngine &, const IntervalSnapshot &)> onTick)
{
    QString error;
    auto factory = RequestFactory::create(plan, &error);
    if (!factory)
        qFatal("factory: %s", qPrintable(error));
    options.maxConnections = plan.limits.max_users;
    options.maxResponseBytes = plan.target.max_response_bytes;
    options.transport = TransportOptions::fromTarget(plan.target);
    options.engine = engine;
    LoadEngine loadEngine(std::make_shared<RequestFactory>(std::move(*factory)), Schedule::compile(plan.scenario),
                          options);
    if (loadPathId(loadEngine.loadPath()) != engine)
        qFatal("asked for the %s path, got %s", qPrintable(engine), qPrintable(loadPathId(loadEngine.loadPath())));
    EngineOutcome outcome;
    std::mutex mutex;
    loadEngine.setSnapshotSink([&](IntervalSnapshotPtr s) {
        std::lock_guard<std::mutex> lock(mutex);
        outcome.intervals.push_back(*s);
        if (onTick)
            onTick(loadEngine, *s);
    });
    loadEngine.start();
    loadEngine.waitFinished();
    outcome.perEndpoint.resize(plan.endpoints.size());
    for (const auto &i : outcome.intervals) {
        outcome.started += i.started;
        outcome.dropped += i.dropped;
        for (size_t e = 0; e < i.endpoints.size(); ++e) {
            outcome.total.merge(i.endpoints[e]);
            outcome.perEndpoint[e].merge(i.endpoints[e]);
        }
    }
    outcome.errorSamples = loadEngine.errorSamples();
    return outcome;
}

} // namespace PreflightTest
