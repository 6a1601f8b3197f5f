// The Target panel's login step editor: what it writes into the plan's LoginSpec, what it asks the user to
// correct (inline, with the line and column of a JSON mistake), and the `${keychain:NAME}` password placeholder.
#include "loginstepeditor.h"
#include "uiwiring.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;

namespace {

LoginSpec sampleLogin()
{
    LoginSpec l;
    l.enabled = true;
    l.method = QStringLiteral("put");
    l.path = QStringLiteral("/api/v1/auth/login");
    l.json = QJsonObject{{QStringLiteral("username"), QStringLiteral("admin")},
                         {QStringLiteral("password"), QStringLiteral("${env:APP_PASSWORD}")}};
    l.token_pointer = QStringLiteral("/data/token");
    l.header = QStringLiteral("X-Auth");
    l.format = QStringLiteral("Token {token}");
    return l;
}

QLabel *bodyErrorLabel(LoginStepEditor &editor)
{
    return editor.findChild<QLabel *>(QStringLiteral("loginBodyError"));
}

QLabel *noteLabel(LoginStepEditor &editor)
{
    return editor.findChild<QLabel *>(QStringLiteral("loginNote"));
}

void setLineEdit(LoginStepEditor &editor, const QString &objectName, const QString &text)
{
    auto *edit = editor.findChild<QLineEdit *>(objectName);
    if (!edit)
        qFatal("no line edit %s", qPrintable(objectName));
    edit->selectAll();
    QTest::keyClicks(edit, text);
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Delete);
}

} // namespace

class TestLoginStepEditor : public QObject
{
    Q_OBJECT
private slots:
    void roundTripsTheLoginSpec()
    {
        LoginStepEditor editor;
        QSignalSpy changed(&editor, &LoginStepEditor::changed);
        editor.setLogin(sampleLogin());
        QCOMPARE(changed.count(), 0); // loading is not an edit
        QVERIFY(editor.enabledBox()->isChecked());
        QCOMPARE(editor.findChild<QComboBox *>(QStringLiteral("loginMethod"))->currentText(), QStringLiteral("PUT"));
        LoginSpec out;
        QCOMPARE(editor.applyTo(&out), QString());
        const LoginSpec in = sampleLogin();
        QVERIFY(out.enabled);
        QCOMPARE(out.method, QStringLiteral("PUT"));
        QCOMPARE(out.path, in.path);
        QCOMPARE(out.json, in.json);
        QCOMPARE(out.token_pointer, in.token_pointer);
        QCOMPARE(out.header, in.header);
        QCOMPARE(out.format, in.format);
        QVERIFY(editor.bodyError().isEmpty());
        QVERIFY(bodyErrorLabel(editor)->isHidden());
    }

    void anotherMethodIsKept()
    {
        LoginStepEditor editor;
        LoginSpec l = sampleLogin();
        l.method = QStringLiteral("PATCH");
        editor.setLogin(l);
        LoginSpec out;
        QCOMPARE(editor.applyTo(&out), QString());
        QCOMPARE(out.method, QStringLiteral("PATCH"));
    }

    void whatToCorrect_data()
    {
        QTest::addColumn<QString>("field"); // object name of the line edit, or "body"
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("problem"); // a part of the message; empty: accepted
        QTest::newRow("no path") << QStringLiteral("loginPath") << QString() << QStringLiteral("has no path");
        QTest::newRow("path without /") << QStringLiteral("loginPath") << QStringLiteral("auth/login") << QString();
        QTest::newRow("pointer without /") << QStringLiteral("loginTokenPointer") << QStringLiteral("access_token")
                                           << QStringLiteral("must start with /");
        QTest::newRow("no header") << QStringLiteral("loginHeader") << QString() << QStringLiteral("needs the header");
        QTest::newRow("format without {token}")
            << QStringLiteral("loginFormat") << QStringLiteral("Bearer") << QStringLiteral("{token}");
        QTest::newRow("body not an object")
            << QStringLiteral("body") << QStringLiteral("[1, 2]") << QStringLiteral("must be a JSON object");
        QTest::newRow("body broken on line 3")
            << QStringLiteral("body") << QStringLiteral("{\n  \"username\": \"admin\",\n  \"password\" \"x\"\n}")
            << QStringLiteral("Login body: Line 3, column");
        QTest::newRow("empty body") << QStringLiteral("body") << QString() << QString();
    }
    void whatToCorrect()
    {
        QFETCH(QString, field);
        QFETCH(QString, text);
        QFETCH(QString, problem);
        LoginStepEditor editor;
        editor.setLogin(sampleLogin());
        QSignalSpy changed(&editor, &LoginStepEditor::changed);
        if (field == QLatin1String("body"))
            editor.bodyEdit()->setPlainText(text);
        else
            setLineEdit(editor, field, text);
        QVERIFY(changed.count() > 0);
        LoginSpec out;
        const QString message = editor.applyTo(&out);
        if (problem.isEmpty()) {
            QCOMPARE(message, QString());
        } else {
            QVERIFY2(message.contains(problem), qPrintable(message));
        }
        if (field == QLatin1String("loginPath") && problem.isEmpty())
            QCOMPARE(out.path, QStringLiteral("/auth/login"));
        // Body mistakes show inline as they are typed.
        const bool bodyProblem = field == QLatin1String("body") && !problem.isEmpty();
        QCOMPARE(bodyErrorLabel(editor)->isHidden(), !bodyProblem);
        if (bodyProblem)
            QVERIFY(message.endsWith(bodyErrorLabel(editor)->text()));
        // Turned off, nothing needs correcting.
        editor.enabledBox()->setChecked(false);
        QCOMPARE(editor.applyTo(&out), QString());
        QVERIFY(!out.enabled);
        QVERIFY(bodyErrorLabel(editor)->isHidden());
    }

