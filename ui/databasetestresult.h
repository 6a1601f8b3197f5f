#pragma once

#include "data/rundata.h"
#include "db/dberror.h"

#include <QFrame>
#include <QString>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

// The answer of the Target panel's database "Test" button, shown inline under the conninfo field:
//  - ok: one green line (PostgreSQL version, max_connections, pg_stat_statements; SQLite journal mode and
//    sizes);
//  - warnings: one line each (pg_stat_statements missing / not preloaded / insufficient privilege, rollback
//    journal) with the exact remediation lines in a selectable, copyable box (Preflight never runs them);
//  - errors: the connection failure in PgConnection's words (wrong password, refused, unknown host…) and the
//    fix.
// run() is the blocking check (call it off the GUI thread); the widget itself is GUI-thread only.
class DatabaseTestResult : public QFrame
{
    Q_OBJECT
public:
    enum class State { Empty, Testing, Ok, Warning, Error };

    struct Outcome
    {
        DbError error; // not ok(): nothing else is meaningful
        DbCapabilities capabilities;
        qint64 wal_bytes = -1; // SQLite: size of the -wal file
        int tables = -1;       // SQLite: user tables
    };

    explicit DatabaseTestResult(QWidget *parent = nullptr);

    // Connects with the conninfo (placeholders resolved by PgConnection), checks capabilities, disconnects.
    // Blocking: at most the connect timeout plus a few short read-only statements.
    static Outcome run(const QString &conninfo);

    void showTesting();
    void showOutcome(const Outcome &outcome);
    // An error that happened before the check could run (e.g. a password that was not given).
    void showError(const QString &message, const QString &fix);
    void clear();

    State state() const { return m_state; }
    QString summaryText() const;     // the first (status) line
    QString detailsText() const;     // warnings / fix lines under it
    QString remediationText() const; // the copyable box

private:
    void setState(State state);
    void copyRemediation();

    State m_state = State::Empty;
    QLabel *m_summary;
    QLabel *m_details;
    QPlainTextEdit *m_remediation;
    QToolButton *m_copy;
};

} // namespace Preflight
