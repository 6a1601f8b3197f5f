// Endpoint import from OpenAPI 3 and HAR files: what lands in the plan, what is skipped and said so,
// and that no credential from a recorded session ever reaches a plan.
#include "plan/endpointimport.h"
#include "plan/planparser.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;
namespace Import = Preflight::EndpointImport;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/import/") + name;
}

QByteArray readFixture(const QString &name)
{
    QFile f(fixture(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

const EndpointSpec *find(const Import::Result &r, const QString &name)
{
    for (const EndpointSpec &e : r.endpoints)
        if (e.name == name)
            return &e;
    return nullptr;
}

// "id=range:17..42" or "region=list:north,south" for every variable, sorted by name; "" when none.
QString describeVars(const EndpointSpec &e)
{
    QStringList parts;
    for (const auto &[name, v] : e.vars)
        parts.append(v.kind == PathVariable::Kind::Range
                         ? QStringLiteral("%1=range:%2..%3").arg(name).arg(v.from).arg(v.to)
                         : QStringLiteral("%1=list:%2").arg(name, v.values.join(QLatin1Char(','))));
    return parts.join(QLatin1Char(' '));
}

QString describeHeaders(const EndpointSpec &e)
{
    QStringList parts;
    for (const auto &[name, value] : e.headers)
        parts.append(name + QStringLiteral(": ") + value);
    return parts.join(QStringLiteral("; "));
}

bool anyWarningContains(const Import::Result &r, const QString &text)
{
    return std::any_of(r.warnings.begin(), r.warnings.end(), [&](const QString &w) { return w.contains(text); });
}

QString allWarnings(const Import::Result &r)
{
    return QStringLiteral("\n  ") + r.warnings.join(QStringLiteral("\n  "));
}

// The secrets planted in clinic-session.har (cookie, bearer JWT, query API key, login password, header API key, a
// token in a Referer URL).
const QStringList kHarSecrets{QStringLiteral("s3cr3t-cookie-value"),    QStringLiteral("eyJhbGciOiJIUzI1NiJ9"),
                              QStringLiteral("c2VjcmV0LXNpZ25hdHVyZQ"), QStringLiteral("AKIA-query-secret-123"),
                              QStringLiteral("hunter2-body-secret"),    QStringLiteral("sk_live_header_secret_456"),
                              QStringLiteral("referer-secret-789")};

Import::Options writes()
{
    Import::Options o;
    o.includeWrites = true;
    return o;
}

} // namespace

// Slot bodies are defined outside the class: Qt 6.4's moc mis-lexes raw string literals in a class body.
class TestEndpointImport : public QObject
{
    Q_OBJECT

private slots:
    void openApiEndpoints_data();
    void openApiEndpoints();
    void openApiSkipsWritesAndDeprecatedAndSaysWhy();
    void openApiWritesWithBodies();
    void openApi31();
    void openApiRefCyclesTerminate();
    void harEndpoints_data();
    void harEndpoints();
    void harWarnings();
    void harWritesKeepBodiesWithoutSecrets();
    void noSecretReachesThePlan_data();
    void noSecretReachesThePlan();
    void importedPlanRoundTrips_data();
    void importedPlanRoundTrips();
    void unusableFilesGiveOneError_data();
    void unusableFilesGiveOneError();
    void formatIsDetectedFromContent();
    void serverVariableWithoutDefaultKeepsThePathPrefix();
    void idsWithoutExamplesFollowTheFormatAndOtherExamples();
    void descriptiveFieldNamesAreNotSecrets_data();
    void descriptiveFieldNamesAreNotSecrets();
    void openApiFormBodiesAreImported();
    void harSkipsWebSocketsAndReadsQueryString();
};

void TestEndpointImport::openApiEndpoints_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("vars");
    QTest::addColumn<QString>("headers");
    // Paths keep the server's path prefix (/api/v1); the base URL is the server's origin.
    QTest::newRow("path param via $ref to a bounded integer schema")
        << "getCustomer"
        << "GET"
        << "/api/v1/customers/{customerId}?include=appointments&include=orders"
        << "customerId=range:1..500"
        << "";
    QTest::newRow("required query param: default value") << "listCustomers"
                                                         << "GET"
                                                         << "/api/v1/customers?page=1"
                                                         << ""
                                                         << "";
    QTest::newRow("required enum query param from a $ref schema, required header example")
        << "listCustomerAppointments"
        << "GET"
        << "/api/v1/customers/{customerId}/appointments?status=booked"
        << "customerId=range:1..500"
        << "X-Clinic-Branch: north";
    QTest::newRow("uuid with example") << "getAppointment"
                                       << "GET"
                                       << "/api/v1/appointments/{appointmentId}"
                                       << "appointmentId=list:3fa85f64-5717-4562-b3fc-2c963f66afa6"
                                       << "";
    QTest::newRow("string enum, percent-encoded") << "listVets"
                                                  << "GET"
                                                  << "/api/v1/clinics/{region}/vets"
                                                  << "region=list:north,south,east%20coast"
                                                  << "";
    QTest::newRow("no operationId: named METHOD path; string without example") << "GET /api/v1/reports/{reportName}"
                                                                               << "GET"
                                                                               << "/api/v1/reports/{reportName}"
                                                                               << "reportName=list:1"
                                                                               << "";
    QTest::newRow("HEAD is a read; unbounded integer") << "invoiceExists"
                                                       << "HEAD"
                                                       << "/api/v1/invoices/{invoiceNumber}"
                                                       << "invoiceNumber=range:1..100"
                                                       << "";
    QTest::newRow("health") << "healthCheck"
                            << "GET"
                            << "/api/v1/health"
                            << ""
                            << "";
}

void TestEndpointImport::openApiEndpoints()
{
    QFETCH(QString, name);
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QString, vars);
    QFETCH(QString, headers);
    const Import::Result r = Import::fromOpenApi(readFixture(QStringLiteral("clinic-openapi-3.0.json")));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.base_url,
             QStringLiteral("https://staging.clinic.example.com")); // servers[0] with {environment}'s default
    QCOMPARE(r.endpoints.size(), size_t(8));
    const EndpointSpec *e = find(r, name);
    QVERIFY2(e, qPrintable(name));
    QCOMPARE(e->method, method);
    QCOMPARE(e->path, path);
    QCOMPARE(describeVars(*e), vars);
    QCOMPARE(describeHeaders(*e), headers);
    QCOMPARE(e->weight, 1.0);
    QVERIFY(e->body.isEmpty());
}

