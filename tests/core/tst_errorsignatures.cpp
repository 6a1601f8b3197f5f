// The error-signature catalogue, body normalisation, the failure sampler's bounds and credential scrubbing
// (docs/errors.md).
#include "diagnosis/errorsignatures.h"
#include "diagnosis/signaturehit.h"
#include "load/failuresampler.h"

#include <QSet>
#include <QTest>

using namespace Preflight;

namespace {

ErrorSample sample(int endpoint, int status, const QByteArray &body, double t_s = 1)
{
    ErrorSample s;
    s.endpoint = endpoint;
    s.status = status;
    s.body = body;
    s.first_seen_s = s.last_seen_s = t_s;
    return s;
}

int statusFor(const ErrorSignature &sig)
{
    const QString id = QLatin1String(sig.id);
    if (id.contains(QLatin1String("502")) || id == QLatin1String("envoy-upstream-reset"))
        return 502;
    if (id.contains(QLatin1String("504")) || id == QLatin1String("envoy-upstream-timeout"))
        return 504;
    if (QLatin1String(sig.supports) == QLatin1String("load-shedding"))
        return 503;
    return 500;
}

} // namespace

class TestErrorSignatures : public QObject
{
    Q_OBJECT
private slots:
    void catalogueIsWellFormed()
    {
        QSet<QString> ids;
        for (const ErrorSignature &sig : errorSignatureCatalogue()) {
            const QString id = QLatin1String(sig.id);
            QVERIFY2(!ids.contains(id), qPrintable(id));
            ids.insert(id);
            QVERIFY(QByteArray(sig.kind).size() > 0);
            QVERIFY(QByteArray(sig.meaning).size() > 10);
            QVERIFY(QByteArray(sig.fix).size() > 10);
            QVERIFY(QByteArray(sig.supports).size() > 0);
            QVERIFY(QByteArray(sig.example).size() > 0);
            QCOMPARE(errorSignatureById(id), &sig);
        }
        QVERIFY(ids.size() >= 25);
    }

    void everyEntryRecognisesItsExample_data()
    {
        QTest::addColumn<QString>("id");
        for (const ErrorSignature &sig : errorSignatureCatalogue())
            QTest::newRow(sig.id) << QString::fromLatin1(sig.id);
    }
    void everyEntryRecognisesItsExample()
    {
        QFETCH(QString, id);
        const ErrorSignature *sig = errorSignatureById(id);
        QVERIFY(sig);
        const QString retryAfter =
            sig->match == ErrorSignature::Match::RetryAfterHeader ? QStringLiteral("5") : QString();
        const ErrorSignature *hit = recogniseErrorBody(QByteArray(sig->example), statusFor(*sig), retryAfter);
        QVERIFY2(hit, qPrintable(id));
        QCOMPARE(QString::fromLatin1(hit->id), id);
        // Through the diagnosis seam too, with the family id rules key on.
        RunData run;
        ErrorSample s = sample(0, statusFor(*sig), QByteArray(sig->example));
        s.retry_after = retryAfter;
        s.count = 7;
        run.error_samples = {s};
        const std::vector<SignatureHit> hits = recogniseErrorSamples(run);
        QCOMPARE(hits.size(), size_t(1));
        QCOMPARE(hits[0].entry, id);
        QCOMPARE(hits[0].signature, QString::fromLatin1(sig->kind));
        QCOMPARE(hits[0].supports, QString::fromLatin1(sig->supports));
        QCOMPARE(hits[0].count, uint64_t(7));
        QVERIFY(!hits[0].excerpt.isEmpty());
    }

