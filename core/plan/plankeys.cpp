#include "plankeys.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace Preflight::PlanKeys {

const QStringList &presets()
{
    static const QStringList presets{QStringLiteral("sweep"), QStringLiteral("sustain"), QStringLiteral("burst"),
                                     QStringLiteral("soak"), QStringLiteral("stages")};
    return presets;
}

const QStringList &methods()
{
    static const QStringList methods{QStringLiteral("GET"),    QStringLiteral("POST"),   QStringLiteral("PUT"),
                                     QStringLiteral("PATCH"),  QStringLiteral("DELETE"), QStringLiteral("HEAD"),
                                     QStringLiteral("OPTIONS")};
    return methods;
}

namespace {

// Every key a plan may hold, by the object it belongs in (README.md, "The plan"). Keys that start with "_" or "$"
// ("_comment", "$schema") are the writer's notes and are ignored; anything else unknown is an error, because a
// misspelt key ("databse", "userz") would otherwise silently run a different test than the one written.
struct KnownObject
{
    const char *path; // as shown in messages; "" for the top level
    QStringList keys;
};

const std::vector<KnownObject> &knownObjects()
{
    static const std::vector<KnownObject> objects{
        {"",
         {QStringLiteral("name"), QStringLiteral("target"), QStringLiteral("endpoints"), QStringLiteral("health"),
          QStringLiteral("database"), QStringLiteral("pool"), QStringLiteral("scenario"), QStringLiteral("gates"),
          QStringLiteral("limits")}},
        {"target",
         {QStringLiteral("base_url"), QStringLiteral("headers"), QStringLiteral("login"), QStringLiteral("timeout_ms"),
          QStringLiteral("tls"), QStringLiteral("max_response_bytes"), QStringLiteral("http_version"),
          QStringLiteral("multiplex"), QStringLiteral("engine")}},
        {"target.tls",
         {QStringLiteral("ca_file"), QStringLiteral("insecure"), QStringLiteral("cert_file"),
          QStringLiteral("key_file")}},
        {"target.login",
         {QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("json"), QStringLiteral("token_pointer"),
          QStringLiteral("header"), QStringLiteral("format")}},
        {"endpoints[]",
         {QStringLiteral("name"), QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("weight"),
          QStringLiteral("headers"), QStringLiteral("timeout_ms"), QStringLiteral("json"), QStringLiteral("body"),
          QStringLiteral("vars")}},
        {"endpoints[].vars.NAME", {QStringLiteral("range"), QStringLiteral("list")}},
        {"health", {QStringLiteral("path")}},
        {"database", {QStringLiteral("conninfo"), QStringLiteral("log"), QStringLiteral("app")}},
        {"database.app", {QStringLiteral("user"), QStringLiteral("application_name"), QStringLiteral("client_addr")}},
        {"pool",
         {QStringLiteral("kind"), QStringLiteral("url"), QStringLiteral("pointers"), QStringLiteral("metrics")}},
        {"scenario",
         {QStringLiteral("preset"), QStringLiteral("levels"), QStringLiteral("step_s"), QStringLiteral("users"),
          QStringLiteral("rate"), QStringLiteral("duration_s"), QStringLiteral("idle_s"),
          QStringLiteral("think_time_ms"), QStringLiteral("stages"), QStringLiteral("profile_requests")}},
        {"scenario.stages[]", {QStringLiteral("duration_s"), QStringLiteral("users"), QStringLiteral("rate")}},
        {"limits", {QStringLiteral("max_duration_s"), QStringLiteral("max_users"), QStringLiteral("max_rate")}},
    };
    return objects;
}

} // namespace

const QStringList &knownKeys(const char *objectPath)
{
    for (const KnownObject &o : knownObjects())
        if (qstrcmp(o.path, objectPath) == 0)
            return o.keys;
    Q_ASSERT_X(false, "knownKeys", objectPath);
    static const QStringList none;
    return none;
}

namespace {

// Optimal string alignment distance (Levenshtein with adjacent transpositions), case-insensitive.
int editDistance(const QString &a, const QString &b)
{
    const QString x = a.toLower(), y = b.toLower();
    const qsizetype n = x.size(), m = y.size();
    std::vector<std::vector<int>> d(size_t(n + 1), std::vector<int>(size_t(m + 1)));
    for (qsizetype i = 0; i <= n; ++i)
        d[size_t(i)][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][size_t(j)] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = x[i - 1] == y[j - 1] ? 0 : 1;
            int v = std::min({d[size_t(i - 1)][size_t(j)] + 1, d[size_t(i)][size_t(j - 1)] + 1,
                              d[size_t(i - 1)][size_t(j - 1)] + cost});
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
                v = std::min(v, d[size_t(i - 2)][size_t(j - 2)] + 1);
            d[size_t(i)][size_t(j)] = v;
        }
    }
    return d[size_t(n)][size_t(m)];
}

// How far `typed` is from `known`: the edit distance, or 1 when one is the other with a unit or qualifier
// added ("timeout" → "timeout_ms", "duration" → "duration_s"). Above the threshold: no suggestion.
int keyDistance(const QString &typed, const QString &known)
{
    const QString t = typed.toLower(), k = known.toLower();
    if (t == k)
        return 0;
    if ((k.startsWith(t) || t.startsWith(k)) && std::min(t.size(), k.size()) >= 3)
        return 1;
    // The edit distance is at least the difference in length, and no suggestion is further than 3 away
    // (threshold()): a long key (a fuzzer's 100 kB one took seconds, O(n·m) per known key) is not compared.
    const qsizetype lengthGap = std::abs(t.size() - k.size());
    if (lengthGap > 3)
        return int(std::min<qsizetype>(lengthGap, 1000));
    return editDistance(t, k);
}

int threshold(const QString &typed)
{
    return std::clamp(int(typed.size()) / 3, 1, 3);
}

// "did you mean …?" for an unknown key: the nearest key of the same object, else a key of that name (or
// nearly) elsewhere in the plan, shown with its path so that the user sees where it belongs.
} // namespace

QString suggestion(const QString &typed, const char *objectPath)
{
    QString best;
    int bestDistance = threshold(typed) + 1;
    for (const QString &k : knownKeys(objectPath)) {
        const int d = keyDistance(typed, k);
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    if (!best.isEmpty())
        return QStringLiteral("; did you mean \"%1\"?").arg(best);
    for (const KnownObject &o : knownObjects()) {
        if (qstrcmp(o.path, objectPath) == 0)
            continue;
        for (const QString &k : o.keys) {
            const int d = keyDistance(typed, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = (*o.path ? QString::fromLatin1(o.path) + QLatin1Char('.') : QString()) + k;
            }
        }
    }
    if (!best.isEmpty())
        return QStringLiteral("; did you mean \"%1\"? (it belongs %2)")
            .arg(best, best.contains(QLatin1Char('.'))
                           ? QStringLiteral("in \"%1\"").arg(best.section(QLatin1Char('.'), 0, -2))
                           : QStringLiteral("at the top level"));
    return QStringLiteral("; known keys here: %1").arg(knownKeys(objectPath).join(QStringLiteral(", ")));
}

} // namespace Preflight::PlanKeys