void TestEndpointImport::openApiSkipsWritesAndDeprecatedAndSaysWhy()
{
    const Import::Result r = Import::fromOpenApi(readFixture(QStringLiteral("clinic-openapi-3.0.json")));
    QVERIFY(!find(r, QStringLiteral("createOrder")) && !find(r, QStringLiteral("deleteCustomer")));
    QVERIFY(!find(r, QStringLiteral("legacyListCustomers")));
    for (const QString &label : {QStringLiteral("POST /customers"), QStringLiteral("DELETE /customers/{customerId}"),
                                 QStringLiteral("POST /orders"), QStringLiteral("POST /orders/{orderId}/refund"),
                                 QStringLiteral("PUT /uploads")})
        QVERIFY2(anyWarningContains(
                     r, label + QStringLiteral(
                                    " skipped: it writes data; import again with writes included (--include-writes)")),
                 qPrintable(label + allWarnings(r)));
    QVERIFY2(anyWarningContains(r, QStringLiteral("GET /legacy/customers skipped: deprecated")),
             qPrintable(allWarnings(r)));
    // Guessed values are said to be guesses, with the variable to edit.
    QVERIFY2(anyWarningContains(r, QStringLiteral("GET /reports/{reportName}: {reportName} has no example")),
             qPrintable(allWarnings(r)));
    QVERIFY2(
        anyWarningContains(r, QStringLiteral("{invoiceNumber} is an integer without example or bounds; using 1..100")),
        qPrintable(allWarnings(r)));
    // The spec requires a bearer token: say how to give one without writing it into the plan.
    QVERIFY2(anyWarningContains(
                 r, QStringLiteral("securitySchemes.bearerAuth): add \"Authorization\": \"Bearer ${env:API_TOKEN}\"")),
             qPrintable(allWarnings(r)));
    for (const QString &w : r.warnings)
        QVERIFY2(!w.contains(QLatin1Char('\n')), qPrintable(w));
}

