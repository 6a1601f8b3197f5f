#include "statusline.h"

#include "data/format.h"

#include <QHBoxLayout>
#include <QLabel>

namespace Preflight {

StatusLine::StatusLine(QWidget *parent)
    : QWidget(parent), m_phase(new QLabel), m_elapsed(new QLabel), m_requests(new QLabel), m_rpsLabel(new QLabel),
      m_errors(new QLabel)
{
    setObjectName(QStringLiteral("statusLine"));
    setAccessibleName(tr("Run status"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(16);
    m_phase->setObjectName(QStringLiteral("statusPhase"));
    QFont bold = m_phase->font();
    bold.setBold(true);
    m_phase->setFont(bold);
    for (QLabel *label : {m_phase, m_elapsed, m_requests, m_rpsLabel, m_errors})
        layout->addWidget(label);
    reset();
}

void StatusLine::reset()
{
    m_elapsed_s = 0;
    m_totalRequests = 0;
    m_totalErrors = 0;
    m_rps = 0;
    m_phase->setText(tr("idle"));
    refresh();
}

void StatusLine::setPhase(const QString &phase)
{
    m_phase->setText(phase);
    setAccessibleDescription(text());
}

void StatusLine::addSnapshot(const IntervalSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    const EndpointStats total = snapshot->total();
    m_elapsed_s = snapshot->end_s;
    m_totalRequests += total.requests;
    m_totalErrors += total.errors();
    m_rps = snapshot->duration_s() > 0 ? double(total.requests) / snapshot->duration_s() : 0;
    refresh();
}

void StatusLine::refresh()
{
    m_elapsed->setText(tr("elapsed %1").arg(Format::clock(m_elapsed_s)));
    m_requests->setText(tr("%1 requests").arg(Format::count(m_totalRequests)));
    m_rpsLabel->setText(Format::perSecond(m_rps));
    m_errors->setText(tr("%1 errors (%2)")
                          .arg(Format::count(m_totalErrors))
                          .arg(Format::percent(m_totalRequests ? double(m_totalErrors) / double(m_totalRequests) : 0)));
    setAccessibleDescription(text());
}

QString StatusLine::text() const
{
    return QStringList{m_phase->text(), m_elapsed->text(), m_requests->text(), m_rpsLabel->text(), m_errors->text()}
        .join(QStringLiteral(" · "));
}

} // namespace Preflight
