#pragma once

#include "httpversion.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace Preflight {

// The plan format (README.md), as parsed and validated by PlanParser. Strings may hold `${env:NAME}`
// placeholders; they are resolved only where a request is built (SecretResolver) so that a stored plan
// never carries a secret.

struct PathVariable
{
    enum class Kind { Range, List };
    Kind kind = Kind::Range;
    qint64 from = 1; // Range: inclusive bounds
    qint64 to = 1;
    QStringList values; // List
};

struct EndpointSpec
{
    QString name;
    QString method = QStringLiteral("GET");
    QString path; // may contain {var} and {seq}
    double weight = 1;
    std::map<QString, QString> headers;
    QByteArray body; // raw bytes, or compact JSON when body_is_json
    bool body_is_json = false;
    std::map<QString, PathVariable> vars;
    int timeout_ms = 0; // 0: the target's timeout

    QString label() const { return method + QLatin1Char(' ') + path; }
};

struct LoginSpec
{
    bool enabled = false;
    QString method = QStringLiteral("POST");
    QString path;
    QJsonObject json;
    QString token_pointer = QStringLiteral("/access_token");
    QString header = QStringLiteral("Authorization");
    QString format = QStringLiteral("Bearer {token}");
};

struct TargetSpec
{
    QString base_url; // scheme://host[:port][/prefix], no trailing slash
    std::map<QString, QString> headers;
    LoginSpec login;
    int timeout_ms = 10000;
    QString ca_file;                                 // target.tls.ca_file: PEM bundle to trust ("" = system CAs)
    QString cert_file;                               // target.tls.cert_file: client certificate (PEM)
    QString key_file;                                // target.tls.key_file: its private key (PEM)
    bool insecure = false;                           // TLS verification off: recorded and shown in reports
    HttpVersion http_version = HttpVersion::Default; // target.http_version
    int multiplex = 0; // HTTP/2 streams per connection; 0 = one connection per user, no multiplexing
    qint64 max_response_bytes = 16 * 1024 * 1024; // larger bodies are aborted and counted as too_large
    // Load path: "auto" (raw HTTP/1.1 for plain http:// without a proxy, libcurl otherwise), "curl", "raw".
    QString engine = QStringLiteral("auto");
};

struct DatabaseSpec
{
    QString conninfo; // libpq conninfo, or "sqlite:PATH"; may hold ${env:…}
    QString log;      // optional statement log to tail (PostgreSQL or app SQL log)
    // Which sessions are the app's (docs/database.md): empty = every session of the target database except
    // Preflight's own and known tools (psql, pg_dump, pgAdmin, ...). Each non-empty field must match.
    QString app_user;             // "database.app.user": the app's role
    QString app_application_name; // "database.app.application_name"
    QString app_client_addr;      // "database.app.client_addr": an address, e.g. 10.0.3.7
    bool isSqlite() const { return conninfo.startsWith(QLatin1String("sqlite:")); }
    bool isConfigured() const { return !conninfo.isEmpty(); }
};

struct PoolSpec
{
    QString kind;                        // "json" | "prometheus" | "" (none)
    QString url;                         // path relative to base_url, or absolute URL
    std::map<QString, QString> pointers; // json: in_use/idle/max/waiting -> JSON pointer
    std::map<QString, QString> metrics;  // prometheus: in_use/idle/max/waiting -> metric name
};

struct StageSpec
{
    double duration_s = 0;
    double users = -1; // closed model target at the end of the stage
    double rate = -1;  // open model target at the end of the stage
};

struct ScenarioSpec
{
    QString preset = QStringLiteral("sweep");     // sweep | sustain | burst | soak | stages
    std::vector<int> levels{1, 2, 5, 10, 20, 50}; // sweep
    double step_s = 10;                           // sweep: seconds per level
    double users = -1;                            // sustain/soak/burst (closed model)
    double rate = -1;                             // sustain/soak (open model)
    double duration_s = -1;                       // sustain/soak/burst
    double idle_s = 2;                            // burst: quiet time before the burst
    double think_time_ms = 0;                     // closed model pause between a user's requests
    std::vector<StageSpec> stages;                // stages preset
    int profile_requests = 20;                    // profiling pass: K sequential requests per endpoint
};

struct Limits
{
    double max_duration_s = 900;
    int max_users = 256;
    double max_rate = 500;
};

struct Plan
{
    QString name;
    TargetSpec target;
    std::vector<EndpointSpec> endpoints;
    QString health_path; // empty: no health check
    DatabaseSpec database;
    PoolSpec pool;
    ScenarioSpec scenario;
    QString gates = QStringLiteral("launch"); // preset name or path of a custom gates file
    QJsonObject gates_inline;                 // custom gates given inline in the plan
    bool gates_explicit = false;              // set in the plan or with --gates: the exit code follows it
    Limits limits;

    // The plan as JSON (placeholders kept, never resolved secrets). Round-trips through PlanParser.
    QJsonObject toJson() const;

    // Values that refer to an endpoint (QueryStat::endpoint, FindingRefs::endpoint, ErrorSample::endpoint) hold
    // its index in `endpoints`; these are the one place an index becomes a name and a name an index.
    // The endpoint's name (its label "GET /path" when it has none, as the profiling pass records it); empty for
    // -1 or an index this plan does not have. What the run JSON, the JSON summary and the run store write.
    QString endpointName(int index) const;
    // What a view shows for a statement or finding of one endpoint: endpointName, or "(unknown endpoint)" when
    // the plan does not have the index (a statement recorded under a name the plan no longer holds).
    QString endpointDisplayName(int index) const;
    // The index of the endpoint with this name, else of the first whose label it is (what the profiling pass
    // records for an unnamed endpoint); -1 for an empty name or one no endpoint has. For names read from outside
    // the run: run JSON files, run store rows, findings stored before they carried references.
    int endpointIndex(const QString &name) const;
};

} // namespace Preflight
