// The pure parts of a distributed run (core/distributed): merging the agents' histograms and intervals,
// splitting a schedule into segments, and the protocol's exact interval encoding.
#include "data/latencyhistogram.h"
#include "distributed/agentprotocol.h"
#include "distributed/intervalmerger.h"
#include "distributed/segmentplan.h"
#include "load/requestfactory.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

using namespace Preflight;

namespace {
std::vector<uint64_t> generate(const QString &kind, size_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> v;
    for (size_t i = 0; i < n; ++i) {
        double x = 0;
        if (kind == QLatin1String("uniform"))
            x = std::uniform_real_distribution<double>(1000, 50000)(rng);
        else if (kind == QLatin1String("bimodal"))
            x = (rng() % 10 < 8) ? std::normal_distribution<double>(2000, 200)(rng)
                                 : std::normal_distribution<double>(300000, 20000)(rng);
        else if (kind == QLatin1String("longtail"))
            x = std::lognormal_distribution<double>(8.0, 1.5)(rng);
        else
            x = double(1 + rng() % 300); // tiny: the exact range
        v.push_back(uint64_t(std::max(1.0, x)));
    }
    return v;
}

ScenarioSpec closed(std::vector<int> levels)
{
    ScenarioSpec s;
    s.preset = QStringLiteral("sweep");
    s.levels = std::move(levels);
    s.step_s = 10;
    return s;
}

ScenarioSpec open(double rate)
{
    ScenarioSpec s;
    s.preset = QStringLiteral("sustain");
    s.rate = rate;
    s.duration_s = 10;
    return s;
}
} // namespace

class TestDistributed : public QObject
{
    Q_OBJECT
private slots:
    // Three agents' histograms, merged in every order, equal one histogram of all their values: same buckets,
    // count, sum, min and max, so every percentile of the merged run is the percentile of the union.
    void histogramMergeEqualsUnionInAnyOrder_data()
    {
        QTest::addColumn<QString>("kind");
        for (const char *k : {"uniform", "bimodal", "longtail", "tiny"})
            QTest::newRow(k) << QString::fromLatin1(k);
    }
    void histogramMergeEqualsUnionInAnyOrder()
    {
        QFETCH(QString, kind);
        std::vector<LatencyHistogram> agents(3);
        LatencyHistogram all;
        for (size_t a = 0; a < agents.size(); ++a)
            for (uint64_t v : generate(kind, 20000 + 5000 * a, 7 + a)) {
                agents[a].record(v);
                all.record(v);
            }
        std::vector<int> order{0, 1, 2};
        do {
            LatencyHistogram merged;
            for (int a : order) {
                LatencyHistogram copy = agents[size_t(a)];
                if (a == 1)
                    copy.compact(); // what an agent's snapshot holds
                merged.merge(copy);
            }
            QVERIFY(merged == all);
            for (double q : {0.5, 0.9, 0.99, 0.999, 1.0})
                QCOMPARE(merged.valueAtQuantile(q), all.valueAtQuantile(q));
        } while (std::next_permutation(order.begin(), order.end()));
    }

    // What crosses the wire is the histogram itself, not a summary: decoding gives an equal interval.
    void intervalEncodingIsExact()
    {
        IntervalSnapshot s;
        s.index = 7;
        s.start_s = 1.75;
        s.end_s = 2.0;
        s.stage_index = 1;
        s.target_users = 12;
        s.in_flight = 3;
        s.started = 1234;
        s.dropped = 2;
        s.client_cpu_s = 0.125;
        s.load_threads = 2;
        s.send_lag_ms = 0.5;
        s.endpoints.resize(2);
        for (uint64_t v : generate(QStringLiteral("longtail"), 5000, 3)) {
            s.endpoints[0].latency.record(v);
            s.endpoints[0].latency_uncorrected.record(v / 2 + 1);
        }
        s.endpoints[0].requests = 5000;
        s.endpoints[0].ok = 4990;
        s.endpoints[0].http_errors = 10;
        s.endpoints[0].status_counts = {{200, 4990}, {503, 10}};
        s.endpoints[1].transport_errors[int(ErrorClass::Timeout)] = 4;
        s.endpoints[1].requests = 4;
        const auto back = AgentProtocol::intervalFrom(AgentProtocol::interval(s));
        QVERIFY(back);
        QCOMPARE(back->index, 7);
        QCOMPARE(back->started, uint64_t(1234));
        QCOMPARE(back->client_cpu_s, 0.125);
        QCOMPARE(back->endpoints.size(), size_t(2));
        QVERIFY(back->endpoints[0] == s.endpoints[0]);
        QVERIFY(back->endpoints[1] == s.endpoints[1]);
    }

