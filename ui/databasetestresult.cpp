#include "databasetestresult.h"

#include "db/sqliteinspector.h"
#include "run/databasesession.h"
#include "uiwiring.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace Preflight {

namespace {

QString bytes(qint64 n)
{
    if (n < 0)
        return QStringLiteral("–");
    return QLocale::c().formattedDataSize(n, 1, QLocale::DataSizeTraditionalFormat);
}

QString pgVersion(const QString &serverVersion)
{
    // server_version is "15.4 (Debian 15.4-1.pgdg120+1)": the first word is what users recognise.
    return serverVersion.section(QLatin1Char(' '), 0, 0);
}

} // namespace

DatabaseTestResult::DatabaseTestResult(QWidget *parent)
    : QFrame(parent), m_summary(new QLabel), m_details(new QLabel), m_remediation(new QPlainTextEdit),
      m_copy(new QToolButton)
{
    setObjectName(QStringLiteral("databaseTestResult"));
    setFrameShape(QFrame::StyledPanel);
    m_summary->setObjectName(QStringLiteral("databaseTestSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setObjectName(QStringLiteral("databaseTestDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_remediation->setObjectName(QStringLiteral("databaseTestRemediation"));
    m_remediation->setReadOnly(true);
    m_remediation->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_remediation->setMaximumHeight(80);
    m_remediation->setLineWrapMode(QPlainTextEdit::NoWrap);
    UiWiring::name(m_remediation, tr("Remediation"),
                   tr("Lines to run as a database administrator; Preflight never runs them"));
    m_copy->setText(tr("Copy"));
    m_copy->setObjectName(QStringLiteral("copyRemediation"));
    UiWiring::name(m_copy, tr("Copy remediation"), tr("Copy the remediation lines to the clipboard"));
    connect(m_copy, &QToolButton::clicked, this, &DatabaseTestResult::copyRemediation);

    auto *fixRow = new QHBoxLayout;
    fixRow->setContentsMargins(0, 0, 0, 0);
    fixRow->addWidget(m_remediation, 1);
    fixRow->addWidget(m_copy, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_details);
    layout->addLayout(fixRow);
    clear();
}

DatabaseTestResult::Outcome DatabaseTestResult::run(const QString &conninfo)
{
    Outcome out;
    DatabaseSpec spec;
    spec.conninfo = conninfo;
    DatabaseSession session(spec);
    out.error = session.open(&out.capabilities);
    if (out.error.ok() && spec.isSqlite()) {
        // Sizes the capability check does not give: the -wal file and the number of tables.
        SqliteInspector inspector;
        if (inspector.open(conninfo).ok()) {
            out.wal_bytes = inspector.sample(0).wal_bytes;
            out.tables = int(inspector.tables().size());
        }
    }
    return out;
}

void DatabaseTestResult::setState(State state)
{
    m_state = state;
    const QColor colour = state == State::Ok        ? QColor(0x2e, 0x8b, 0x3e)
                          : state == State::Warning ? QColor(0xc0, 0x6a, 0x00)
                          : state == State::Error   ? QColor(0xc6, 0x28, 0x28)
                                                    : palette().color(QPalette::WindowText);
    m_summary->setStyleSheet(state == State::Testing || state == State::Empty
                                 ? QString()
                                 : QStringLiteral("color: %1; font-weight: bold;").arg(colour.name()));
    setVisible(state != State::Empty);
}

void DatabaseTestResult::clear()
{
    m_summary->clear();
    m_details->clear();
    m_details->hide();
    m_remediation->clear();
    m_remediation->hide();
    m_copy->hide();
    setState(State::Empty);
}

void DatabaseTestResult::showTesting()
{
    clear();
    m_summary->setText(tr("Testing the database connection…"));
    setState(State::Testing);
}

void DatabaseTestResult::showError(const QString &message, const QString &fix)
{
    clear();
    m_summary->setText(message);
    m_details->setText(fix);
    m_details->setVisible(!fix.isEmpty());
    setState(State::Error);
}

void DatabaseTestResult::showOutcome(const Outcome &outcome)
{
    if (!outcome.error.ok()) {
        QString fix;
        switch (outcome.error.kind) {
        case DbError::Kind::Auth:
            fix = tr("To keep the password out of the plan, press Set password…: it goes to the OS keychain and "
                     "the conninfo reads password=${keychain:NAME}. A ~/.pgpass line or ${env:NAME} work too.");
            break;
        case DbError::Kind::Unreachable:
            fix = tr("Check host= and port= in the conninfo, and that the server listens there.");
            break;
        case DbError::Kind::Config:
            fix = tr("Correct the conninfo: key=value pairs, a postgresql:// URI, service=NAME, or sqlite:PATH.");
            break;
        default:
            break;
        }
        showError(outcome.error.message, fix);
        return;
    }
    clear();
    const DbCapabilities &c = outcome.capabilities;
    QString summary;
    if (c.kind == QLatin1String("sqlite")) {
        summary = tr("SQLite %1 · %2 journal · %3 file · WAL %4 · %5 tables · page size %6")
                      .arg(c.server_version, c.journal_mode.isEmpty() ? tr("unknown") : c.journal_mode.toUpper(),
                           bytes(c.file_bytes), bytes(outcome.wal_bytes < 0 ? 0 : outcome.wal_bytes),
                           outcome.tables < 0 ? QStringLiteral("–") : QString::number(outcome.tables),
                           c.page_size < 0 ? QStringLiteral("–") : QString::number(c.page_size));
    } else {
        summary = tr("Connected: PostgreSQL %1 · max_connections %2 · pg_stat_statements %3")
                      .arg(pgVersion(c.server_version),
                           c.max_connections < 0 ? QStringLiteral("–") : QString::number(c.max_connections),
                           c.pg_stat_statements);
    }
    m_summary->setText(summary);
    if (!c.warnings.isEmpty()) {
        m_details->setText(c.warnings.join(QLatin1Char('\n')));
        m_details->show();
    }
    if (!c.remediation.isEmpty()) {
        m_remediation->setPlainText(c.remediation.join(QLatin1Char('\n')));
        m_remediation->show();
        m_copy->show();
    }
    setState(c.warnings.isEmpty() ? State::Ok : State::Warning);
}

QString DatabaseTestResult::summaryText() const
{
    return m_summary->text();
}

QString DatabaseTestResult::detailsText() const
{
    return m_details->text();
}

QString DatabaseTestResult::remediationText() const
{
    return m_remediation->toPlainText();
}

void DatabaseTestResult::copyRemediation()
{
    QApplication::clipboard()->setText(m_remediation->toPlainText());
}

} // namespace Preflight
