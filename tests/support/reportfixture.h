#pragma once

#include "data/rundata.h"

#include <QString>

// Diagnosed synthetic runs for the report tests (core and ui): what a stored run of each kind looks like.
namespace Preflight::ReportFixture {

// Secrets planted in the plan; no report may contain them.
inline const char *kPasswordCanary = "CANARY-PASSWORD-7f3a91";
inline const char *kTokenCanary = "CANARY-TOKEN-91bd02";

// The statements of singleConnectionRun(), as the query tests look them up: on "customer profile" one parent
// (20 rows per call), three per-row statements (20 calls per request) and one the N+1 finding does not name; on
// "search" one slow statement whose plan has a flagged Seq Scan.
namespace SingleConnection {
inline const QString kCustomerEndpoint = QStringLiteral("customer profile"); // plan.endpoints[kCustomerIndex]
inline const QString kSearchEndpoint = QStringLiteral("search");             // plan.endpoints[kSearchIndex]
constexpr int kCustomerIndex = 0;
constexpr int kSearchIndex = 1;
inline const QString kCustomers = QStringLiteral("SELECT * FROM customers WHERE id = $1");
inline const QString kParent =
    QStringLiteral("SELECT id, service_id, staff_id FROM appointments WHERE customer_id = $1");
inline const QString kServices = QStringLiteral("SELECT * FROM services WHERE id = $1");
inline const QString kStaff = QStringLiteral("SELECT * FROM staff WHERE id = $1");
inline const QString kInvoices = QStringLiteral("SELECT * FROM invoices WHERE appointment_id = $1");
inline const QString kSearch = QStringLiteral("SELECT id, name FROM items WHERE name ILIKE $1 LIMIT $2");
} // namespace SingleConnection

// A 1-2-5-10-20-50 user sweep against a backend that serialises every request on one PostgreSQL connection
// (timeouts from 20 users on), plus an N+1 endpoint (1 + 3·20 = 61 queries), a flagged Seq Scan plan, sampled
// error bodies, TLS verification off, and secret canaries in the conninfo and a header. Launch gates applied.
RunData singleConnectionRun();

// The same sweep against a backend that scales: every launch gate passes.
RunData healthyRun();

// A sustained open-model run of `duration_s` seconds (250 ms ticks) over `endpoints` endpoints at `rps` each.
RunData longRun(double duration_s = 3600, int endpoints = 4, double rps = 40);

} // namespace Preflight::ReportFixture
