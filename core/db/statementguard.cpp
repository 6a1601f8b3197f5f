#include "statementguard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pg_query.h>

namespace Preflight {

namespace {

// Functions whose effects reach outside the query's snapshot; refused even though a plain EXPLAIN does
// not execute them, because constant folding and EXPLAIN ANALYZE can.
bool sideEffectFunction(const QString &name)
{
    static const QStringList exact{
        QStringLiteral("pg_terminate_backend"),
        QStringLiteral("pg_cancel_backend"),
        QStringLiteral("pg_sleep"),
        QStringLiteral("pg_sleep_for"),
        QStringLiteral("pg_sleep_until"),
        QStringLiteral("set_config"),
        QStringLiteral("nextval"),
        QStringLiteral("setval"),
        QStringLiteral("pg_reload_conf"),
        QStringLiteral("pg_rotate_logfile"),
        QStringLiteral("pg_switch_wal"),
        QStringLiteral("pg_create_restore_point"),
        QStringLiteral("pg_notify"),
        QStringLiteral("pg_stat_reset"),
        QStringLiteral("pg_stat_statements_reset"),
        QStringLiteral("pg_read_file"),
        QStringLiteral("pg_read_binary_file"),
        QStringLiteral("pg_ls_dir"),
        QStringLiteral("pg_file_write"),
        QStringLiteral("txid_current"),
        QStringLiteral("pg_current_xact_id"),
        QStringLiteral("pg_logical_emit_message"),
        QStringLiteral("pg_promote"),
        QStringLiteral("pg_backup_start"),
        QStringLiteral("pg_backup_stop"),
        QStringLiteral("query_to_xml"),
        QStringLiteral("query_to_xml_and_xmlschema"),
        QStringLiteral("cursor_to_xml"),
        QStringLiteral("table_to_xml"),
    };
    static const QStringList prefixes{QStringLiteral("dblink"),          QStringLiteral("lo_"),
                                      QStringLiteral("pg_advisory"),     QStringLiteral("pg_try_advisory"),
                                      QStringLiteral("pg_replication_"), QStringLiteral("pg_create_"),
                                      QStringLiteral("pg_drop_"),        QStringLiteral("pg_stat_reset")};
    const QString n = name.toLower();
    if (exact.contains(n))
        return true;
    for (const QString &p : prefixes)
        if (n.startsWith(p))
            return true;
    return false;
}

struct Walk
{
    bool forAnalyze = false;
    QString refusal;
    int maxParam = 0;

    void value(const QJsonValue &v)
    {
        if (!refusal.isEmpty())
            return;
        if (v.isArray()) {
            for (const QJsonValue &e : v.toArray())
                value(e);
        } else if (v.isObject()) {
            object(v.toObject());
        }
    }

    void object(const QJsonObject &o)
    {
        for (auto it = o.begin(); it != o.end() && refusal.isEmpty(); ++it) {
            const QString key = it.key();
            if (key.endsWith(QLatin1String("Stmt")) && key != QLatin1String("SelectStmt")) {
                refusal =
                    QStringLiteral("contains a %1 (only plain SELECT is inspected)").arg(key.chopped(4).toUpper());
                return;
            }
            if (key == QLatin1String("lockingClause")) {
                refusal = QStringLiteral("takes row locks (FOR UPDATE/SHARE)");
                return;
            }
            if (key == QLatin1String("intoClause")) {
                refusal = QStringLiteral("SELECT INTO creates a table");
                return;
            }
            if (forAnalyze && key == QLatin1String("withClause")) {
                refusal = QStringLiteral("EXPLAIN ANALYZE is only run for a plain SELECT without WITH");
                return;
            }
            if (key == QLatin1String("ParamRef"))
                maxParam = qMax(maxParam, it.value().toObject().value(QLatin1String("number")).toInt());
            if (key == QLatin1String("FuncCall")) {
                const QJsonArray names = it.value().toObject().value(QLatin1String("funcname")).toArray();
                if (!names.isEmpty()) {
                    const QString fn = names.last()
                                           .toObject()
                                           .value(QLatin1String("String"))
                                           .toObject()
                                           .value(QLatin1String("sval"))
                                           .toString();
                    if (sideEffectFunction(fn)) {
                        refusal = QStringLiteral("calls %1(), which has effects outside the query").arg(fn);
                        return;
                    }
                }
            }
            value(it.value());
        }
    }
};

} // namespace

StatementGuard::Verdict StatementGuard::checkSelect(const QString &sql, bool forAnalyze)
{
    Verdict v;
    const QByteArray text = sql.toUtf8();
    PgQueryParseResult parsed = pg_query_parse(text.constData());
    if (parsed.error) {
        v.reason = QStringLiteral("does not parse as PostgreSQL: %1").arg(QString::fromUtf8(parsed.error->message));
        pg_query_free_parse_result(parsed);
        return v;
    }
    const QJsonObject tree = QJsonDocument::fromJson(QByteArray(parsed.parse_tree)).object();
    pg_query_free_parse_result(parsed);

    const QJsonArray stmts = tree.value(QLatin1String("stmts")).toArray();
    if (stmts.size() != 1) {
        v.reason = stmts.isEmpty()
                       ? QStringLiteral("is empty")
                       : QStringLiteral("holds %1 statements (exactly one SELECT is inspected)").arg(stmts.size());
        return v;
    }
    const QJsonObject raw = stmts.first().toObject();
    const QJsonObject stmt = raw.value(QLatin1String("stmt")).toObject();
    if (stmt.size() != 1 || !stmt.contains(QLatin1String("SelectStmt"))) {
        const QString kind = stmt.isEmpty() ? QStringLiteral("nothing") : stmt.begin().key();
        v.reason = QStringLiteral("is a %1, not a SELECT").arg(kind);
        return v;
    }
    Walk walk;
    walk.forAnalyze = forAnalyze;
    walk.value(stmt);
    if (!walk.refusal.isEmpty()) {
        v.reason = walk.refusal;
        return v;
    }
    const int location = raw.value(QLatin1String("stmt_location")).toInt(0);
    const int length = raw.value(QLatin1String("stmt_len")).toInt(0);
    QByteArray one = length > 0 ? text.mid(location, length) : text.mid(location);
    v.statement = QString::fromUtf8(one).trimmed();
    while (v.statement.endsWith(QLatin1Char(';')))
        v.statement.chop(1);
    // Re-check the cut text: it must still be the same single statement.
    PgQueryParseResult again = pg_query_parse(v.statement.toUtf8().constData());
    const bool same =
        !again.error &&
        QJsonDocument::fromJson(QByteArray(again.parse_tree)).object().value(QLatin1String("stmts")).toArray().size() ==
            1;
    pg_query_free_parse_result(again);
    if (!same) {
        v.reason = QStringLiteral("could not be isolated as one statement");
        v.statement.clear();
        return v;
    }
    v.max_param = walk.maxParam;
    v.allowed = true;
    return v;
}

} // namespace Preflight