void TestEndpointImport::openApiWritesWithBodies()
{
    const Import::Result r = Import::fromOpenApi(readFixture(QStringLiteral("clinic-openapi-3.0.json")), writes());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.endpoints.size(), size_t(13)); // 8 reads + 5 writes; the deprecated one stays out
    QVERIFY(!find(r, QStringLiteral("legacyListCustomers")));

    const EndpointSpec *order = find(r, QStringLiteral("createOrder"));
    QVERIFY(order);
    QCOMPARE(order->method, QStringLiteral("POST"));
    QVERIFY(order->body_is_json);
    QCOMPARE(order->body,
             QByteArray(R"({"customerId":17,"items":[{"quantity":1,"sku":"VAC-RAB-1"}]})")); // the media example

    // Built from the schema's property examples: readOnly id left out, optional phone (no example) left out, the
    // recursive referredBy left out rather than followed forever.
    const EndpointSpec *customer = find(r, QStringLiteral("createCustomer"));
    QVERIFY(customer);
    QVERIFY(customer->body_is_json);
    QCOMPARE(customer->body, QByteArray(R"({"email":"ada@example.com","name":"Ada Lovelace","tags":["vip"]})"));

    const EndpointSpec *refund = find(r, QStringLiteral("refundOrder"));
    QVERIFY(refund);
    QCOMPARE(describeVars(*refund), QStringLiteral("orderId=list:1001")); // an int64 with an example: exactly it
    QVERIFY(refund->body.isEmpty());
    QVERIFY2(anyWarningContains(r, QStringLiteral("POST /orders/{orderId}/refund: no example request body (required "
                                                  "property \"amountCents\" has no example)")),
             qPrintable(allWarnings(r)));

    const EndpointSpec *remove = find(r, QStringLiteral("deleteCustomer"));
    QVERIFY(remove);
    QCOMPARE(remove->path, QStringLiteral("/api/v1/customers/{customerId}")); // path-level parameter
    QCOMPARE(describeVars(*remove), QStringLiteral("customerId=range:1..500"));

    QVERIFY(find(r, QStringLiteral("uploadAttachment")));
    QVERIFY2(anyWarningContains(r, QStringLiteral("PUT /uploads: request body (multipart/form-data) not imported")),
             qPrintable(allWarnings(r)));
    QVERIFY(!anyWarningContains(r, QStringLiteral("--include-writes")));
}

void TestEndpointImport::openApi31()
{
    const Import::Result reads = Import::fromOpenApi(readFixture(QStringLiteral("inventory-openapi-3.1.json")));
    QVERIFY2(reads.error.isEmpty(), qPrintable(reads.error));
    QVERIFY(reads.base_url.isEmpty()); // servers[0] is relative: the caller supplies the host
    QCOMPARE(reads.endpoints.size(), size_t(3));
    const EndpointSpec *item =
        find(reads, QStringLiteral("getItem")); // path item behind a $ref, parameter $ref with a sibling
    QVERIFY(item);
    QCOMPARE(item->path, QStringLiteral("/inventory/v2/items/{itemId}"));
    QCOMPARE(describeVars(*item), QStringLiteral("itemId=range:100..199"));
    const EndpointSpec *stock = find(reads, QStringLiteral("warehouseStock")); // type: [integer, null], examples array
    QVERIFY(stock);
    QCOMPARE(describeVars(*stock), QStringLiteral("warehouseId=list:3,7"));
    // {seq} is the plan's request counter: a parameter of that name is renamed so it keeps its values.
    const EndpointSpec *batch = find(reads, QStringLiteral("getBatch"));
    QVERIFY(batch);
    QCOMPARE(batch->path, QStringLiteral("/inventory/v2/batches/{seq_}"));
    QCOMPARE(describeVars(*batch), QStringLiteral("seq_=list:B-2024-01,B-2024-02"));
    QVERIFY2(anyWarningContains(reads, QStringLiteral("POST /skus skipped: it writes data")),
             qPrintable(allWarnings(reads)));
    QVERIFY2(anyWarningContains(reads, QStringLiteral("webhooks not imported")), qPrintable(allWarnings(reads)));
    QVERIFY2(anyWarningContains(reads, QStringLiteral("add \"X-API-Key\": \"${env:API_KEY}\" to target.headers")),
             qPrintable(allWarnings(reads)));

    const Import::Result all = Import::fromOpenApi(readFixture(QStringLiteral("inventory-openapi-3.1.json")), writes());
    const EndpointSpec *sku = find(all, QStringLiteral("createSku"));
    QVERIFY(sku);
    QCOMPARE(sku->body, QByteArray(R"({"code":"SKU-1","price":9.5})")); // from 3.1 "examples" arrays
}

