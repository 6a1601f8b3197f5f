#include "gatechips.h"

#include "chartcolors.h"
#include "data/format.h"
#include "flowlayout.h"

#include <QLabel>

namespace Preflight {

GateChips::GateChips(QWidget *parent) : QWidget(parent), m_layout(new FlowLayout(this)), m_heading(new QLabel)
{
    setObjectName(QStringLiteral("gateChips"));
    setAccessibleName(tr("Gate status"));
    m_layout->setContentsMargins(2, 0, 2, 0);
    m_heading->setObjectName(QStringLiteral("gateHeading"));
    m_layout->addWidget(m_heading);
    clear();
}

void GateChips::clear()
{
    for (QLabel *chip : m_chips)
        delete chip;
    m_chips.clear();
    m_failing = 0;
    m_heading->setText(tr("Gates: evaluated while the run goes"));
}

void GateChips::setChecks(const std::vector<GateCheck> &checks, const QString &heading)
{
    // Re-use labels: at 1 Hz during a run, rebuilding widgets would relayout the whole dashboard.
    while (m_chips.size() > checks.size()) {
        delete m_chips.back();
        m_chips.pop_back();
    }
    while (m_chips.size() < checks.size()) {
        auto *chip = new QLabel;
        chip->setObjectName(QStringLiteral("gateChip"));
        chip->setMargin(1);
        chip->setAutoFillBackground(false);
        m_layout->insertWidget(m_layout->count(), chip);
        m_chips.push_back(chip);
    }
    m_failing = 0;
    for (size_t i = 0; i < checks.size(); ++i) {
        const GateCheck &g = checks[i];
        QColor colour = g.measured ? (g.pass ? ChartColors::p50() : ChartColors::p99()) : ChartColors::otherError();
        if (g.measured && !g.pass)
            ++m_failing;
        const QString mark = !g.measured ? QStringLiteral("–") : g.pass ? QStringLiteral("✓") : QStringLiteral("✗");
        QString value;
        if (g.measured) {
            if (g.unit == QLatin1String("ratio"))
                value = Format::percent(g.value);
            else if (g.unit == QLatin1String("ms"))
                value = Format::milliseconds(g.value);
            else
                value = QString::number(g.value, 'g', 4);
        }
        QLabel *chip = m_chips[i];
        chip->setText(value.isEmpty() ? QStringLiteral("%1 %2").arg(mark, g.label)
                                      : QStringLiteral("%1 %2: %3").arg(mark, g.label, value));
        chip->setToolTip(g.note);
        chip->setStyleSheet(
            QStringLiteral("QLabel { border: 1px solid %1; border-radius: 8px; color: %1; padding: 1px 6px; }")
                .arg(colour.name()));
        chip->setAccessibleName(chip->text());
    }
    m_heading->setText(heading);
}

QString GateChips::chipText(int i) const
{
    return i >= 0 && i < int(m_chips.size()) ? m_chips[size_t(i)]->text() : QString();
}

} // namespace Preflight
