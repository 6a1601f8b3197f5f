#include "requestfactory.h"

#include "plan/secretresolver.h"

#include <algorithm>

namespace Preflight {

namespace {
std::string toStd(const QString &s)
{
    return s.toStdString();
}

void appendNumber(std::string &out, int64_t v)
{
    char buf[24];
    const int n = snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    out.append(buf, size_t(n));
}
} // namespace

std::optional<RequestFactory> RequestFactory::create(const Plan &plan, QString *error, QStringList *missingSecrets)
{
    QStringList missing;
    RequestFactory f;
    f.m_baseUrl = toStd(SecretResolver::resolve(plan.target.base_url, &missing));
    std::vector<std::string> common;
    for (const auto &[name, value] : plan.target.headers)
        common.push_back(toStd(name + QStringLiteral(": ") + SecretResolver::resolve(value, &missing)));

    double cumulative = 0;
    for (const EndpointSpec &spec : plan.endpoints) {
        Endpoint e;
        e.method = toStd(spec.method);
        e.timeout_ms = spec.timeout_ms > 0 ? spec.timeout_ms : plan.target.timeout_ms;
        const QString path = SecretResolver::resolve(spec.path, &missing);
        qsizetype pos = 0;
        while (pos < path.size()) {
            const qsizetype open = path.indexOf(QLatin1Char('{'), pos);
            const qsizetype close = open < 0 ? -1 : path.indexOf(QLatin1Char('}'), open);
            if (open < 0 || close < 0) {
                e.path.push_back({Segment::Kind::Literal, toStd(path.mid(pos)), {}, {}});
                break;
            }
            if (open > pos)
                e.path.push_back({Segment::Kind::Literal, toStd(path.mid(pos, open - pos)), {}, {}});
            const QString name = path.mid(open + 1, close - open - 1);
            Segment seg;
            if (name == QLatin1String("seq")) {
                seg.kind = Segment::Kind::Sequence;
            } else if (auto it = spec.vars.find(name); it != spec.vars.end()) {
                seg.kind = Segment::Kind::Variable;
                seg.variable = it->second;
                for (const QString &v : it->second.values)
                    seg.listValues.push_back(toStd(v));
            } else {
                *error = QStringLiteral("endpoint %1: {%2} has no variable definition").arg(spec.name, name);
                return std::nullopt;
            }
            e.path.push_back(std::move(seg));
            pos = close + 1;
        }
        e.body = toStd(SecretResolver::resolve(QString::fromUtf8(spec.body), &missing));
        e.bodyHasSeq = e.body.find("{seq}") != std::string::npos;
        e.headers = common;
        bool hasContentType = false;
        for (const auto &[name, value] : spec.headers) {
            hasContentType |= name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
            e.headers.push_back(toStd(name + QStringLiteral(": ") + SecretResolver::resolve(value, &missing)));
        }
        for (const auto &[name, value] : plan.target.headers)
            hasContentType |= name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
        if (spec.body_is_json && !hasContentType)
            e.headers.push_back("Content-Type: application/json");
        cumulative += spec.weight;
        e.cumulativeWeight = cumulative;
        f.m_endpoints.push_back(std::move(e));
    }
    if (!missing.isEmpty()) {
        *error = SecretResolver::describeMissing(missing);
        if (missingSecrets)
            *missingSecrets = missing;
        return std::nullopt;
    }
    for (Endpoint &e : f.m_endpoints)
        e.cumulativeWeight /= cumulative;
    return f;
}

void RequestFactory::addCommonHeader(const std::string &header)
{
    for (Endpoint &e : m_endpoints)
        e.headers.push_back(header);
}

bool RequestFactory::isFixed(int endpoint) const
{
    const Endpoint &e = m_endpoints[size_t(endpoint)];
    if (e.bodyHasSeq)
        return false;
    return std::all_of(e.path.begin(), e.path.end(), [](const Segment &s) { return s.kind == Segment::Kind::Literal; });
}

int RequestFactory::pickEndpoint(double u) const
{
    if (m_endpoints.size() == 1)
        return 0;
    const auto it = std::upper_bound(m_endpoints.begin(), m_endpoints.end(), u,
                                     [](double value, const Endpoint &e) { return value < e.cumulativeWeight; });
    return it == m_endpoints.end() ? int(m_endpoints.size()) - 1 : int(it - m_endpoints.begin());
}

void RequestFactory::buildUrl(int endpoint, FastRandom &rng, uint64_t seq, std::string &out) const
{
    out.assign(m_baseUrl);
    for (const Segment &seg : m_endpoints[size_t(endpoint)].path) {
        switch (seg.kind) {
        case Segment::Kind::Literal:
            out.append(seg.literal);
            break;
        case Segment::Kind::Sequence:
            appendNumber(out, int64_t(seq));
            break;
        case Segment::Kind::Variable:
            if (seg.variable.kind == PathVariable::Kind::Range) {
                const uint64_t span = uint64_t(seg.variable.to - seg.variable.from) + 1;
                appendNumber(out, seg.variable.from + int64_t(rng.next() % span));
            } else {
                out.append(seg.listValues[rng.next() % seg.listValues.size()]);
            }
            break;
        }
    }
}

void RequestFactory::buildBody(int endpoint, uint64_t seq, std::string &out) const
{
    const Endpoint &e = m_endpoints[size_t(endpoint)];
    out.assign(e.body);
    if (!e.bodyHasSeq)
        return;
    std::string number;
    appendNumber(number, int64_t(seq));
    for (size_t pos = out.find("{seq}"); pos != std::string::npos; pos = out.find("{seq}", pos + number.size()))
        out.replace(pos, 5, number);
}

std::string RequestFactory::absoluteUrl(const QString &pathOrUrl) const
{
    if (pathOrUrl.startsWith(QLatin1String("http://")) || pathOrUrl.startsWith(QLatin1String("https://")))
        return toStd(pathOrUrl);
    return m_baseUrl + toStd(pathOrUrl.startsWith(QLatin1Char('/')) ? pathOrUrl : QLatin1Char('/') + pathOrUrl);
}

} // namespace Preflight