    void realWorldVariants_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("supports");
        QTest::newRow("sqlite django") << QByteArray("django.db.utils.OperationalError: database is locked") << 500
                                       << "sqlite-busy"
                                       << "lock-contention";
        QTest::newRow("pg too many clients")
            << QByteArray("FATAL:  sorry, too many clients already") << 500 << "pg-too-many-clients"
            << "max-connections-near";
        QTest::newRow("mysql too many") << QByteArray("(1040, 'Too many connections')") << 500 << "too-many-connections"
                                        << "max-connections-near";
        QTest::newRow("could not obtain lock")
            << QByteArray("ERROR: could not obtain lock on row in relation \"orders\"") << 500 << "pg-lock-timeout"
            << "lock-contention";
        QTest::newRow("libpq refused") << QByteArray("could not connect to server: Connection refused") << 500
                                       << "pg-connect-failed"
                                       << "error-rate";
        QTest::newRow("nginx 503") << QByteArray("<h1>503 Service Temporarily Unavailable</h1>") << 503 << "proxy-503"
                                   << "load-shedding";
        QTest::newRow("rate limited") << QByteArray("{\"error\":\"rate limit exceeded\"}") << 429 << "at-capacity"
                                      << "load-shedding";
        QTest::newRow("django generic") << QByteArray("django.db.utils.OperationalError: FATAL: the database system is "
                                                      "starting up")
                                        << 500 << "django-operational-error"
                                        << "error-rate";
    }
    void realWorldVariants()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, id);
        QFETCH(QString, supports);
        const ErrorSignature *hit = recogniseErrorBody(body, status, QString());
        QVERIFY(hit);
        QCOMPARE(QString::fromLatin1(hit->id), id);
        QCOMPARE(QString::fromLatin1(hit->supports), supports);
    }

    void unrelatedBodiesAndTransportFailuresAreNotRecognised()
    {
        QVERIFY(!recogniseErrorBody("<h1>Internal Server Error</h1>", 500, QString()));
        QVERIFY(!recogniseErrorBody("{\"detail\":\"Not found\"}", 404, QString()));
        QVERIFY(!recogniseErrorBody("Timeout was reached", 0, QString()));
        QVERIFY(!recogniseErrorBody("Couldn't connect to server", 0, QString()));
        // Retry-After only counts on a 429/503.
        QVERIFY(!recogniseErrorBody("{}", 500, QStringLiteral("5")));
        QVERIFY(recogniseErrorBody("{}", 429, QStringLiteral("5")));
    }

    void normalisationFoldsVaryingParts_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::newRow("numbers") << QByteArray("QueuePool limit of size 5 overflow 10 reached, timeout 30.00")
                                 << QByteArray("QueuePool limit of size 20 overflow 0 reached, timeout 5.50");
        QTest::newRow("uuid") << QByteArray("request 550e8400-e29b-41d4-a716-446655440000 failed: database is locked")
                              << QByteArray("request 123e4567-e89b-12d3-a456-426614174000 failed: database is locked");
        QTest::newRow("iso timestamp") << QByteArray("[2024-05-01T12:00:00.123Z] deadlock detected")
                                       << QByteArray("[2025-11-30T23:59:59.999+02:00] deadlock detected");
        QTest::newRow("hex") << QByteArray("trace 0x7f3a9c00d1e8 txn deadbeefcafe1234 locked")
                             << QByteArray("trace 0x7f3a9c00ffff txn 00aabbccddeeff11 locked");
        QTest::newRow("ip and port") << QByteArray("connection to server at \"10.0.3.7\", port 5432 failed")
                                     << QByteArray("connection to server at \"192.168.1.20\", port 6543 failed");
        QTest::newRow("html whitespace") << QByteArray("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                                                       "<hr><center>nginx/1.25.3</center>")
                                         << QByteArray("<html><head><title>502 Bad Gateway</title></head> <hr>"
                                                       "<center>nginx/1.22.1</center>");
        QTest::newRow("pids") << QByteArray("DETAIL:  Process 48213 waits for ShareLock on transaction 9123")
                              << QByteArray("DETAIL:  Process 7 waits for ShareLock on transaction 1000001");
    }
    void normalisationFoldsVaryingParts()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QCOMPARE(normalizeBody(a), normalizeBody(b));
        QVERIFY(normalizeBody(a).contains(QLatin1String("<n>")));
    }

    void normalisationKeepsWords()
    {
        QCOMPARE(normalizeBody("QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00"),
                 QStringLiteral("QueuePool limit of size <n> overflow <n> reached, connection timed out, timeout <n>"));
        QCOMPARE(normalizeBody("psycopg2.OperationalError: database is locked"),
                 QStringLiteral("psycopg2.OperationalError: database is locked"));
        QCOMPARE(normalizeBody("<h1>502 Bad Gateway</h1>\n<hr><center>nginx/1.25.3</center>"),
                 QStringLiteral("<n> Bad Gateway nginx/<n>"));
        QVERIFY(normalizeBody(QByteArray(10000, 'a')).size() <= kMaxNormalizedChars);
        // Distinct messages stay distinct.
        QVERIFY(normalizeBody("database is locked") != normalizeBody("deadlock detected"));
    }

    void samplerCountsOneSignatureWithFirstAndLastSeen()
    {
        FailureSampler sampler;
        for (int i = 0; i < 1000; ++i)
            sampler.offer(
                sample(2, 500,
                       QByteArray("sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
                                  "request id ") +
                           QByteArray::number(100000 + i),
                       0.5 + i * 0.01));
        const auto kept = sampler.samples();
        QCOMPARE(kept.size(), size_t(1));
        QCOMPARE(kept[0].count, uint64_t(1000));
        QCOMPARE(kept[0].first_seen_s, 0.5);
        QCOMPARE(kept[0].last_seen_s, 0.5 + 999 * 0.01);
        QVERIFY(kept[0].body.endsWith("100000")); // the first one is the example
        QCOMPARE(sampler.overflow(), uint64_t(0));
    }

    void samplerStaysBoundedUnderHundredThousandFailures()
    {
        // 100k failing responses over 3 endpoints × 4 statuses, half of them with a unique (unnormalisable)
        // word so that every bucket overflows: kept samples and bytes stay under the bound.
        FailureSampler sampler;
        const char *words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
        uint64_t offered = 0;
        for (int i = 0; i < 100000; ++i) {
            QByteArray body = "database is locked (request " + QByteArray::number(i) + ")";
            if (i % 2)
                body += " code " + QByteArray(words[i % 8]) + QByteArray(i % 97 + 1, 'z') + QByteArray(3000, ' ');
            sampler.offer(sample(i % 3, 500 + i % 4, body, i * 0.001));
            ++offered;
        }
        const auto kept = sampler.samples();
        uint64_t counted = sampler.overflow();
        for (const ErrorSample &s : kept) {
            counted += s.count;
            QVERIFY(s.body.size() <= FailureSampler::kMaxBodyBytes);
        }
        QCOMPARE(counted, offered); // nothing lost from the counts
        QVERIFY(kept.size() <= size_t(3 * 4 * FailureSampler::kMaxDistinctBodies));
        QVERIFY(sampler.overflow() > 0);
        const uint64_t bound = 3 * 4 * FailureSampler::kMaxDistinctBodies *
                               (FailureSampler::kMaxBodyBytes + 2 * kMaxNormalizedChars + 1024);
        QVERIFY2(sampler.bytesHeld() <= bound, qPrintable(QString::number(sampler.bytesHeld())));
        qInfo("100k failures: %zu samples kept, %llu bytes held, %llu in overflow", kept.size(),
              (unsigned long long)sampler.bytesHeld(), (unsigned long long)sampler.overflow());
    }

    void mergeKeepsSignatures()
    {
        FailureSampler a, b;
        a.offer(sample(0, 503, "no healthy upstream", 1));
        b.offer(sample(0, 503, "no healthy upstream", 3));
        b.offer(sample(0, 503, "Service at capacity (load 0.97)", 2));
        a.merge(b);
        const auto kept = a.samples();
        QCOMPARE(kept.size(), size_t(2));
        QCOMPARE(kept[0].count, uint64_t(2));
        QCOMPARE(kept[0].last_seen_s, 3.0);
    }

    void credentialsAreScrubbed_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("secret");
        QTest::newRow("authorization echo")
            << QByteArray("bad request; headers: Authorization: Bearer eyJhbGciOi.xyzSECRET\r\nAccept: */*")
            << QByteArray("eyJhbGciOi.xyzSECRET");
        QTest::newRow("json authorization") << QByteArray(R"({"headers":{"authorization":"Basic dXNlcjpodW50ZXIy"}})")
                                            << QByteArray("dXNlcjpodW50ZXIy");
        QTest::newRow("bare bearer") << QByteArray("invalid token Bearer abcDEF123456secret")
                                     << QByteArray("abcDEF123456secret");
        QTest::newRow("password kv")
            << QByteArray("FATAL: connect failed: host=db user=shop password=hunter2canary dbname=shop")
            << QByteArray("hunter2canary");
        QTest::newRow("password json") << QByteArray(R"({"error":"bad login","password": "hunter2canary"})")
                                       << QByteArray("hunter2canary");
        QTest::newRow("url userinfo") << QByteArray("could not connect to postgresql://shop:hunter2canary@db:5432/shop")
                                      << QByteArray("hunter2canary");
        QTest::newRow("api key") << QByteArray("X-Api-Key: k-1234567890-canary rejected")
                                 << QByteArray("k-1234567890-canary");
    }
    void credentialsAreScrubbed()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, secret);
        FailureSampler sampler;
        sampler.offer(sample(0, 401, body));
        const auto kept = sampler.samples();
        QCOMPARE(kept.size(), size_t(1));
        QVERIFY2(!kept[0].body.contains(secret), kept[0].body.constData());
        QVERIFY(kept[0].body.contains("***"));
    }

    void canaryFromRequestHeadersIsScrubbed()
    {
        // The backend echoes a secret header's value in a place no pattern knows.
        FailureSampler sampler;
        sampler.offer(sample(0, 500, "tenant lookup failed for s3cr3t-canary-value (not found)"),
                      {"Accept: application/json", "X-Tenant-Secret: s3cr3t-canary-value",
                       "Authorization: Bearer tok-canary-987"});
        sampler.offer(sample(0, 500, "who is tok-canary-987?"), {"Authorization: Bearer tok-canary-987"});
        for (const ErrorSample &s : sampler.samples()) {
            QVERIFY2(!s.body.contains("s3cr3t-canary-value"), s.body.constData());
            QVERIFY2(!s.body.contains("tok-canary-987"), s.body.constData());
        }
        // Non-secret header values are left alone.
        QCOMPARE(FailureSampler::scrubCredentials("application/json expected", {}),
                 QByteArray("application/json expected"));
        QCOMPARE(FailureSampler::secretHeaderValues({"Accept: application/json"}).size(), size_t(0));
    }

    void summaryFoldsEndpointsAndStatuses()
    {
        RunData run;
        EndpointSpec a, b;
        a.name = QStringLiteral("orders");
        b.name = QStringLiteral("customers");
        run.plan.endpoints = {a, b};
        ErrorSample s1 = sample(0, 500, "database is locked (txn 991)", 2);
        s1.count = 30;
        ErrorSample s2 = sample(1, 503, "database is locked (txn 12)", 1);
        s2.count = 12;
        ErrorSample s3 = sample(1, 500, "<h1>Internal Server Error</h1>", 5);
        s3.count = 3;
        run.error_samples = {s3, s1, s2};
        const auto summary = summarizeErrors(run);
        QCOMPARE(summary.size(), size_t(2));
        QCOMPARE(summary[0].signature, QStringLiteral("sqlite-busy"));
        QCOMPARE(summary[0].count, uint64_t(42));
        QCOMPARE(summary[0].endpoints, QStringList({QStringLiteral("orders"), QStringLiteral("customers")}));
        QCOMPARE(summary[0].statuses, std::vector<int>({500, 503}));
        QCOMPARE(summary[0].first_seen_s, 1.0);
        QCOMPARE(summary[0].last_seen_s, 2.0);
        QCOMPARE(summary[0].supports, QStringLiteral("lock-contention"));
        QCOMPARE(summary[0].normalized, QStringLiteral("database is locked (txn <n>)"));
        QCOMPARE(summary[1].signature, QStringLiteral("unrecognised"));
        QVERIFY(summary[1].supports.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestErrorSignatures)
#include "tst_errorsignatures.moc"
