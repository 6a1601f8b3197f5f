#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace Preflight {

// The GUI's bridge between `${keychain:NAME}` placeholders and the OS keychain (QtKeychain: Secret Service on
// Linux, Keychain on macOS, Credential Store on Windows), service "Preflight", key NAME.
//
// - store(): writes a password to the keychain and, in any case, to SecretResolver's in-memory session table.
// - ensureSession(): before a run or a database test, reads every NAME not yet in the session table from the
//   keychain (asynchronously); a name the keychain does not hold, or every name when no keychain is available
//   (no Secret Service on D-Bus), is asked for once with a PasswordDialog and kept only in memory.
// Never a plaintext fallback: nothing goes to QSettings, the plan, the store or a log.
// GUI thread only. At most one ensureSession() at a time (isBusy()).
class SecretStore : public QObject
{
    Q_OBJECT
public:
    enum class Availability { Unknown, Available, Unavailable };
    using Done = std::function<void(bool ok, const QString &message)>;

    static QString service() { return QStringLiteral("Preflight"); }

    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    Availability availability() const { return m_availability; }
    // Why the keychain cannot be used (QtKeychain's words), when availability() is Unavailable.
    QString unavailableReason() const { return m_reason; }
    bool isBusy() const { return m_busy; }

    // Names among `names` that are not in the session table yet.
    static QStringList missingFromSession(const QStringList &names);

    // Puts value into the session table at once, then writes it to the keychain; emits stored() when the
    // keychain answered (inKeychain false: kept in memory only, `message` says why).
    void store(const QString &name, const QString &value);
    // Calls done(true, {}) once every name is in the session table, or done(false, what was not given) when the
    // user cancelled a password dialog. dialogParent owns the dialogs. Runs `done` synchronously when nothing is
    // missing.
    void ensureSession(const QStringList &names, QWidget *dialogParent, Done done);

signals:
    void stored(const QString &name, bool inKeychain, const QString &message);
    void availabilityChanged(Preflight::SecretStore::Availability availability);

private:
    void next();
    void ask(const QString &name, const QString &why);
    void finish(bool ok, const QString &message);
    void setAvailability(Availability availability, const QString &reason);

    Availability m_availability = Availability::Unknown;
    QString m_reason;
    bool m_busy = false;
    QStringList m_pending;
    QPointer<QWidget> m_dialogParent;
    Done m_done;
};

} // namespace Preflight
