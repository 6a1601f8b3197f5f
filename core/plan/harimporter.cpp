#include "harimporter.h"

#include "planparser.h"
#include "secrets.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Preflight::EndpointImport::Detail {

namespace {

enum class AssetKind { None, Image, Stylesheet, Script, Font, Media };

AssetKind assetKind(const QJsonObject &entry, const QUrl &url)
{
    const QString resourceType = entry.value(QLatin1String("_resourceType")).toString().toLower(); // Chromium
    if (resourceType == QLatin1String("image"))
        return AssetKind::Image;
    if (resourceType == QLatin1String("stylesheet"))
        return AssetKind::Stylesheet;
    if (resourceType == QLatin1String("script"))
        return AssetKind::Script;
    if (resourceType == QLatin1String("font"))
        return AssetKind::Font;
    if (resourceType == QLatin1String("media"))
        return AssetKind::Media;
    const QString mime = entry.value(QLatin1String("response"))
                             .toObject()
                             .value(QLatin1String("content"))
                             .toObject()
                             .value(QLatin1String("mimeType"))
                             .toString()
                             .toLower()
                             .section(QLatin1Char(';'), 0, 0)
                             .trimmed();
    if (mime.startsWith(QLatin1String("image/")))
        return AssetKind::Image;
    if (mime == QLatin1String("text/css"))
        return AssetKind::Stylesheet;
    if (mime.contains(QLatin1String("javascript")) || mime == QLatin1String("application/wasm"))
        return AssetKind::Script;
    if (mime.startsWith(QLatin1String("font/")) || mime.contains(QLatin1String("font")))
        return AssetKind::Font;
    if (mime.startsWith(QLatin1String("video/")) || mime.startsWith(QLatin1String("audio/")))
        return AssetKind::Media;
    const QString ext = url.path().section(QLatin1Char('/'), -1).section(QLatin1Char('.'), -1).toLower();
    if (!url.path().section(QLatin1Char('/'), -1).contains(QLatin1Char('.')))
        return AssetKind::None;
    static const QHash<QString, AssetKind> byExtension{
        {QStringLiteral("png"), AssetKind::Image},      {QStringLiteral("jpg"), AssetKind::Image},
        {QStringLiteral("jpeg"), AssetKind::Image},     {QStringLiteral("gif"), AssetKind::Image},
        {QStringLiteral("svg"), AssetKind::Image},      {QStringLiteral("ico"), AssetKind::Image},
        {QStringLiteral("webp"), AssetKind::Image},     {QStringLiteral("avif"), AssetKind::Image},
        {QStringLiteral("css"), AssetKind::Stylesheet}, {QStringLiteral("js"), AssetKind::Script},
        {QStringLiteral("mjs"), AssetKind::Script},     {QStringLiteral("map"), AssetKind::Script},
        {QStringLiteral("wasm"), AssetKind::Script},    {QStringLiteral("woff"), AssetKind::Font},
        {QStringLiteral("woff2"), AssetKind::Font},     {QStringLiteral("ttf"), AssetKind::Font},
        {QStringLiteral("otf"), AssetKind::Font},       {QStringLiteral("eot"), AssetKind::Font},
        {QStringLiteral("mp4"), AssetKind::Media},      {QStringLiteral("webm"), AssetKind::Media},
        {QStringLiteral("mp3"), AssetKind::Media},      {QStringLiteral("wav"), AssetKind::Media},
    };
    return byExtension.value(ext, AssetKind::None);
}

QString originOf(const QUrl &url)
{
    return url
        .toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo |
                  QUrl::StripTrailingSlash | QUrl::FullyEncoded)
        .toLower();
}

QString plural(int n, const char *one, const char *many)
{
    return QString::number(n) + QLatin1Char(' ') + QLatin1String(n == 1 ? one : many);
}