    void jsonErrorsCountCharactersNotBytes()
    {
        // "é" is two bytes in UTF-8; the column is where the user's cursor would be.
        const QByteArray json = QStringLiteral("{\"név\": x}").toUtf8();
        QCOMPARE(LoginStepEditor::describeJsonError(json, json.indexOf('x'), QStringLiteral("illegal value")),
                 QStringLiteral("Line 1, column 9: illegal value"));
        QCOMPARE(LoginStepEditor::describeJsonError("{\n\n  !", 5, QStringLiteral("e")),
                 QStringLiteral("Line 3, column 3: e"));
    }

    void passwordPlaceholderGoesIntoThePasswordField_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("key");
        QTest::newRow("password") << QStringLiteral("{\"username\": \"admin\", \"password\": \"hunter2\"}")
                                  << QStringLiteral("password");
        QTest::newRow("another secret-looking name")
            << QStringLiteral("{\"user\": \"a\", \"passwd\": \"\"}") << QStringLiteral("passwd");
        QTest::newRow("none yet") << QStringLiteral("{\"user\": \"a\"}") << QStringLiteral("password");
        QTest::newRow("empty body") << QString() << QStringLiteral("password");
    }
    void passwordPlaceholderGoesIntoThePasswordField()
    {
        QFETCH(QString, body);
        QFETCH(QString, key);
        LoginStepEditor editor;
        editor.setLogin(sampleLogin());
        editor.bodyEdit()->setPlainText(body);
        QVERIFY(editor.setPasswordPlaceholder(QStringLiteral("APP_PW")));
        QCOMPARE(editor.passwordPlaceholderName(), QStringLiteral("APP_PW"));
        LoginSpec out;
        QCOMPARE(editor.applyTo(&out), QString());
        QCOMPARE(out.json.value(key).toString(), QStringLiteral("${keychain:APP_PW}"));
        // The typed password is gone from the body; nothing else changed.
        QVERIFY(!editor.bodyEdit()->toPlainText().contains(QLatin1String("hunter2")));
        const QJsonObject before = QJsonDocument::fromJson(body.toUtf8()).object();
        for (auto it = before.begin(); it != before.end(); ++it)
            if (it.key() != key)
                QCOMPARE(out.json.value(it.key()), it.value());
    }

    void placeholderNeedsAValidBody()
    {
        LoginStepEditor editor;
        editor.setLogin(sampleLogin());
        editor.bodyEdit()->setPlainText(QStringLiteral("{\"user\": "));
        QVERIFY(!editor.setPasswordPlaceholder(QStringLiteral("APP_PW")));
        QVERIFY(!noteLabel(editor)->isHidden());
        QVERIFY2(noteLabel(editor)->text().startsWith(QLatin1String("Fix the login body first: Line 1")),
                 qPrintable(noteLabel(editor)->text()));
        QCOMPARE(editor.bodyEdit()->toPlainText(), QStringLiteral("{\"user\": "));
        QCOMPARE(editor.passwordPlaceholderName(), QString());
    }

    void setPasswordAsksTheOwner()
    {
        LoginStepEditor editor;
        editor.setLogin(sampleLogin());
        editor.show();
        QSignalSpy requested(&editor, &LoginStepEditor::setPasswordRequested);
        auto *button = editor.findChild<QPushButton *>(QStringLiteral("loginSetPassword"));
        QVERIFY(button && button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
    }

    void fieldsFollowTheSwitchAndTheRun()
    {
        LoginStepEditor editor;
        LoginSpec off = sampleLogin();
        off.enabled = false;
        editor.setLogin(off);
        QVERIFY(!editor.pathEdit()->isEnabled());
        QVERIFY(!editor.bodyEdit()->isEnabled());
        QVERIFY(editor.enabledBox()->isEnabled());
        QSignalSpy changed(&editor, &LoginStepEditor::changed);
        editor.enabledBox()->setChecked(true);
        QCOMPARE(changed.count(), 1);
        QVERIFY(editor.pathEdit()->isEnabled());
        editor.setEnabledForRun(false);
        QVERIFY(!editor.pathEdit()->isEnabled());
        QVERIFY(!editor.enabledBox()->isEnabled());
        editor.setEnabledForRun(true);
        QVERIFY(editor.pathEdit()->isEnabled());
    }

    void everyControlIsNamed()
    {
        LoginStepEditor editor;
        QCOMPARE(UiWiring::unnamedControls(&editor), QList<QWidget *>());
    }
};

QTEST_MAIN(TestLoginStepEditor)
#include "tst_loginstepeditor.moc"