void TestEndpointImport::openApiRefCyclesTerminate()
{
    const QByteArray spec = R"({"openapi": "3.0.3", "info": {"title": "cycles", "version": "1"},
        "servers": [{"url": "http://127.0.0.1:9000"}],
        "paths": {
          "/a/{id}": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/A"}]}},
          "/nodes": {"post": {"operationId": "node", "requestBody": {"required": true,
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}
        },
        "components": {
          "parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}},
          "schemas": {"Node": {"type": "object", "required": ["child"], "properties": {"child": {"$ref": "#/components/schemas/Node"}}}}
        }})";
    const Import::Result r = Import::fromOpenApi(spec, writes());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.base_url, QStringLiteral("http://127.0.0.1:9000"));
    QVERIFY2(anyWarningContains(r, QStringLiteral("refers to itself in a cycle")), qPrintable(allWarnings(r)));
    const EndpointSpec *a = find(r, QStringLiteral("a"));
    QVERIFY(a);
    QCOMPARE(describeVars(*a), QStringLiteral("id=list:1")); // the parameter could not be read: a placeholder, said so
    QVERIFY2(anyWarningContains(r, QStringLiteral("GET /a/{id}: {id} is not declared as a path parameter")),
             qPrintable(allWarnings(r)));
    const EndpointSpec *node = find(r, QStringLiteral("node"));
    QVERIFY(node);
    QVERIFY(node->body.isEmpty());
    QVERIFY2(anyWarningContains(r, QStringLiteral("POST /nodes: no example request body")), qPrintable(allWarnings(r)));
}

void TestEndpointImport::harEndpoints_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("vars");
    QTest::addColumn<double>("weight");
    QTest::addColumn<QString>("headers");
    const QString lang = QStringLiteral("Accept-Language: en-GB,en;q=0.5");
    const QString json = QStringLiteral("Accept: application/json; ") + lang;
    QTest::newRow("server-rendered page") << "GET /"
                                          << "" << 1.0 << lang;
    QTest::newRow("query value varies: variable") << "GET /api/customers?page={page}"
                                                  << "page=range:1..2" << 2.0 << json;
    QTest::newRow("/customers/17 and /customers/42: one templated endpoint, a range, weight = requests")
        << "GET /api/customers/{id}"
        << "id=range:17..42" << 4.0
        << QStringLiteral("Accept: application/json; ") + lang + QStringLiteral("; X-Client-Version: 2.3.1");
    QTest::newRow("nested id") << "GET /api/customers/{id}/appointments"
                               << "id=range:17..17" << 1.0 << json;
    QTest::newRow("UUIDs: a list of those seen")
        << "GET /api/appointments/{id}"
        << "id=list:3fa85f64-5717-4562-b3fc-2c963f66afa6,9b2e7c1a-4d3f-4e8a-9c6b-1f2e3d4c5b6a" << 2.0 << json;
    QTest::newRow("api_key dropped from the query") << "GET /api/search?q=engineering"
                                                    << "" << 1.0 << json;
}

void TestEndpointImport::harEndpoints()
{
    QFETCH(QString, name);
    QFETCH(QString, vars);
    QFETCH(double, weight);
    QFETCH(QString, headers);
    const Import::Result r = Import::fromHar(readFixture(QStringLiteral("clinic-session.har")));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.base_url, QStringLiteral("http://localhost:8000")); // the origin most requests went to
    QCOMPARE(r.endpoints.size(), size_t(6));
    const EndpointSpec *e = find(r, name);
    QVERIFY2(e, qPrintable(name));
    QCOMPARE(e->method, QStringLiteral("GET"));
    QCOMPARE(e->label(), name);
    QCOMPARE(describeVars(*e), vars);
    QCOMPARE(e->weight, weight);
    QCOMPARE(describeHeaders(*e), headers);
}

