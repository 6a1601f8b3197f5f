#include "junit.h"

#include <QXmlStreamWriter>

namespace Preflight {

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

} // namespace

QByteArray toJUnit(const Diagnosis &d, const RunInfo &info)
{
    std::vector<const Finding *> serious;
    for (const Finding &f : d.findings)
        if (f.severity == Severity::Critical || f.severity == Severity::High)
            serious.push_back(&f);
    int gateFailures = 0, gateSkipped = 0;
    for (const GateCheck &c : d.gates) {
        gateFailures += c.measured && !c.pass;
        gateSkipped += !c.measured;
    }

    QByteArray out;
    QXmlStreamWriter w(&out);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("testsuites"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("preflight"));
    w.writeAttribute(QStringLiteral("tests"), QString::number(d.gates.size() + serious.size()));
    w.writeAttribute(QStringLiteral("failures"), QString::number(gateFailures + int(serious.size())));
    w.writeAttribute(QStringLiteral("time"), number(info.duration_s));

    auto properties = [&]() {
        w.writeStartElement(QStringLiteral("properties"));
        auto prop = [&](const QString &name, const QString &value) {
            w.writeStartElement(QStringLiteral("property"));
            w.writeAttribute(QStringLiteral("name"), name);
            w.writeAttribute(QStringLiteral("value"), value);
            w.writeEndElement();
        };
        prop(QStringLiteral("run"), info.name);
        prop(QStringLiteral("target"), info.target);
        prop(QStringLiteral("status"), runStatusId(info.status));
        prop(QStringLiteral("verdict"), d.verdict);
        prop(QStringLiteral("gates"), d.gate_preset);
        w.writeEndElement();
    };

    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("preflight.gates"));
    w.writeAttribute(QStringLiteral("tests"), QString::number(d.gates.size()));
    w.writeAttribute(QStringLiteral("failures"), QString::number(gateFailures));
    w.writeAttribute(QStringLiteral("skipped"), QString::number(gateSkipped));
    w.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
    if (info.started_at.isValid())
        w.writeAttribute(QStringLiteral("timestamp"), info.started_at.toString(Qt::ISODate));
    properties();
    for (const GateCheck &c : d.gates) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), QStringLiteral("preflight.gates"));
        w.writeAttribute(QStringLiteral("name"), c.id);
        const QString detail =
            QStringLiteral("%1: measured %2%3 (threshold %4)%5")
                .arg(c.label, number(c.value), c.unit.isEmpty() ? QString() : QLatin1Char(' ') + c.unit,
                     number(c.threshold), c.note.isEmpty() ? QString() : QStringLiteral(", ") + c.note);
        if (!c.measured) {
            w.writeStartElement(QStringLiteral("skipped"));
            w.writeAttribute(QStringLiteral("message"), QStringLiteral("%1: not measured (%2)").arg(c.label, c.note));
            w.writeEndElement();
        } else if (!c.pass) {
            w.writeStartElement(QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("message"), detail);
            w.writeAttribute(QStringLiteral("type"), QStringLiteral("gate"));
            w.writeCharacters(detail);
            w.writeEndElement();
        } else {
            w.writeTextElement(QStringLiteral("system-out"), detail);
        }
        w.writeEndElement();
    }
    w.writeEndElement();

    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("preflight.findings"));
    w.writeAttribute(QStringLiteral("tests"), QString::number(serious.size()));
    w.writeAttribute(QStringLiteral("failures"), QString::number(serious.size()));
    w.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
    for (const Finding *f : serious) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), QStringLiteral("preflight.findings"));
        w.writeAttribute(QStringLiteral("name"),
                         f->endpoint.isEmpty() ? f->id : f->id + QStringLiteral(" ") + f->endpoint);
        w.writeStartElement(QStringLiteral("failure"));
        w.writeAttribute(QStringLiteral("message"), QStringLiteral("[%1] %2").arg(severityId(f->severity), f->title));
        w.writeAttribute(QStringLiteral("type"), f->id);
        QString body = f->summary + QStringLiteral("\n\nEvidence:\n");
        for (const Evidence &e : f->evidence)
            body += QStringLiteral("  %1 = %2 %3 %4\n").arg(e.metric, number(e.value), e.unit, e.note);
        body += QStringLiteral("\nRecommendation: ") + f->recommendation + QStringLiteral("\nConfidence: ") +
                number(f->confidence) + QLatin1Char('\n');
        w.writeCharacters(body);
        w.writeEndElement();
        w.writeEndElement();
    }
    w.writeEndElement();

    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

} // namespace Preflight
