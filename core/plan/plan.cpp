#include "plan.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Preflight {

QJsonObject Plan::toJson() const
{
    auto stringMap = [](const std::map<QString, QString> &m) {
        QJsonObject o;
        for (const auto &[k, v] : m)
            o.insert(k, v);
        return o;
    };
    QJsonObject target{{QStringLiteral("base_url"), this->target.base_url},
                       {QStringLiteral("timeout_ms"), this->target.timeout_ms},
                       {QStringLiteral("max_response_bytes"), double(this->target.max_response_bytes)},
                       {QStringLiteral("tls"),
                        QJsonObject{{QStringLiteral("ca_file"),
                                     this->target.ca_file.isEmpty() ? QJsonValue() : QJsonValue(this->target.ca_file)},
                                    {QStringLiteral("insecure"), this->target.insecure}}}};
    QJsonObject tls = target.value(QStringLiteral("tls")).toObject();
    if (!this->target.cert_file.isEmpty())
        tls.insert(QStringLiteral("cert_file"), this->target.cert_file);
    if (!this->target.key_file.isEmpty())
        tls.insert(QStringLiteral("key_file"), this->target.key_file);
    target.insert(QStringLiteral("tls"), tls);
    if (this->target.http_version != HttpVersion::Default)
        target.insert(QStringLiteral("http_version"), httpVersionName(this->target.http_version));
    if (this->target.multiplex > 0)
        target.insert(QStringLiteral("multiplex"), this->target.multiplex);
    if (this->target.engine != QLatin1String("auto"))
        target.insert(QStringLiteral("engine"), this->target.engine);
    if (!this->target.headers.empty())
        target.insert(QStringLiteral("headers"), stringMap(this->target.headers));
    if (this->target.login.enabled) {
        const LoginSpec &l = this->target.login;
        target.insert(QStringLiteral("login"), QJsonObject{{QStringLiteral("method"), l.method},
                                                           {QStringLiteral("path"), l.path},
                                                           {QStringLiteral("json"), l.json},
                                                           {QStringLiteral("token_pointer"), l.token_pointer},
                                                           {QStringLiteral("header"), l.header},
                                                           {QStringLiteral("format"), l.format}});
    }
    QJsonArray endpointArray;
    for (const EndpointSpec &e : endpoints) {
        QJsonObject o{{QStringLiteral("name"), e.name},
                      {QStringLiteral("method"), e.method},
                      {QStringLiteral("path"), e.path},
                      {QStringLiteral("weight"), e.weight}};
        if (!e.headers.empty())
            o.insert(QStringLiteral("headers"), stringMap(e.headers));
        if (e.timeout_ms > 0)
            o.insert(QStringLiteral("timeout_ms"), e.timeout_ms);
        if (e.body_is_json) {
            const QJsonDocument doc = QJsonDocument::fromJson(e.body);
            o.insert(QStringLiteral("json"), doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()));
        } else if (!e.body.isEmpty()) {
            o.insert(QStringLiteral("body"), QString::fromUtf8(e.body));
        }
        if (!e.vars.empty()) {
            QJsonObject vars;
            for (const auto &[name, v] : e.vars) {
                if (v.kind == PathVariable::Kind::Range)
                    vars.insert(name, QJsonObject{{QStringLiteral("range"), QJsonArray{double(v.from), double(v.to)}}});
                else
                    vars.insert(name, QJsonObject{{QStringLiteral("list"), QJsonArray::fromStringList(v.values)}});
            }
            o.insert(QStringLiteral("vars"), vars);
        }
        endpointArray.append(o);
    }
    QJsonObject scenarioObject{{QStringLiteral("preset"), scenario.preset}};
    if (scenario.preset == QLatin1String("sweep")) {
        QJsonArray levels;
        for (int l : scenario.levels)
            levels.append(l);
        scenarioObject.insert(QStringLiteral("levels"), levels);
        scenarioObject.insert(QStringLiteral("step_s"), scenario.step_s);
    } else if (scenario.preset == QLatin1String("stages")) {
        QJsonArray stages;
        for (const StageSpec &s : scenario.stages) {
            QJsonObject o{{QStringLiteral("duration_s"), s.duration_s}};
            o.insert(s.rate >= 0 ? QStringLiteral("rate") : QStringLiteral("users"), s.rate >= 0 ? s.rate : s.users);
            stages.append(o);
        }
        scenarioObject.insert(QStringLiteral("stages"), stages);
    } else {
        if (scenario.users >= 0)
            scenarioObject.insert(QStringLiteral("users"), scenario.users);
        if (scenario.rate >= 0)
            scenarioObject.insert(QStringLiteral("rate"), scenario.rate);
        scenarioObject.insert(QStringLiteral("duration_s"), scenario.duration_s);
        if (scenario.preset == QLatin1String("burst"))
            scenarioObject.insert(QStringLiteral("idle_s"), scenario.idle_s);
    }
    if (scenario.think_time_ms > 0)
        scenarioObject.insert(QStringLiteral("think_time_ms"), scenario.think_time_ms);
    scenarioObject.insert(QStringLiteral("profile_requests"), scenario.profile_requests);

    QJsonObject root{{QStringLiteral("name"), name},
                     {QStringLiteral("target"), target},
                     {QStringLiteral("endpoints"), endpointArray},
                     {QStringLiteral("scenario"), scenarioObject},
                     {QStringLiteral("limits"), QJsonObject{{QStringLiteral("max_duration_s"), limits.max_duration_s},
                                                            {QStringLiteral("max_users"), limits.max_users},
                                                            {QStringLiteral("max_rate"), limits.max_rate}}}};
    if (!health_path.isEmpty())
        root.insert(QStringLiteral("health"), QJsonObject{{QStringLiteral("path"), health_path}});
    if (database.isConfigured()) {
        QJsonObject db{{QStringLiteral("conninfo"), database.conninfo}};
        if (!database.log.isEmpty())
            db.insert(QStringLiteral("log"), database.log);
        QJsonObject app;
        if (!database.app_user.isEmpty())
            app.insert(QStringLiteral("user"), database.app_user);
        if (!database.app_application_name.isEmpty())
            app.insert(QStringLiteral("application_name"), database.app_application_name);
        if (!database.app_client_addr.isEmpty())
            app.insert(QStringLiteral("client_addr"), database.app_client_addr);
        if (!app.isEmpty())
            db.insert(QStringLiteral("app"), app);
        root.insert(QStringLiteral("database"), db);
    }
    if (!pool.kind.isEmpty())
        root.insert(QStringLiteral("pool"), QJsonObject{{QStringLiteral("kind"), pool.kind},
                                                        {QStringLiteral("url"), pool.url},
                                                        {QStringLiteral("pointers"), stringMap(pool.pointers)},
                                                        {QStringLiteral("metrics"), stringMap(pool.metrics)}});
    if (gates_explicit)
        root.insert(QStringLiteral("gates"), gates_inline.isEmpty() ? QJsonValue(gates) : QJsonValue(gates_inline));
    return root;
}

QString Plan::endpointName(int index) const
{
    if (index < 0 || size_t(index) >= endpoints.size())
        return QString();
    const EndpointSpec &e = endpoints[size_t(index)];
    return e.name.isEmpty() ? e.label() : e.name;
}

QString Plan::endpointDisplayName(int index) const
{
    const QString name = endpointName(index);
    return name.isEmpty() ? QStringLiteral("(unknown endpoint)") : name;
}

int Plan::endpointIndex(const QString &name) const
{
    if (name.isEmpty())
        return -1;
    for (size_t i = 0; i < endpoints.size(); ++i)
        if (endpoints[i].name == name)
            return int(i);
    for (size_t i = 0; i < endpoints.size(); ++i)
        if (endpoints[i].label() == name)
            return int(i);
    return -1;
}

} // namespace Preflight