void TestEndpointImport::harWarnings()
{
    const Import::Result r = Import::fromHar(readFixture(QStringLiteral("clinic-session.har")));
    const QStringList expected{
        QStringLiteral("Authorization header dropped from 9 requests (plans never hold secrets); to send it, add "
                       "\"Authorization\": "
                       "\"Bearer ${env:API_TOKEN}\" to target.headers and export API_TOKEN, or set up target.login"),
        QStringLiteral(
            "Cookie header dropped from 2 requests (plans never hold secrets); if the API needs a session, set up "
            "target.login, or add \"Cookie\": \"${env:SESSION_COOKIE}\" to target.headers and export SESSION_COOKIE"),
        QStringLiteral(
            "X-API-Key header dropped from 1 request (plans never hold secrets); to send it, add \"X-API-Key\": "
            "\"${env:API_KEY}\" to target.headers and export API_KEY"),
        QStringLiteral("query parameter api_key dropped from 1 request"),
        QStringLiteral("POST /api/auth/login skipped (1 request): it writes data; import again with writes included "
                       "(--include-writes)"),
        QStringLiteral("POST /api/orders skipped (1 request): it writes data"),
        QStringLiteral("DELETE /api/customers/{id}/appointments/{id2} skipped (1 request): it writes data"),
        QStringLiteral("1 request to https://telemetry.example.net skipped: only the main origin http://localhost:8000 "
                       "is imported"),
        QStringLiteral("6 static assets skipped (2 images, 1 stylesheet, 2 scripts, 1 font)"),
        QStringLiteral("1 request skipped: not http(s)"),
    };
    for (const QString &text : expected)
        QVERIFY2(anyWarningContains(r, text), qPrintable(text + QStringLiteral("\nnot in:") + allWarnings(r)));
    QCOMPARE(r.warnings.size(), expected.size());
}

void TestEndpointImport::harWritesKeepBodiesWithoutSecrets()
{
    const Import::Result r = Import::fromHar(readFixture(QStringLiteral("clinic-session.har")), writes());
    QCOMPARE(r.endpoints.size(), size_t(9));
    const EndpointSpec *order = find(r, QStringLiteral("POST /api/orders"));
    QVERIFY(order);
    QVERIFY(order->body_is_json);
    QCOMPARE(order->body, QByteArray(R"({"customerId":17,"items":[{"quantity":1,"sku":"VAC-RAB-1"}]})"));
    // A recorded login: the password becomes a placeholder resolved at send time.
    const EndpointSpec *login = find(r, QStringLiteral("POST /api/auth/login"));
    QVERIFY(login);
    QCOMPARE(login->body, QByteArray(R"({"password":"${env:PASSWORD}","username":"admin"})"));
    QVERIFY2(anyWarningContains(
                 r, QStringLiteral("body field \"password\" looked like a secret and is now ${env:PASSWORD}")),
             qPrintable(allWarnings(r)));
    const EndpointSpec *remove = find(r, QStringLiteral("DELETE /api/customers/{id}/appointments/{id2}"));
    QVERIFY(remove);
    QCOMPARE(describeVars(*remove), QStringLiteral("id=range:42..42 id2=range:7..7"));
    QVERIFY(!anyWarningContains(r, QStringLiteral("writes data")));
}

void TestEndpointImport::noSecretReachesThePlan_data()
{
    QTest::addColumn<bool>("includeWrites");
    QTest::newRow("reads") << false;
    QTest::newRow("with writes") << true;
}

void TestEndpointImport::noSecretReachesThePlan()
{
    QFETCH(bool, includeWrites);
    Import::Options options;
    options.includeWrites = includeWrites;
    const Import::Result r = Import::fromFile(fixture(QStringLiteral("clinic-session.har")), options);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    Plan plan;
    plan.target.base_url = r.base_url;
    plan.endpoints = r.endpoints;
    const QByteArray json = QJsonDocument(plan.toJson()).toJson();
    const QString warnings =
        r.warnings.join(QLatin1Char('\n')); // shown in the GUI and on stderr: no secrets there either
    for (const QString &secret : kHarSecrets) {
        QVERIFY2(!json.contains(secret.toUtf8()), qPrintable(secret + QStringLiteral(" in the plan")));
        QVERIFY2(!warnings.contains(secret), qPrintable(secret + QStringLiteral(" in a warning")));
    }
    // The fixture really carries them, so the test can fail.
    const QByteArray har = readFixture(QStringLiteral("clinic-session.har"));
    for (const QString &secret : kHarSecrets)
        QVERIFY(har.contains(secret.toUtf8()));
}

