#include "flaws.h"

namespace Demo {

QStringList Flaws::names()
{
    return {QStringLiteral("single-connection"), QStringLiteral("small-pool"),    QStringLiteral("conn-per-request"),
            QStringLiteral("n-plus-one"),        QStringLiteral("missing-index"), QStringLiteral("write-contention"),
            QStringLiteral("slow-endpoint"),     QStringLiteral("no-health"),     QStringLiteral("none")};
}

bool Flaws::parse(const QString &list, Flaws *flaws, QString *error)
{
    *flaws = Flaws();
    const QStringList items = list.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &raw : items) {
        const QString name = raw.trimmed();
        if (name == QLatin1String("none"))
            continue;
        else if (name == QLatin1String("single-connection"))
            flaws->single_connection = true;
        else if (name == QLatin1String("small-pool"))
            flaws->small_pool = true;
        else if (name == QLatin1String("conn-per-request"))
            flaws->conn_per_request = true;
        else if (name == QLatin1String("n-plus-one"))
            flaws->n_plus_one = true;
        else if (name == QLatin1String("missing-index"))
            flaws->missing_index = true;
        else if (name == QLatin1String("write-contention"))
            flaws->write_contention = true;
        else if (name == QLatin1String("slow-endpoint"))
            flaws->slow_endpoint = true;
        else if (name == QLatin1String("no-health"))
            flaws->no_health = true;
        else {
            *error = QStringLiteral("unknown flaw '%1' (known: %2)").arg(name, names().join(QLatin1String(", ")));
            return false;
        }
    }
    return true;
}

QStringList Flaws::enabled() const
{
    QStringList out;
    if (single_connection)
        out << QStringLiteral("single-connection");
    if (small_pool)
        out << QStringLiteral("small-pool");
    if (conn_per_request)
        out << QStringLiteral("conn-per-request");
    if (n_plus_one)
        out << QStringLiteral("n-plus-one");
    if (missing_index)
        out << QStringLiteral("missing-index");
    if (write_contention)
        out << QStringLiteral("write-contention");
    if (slow_endpoint)
        out << QStringLiteral("slow-endpoint");
    if (no_health)
        out << QStringLiteral("no-health");
    if (out.isEmpty())
        out << QStringLiteral("none");
    return out;
}

} // namespace Demo
