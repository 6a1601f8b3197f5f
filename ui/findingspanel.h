#pragma once

#include "data/rundata.h"

#include <QScrollArea>

QT_BEGIN_NAMESPACE
class QLabel;
class QVBoxLayout;
QT_END_NAMESPACE

namespace Preflight {

// The findings of a finished run as cards, most severe first, under the verdict and the gate checks.
class FindingsPanel : public QScrollArea
{
    Q_OBJECT
public:
    explicit FindingsPanel(QWidget *parent = nullptr);

    void setRun(const RunData &run);
    void clear(const QString &placeholder = {});
    int cardCount() const;
    // Activates the card of this finding as a click would; false when there is none.
    bool activateFinding(const QString &id);

signals:
    void findingActivated(const Preflight::Finding &finding);

private:
    void clearContent();

    QWidget *m_content;
    QVBoxLayout *m_layout;
    QLabel *m_header;
    std::vector<Finding> m_findings;
};

} // namespace Preflight
