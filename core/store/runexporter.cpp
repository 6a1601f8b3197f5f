#include "runexporter.h"

#include "runjson.h"

#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

namespace Preflight {

namespace {
QString number(double v)
{
    return QString::number(v, 'g', 12);
}
QString number(uint64_t v)
{
    return QString::number(v);
}
QString number(int v)
{
    return QString::number(v);
}

StoreError writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return StoreError::make(
            StoreError::Kind::Io,
            QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return {};
}

QString joinRow(const QStringList &fields)
{
    QStringList quoted;
    for (const QString &f : fields)
        quoted.append(RunExporter::csvField(f));
    return quoted.join(QLatin1Char(',')) + QLatin1Char('\n');
}
} // namespace

QString RunExporter::csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString escaped = text;
    escaped.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

StoreError RunExporter::writeCsv(const RunData &run, const QString &dir, QStringList *written)
{
    if (!QDir().mkpath(dir))
        return StoreError::make(StoreError::Kind::Io,
                                QStringLiteral("cannot create the directory %1").arg(QDir::toNativeSeparators(dir)));
    const QDir out(dir);

    QString intervals;
    QStringList header{QStringLiteral("interval"),  QStringLiteral("start_s"),        QStringLiteral("end_s"),
                       QStringLiteral("stage"),     QStringLiteral("target_users"),   QStringLiteral("target_rate"),
                       QStringLiteral("in_flight"), QStringLiteral("queued"),         QStringLiteral("started"),
                       QStringLiteral("dropped"),   QStringLiteral("endpoint_index"), QStringLiteral("endpoint"),
                       QStringLiteral("method"),    QStringLiteral("path"),           QStringLiteral("requests"),
                       QStringLiteral("ok"),        QStringLiteral("http_errors")};
    for (int c = 0; c < kErrorClassCount; ++c)
        header.append(errorClassId(ErrorClass(c)));
    header << QStringLiteral("status_counts") << QStringLiteral("bytes_received") << QStringLiteral("p50_ms")
           << QStringLiteral("p90_ms") << QStringLiteral("p95_ms") << QStringLiteral("p99_ms")
           << QStringLiteral("max_ms") << QStringLiteral("mean_ms") << QStringLiteral("uncorrected_p50_ms")
           << QStringLiteral("uncorrected_p95_ms") << QStringLiteral("uncorrected_p99_ms")
           << QStringLiteral("latency_hist_b64") << QStringLiteral("latency_uncorrected_hist_b64");
    intervals += joinRow(header);
    for (const IntervalSnapshot &iv : run.intervals) {
        for (size_t i = 0; i < iv.endpoints.size(); ++i) {
            const EndpointStats &e = iv.endpoints[i];
            const EndpointSpec spec = i < run.plan.endpoints.size() ? run.plan.endpoints[i] : EndpointSpec();
            QStringList row{number(iv.index),
                            number(iv.start_s),
                            number(iv.end_s),
                            number(iv.stage_index),
                            number(iv.target_users),
                            number(iv.target_rate),
                            number(iv.in_flight),
                            number(iv.queued),
                            number(iv.started),
                            number(iv.dropped),
                            number(int(i)),
                            spec.name,
                            spec.method,
                            spec.path,
                            number(e.requests),
                            number(e.ok),
                            number(e.http_errors)};
            for (int c = 0; c < kErrorClassCount; ++c)
                row.append(number(e.transport_errors[size_t(c)]));
            QStringList statuses;
            for (const auto &[status, count] : e.status_counts)
                statuses.append(QStringLiteral("%1:%2").arg(status).arg(count));
            row << statuses.join(QLatin1Char(' ')) << number(e.bytes_received) << number(e.latency.percentile_ms(50))
                << number(e.latency.percentile_ms(90)) << number(e.latency.percentile_ms(95))
                << number(e.latency.percentile_ms(99)) << number(double(e.latency.max_us()) / 1000.0)
                << number(e.latency.mean_us() / 1000.0) << number(e.latency_uncorrected.percentile_ms(50))
                << number(e.latency_uncorrected.percentile_ms(95)) << number(e.latency_uncorrected.percentile_ms(99))
                << QString::fromLatin1(e.latency.serialize().toBase64())
                << QString::fromLatin1(e.latency_uncorrected.serialize().toBase64());
            intervals += joinRow(row);
        }
    }

    QString db =
        joinRow({QStringLiteral("t_s"), QStringLiteral("backends"), QStringLiteral("active"), QStringLiteral("idle"),
                 QStringLiteral("idle_in_transaction"), QStringLiteral("waiting_on_lock"),
                 QStringLiteral("new_backends"), QStringLiteral("longest_transaction_s"),
                 QStringLiteral("max_connections"), QStringLiteral("total_connections"), QStringLiteral("wal_bytes"),
                 QStringLiteral("by_wait_event_type"), QStringLiteral("by_application")});
    for (const DbSample &s : run.db_samples) {
        auto pairs = [](const std::map<QString, int> &m) {
            QStringList l;
            for (const auto &[k, v] : m)
                l.append(QStringLiteral("%1:%2").arg(k).arg(v));
            return l.join(QLatin1Char(' '));
        };
        db += joinRow({number(s.t_s), number(s.backends), number(s.active), number(s.idle),
                       number(s.idle_in_transaction), number(s.waiting_on_lock), number(s.new_backends),
                       number(s.longest_transaction_s), number(s.max_connections), number(s.total_connections),
                       QString::number(s.wal_bytes), pairs(s.by_wait_event_type), pairs(s.by_application)});
    }

    QString pool =
        joinRow({QStringLiteral("t_s"), QStringLiteral("ok"), QStringLiteral("in_use"), QStringLiteral("idle"),
                 QStringLiteral("max"), QStringLiteral("waiting"), QStringLiteral("error")});
    for (const PoolSample &s : run.pool_samples)
        pool += joinRow({number(s.t_s), number(int(s.ok)), number(s.in_use), number(s.idle), number(s.max),
                         number(s.waiting), s.error});

    QString stages =
        joinRow({QStringLiteral("stage"), QStringLiteral("start_s"), QStringLiteral("duration_s"),
                 QStringLiteral("model"), QStringLiteral("from"), QStringLiteral("to"), QStringLiteral("label")});
    for (const StageInfo &s : run.stages)
        stages += joinRow({number(s.index), number(s.start_s), number(s.duration_s),
                           s.open_model ? QStringLiteral("rate") : QStringLiteral("users"), number(s.from),
                           number(s.to), s.label});

    const std::pair<const char *, const QString *> files[] = {
        {"intervals.csv", &intervals}, {"db_samples.csv", &db}, {"pool_samples.csv", &pool}, {"stages.csv", &stages}};
    for (const auto &[name, text] : files) {
        const QString path = out.filePath(QString::fromLatin1(name));
        if (StoreError e = writeFile(path, text->toUtf8()))
            return e;
        if (written)
            written->append(path);
    }
    return {};
}

StoreError RunExporter::writeJson(const RunData &run, const QString &file)
{
    return writeFile(file, QJsonDocument(RunJson::run(run)).toJson(QJsonDocument::Indented));
}

} // namespace Preflight
