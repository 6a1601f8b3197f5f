#pragma once

#include "plan/plan.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLineEdit;
QT_END_NAMESPACE

namespace Preflight {

// The target's transport fields the GUI edits: the CA file to trust (target.tls.ca_file, with a file picker)
// and the HTTP version (target.http_version; "libcurl's default" leaves it out). Emits changed() on user edits
// only, not on setTarget().
class TransportFields : public QWidget
{
    Q_OBJECT
public:
    explicit TransportFields(QWidget *parent = nullptr);

    void setTarget(const TargetSpec &target);
    // Writes ca_file and http_version into *target; other fields are left alone.
    void applyTo(TargetSpec *target) const;

Q_SIGNALS:
    void changed();

private:
    QLineEdit *m_caFile;
    QComboBox *m_httpVersion;
};

} // namespace Preflight