// Headers a browser or the transport adds: never worth replaying (and conditional ones would turn 200s into 304s).
bool isTransportHeader(const QString &lower)
{
    static const QSet<QString> names{
        QStringLiteral("host"),
        QStringLiteral("connection"),
        QStringLiteral("content-length"),
        QStringLiteral("accept-encoding"),
        QStringLiteral("user-agent"),
        QStringLiteral("referer"),
        QStringLiteral("origin"),
        QStringLiteral("cache-control"),
        QStringLiteral("pragma"),
        QStringLiteral("if-none-match"),
        QStringLiteral("if-modified-since"),
        QStringLiteral("if-match"),
        QStringLiteral("if-unmodified-since"),
        QStringLiteral("upgrade-insecure-requests"),
        QStringLiteral("priority"),
        QStringLiteral("dnt"),
        QStringLiteral("te"),
        QStringLiteral("keep-alive"),
        QStringLiteral("upgrade"),
        QStringLiteral("range"),
        QStringLiteral("purpose"),
        QStringLiteral("sec-gpc"),
        QStringLiteral("transfer-encoding"),
        QStringLiteral("expect"),
    };
    return lower.startsWith(QLatin1Char(':')) || lower.startsWith(QLatin1String("sec-")) ||
           lower.startsWith(QLatin1String("proxy-")) || names.contains(lower);
}

} // namespace

void HarImporter::keepHeaders(const QJsonObject &request, EndpointSpec &spec)
{
    for (const QJsonValue &h : request.value(QLatin1String("headers")).toArray()) {
        const QString name = h.toObject().value(QLatin1String("name")).toString().trimmed();
        const QString value = h.toObject().value(QLatin1String("value")).toString();
        const QString lower = name.toLower();
        if (name.isEmpty() || isTransportHeader(lower))
            continue;
        if (Secrets::isSecretName(name) || isSecretValue(value)) {
            Dropped &d = m_droppedHeaders[lower];
            d.display = name;
            if (d.sample.isEmpty())
                d.sample = value;
            ++d.count;
            continue;
        }
        if (lower == QLatin1String("content-type"))
            continue; // kept with the body, if any
        if (spec.headers.count(name) == 0)
            spec.headers[name] = value;
    }
}

void HarImporter::keepBody(const QJsonObject &request, const QString &label, EndpointSpec &spec)
{
    const QJsonObject postData = request.value(QLatin1String("postData")).toObject();
    if (postData.isEmpty())
        return;
    const QString mime = postData.value(QLatin1String("mimeType")).toString();
    const QString type = mime.toLower().section(QLatin1Char(';'), 0, 0).trimmed();
    QString text = postData.value(QLatin1String("text")).toString();
    const QJsonArray params = postData.value(QLatin1String("params")).toArray();
    if (text.isEmpty() && params.isEmpty())
        return;
    if (text.toUtf8().size() > kMaxBodyBytes) {
        m_warn.add(QStringLiteral(
                       "%1: request body of %2 bytes not imported (uploads are not replayed); add a small one under "
                       "\"json\" or \"body\"")
                       .arg(label)
                       .arg(text.toUtf8().size()));
        return;
    }
    QStringList replaced;
    if (type.endsWith(QLatin1String("json")) || type.contains(QLatin1String("+json"))) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        if (doc.isObject() || doc.isArray()) {
            const QJsonValue scrubbed =
                scrubJson(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()), &replaced);
            spec.body_is_json = true;
            spec.body = scrubbed.isObject() ? QJsonDocument(scrubbed.toObject()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(scrubbed.toArray()).toJson(QJsonDocument::Compact);
        } else {
            m_warn.add(
                QStringLiteral("%1: request body is not a JSON object or array; not imported: add it under \"body\"")
                    .arg(label));
            return;
        }
    } else if (type == QLatin1String("application/x-www-form-urlencoded")) {
        QStringList pairs;
        if (text.isEmpty()) {
            for (const QJsonValue &p : params)
                pairs.append(p.toObject().value(QLatin1String("name")).toString() + QLatin1Char('=') +
                             p.toObject().value(QLatin1String("value")).toString());
        } else {
            pairs = text.split(QLatin1Char('&'), Qt::SkipEmptyParts);
        }
        for (QString &pair : pairs) {
            const QString name = QUrl::fromPercentEncoding(pair.section(QLatin1Char('='), 0, 0).toUtf8());
            const QString value = QUrl::fromPercentEncoding(pair.section(QLatin1Char('='), 1).toUtf8());
            if (Secrets::isSecretName(name) || isSecretValue(value)) {
                replaced.append(name);
                pair = pair.section(QLatin1Char('='), 0, 0) + QStringLiteral("=${env:") + envNameFor(name) +
                       QLatin1Char('}');
            }
        }
        spec.body = pairs.join(QLatin1Char('&')).toUtf8();
        spec.headers[QStringLiteral("Content-Type")] = mime;
    } else if (type.startsWith(QLatin1String("text/")) || type.endsWith(QLatin1String("xml"))) {
        static const QRegularExpression secretText(
            QStringLiteral("passw|secret|token|api[_-]?key|authorization|bearer|eyJ[A-Za-z0-9_-]{4,}\\."),
            QRegularExpression::CaseInsensitiveOption);
        if (secretText.match(text).hasMatch()) {
            m_warn.add(
                QStringLiteral("%1: request body (%2) mentions a credential; not imported: add it under \"body\" with "
                               "${env:NAME} in place of the secret")
                    .arg(label, type));
            return;
        }
        spec.body = text.toUtf8();
        spec.headers[QStringLiteral("Content-Type")] = mime;
    } else {
        m_warn.add(QStringLiteral(
                       "%1: request body (%2) not imported: Preflight replays JSON, form and text bodies; add it under "
                       "\"body\" by hand")
                       .arg(label, type.isEmpty() ? QStringLiteral("no type") : type));
        return;
    }
    for (const QString &key : replaced)
        m_warn.add(
            QStringLiteral("%1: body field \"%2\" looked like a secret and is now ${env:%3}: export %3 before the run")
                .arg(label, key, envNameFor(key)));
}

