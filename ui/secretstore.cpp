#include "secretstore.h"

#include "passworddialog.h"
#include "plan/secretresolver.h"

#include <qt6keychain/keychain.h>

#include <QWidget>

namespace Preflight {

namespace {

bool meansNoKeychain(QKeychain::Error error)
{
    // EntryNotFound is a working keychain without this entry; AccessDeniedByUser is the user's choice for this
    // entry. Everything else means the keychain cannot be used in this session.
    return error != QKeychain::NoError && error != QKeychain::EntryNotFound && error != QKeychain::AccessDeniedByUser;
}

} // namespace

SecretStore::SecretStore(QObject *parent) : QObject(parent) {}

SecretStore::~SecretStore() = default;

QStringList SecretStore::missingFromSession(const QStringList &names)
{
    QStringList out;
    for (const QString &name : names)
        if (!SecretResolver::hasSessionSecret(name))
            out << name;
    return out;
}

void SecretStore::setAvailability(Availability availability, const QString &reason)
{
    if (availability == m_availability && reason == m_reason)
        return;
    m_availability = availability;
    m_reason = reason;
    emit availabilityChanged(availability);
}

void SecretStore::store(const QString &name, const QString &value)
{
    SecretResolver::setSessionSecret(name, value);
    auto *job = new QKeychain::WritePasswordJob(service(), this);
    job->setInsecureFallback(false); // never plaintext
    job->setKey(name);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, this, [this, name](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError) {
            setAvailability(Availability::Available, {});
            emit stored(name, true, {});
            return;
        }
        if (meansNoKeychain(j->error()))
            setAvailability(Availability::Unavailable, j->errorString());
        emit stored(name, false,
                    tr("The OS keychain is unavailable (%1): the password is kept in memory for this session only "
                       "and asked for again after a restart.")
                        .arg(j->errorString()));
    });
    job->start();
}

void SecretStore::ensureSession(const QStringList &names, QWidget *dialogParent, Done done)
{
    const QStringList missing = missingFromSession(names);
    if (missing.isEmpty()) {
        done(true, {});
        return;
    }
    if (m_busy) {
        done(false, tr("Still reading passwords from the keychain; try again in a moment."));
        return;
    }
    m_busy = true;
    m_pending = missing;
    m_dialogParent = dialogParent;
    m_done = std::move(done);
    next();
}

void SecretStore::next()
{
    // A name given twice, or stored meanwhile (Set password…), is in the session table by now: not asked again.
    while (!m_pending.isEmpty() && SecretResolver::hasSessionSecret(m_pending.first()))
        m_pending.removeFirst();
    if (m_pending.isEmpty())
        return finish(true, {});
    const QString name = m_pending.first();
    if (m_availability == Availability::Unavailable) {
        return ask(name, tr("The OS keychain is unavailable (%1). Enter the password for ${keychain:%2}; it is kept "
                            "in memory for this session only.")
                             .arg(m_reason, name));
    }
    auto *job = new QKeychain::ReadPasswordJob(service(), this);
    job->setInsecureFallback(false);
    job->setKey(name);
    connect(job, &QKeychain::Job::finished, this, [this, name](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (read->error() == QKeychain::NoError) {
            setAvailability(Availability::Available, {});
            SecretResolver::setSessionSecret(name, read->textData());
            m_pending.removeFirst();
            return next();
        }
        if (meansNoKeychain(read->error())) {
            setAvailability(Availability::Unavailable, read->errorString());
            return next(); // asks, now that the keychain is known to be unavailable
        }
        ask(name, tr("The OS keychain has no password for ${keychain:%1}. Enter it; it is stored in the keychain "
                     "for next time.")
                      .arg(name));
    });
    job->start();
}

void SecretStore::ask(const QString &name, const QString &why)
{
    auto *dialog = new PasswordDialog(m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRequest(why, name, false);
    connect(dialog, &QDialog::accepted, this, [this, dialog, name] {
        const QString value = dialog->password();
        if (m_availability == Availability::Available)
            store(name, value);
        else
            SecretResolver::setSessionSecret(name, value);
        m_pending.removeFirst();
        next();
    });
    connect(dialog, &QDialog::rejected, this, [this, name] {
        finish(false, tr("No password was given for ${keychain:%1}; nothing was started.").arg(name));
    });
    dialog->open();
}

void SecretStore::finish(bool ok, const QString &message)
{
    m_busy = false;
    m_pending.clear();
    Done done = std::move(m_done);
    m_done = nullptr;
    if (done)
        done(ok, message);
}

} // namespace Preflight