    // Interval n of the run is released once every agent delivered its n-th (or finished), in order.
    void intervalsMergeByIndexOnceEveryAgentHasThem()
    {
        IntervalMerger merger(3);
        auto part = [](int index, uint64_t requests, uint64_t latency_us) {
            auto s = std::make_shared<IntervalSnapshot>();
            s->index = index;
            s->start_s = index * 0.25;
            s->end_s = (index + 1) * 0.25;
            s->target_users = 9;
            s->client_cpu_s = 0.1;
            s->load_threads = 1;
            s->endpoints.resize(1);
            s->endpoints[0].requests = requests;
            s->endpoints[0].latency.record(latency_us, requests);
            return IntervalSnapshotPtr(s);
        };
        QVERIFY(merger.add(0, part(0, 10, 1000)).empty());
        QVERIFY(merger.add(1, part(0, 20, 2000)).empty());
        QVERIFY(merger.add(0, part(1, 5, 1000)).empty());
        const auto first = merger.add(2, part(0, 30, 3000));
        QCOMPARE(first.size(), size_t(1));
        QCOMPARE(first[0]->index, 0);
        QCOMPARE(first[0]->endpoints[0].requests, uint64_t(60));
        QCOMPARE(first[0]->endpoints[0].latency.count(), uint64_t(60));
        QCOMPARE(first[0]->target_users, 9.0); // every agent reports the whole schedule's target
        QCOMPARE(first[0]->load_threads, 3);
        // A lost agent no longer holds the stream back.
        QVERIFY(merger.add(1, part(1, 5, 1000)).empty());
        const auto second = merger.finish(2);
        QCOMPARE(second.size(), size_t(1));
        QCOMPARE(second[0]->endpoints[0].requests, uint64_t(10));
        QVERIFY(!merger.isFinished());
        merger.finish(0);
        merger.finish(1);
        QVERIFY(merger.isFinished());
    }

    // The merged CPU is the busiest agent's share per thread: one saturated agent is not averaged away.
    void mergedGeneratorHealthIsTheBusiestAgents()
    {
        auto part = [](double cpu_s) {
            auto s = std::make_shared<IntervalSnapshot>();
            s->end_s = 0.25;
            s->client_cpu_s = cpu_s;
            s->load_threads = 2;
            return IntervalSnapshotPtr(s);
        };
        const IntervalSnapshot m = IntervalMerger::merge({part(0.05), part(0.49), part(0.1)});
        QCOMPARE(m.load_threads, 6);
        QVERIFY(std::abs(m.client_cpu_s / (m.load_threads * 0.25) - 0.98) < 1e-9);
    }

