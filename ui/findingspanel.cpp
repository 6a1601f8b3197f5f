#include "findingspanel.h"

#include "data/format.h"
#include "findingcard.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace Preflight {

FindingsPanel::FindingsPanel(QWidget *parent)
    : QScrollArea(parent), m_content(new QWidget), m_layout(new QVBoxLayout(m_content)), m_header(new QLabel)
{
    setObjectName(QStringLiteral("findingsPanel"));
    setAccessibleName(tr("Findings"));
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    m_layout->addWidget(m_header);
    m_layout->addStretch();
    setWidget(m_content);
    clear();
}

int FindingsPanel::cardCount() const
{
    return int(m_content->findChildren<FindingCard *>().size());
}

void FindingsPanel::clearContent()
{
    const QList<FindingCard *> cards = m_content->findChildren<FindingCard *>();
    for (FindingCard *card : cards)
        delete card;
}

void FindingsPanel::clear(const QString &placeholder)
{
    clearContent();
    m_findings.clear();
    m_header->setText(placeholder.isEmpty() ? tr("Findings appear here when a run finishes.") : placeholder);
}

void FindingsPanel::setRun(const RunData &run)
{
    clearContent();
    QString header;
    if (!run.verdict.isEmpty()) // the verdict and its reason as the diagnosis stored them
        header += QStringLiteral("<p><b>%1</b> %2%3</p>")
                      .arg(tr("Verdict:"), run.verdict.toHtmlEscaped(),
                           run.verdict_reason.isEmpty() ? QString()
                                                        : QStringLiteral(" — ") + run.verdict_reason.toHtmlEscaped());
    if (!run.gates.empty()) {
        QStringList chips;
        for (const GateCheck &g : run.gates) {
            const QString colour = !g.measured ? QStringLiteral("#7f8c8d")
                                   : g.pass    ? QStringLiteral("#2e9e5b")
                                               : QStringLiteral("#c0392b");
            const QString mark = !g.measured ? QStringLiteral("?") : g.pass ? QStringLiteral("✓") : QStringLiteral("✗");
            chips << QStringLiteral("<span style=\"color:%1\">%2 %3</span>").arg(colour, mark, g.label.toHtmlEscaped());
        }
        header += QStringLiteral("<p>") + chips.join(QStringLiteral(" &nbsp; ")) + QStringLiteral("</p>");
    }
    const EndpointStats total = run.total();
    header += QStringLiteral("<p>%1</p>")
                  .arg(tr("%1 · %2 requests in %3 · errors %4 · P95 %5")
                           .arg(runStatusId(run.info.status), Format::count(total.requests),
                                Format::clock(run.info.duration_s), Format::percent(total.errorRate()),
                                total.latency.isEmpty() ? Format::milliseconds(-1)
                                                        : Format::milliseconds(total.latency.percentile_ms(95))));
    for (const QString &warning : run.warnings)
        header += QStringLiteral("<p>⚠ %1</p>").arg(warning.toHtmlEscaped());
    for (const QString &note : run.diagnosis_notes) // what the diagnosis could not check
        header += QStringLiteral("<p>ℹ %1</p>").arg(note.toHtmlEscaped());
    if (run.findings.empty())
        header +=
            QStringLiteral("<p>%1</p>").arg(run.verdict.isEmpty() ? tr("Diagnosing…") : tr("No findings in this run."));
    m_header->setText(header);

    std::vector<Finding> findings = run.findings;
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding &a, const Finding &b) { return int(a.severity) < int(b.severity); });
    int position = 1; // after the header
    for (const Finding &f : findings) {
        auto *card = new FindingCard(f, m_content);
        connect(card, &FindingCard::activated, this, &FindingsPanel::activateFinding);
        m_layout->insertWidget(position++, card);
    }
    m_findings = std::move(findings);
}

bool FindingsPanel::activateFinding(const QString &id)
{
    const QList<FindingCard *> cards = m_content->findChildren<FindingCard *>();
    for (FindingCard *card : cards)
        card->setSelected(card->findingId() == id);
    for (const Finding &f : m_findings) {
        if (f.id == id) {
            emit findingActivated(f);
            return true;
        }
    }
    return false;
}

} // namespace Preflight
