// `${keychain:NAME}` passwords in the GUI without an OS keychain (no Secret Service on D-Bus, as on a headless
// machine): every missing name is asked for once with a PasswordDialog and kept in the session table only, a
// cancelled dialog says which password was not given, and nothing is ever written in plaintext (QSettings, files).
#include "passworddialog.h"
#include "plan/secretresolver.h"
#include "secretstore.h"
#include "uiwiring.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Preflight;

namespace {

constexpr int kTimeout_ms = 15000;
const QString kSecret = QStringLiteral("tst-secretstore-CANARY-51c9");

// No keychain for this process, whatever the machine has: a session bus address where nothing listens. Set before
// QApplication (and QtKeychain) start.
void noSessionBus()
{
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/preflight-tst-secretstore");
}
Q_CONSTRUCTOR_FUNCTION(noSessionBus)

QList<PasswordDialog *> openDialogs(QWidget *parent)
{
    QList<PasswordDialog *> out;
    for (PasswordDialog *d : parent->findChildren<PasswordDialog *>())
        if (d->isVisible())
            out << d;
    return out;
}

void answer(PasswordDialog *dialog, const QString &password)
{
    auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("secretValue"));
    QTest::keyClicks(edit, password);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("passwordOk")), Qt::LeftButton);
}

// Every file under the test-mode settings and data locations that holds `text`.
QStringList filesContaining(const QString &text)
{
    QStringList hits;
    for (auto location : {QStandardPaths::GenericConfigLocation, QStandardPaths::AppConfigLocation,
                          QStandardPaths::AppDataLocation, QStandardPaths::GenericDataLocation}) {
        QDirIterator it(QStandardPaths::writableLocation(location), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(text.toUtf8()))
                hits << f.fileName();
        }
    }
    return hits;
}