void TestEndpointImport::importedPlanRoundTrips_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("includeWrites");
    QTest::newRow("OpenAPI 3.0 with writes") << "clinic-openapi-3.0.json" << true;
    QTest::newRow("OpenAPI 3.1") << "inventory-openapi-3.1.json" << true;
    QTest::newRow("HAR") << "clinic-session.har" << false;
    QTest::newRow("HAR with writes") << "clinic-session.har" << true;
}

void TestEndpointImport::importedPlanRoundTrips()
{
    QFETCH(QString, file);
    QFETCH(bool, includeWrites);
    Import::Options options;
    options.includeWrites = includeWrites;
    const Import::Result r = Import::fromFile(fixture(file), options);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    Plan plan;
    plan.name = QStringLiteral("imported");
    plan.target.base_url = r.base_url.isEmpty() ? QStringLiteral("http://127.0.0.1:8000") : r.base_url;
    plan.endpoints = r.endpoints;
    QCOMPARE(PlanParser::validate(plan), QString());
    PlanError error;
    const auto parsed = PlanParser::parse(QJsonDocument(plan.toJson()).toJson(), &error);
    QVERIFY2(parsed, qPrintable(error.toString()));
    QCOMPARE(parsed->endpoints.size(), plan.endpoints.size());
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        const EndpointSpec &a = plan.endpoints[i], &b = parsed->endpoints[i];
        QCOMPARE(b.name, a.name);
        QCOMPARE(b.method, a.method);
        QCOMPARE(b.path, a.path);
        QCOMPARE(b.weight, a.weight);
        QCOMPARE(describeVars(b), describeVars(a));
        QCOMPARE(describeHeaders(b), describeHeaders(a));
        QCOMPARE(b.body, a.body);
        QCOMPARE(b.body_is_json, a.body_is_json);
    }
}

void TestEndpointImport::unusableFilesGiveOneError_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("message");
    QTest::newRow("malformed JSON: line and column")
        << fixture(QStringLiteral("malformed.json"))
        << QStringList{QStringLiteral("malformed.json: line 6, column"), QStringLiteral("malformed JSON")};
    QTest::newRow("YAML: names the conversion")
        << fixture(QStringLiteral("clinic-openapi.yaml"))
        << QStringList{QStringLiteral("looks like YAML"), QStringLiteral("yq -o json")};
    QTest::newRow("neither format") << fixture(QStringLiteral("neither.json"))
                                    << QStringList{QStringLiteral("neither an OpenAPI 3 document"),
                                                   QStringLiteral("HAR")};
    QTest::newRow("missing file") << QStringLiteral("/nonexistent/openapi.json")
                                  << QStringList{QStringLiteral("cannot read /nonexistent/openapi.json")};
}

