#include "profiler.h"

#include "dblog.h"
#include "load/requestfactory.h"
#include "load/transportoptions.h"
#include "pgconnection.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace Preflight {

namespace {
size_t discardBody(char *, size_t size, size_t nmemb, void *)
{
    return size * nmemb;
}

struct CurlEasy
{
    CURL *h = curl_easy_init();
    ~CurlEasy() { curl_easy_cleanup(h); }
};
struct CurlList
{
    curl_slist *l = nullptr;
    ~CurlList() { curl_slist_free_all(l); }
};
} // namespace

std::vector<QueryStat> Profiler::Result::stats() const
{
    std::vector<QueryStat> all;
    for (const EndpointResult &e : endpoints)
        all.insert(all.end(), e.stats.begin(), e.stats.end());
    return all;
}

Profiler::Profiler(PgConnection &conn, const Plan &plan, const RequestFactory &factory, const Options &options)
    : m_conn(conn), m_plan(plan), m_factory(factory), m_options(options)
{
}

Profiler::Profiler(PgConnection &conn, const Plan &plan, const RequestFactory &factory)
    : Profiler(conn, plan, factory, Options{})
{
}

Profiler::Result Profiler::run(const std::atomic<bool> *stop)
{
    Result result;
    CurlEasy curl;
    if (!curl.h) {
        result.warnings << QStringLiteral("profiling pass skipped: libcurl could not create a handle");
        return result;
    }
    // One handle for the pass, so its requests reuse one connection, as a single user's would.
    TransportOptions::fromTarget(m_plan.target).apply(curl.h);
    FastRandom rng(0x5eed);
    std::string url, body;
    const int k = qMax(1, m_options.requests_per_endpoint);
    // {seq} continues after the load's values (the factory hands out each value once per run): a POST that
    // creates "item-{seq}" would otherwise collide with what the load created.
    uint64_t seq = m_factory.reserveSequence(uint64_t(k) * uint64_t(std::max(1, m_factory.endpointCount())));
    for (int ep = 0; ep < m_factory.endpointCount(); ++ep) {
        if (stop && stop->load())
            break;
        EndpointResult er;
        er.endpoint = ep < int(m_plan.endpoints.size()) ? m_plan.endpointName(ep) : QString::number(ep);
        const PgStatements::Snapshot before = PgStatements::snapshot(m_conn);
        if (!before.valid) {
            result.warnings << QStringLiteral("profiling pass skipped: %1").arg(before.error.message);
            return result;
        }
        CurlList headers;
        for (const std::string &h : m_factory.headers(ep))
            headers.l = curl_slist_append(headers.l, h.c_str());
        for (int i = 0; i < k; ++i) {
            if (stop && stop->load())
                break;
            m_factory.buildUrl(ep, rng, m_factory.sequenceValue(seq), url);
            m_factory.buildBody(ep, m_factory.sequenceValue(seq), body);
            ++seq;
            curl_easy_setopt(curl.h, CURLOPT_URL, url.c_str());
            const bool head = m_factory.method(ep) == "HEAD";
            curl_easy_setopt(curl.h, CURLOPT_HTTPHEADER, headers.l);
            curl_easy_setopt(curl.h, CURLOPT_TIMEOUT_MS,
                             m_factory.timeoutMs(ep) > 0 ? m_factory.timeoutMs(ep) : 10000L);
            curl_easy_setopt(curl.h, CURLOPT_WRITEFUNCTION, &discardBody);
            if (m_factory.hasBody(ep)) {
                curl_easy_setopt(curl.h, CURLOPT_POSTFIELDS, body.data());
                curl_easy_setopt(curl.h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
            } else {
                curl_easy_setopt(curl.h, CURLOPT_POSTFIELDS, nullptr);
                curl_easy_setopt(curl.h, CURLOPT_HTTPGET, 1L);
            }
            // HEAD through NOBODY (after HTTPGET, which clears it): as a custom method libcurl would wait for a
            // body that never comes.
            curl_easy_setopt(curl.h, CURLOPT_NOBODY, head ? 1L : 0L);
            curl_easy_setopt(curl.h, CURLOPT_CUSTOMREQUEST, head ? nullptr : m_factory.method(ep).c_str());
            ++er.requests;
            const CURLcode rc = curl_easy_perform(curl.h);
            if (rc == CURLE_OK) {
                long status = 0;
                curl_easy_getinfo(curl.h, CURLINFO_RESPONSE_CODE, &status);
                ++er.responses;
                ++er.status_counts[int(status)];
            } else {
                er.error = QString::fromUtf8(curl_easy_strerror(rc));
            }
        }
        const PgStatements::Snapshot after = PgStatements::snapshot(m_conn);
        const PgStatements::Delta d = PgStatements::delta(before, after);
        for (const QString &w : d.warnings)
            result.warnings << QStringLiteral("%1: %2").arg(er.endpoint, w);
        if (er.responses == 0) {
            result.warnings << QStringLiteral("%1: no answer to any of %2 profiling requests (%3)")
                                   .arg(er.endpoint)
                                   .arg(er.requests)
                                   .arg(er.error);
        } else {
            int failed = 0;
            for (const auto &[status, n] : er.status_counts)
                if (status >= 400)
                    failed += n;
            if (failed > 0)
                result.warnings << QStringLiteral("%1: %2 of %3 profiling requests answered with an error status; "
                                                  "queries per request may be low")
                                       .arg(er.endpoint)
                                       .arg(failed)
                                       .arg(er.responses);
            er.stats = PgStatements::toQueryStats(d, QueryPhase::Profile, ep, er.responses);
        }
        qCInfo(lcPreflightDb) << "profiled" << er.endpoint << er.responses << "responses" << er.stats.size()
                              << "queries";
        result.endpoints.push_back(std::move(er));
    }
    return result;
}

std::vector<QueryStat> Profiler::runStats(const PgStatements::Snapshot &before, const PgStatements::Snapshot &after,
                                          double totalRequests, QStringList *warnings)
{
    const PgStatements::Delta d = PgStatements::delta(before, after);
    if (warnings)
        *warnings << d.warnings;
    return PgStatements::toQueryStats(d, QueryPhase::Run, -1, totalRequests);
}

} // namespace Preflight