struct DoneSpy
{
    int calls = 0;
    bool ok = false;
    QString message;
    SecretStore::Done callback()
    {
        return [this](bool o, const QString &m) {
            ++calls;
            ok = o;
            message = m;
        };
    }
};

} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_secretstore"));
        QSettings().clear();
    }
    void init() { SecretResolver::clearSessionSecrets(); }
    void cleanupTestCase() { SecretResolver::clearSessionSecrets(); }

    void validNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("upper") << QStringLiteral("DB_PASSWORD") << true;
        QTest::newRow("leading underscore, digits") << QStringLiteral("_pw2") << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("leading digit") << QStringLiteral("1PW") << false;
        QTest::newRow("dash") << QStringLiteral("DB-PW") << false;
        QTest::newRow("brace") << QStringLiteral("PW}") << false;
    }
    void validNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(PasswordDialog::isValidName(name), valid);
        // What ${keychain:NAME} accepts is what the dialog accepts.
        QCOMPARE(SecretResolver::keychainNames(QStringLiteral("${keychain:%1}").arg(name)) == QStringList{name}, valid);
        PasswordDialog dialog;
        dialog.setRequest(QStringLiteral("why"), name, true);
        QCOMPARE(dialog.findChild<QPushButton *>(QStringLiteral("passwordOk"))->isEnabled(), valid);
    }

    void dialogHidesAndForgetsThePassword()
    {
        QWidget parent;
        auto *dialog = new PasswordDialog(&parent);
        dialog->setRequest(QStringLiteral("The database password goes to the OS keychain."), QStringLiteral("DB_PW"),
                           false);
        auto *value = dialog->findChild<QLineEdit *>(QStringLiteral("secretValue"));
        QCOMPARE(value->echoMode(), QLineEdit::Password);
        QCOMPARE(UiWiring::unnamedControls(dialog), QList<QWidget *>());
        QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("secretName"))->isReadOnly());
        QCOMPARE(dialog->findChild<QLabel *>(QStringLiteral("passwordReason"))->text(),
                 QStringLiteral("The database password goes to the OS keychain."));
        QString handed;
        connect(dialog, &QDialog::accepted, this, [&] { handed = dialog->password(); });
        dialog->open();
        answer(dialog, kSecret);
        QCOMPARE(handed, kSecret);
        QCOMPARE(dialog->name(), QStringLiteral("DB_PW"));
        QCOMPARE(dialog->password(), QString()); // cleared once the handlers have read it
    }

    void namesAlreadyInTheSessionNeedNothing()
    {
        SecretResolver::setSessionSecret(QStringLiteral("A"), QStringLiteral("a-secret"));
        QWidget parent;
        SecretStore store;
        DoneSpy done;
        store.ensureSession({QStringLiteral("A")}, &parent, done.callback());
        QCOMPARE(done.calls, 1); // synchronously
        QVERIFY(done.ok);
        QVERIFY(!store.isBusy());
        QVERIFY(openDialogs(&parent).isEmpty());
        QCOMPARE(SecretStore::missingFromSession({QStringLiteral("A"), QStringLiteral("B")}),
                 QStringList{QStringLiteral("B")});
    }

    void withoutAKeychainEachNameIsAskedOnceAndKeptInMemory()
    {
        QWidget parent;
        parent.show();
        SecretStore store;
        QSignalSpy availability(&store, &SecretStore::availabilityChanged);
        DoneSpy done;
        // The same name twice (two fields use it) and a second one.
        store.ensureSession({QStringLiteral("DB_PW"), QStringLiteral("DB_PW"), QStringLiteral("LOGIN_PW")}, &parent,
                            done.callback());
        QVERIFY(store.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(openDialogs(&parent).size(), 1, kTimeout_ms);
        QCOMPARE(store.availability(), SecretStore::Availability::Unavailable);
        QVERIFY(!store.unavailableReason().isEmpty());
        QCOMPARE(availability.count(), 1);
        PasswordDialog *first = openDialogs(&parent).first();
        QCOMPARE(first->name(), QStringLiteral("DB_PW"));
        const QString why = first->findChild<QLabel *>(QStringLiteral("passwordReason"))->text();
        QVERIFY2(why.contains(QLatin1String("unavailable")) &&
                     why.contains(QLatin1String("memory for this session only")),
                 qPrintable(why));
        // Only one request at a time.
        DoneSpy second;
        store.ensureSession({QStringLiteral("OTHER")}, &parent, second.callback());
        QCOMPARE(second.calls, 1);
        QVERIFY(!second.ok);
        answer(first, kSecret); // closes it (deleted later): `first` is not used again
        QCOMPARE(done.calls, 0);
        QTRY_COMPARE_WITH_TIMEOUT(openDialogs(&parent).size(), 1, kTimeout_ms);
        PasswordDialog *next = openDialogs(&parent).first();
        QCOMPARE(next->name(), QStringLiteral("LOGIN_PW")); // DB_PW is not asked again
        answer(next, QStringLiteral("login-secret"));
        QTRY_COMPARE_WITH_TIMEOUT(done.calls, 1, kTimeout_ms);
        QVERIFY(done.ok);
        QVERIFY(!store.isBusy());
        QCOMPARE(SecretResolver::resolve(QStringLiteral("${keychain:DB_PW}/${keychain:LOGIN_PW}")),
                 kSecret + QStringLiteral("/login-secret"));
        // Never a plaintext fallback.
        QCOMPARE(QSettings().allKeys(), QStringList());
        QCOMPARE(filesContaining(kSecret), QStringList());
    }

    void aCancelledDialogSaysWhichPasswordIsMissing()
    {
        QWidget parent;
        parent.show();
        SecretStore store;
        DoneSpy done;
        store.ensureSession({QStringLiteral("DB_PW")}, &parent, done.callback());
        QTRY_COMPARE_WITH_TIMEOUT(openDialogs(&parent).size(), 1, kTimeout_ms);
        PasswordDialog *dialog = openDialogs(&parent).first();
        QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(done.calls, 1, kTimeout_ms);
        QVERIFY(!done.ok);
        QVERIFY2(done.message.contains(QLatin1String("${keychain:DB_PW}")), qPrintable(done.message));
        QVERIFY(!SecretResolver::hasSessionSecret(QStringLiteral("DB_PW")));
        QVERIFY(!store.isBusy());
    }

    void storingWithoutAKeychainKeepsItInMemoryOnly()
    {
        SecretStore store;
        QSignalSpy stored(&store, &SecretStore::stored);
        store.store(QStringLiteral("API_TOKEN"), kSecret);
        // In the session table at once, whatever the keychain answers.
        QVERIFY(SecretResolver::hasSessionSecret(QStringLiteral("API_TOKEN")));
        QTRY_COMPARE_WITH_TIMEOUT(stored.count(), 1, kTimeout_ms);
        QCOMPARE(stored.at(0).at(0).toString(), QStringLiteral("API_TOKEN"));
        QCOMPARE(stored.at(0).at(1).toBool(), false);
        const QString message = stored.at(0).at(2).toString();
        QVERIFY2(message.contains(QLatin1String("in memory for this session only")), qPrintable(message));
        QVERIFY(!message.contains(kSecret));
        QCOMPARE(store.availability(), SecretStore::Availability::Unavailable);
        QCOMPARE(SecretResolver::resolve(QStringLiteral("${keychain:API_TOKEN}")), kSecret);
        QCOMPARE(QSettings().allKeys(), QStringList());
        QCOMPARE(filesContaining(kSecret), QStringList());
    }
};

QTEST_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