void HarImporter::addEntry(const QJsonObject &request, const QUrl &url)
{
    const QString method = request.value(QLatin1String("method")).toString().toUpper();

    // Path: numeric and UUID segments are ids -> {id}, {id2}, …
    QStringList segments = url.path(QUrl::FullyEncoded).split(QLatin1Char('/'));
    QStringList varNames, varValues;
    for (QString &segment : segments) {
        const QString decoded = QUrl::fromPercentEncoding(segment.toUtf8());
        if (!isInteger(decoded) && !isUuid(decoded))
            continue;
        const QString var = varNames.isEmpty() ? QStringLiteral("id") : QStringLiteral("id%1").arg(varNames.size() + 1);
        varNames.append(var);
        varValues.append(segment);
        segment = QLatin1Char('{') + var + QLatin1Char('}');
    }
    QString path = segments.join(QLatin1Char('/'));
    if (path.isEmpty())
        path = QStringLiteral("/");

    const bool writes =
        method != QLatin1String("GET") && method != QLatin1String("HEAD") && method != QLatin1String("OPTIONS");
    if (writes && !m_options.includeWrites) {
        const QString label = method + QLatin1Char(' ') + path;
        // Indexed: a capture of thousands of distinct write URLs made a linear search per entry quadratic.
        if (const auto it = m_skippedWriteIndex.constFind(label); it != m_skippedWriteIndex.cend()) {
            ++m_skippedWrites[it.value()].second;
        } else {
            m_skippedWriteIndex.insert(label, m_skippedWrites.size());
            m_skippedWrites.emplace_back(label, 1);
        }
        return;
    }

    // Query: credentials dropped; the rest kept by name, values collected per group.
    QStringList queryNames, queryValues;
    const QString query = url.query(QUrl::FullyEncoded);
    for (const QString &pair : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const QString rawName = pair.section(QLatin1Char('='), 0, 0);
        const QString rawValue = pair.contains(QLatin1Char('=')) ? pair.section(QLatin1Char('='), 1) : QString();
        const QString name = QUrl::fromPercentEncoding(rawName.toUtf8());
        if (isSecretQueryName(name) || isSecretValue(QUrl::fromPercentEncoding(rawValue.toUtf8()))) {
            ++m_droppedQuery[name];
            continue;
        }
        queryNames.append(rawName);
        queryValues.append(rawValue);
    }

    const QString key = method + QLatin1Char(' ') + path + QLatin1Char('?') + queryNames.join(QLatin1Char('&'));
    auto found = m_groupIndex.find(key);
    if (found == m_groupIndex.end()) {
        Group g;
        g.spec.method = method;
        g.spec.path = path;
        g.pathVars = varNames;
        g.queryNames = queryNames;
        if (writes)
            keepBody(request, method + QLatin1Char(' ') + path, g.spec);
        found = m_groupIndex.insert(key, m_groups.size());
        m_groups.push_back(std::move(g));
    }
    Group &g = m_groups[*found];
    keepHeaders(request, g.spec); // the union of the group's harmless headers (first value wins); credentials counted
    ++g.count;
    auto remember = [](QStringList &seen, const QString &value) {
        if (!seen.contains(value) && seen.size() < kMaxListValues)
            seen.append(value);
    };
    for (int i = 0; i < varNames.size(); ++i)
        remember(g.values[varNames[i]], varValues[i]);
    for (int i = 0; i < queryNames.size(); ++i)
        remember(g.values[QStringLiteral("?") + queryNames[i]], queryValues[i]);
}