    // Closed model: every level's users split over the agents differ by at most one and add up to the level.
    void closedModelUsersSplitEvenly_data()
    {
        QTest::addColumn<int>("agents");
        QTest::addColumn<int>("agentWorkers");
        for (int agents : {1, 2, 3, 7})
            for (int workers : {1, 3})
                QTest::addRow("%d agents x %d workers", agents, workers) << agents << workers;
    }
    void closedModelUsersSplitEvenly()
    {
        QFETCH(int, agents);
        QFETCH(int, agentWorkers);
        const Schedule schedule = Schedule::compile(closed({1, 2, 5, 10, 20, 50, 100}));
        const auto segments = SegmentPlan::split(schedule, std::vector<int>(size_t(agents), agentWorkers));
        QCOMPARE(int(segments.size()), agents);
        for (const Segment &s : segments) {
            QCOMPARE(s.workers, segments.front().workers);
            QCOMPARE(s.sequenceStride, agents + 1);
        }
        for (int users : {1, 2, 5, 10, 20, 50, 100}) {
            int total = 0, most = 0, least = INT32_MAX;
            for (const Segment &s : segments) {
                const int u = SegmentPlan::usersAt(s, users);
                total += u;
                most = std::max(most, u);
                least = std::min(least, u);
            }
            QCOMPARE(total, users);
            QVERIFY2(most - least <= 1, qPrintable(QStringLiteral("%1 users: %2..%3").arg(users).arg(least).arg(most)));
        }
    }

    // Every agent gets the same worker count (a global worker index means the same everywhere), the smallest
    // offered, and a closed model no more than its share of the peak needs.
    void workersAreTheSmallestOfferAndNoMoreThanNeeded()
    {
        const auto open3 = SegmentPlan::split(Schedule::compile(open(300)), {4, 2, 8});
        for (const Segment &s : open3)
            QCOMPARE(s.workers, 2);
        const auto closed3 = SegmentPlan::split(Schedule::compile(closed({1, 4})), {4, 4, 4});
        for (const Segment &s : closed3)
            QCOMPARE(s.workers, 2); // ⌈4 / 3⌉
    }

    // Open model: the agents' arrivals together are the schedule's, evenly spaced at 1/R, none twice.
    void openModelArrivalsInterleave()
    {
        const double rate = 300;
        const auto segments = SegmentPlan::split(Schedule::compile(open(rate)), {2, 2, 2});
        std::vector<double> all;
        for (const Segment &s : segments) {
            const auto mine = SegmentPlan::arrivals(s, rate, 100);
            // Agent i of k sends arrivals i, i + k, i + 2k, …: its own spacing is k/R.
            QVERIFY(std::abs(mine[0] - s.index / rate) < 1e-12);
            QVERIFY(std::abs(mine[1] - mine[0] - double(s.count) / rate) < 1e-9);
            all.insert(all.end(), mine.begin(), mine.end());
        }
        std::sort(all.begin(), all.end());
        for (size_t n = 0; n < all.size(); ++n)
            QVERIFY(std::abs(all[n] - double(n) / rate) < 1e-9);
    }

    // {seq}: agent i of k takes i+1, i+1+(k+1), …; the coordinator's profiling pass the last residue.
    void sequenceRangesAreDisjoint()
    {
        const int agents = 3;
        std::set<uint64_t> seen;
        for (int i = 0; i <= agents; ++i) { // i == agents: the coordinator
            RequestFactory f;
            f.setSequenceSegment(uint64_t(i), uint64_t(agents + 1));
            for (uint64_t n = 1; n <= 1000; ++n)
                QVERIFY(seen.insert(f.sequenceValue(n)).second);
        }
        QCOMPARE(*seen.begin(), uint64_t(1));
        QCOMPARE(*seen.rbegin(), uint64_t(4000)); // dense: 1..4000
    }

    void proofsNeedTheToken()
    {
        const QByteArray a = AgentProtocol::newNonce(), c = AgentProtocol::newNonce();
        QVERIFY(a != c);
        const QByteArray token = "0123456789abcdef0123456789abcdef";
        const QByteArray proof = AgentProtocol::proof(token, "agent", c, a);
        QVERIFY(AgentProtocol::sameProof(proof, AgentProtocol::proof(token, "agent", c, a)));
        QVERIFY(!AgentProtocol::sameProof(proof, AgentProtocol::proof(token + "x", "agent", c, a)));
        // A coordinator's proof cannot be replayed as an agent's.
        QVERIFY(!AgentProtocol::sameProof(proof, AgentProtocol::proof(token, "coordinator", c, a)));
        QVERIFY(!proof.contains(token));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
