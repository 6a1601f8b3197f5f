#include "demoplan.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Preflight {

namespace {

EndpointSpec endpoint(const QString &name, const QString &path, double weight, bool customerId)
{
    EndpointSpec e;
    e.name = name;
    e.path = path;
    e.weight = weight;
    if (customerId) {
        PathVariable id;
        id.kind = PathVariable::Kind::Range;
        id.from = 1;
        id.to = 500; // the demo seeds 500 customers (--customers)
        e.vars[QStringLiteral("id")] = id;
    }
    return e;
}

} // namespace

Plan demoPlan(const QString &baseUrl, const QString &dbConninfo, const QString &sqlLog)
{
    Plan plan;
    plan.name = QStringLiteral("Preflight demo backend");
    plan.target.base_url = baseUrl;
    plan.target.headers[QStringLiteral("Accept")] = QStringLiteral("application/json");
    plan.target.timeout_ms = 10000;

    plan.endpoints.push_back(endpoint(QStringLiteral("customer profile"),
                                      QStringLiteral("/api/admin/customers/{id}?include=appointmentDetails"), 3, true));
    plan.endpoints.push_back(
        endpoint(QStringLiteral("search"), QStringLiteral("/api/v1/search?q=engineering"), 2, false));
    EndpointSpec create = endpoint(QStringLiteral("create"), QStringLiteral("/api/items"), 1, false);
    create.method = QStringLiteral("POST");
    create.body = QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("item-{seq}")}})
                      .toJson(QJsonDocument::Compact);
    create.body_is_json = true;
    plan.endpoints.push_back(create);
    plan.endpoints.push_back(endpoint(QStringLiteral("customer"), QStringLiteral("/api/v1/customers/{id}"), 2, true));
    plan.endpoints.push_back(
        endpoint(QStringLiteral("orders"), QStringLiteral("/api/v1/orders?customer={id}"), 1, true));
    plan.endpoints.push_back(
        endpoint(QStringLiteral("appointments"), QStringLiteral("/api/v1/customers/{id}/appointments"), 1, true));
    plan.endpoints.push_back(
        endpoint(QStringLiteral("revenue report"), QStringLiteral("/api/v1/reports/revenue"), 1, false));

    plan.health_path = QStringLiteral("/health");
    plan.database.conninfo = dbConninfo;
    plan.database.log = sqlLog;

    plan.pool.kind = QStringLiteral("json");
    plan.pool.url = QStringLiteral("/health");
    plan.pool.pointers = {{QStringLiteral("in_use"), QStringLiteral("/pool/in_use")},
                          {QStringLiteral("idle"), QStringLiteral("/pool/idle")},
                          {QStringLiteral("max"), QStringLiteral("/pool/max")},
                          {QStringLiteral("waiting"), QStringLiteral("/pool/waiting")}};

    plan.scenario.preset = QStringLiteral("sweep");
    plan.scenario.levels = {1, 2, 5, 10, 20, 50};
    plan.scenario.step_s = 5;
    return plan;
}

} // namespace Preflight