void TestEndpointImport::unusableFilesGiveOneError()
{
    QFETCH(QString, path);
    QFETCH(QStringList, message);
    const Import::Result r = Import::fromFile(path);
    for (const QString &part : message)
        QVERIFY2(r.error.contains(part), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
    QVERIFY(r.endpoints.empty());
}

void TestEndpointImport::formatIsDetectedFromContent()
{
    // The HAR fixture's extension says nothing to fromFile; the API-specific entry points refuse the other format.
    QTemporaryDir dir;
    const QString renamed = dir.filePath(QStringLiteral("capture.json"));
    QVERIFY(QFile::copy(fixture(QStringLiteral("clinic-session.har")), renamed));
    QCOMPARE(Import::fromFile(renamed).endpoints.size(), size_t(6));
    QVERIFY(Import::fromOpenApi(readFixture(QStringLiteral("clinic-session.har")))
                .error.contains(QStringLiteral("\"openapi\" field is missing")));
    QVERIFY(Import::fromHar(readFixture(QStringLiteral("clinic-openapi-3.0.json")))
                .error.contains(QStringLiteral("not a HAR file")));
    QVERIFY(
        Import::fromOpenApi(R"({"swagger": "2.0", "paths": {}})").error.contains(QStringLiteral("swagger2openapi")));
    QVERIFY(Import::fromOpenApi(R"({"openapi": "4.0.0", "paths": {}})")
                .error.contains(QStringLiteral("OpenAPI 4.0.0 is not supported")));
    QVERIFY(
        Import::fromHar(R"({"log": {"version": "1.2", "entries": []}})").error.contains(QStringLiteral("no requests")));
}

namespace {
const char *const kLocalServer = "[{\"url\":\"http://127.0.0.1:8000\"}]";

Import::Result openApi(const QString &paths, const QString &servers = QString::fromLatin1(kLocalServer),
                       bool writes = false)
{
    Import::Options options;
    options.includeWrites = writes;
    return Import::fromOpenApi(
        QStringLiteral(R"({"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":%1,"paths":%2})")
            .arg(servers, paths)
            .toUtf8(),
        options);
}
} // namespace

// "https://{host}/plc/api/v2" with no default for host: the origin is the user's to give, the prefix is the spec's.
void TestEndpointImport::serverVariableWithoutDefaultKeepsThePathPrefix()
{
    const Import::Result r = openApi(
        QStringLiteral(R"({"/machines":{"get":{"responses":{"200":{"description":"ok"}}}}})"),
        QStringLiteral(
            "[{\"url\":\"https://{host}/plc/api/v2\",\"variables\":{\"host\":{\"description\":\"the PLC\"}}}]"));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.base_url, QString());
    QCOMPARE(int(r.endpoints.size()), 1);
    QCOMPARE(r.endpoints.front().path, QStringLiteral("/plc/api/v2/machines"));
    QVERIFY2(anyWarningContains(r, QStringLiteral("--base-url")) &&
                 anyWarningContains(r, QStringLiteral("/plc/api/v2")),
             qPrintable(allWarnings(r)));

    const Import::Result withDefault =
        openApi(QStringLiteral(R"({"/m":{"get":{"responses":{"200":{"description":"ok"}}}}})"),
                QStringLiteral(
                    "[{\"url\":\"https://{host}:{port}/{base}\",\"variables\":{\"host\":{\"default\":\"plc.local\"},\n"
                    "\"port\":{\"default\":\"8443\"},\"base\":{\"default\":\"api/v3\"}}}]"));
    QCOMPARE(withDefault.base_url, QStringLiteral("https://plc.local:8443"));
    QCOMPARE(withDefault.endpoints.front().path, QStringLiteral("/api/v3/m"));
}

void TestEndpointImport::idsWithoutExamplesFollowTheFormatAndOtherExamples()
{
    const Import::Result r = openApi(QStringLiteral(R"({
        "/devices/{deviceId}":{"get":{"parameters":[{"name":"deviceId","in":"path","required":true,
            "schema":{"type":"string","format":"uuid"}}],"responses":{"200":{"description":"ok"}}}},
        "/owners/{owner}":{"get":{"parameters":[{"name":"owner","in":"path","required":true,"schema":{"type":"string"},
            "example":"octocat"}],"responses":{"200":{"description":"ok"}}}},
        "/owners/{owner}/repos":{"get":{"parameters":[{"name":"owner","in":"path","required":true,"schema":{"type":"string"}}],
            "responses":{"200":{"description":"ok"}}}},
        "/days/{day}":{"get":{"parameters":[{"name":"day","in":"path","required":true,"schema":{"type":"string","format":"date"}}],
            "responses":{"200":{"description":"ok"}}}}})"));
    auto valuesOf = [&](const QString &path, const QString &var) {
        for (const EndpointSpec &e : r.endpoints)
            if (e.path == path)
                return e.vars.at(var).values;
        return QStringList{};
    };
    const QStringList uuid = valuesOf(QStringLiteral("/devices/{deviceId}"), QStringLiteral("deviceId"));
    QCOMPARE(uuid.size(), 1);
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
                 .match(uuid.first())
                 .hasMatch(),
             qPrintable(uuid.first()));
    QCOMPARE(valuesOf(QStringLiteral("/owners/{owner}/repos"), QStringLiteral("owner")),
             QStringList{QStringLiteral("octocat")});
    QCOMPARE(valuesOf(QStringLiteral("/days/{day}"), QStringLiteral("day")), QStringList{QStringLiteral("2024-01-01")});
    QVERIFY(anyWarningContains(r, QStringLiteral("a placeholder uuid")));
}

void TestEndpointImport::descriptiveFieldNamesAreNotSecrets_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("secret");
    QTest::newRow("authenticationType") << QStringLiteral("authenticationType") << false;
    QTest::newRow("privateKeyId") << QStringLiteral("privateKeyId") << false;
    QTest::newRow("private_key_id") << QStringLiteral("private_key_id") << false;
    QTest::newRow("tokenExpiresAt") << QStringLiteral("tokenExpiresAt") << false;
    QTest::newRow("sessionTimeout") << QStringLiteral("sessionTimeout") << false;
    QTest::newRow("password") << QStringLiteral("password") << true;
    QTest::newRow("privateKey") << QStringLiteral("privateKey") << true;
    QTest::newRow("accessToken") << QStringLiteral("accessToken") << true;
    QTest::newRow("apiKey") << QStringLiteral("apiKey") << true;
    QTest::newRow("client_secret") << QStringLiteral("client_secret") << true;
    QTest::newRow("sessionId") << QStringLiteral("sessionId") << true;
    QTest::newRow("session_id") << QStringLiteral("session_id") << true;
}

