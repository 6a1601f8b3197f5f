#pragma once

#include "data/intervalsnapshot.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace Preflight {

// The run status in the status bar: phase · elapsed · requests · req/s · errors.
class StatusLine : public QWidget
{
    Q_OBJECT
public:
    explicit StatusLine(QWidget *parent = nullptr);

    void reset();
    void setPhase(const QString &phase);
    void addSnapshot(const IntervalSnapshotPtr &snapshot);
    QString text() const; // the whole line, for tests and the accessible description

private:
    void refresh();

    QLabel *m_phase;
    QLabel *m_elapsed;
    QLabel *m_requests;
    QLabel *m_rpsLabel;
    QLabel *m_errors;
    double m_elapsed_s = 0;
    uint64_t m_totalRequests = 0;
    uint64_t m_totalErrors = 0;
    double m_rps = 0;
};

} // namespace Preflight
