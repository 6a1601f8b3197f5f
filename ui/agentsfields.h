#pragma once

#include "distributed/distributedoptions.h"

#include <QGroupBox>

#include <optional>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QSpinBox;
QT_END_NAMESPACE

namespace Preflight {

// The Scenario panel's "Run the load on agents" section: what `preflight run --agents N --listen HOST:PORT
// --agent-cert FILE --agent-key FILE --agent-token-file FILE --agent-wait S` gives the CLI (docs/distributed.md).
// Off (the default): a local run. The checks are DistributedSetup's, the CLI's own, with the fields named by their
// labels. Not part of the plan: the fields are remembered in QSettings ("agents/…"), the token file's path but never
// the token.
class AgentsFields : public QGroupBox
{
    Q_OBJECT
public:
    explicit AgentsFields(QWidget *parent = nullptr);

    // The distributed part of the next run (reads the certificate, key and token files): agents == 0 when the
    // section is off. nullopt when a field is wrong: the note under the fields names the field and the fix, *problem
    // holds the same words, problemField() the field to fix.
    std::optional<DistributedOptions> options(QString *problem);
    QWidget *problemField() const { return m_problemField; }

    void restoreSettings();
    void saveSettings() const;

    QSpinBox *agentsBox() const { return m_agents; }
    QLineEdit *listenEdit() const { return m_listen; }
    QLineEdit *certEdit() const { return m_cert; }
    QLineEdit *keyEdit() const { return m_key; }
    QLineEdit *tokenFileEdit() const { return m_tokenFile; }
    QSpinBox *waitBox() const { return m_wait; }
    QLabel *note() const { return m_note; }

signals:
    void changed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void fold();
    void edited();
    void showProblem(const QString &problem, QWidget *field);

    QSpinBox *m_agents;
    QLineEdit *m_listen;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QLineEdit *m_tokenFile;
    QSpinBox *m_wait;
    QLabel *m_note; // what to fix, after a Start that a field blocked
    QWidget *m_body;
    QWidget *m_problemField = nullptr;
};

} // namespace Preflight