void TestEndpointImport::descriptiveFieldNamesAreNotSecrets()
{
    QFETCH(QString, field);
    QFETCH(bool, secret);
    const Import::Result r =
        openApi(QStringLiteral(R"({"/keys":{"post":{"requestBody":{"required":true,"content":{"application/json":{
        "example":{"%1":"value-7","name":"n"}}}},"responses":{"201":{"description":"ok"}}}}})")
                    .arg(field),
                QStringLiteral("[{\"url\":\"http://127.0.0.1:8000\"}]"), true);
    QCOMPARE(int(r.endpoints.size()), 1);
    const QJsonObject body = QJsonDocument::fromJson(r.endpoints.front().body).object();
    QCOMPARE(body.value(field).toString().startsWith(QLatin1String("${env:")), secret);
    QCOMPARE(body.value(field).toString() == QLatin1String("value-7"), !secret);
}

void TestEndpointImport::openApiFormBodiesAreImported()
{
    const Import::Result r =
        openApi(QStringLiteral(R"({"/oauth/token":{"post":{"requestBody":{"required":true,"content":{
        "application/x-www-form-urlencoded":{"schema":{"type":"object","required":["grant_type","username","password"],
            "properties":{"grant_type":{"type":"string","example":"password"},"username":{"type":"string","example":"a b"},
                          "password":{"type":"string","example":"hunter2"}}}}}},
        "responses":{"200":{"description":"ok"}}}}})"),
                QStringLiteral("[{\"url\":\"http://127.0.0.1:8000\"}]"), true);
    QCOMPARE(int(r.endpoints.size()), 1);
    const EndpointSpec &e = r.endpoints.front();
    QCOMPARE(e.headers.at(QStringLiteral("Content-Type")), QStringLiteral("application/x-www-form-urlencoded"));
    QCOMPARE(QString::fromUtf8(e.body), QStringLiteral("grant_type=password&password=${env:PASSWORD}&username=a%20b"));
    QVERIFY(!e.body.contains("hunter2"));
    QVERIFY(anyWarningContains(r, QStringLiteral("export PASSWORD")));
}

void TestEndpointImport::harSkipsWebSocketsAndReadsQueryString()
{
    // A plain literal: Qt 6.4's moc mis-lexes "//" inside a raw string literal.
    const QByteArray har =
        "{\"log\":{\"version\":\"1.2\",\"entries\":["
        "{\"request\":{\"method\":\"GET\",\"url\":\"https://app.example.com/api/search\",\"headers\":[],"
        "\"queryString\":[{\"name\":\"q\",\"value\":\"red shoes\"},{\"name\":\"page\",\"value\":\"2\"}]},"
        "\"response\":{\"status\":200,\"content\":{\"mimeType\":\"application/json\"}}},"
        "{\"request\":{\"method\":\"GET\",\"url\":\"wss://app.example.com/"
        "socket\",\"headers\":[{\"name\":\"Upgrade\",\"value\":\"websocket\"}]},"
        "\"response\":{\"status\":101,\"content\":{}}},"
        "{\"request\":{\"method\":\"GET\",\"url\":\"https://app.example.com/"
        "live\",\"headers\":[{\"name\":\"Upgrade\",\"value\":\"websocket\"}]},"
        "\"response\":{\"status\":101,\"content\":{}},\"_resourceType\":\"websocket\"}]}}";
    const Import::Result r = Import::fromHar(har);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(int(r.endpoints.size()), 1);
    QCOMPARE(r.endpoints.front().path, QStringLiteral("/api/search?q=red%20shoes&page=2"));
    QVERIFY2(anyWarningContains(r, QStringLiteral("2 WebSocket handshakes skipped")), qPrintable(allWarnings(r)));
}

QTEST_GUILESS_MAIN(TestEndpointImport)
#include "tst_endpointimport.moc"
