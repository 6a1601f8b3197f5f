#pragma once

#include "plan.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace Preflight {

// A problem with a plan, phrased for the person who wrote it.
struct PlanError
{
    QString message; // "endpoints[1].weight: must be a positive number"
    int line = 0;    // 1-based, 0 when not a JSON syntax error
    int column = 0;

    QString toString() const; // "plan.json:3:14: ..." style without the file name
};

// Parses and validates plans (docs/architecture.md). Pure functions, thread-safe.
// 1-based line and column (in UTF-8 characters) of a byte offset, for JSON syntax errors in plans and imported
// files alike.
void lineColumnAt(const QByteArray &text, int offset, int *line, int *column);

class PlanParser
{
public:
    // Parses JSON text into a plan and validates it. On failure returns nullopt and fills *error.
    // The text is UTF-8 (a UTF-8 byte-order mark, and UTF-16/UTF-32 with or without one, are decoded). Every
    // field is checked for its type and range where it is read ("scenario.users: must be a whole number"), and
    // a key the format does not have is refused with the nearest known key ("did you mean \"database\"?");
    // keys starting with "_" or "$" are notes and ignored.
    static std::optional<Plan> parse(const QByteArray &json, PlanError *error);
    static std::optional<Plan> parseFile(const QString &path, PlanError *error);
    // Like parse(), without validate(): for callers that complete the plan first (the CLI's flags override the
    // plan, so a sustain plan without duration_s is complete once --duration is given). Call validate() after.
    static std::optional<Plan> read(const QByteArray &json, PlanError *error);
    static std::optional<Plan> readFile(const QString &path, PlanError *error);

    // Checks a plan built or modified in code (CLI flags, GUI). Empty string when valid.
    static QString validate(const Plan &plan);

    // "GET /path" or "/path" -> endpoint; nullopt on malformed text.
    static std::optional<EndpointSpec> parseEndpointShorthand(const QString &text, QString *error);

    // Validates and normalises a base URL (http/https, host present, no query/fragment, no trailing slash).
    static std::optional<QString> normaliseBaseUrl(const QString &url, QString *error);
};

} // namespace Preflight