Result HarImporter::run()
{
    const QJsonObject log = m_root.value(QLatin1String("log")).toObject();
    const QJsonArray entries = log.value(QLatin1String("entries")).toArray();
    if (entries.isEmpty()) {
        m_result.error =
            QStringLiteral("the HAR file has no requests (log.entries is empty): record again with the browser's "
                           "network panel open, then \"Save all as HAR\"");
        return m_result;
    }

    // The main origin: the one most non-asset requests went to (ties: the first seen).
    std::map<QString, int> perOrigin;
    QStringList originOrder;
    std::map<AssetKind, int> assets;
    int nonHttp = 0, webSockets = 0;
    struct Candidate
    {
        QJsonObject request;
        QUrl url;
        QString origin;
    };
    std::vector<Candidate> candidates;
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        const QJsonObject request = entry.value(QLatin1String("request")).toObject();
        QUrl url(request.value(QLatin1String("url")).toString());
        // Some tools record the query only in queryString (the URL without it): rebuild it from there.
        if (const QJsonArray queryString = request.value(QLatin1String("queryString")).toArray();
            !url.hasQuery() && !queryString.isEmpty()) {
            QStringList pairs;
            for (const QJsonValue &q : queryString) {
                const QJsonObject o = q.toObject();
                auto encoded = [](const QString &text) {
                    return QString::fromLatin1(QUrl::toPercentEncoding(QUrl::fromPercentEncoding(text.toUtf8())));
                };
                pairs.append(encoded(o.value(QLatin1String("name")).toString()) + QLatin1Char('=') +
                             encoded(o.value(QLatin1String("value")).toString()));
            }
            url.setQuery(pairs.join(QLatin1Char('&')), QUrl::StrictMode);
        }
        // A WebSocket handshake (101 Switching Protocols) opens a stream, not a request to replay.
        bool upgrade =
            entry.value(QLatin1String("response")).toObject().value(QLatin1String("status")).toInt() == 101 ||
            entry.value(QLatin1String("_resourceType")).toString() == QLatin1String("websocket") ||
            entry.contains(QLatin1String("_webSocketMessages"));
        for (const QJsonValue &h : request.value(QLatin1String("headers")).toArray())
            upgrade |= h.toObject()
                               .value(QLatin1String("name"))
                               .toString()
                               .compare(QLatin1String("upgrade"), Qt::CaseInsensitive) == 0 &&
                       h.toObject()
                           .value(QLatin1String("value"))
                           .toString()
                           .contains(QLatin1String("websocket"), Qt::CaseInsensitive);
        if (upgrade) {
            ++webSockets;
            continue;
        }
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) ||
            url.host().isEmpty()) {
            ++nonHttp;
            continue;
        }
        if (const AssetKind kind = assetKind(entry, url); kind != AssetKind::None) {
            ++assets[kind];
            continue;
        }
        const QString origin = originOf(url);
        if (!perOrigin.count(origin))
            originOrder.append(origin);
        ++perOrigin[origin];
        candidates.push_back({request, url, origin});
    }
    QString main;
    for (const QString &origin : originOrder)
        if (main.isEmpty() || perOrigin[origin] > perOrigin[main])
            main = origin;
    if (!main.isEmpty()) {
        QString error;
        m_result.base_url = PlanParser::normaliseBaseUrl(main, &error).value_or(QString());
    }

    for (const Candidate &c : candidates)
        if (c.origin == main)
            addEntry(c.request, c.url);

    for (Group &g : m_groups) {
        EndpointSpec &e = g.spec;
        for (const QString &var : g.pathVars)
            e.vars[var] = variableFromValues(g.values[var]);
        QStringList query;
        std::map<QString, int> suffixes;
        std::map<QString, PathVariable> byName; // a name repeated in one URL has one list of values: read it once
        for (const QString &name : g.queryNames) {
            const QStringList &values = g.values[QStringLiteral("?") + name];
            if (values.size() == 1) {
                query.append(values.first().isEmpty() && !name.isEmpty() ? name
                                                                         : name + QLatin1Char('=') + values.first());
                continue;
            }
            const QString var = uniqueVarName(QUrl::fromPercentEncoding(name.toUtf8()), e.vars, &suffixes);
            auto read = byName.find(name);
            if (read == byName.end())
                read = byName.emplace(name, variableFromValues(values)).first;
            e.vars[var] = read->second;
            query.append(name + QStringLiteral("={") + var + QLatin1Char('}'));
        }
        if (!query.isEmpty())
            e.path += QLatin1Char('?') + query.join(QLatin1Char('&'));
        e.weight = g.count;
        e.name = e.label();
        m_result.endpoints.push_back(e);
    }

    // Warnings, most consequential first.
    for (const auto &[lower, d] : m_droppedHeaders) {
        const QString requests = plural(d.count, "request", "requests");
        if (lower == QLatin1String("cookie"))
            m_warn.add(
                QStringLiteral(
                    "Cookie header dropped from %1 (plans never hold secrets); if the API needs a session, set up "
                    "target.login, or add \"Cookie\": \"${env:SESSION_COOKIE}\" to target.headers and export "
                    "SESSION_COOKIE")
                    .arg(requests));
        else
            m_warn.add(QStringLiteral(
                           "%1 header dropped from %2 (plans never hold secrets); to send it, add \"%1\": \"%3\" to "
                           "target.headers and export %4%5")
                           .arg(d.display, requests,
                                placeholderFor(d.display, isSecretValue(d.sample) ? d.sample : QString()),
                                envNameFor(d.display),
                                lower == QLatin1String("authorization") ? QStringLiteral(", or set up target.login")
                                                                        : QString()));
    }
    for (const auto &[name, count] : m_droppedQuery)
        m_warn.add(QStringLiteral(
                       "query parameter %1 dropped from %2 (it looks like a credential; plans never hold secrets and "
                       "paths cannot take ${env:…}): send it as a header from target.headers if the API accepts one")
                       .arg(name, plural(count, "request", "requests")));
    for (const auto &[label, count] : m_skippedWrites)
        m_warn.add(QStringLiteral("%1 skipped (%2): it writes data; %3")
                       .arg(label, plural(count, "request", "requests"), writesHint()));
    for (const QString &origin : originOrder)
        if (origin != main)
            m_warn.add(QStringLiteral(
                           "%1 to %2 skipped: only the main origin %3 is imported; import a HAR recorded against that "
                           "backend to test it")
                           .arg(plural(perOrigin[origin], "request", "requests"), origin, main));
    int assetTotal = 0;
    QStringList kinds;
    const std::pair<AssetKind, std::pair<const char *, const char *>> names[] = {
        {AssetKind::Image, {"image", "images"}},
        {AssetKind::Stylesheet, {"stylesheet", "stylesheets"}},
        {AssetKind::Script, {"script", "scripts"}},
        {AssetKind::Font, {"font", "fonts"}},
        {AssetKind::Media, {"media file", "media files"}}};
    for (const auto &[kind, words] : names) {
        if (const int n = assets[kind]) {
            assetTotal += n;
            kinds.append(plural(n, words.first, words.second));
        }
    }
    if (assetTotal > 0)
        m_warn.add(QStringLiteral(
                       "%1 skipped (%2): a backend load test targets the application, not files a CDN or web server "
                       "serves; add any the application renders itself by hand")
                       .arg(plural(assetTotal, "static asset", "static assets"), kinds.join(QLatin1String(", "))));
    if (nonHttp > 0)
        m_warn.add(QStringLiteral("%1 skipped: not http(s) (data:, blob:, websocket, extension URLs)")
                       .arg(plural(nonHttp, "request", "requests")));
    if (webSockets > 0)
        m_warn.add(QStringLiteral(
                       "%1 skipped: a WebSocket stream is not a request to replay; Preflight load-tests HTTP requests")
                       .arg(plural(webSockets, "WebSocket handshake", "WebSocket handshakes")));
    return m_result;
}
} // namespace Preflight::EndpointImport::Detail
