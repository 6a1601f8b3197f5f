// The endpoints editor edits the whole endpoint: name, method, path, weight, path variables (range or list),
// JSON / form / text body, headers and timeout; what it writes survives a save and a parse; a plan saved without
// edits comes back unchanged; problems show inline with the fix; it works from the keyboard.
#include "endpointdetaileditor.h"
#include "endpointseditor.h"
#include "pairtable.h"
#include "plan/planparser.h"
#include "plandocument.h"
#include "targetpanel.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

namespace {

void setCell(QTableWidget *table, int row, int column, const QString &text)
{
    QTableWidgetItem *item = table->item(row, column);
    QVERIFY(item);
    item->setText(text);
}

void setBodyKind(EndpointDetailEditor *detail, EndpointDraft::BodyKind kind)
{
    QComboBox *combo = detail->bodyKindCombo();
    combo->setCurrentIndex(combo->findData(int(kind)));
}

// Saves the panel's plan the way the main window does and parses the file back.
std::optional<Plan> saveAndParse(const TargetPanel &panel, QString *problem)
{
    Plan plan = PlanDocument::defaultPlan();
    *problem = panel.applyTo(&plan);
    if (!problem->isEmpty())
        return std::nullopt;
    QTemporaryDir dir;
    PlanDocument document;
    const QString path = dir.filePath(QStringLiteral("plan.preflight.json"));
    if (!document.save(path, plan, problem))
        return std::nullopt;
    PlanError error;
    std::optional<Plan> parsed = PlanParser::parseFile(path, &error);
    if (!parsed)
        *problem = error.toString();
    return parsed;
}

// Every endpoint field the plan has: a range, a list value with a comma, an array JSON body, a form body with a
// placeholder, a text body that only looks like a form.
QByteArray fullPlan()
{
    QFile file(QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/endpoints-every-field.preflight.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestEndpointsEditor : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_endpointseditor"));
    }

    void aVariableRangeAndAJsonBodySurviveSaveAndParse()
    {
        TargetPanel panel;
        panel.setPlan(PlanDocument::defaultPlan());
        EndpointsEditor *editor = panel.endpointsEditor();
        EndpointDetailEditor *detail = editor->detail();
        editor->addEndpoint();
        QCOMPARE(editor->table()->rowCount(), 2);
        QCOMPARE(editor->table()->currentRow(), 1);
        setCell(editor->table(), 1, EndpointsEditor::MethodColumn, QStringLiteral("post"));
        setCell(editor->table(), 1, EndpointsEditor::PathColumn, QStringLiteral("/api/customers/{id}/notes"));
        setCell(editor->table(), 1, EndpointsEditor::WeightColumn, QStringLiteral("2.5"));

        // The path's {id} got a row to fill in, and the problem says what to do.
        QTableWidget *vars = detail->variables()->table();
        QCOMPARE(vars->rowCount(), 1);
        QCOMPARE(vars->item(0, 0)->text(), QStringLiteral("id"));
        QVERIFY2(detail->problem().contains(QLatin1String("{id} in the path has no values: give it a range")),
                 qPrintable(detail->problem()));
        Plan incomplete;
        QString problem = panel.applyTo(&incomplete);
        QVERIFY2(problem.startsWith(QLatin1String("Endpoint 2: {id} in the path has no values")), qPrintable(problem));

        setCell(vars, 0, 2, QStringLiteral("1-500"));
        QCOMPARE(detail->problem(), QString());
        // The name followed method and path until now; then the user names it.
        QCOMPARE(detail->nameEdit()->text(), QStringLiteral("POST /api/customers/{id}/notes"));
        detail->nameEdit()->clear();
        QTest::keyClicks(detail->nameEdit(), QStringLiteral("add note"));
        detail->timeoutSpin()->setValue(2500);
        detail->headers()->addRow({QStringLiteral("X-Trace"), QStringLiteral("on")});
        setBodyKind(detail, EndpointDraft::BodyKind::Json);
        detail->bodyEdit()->setPlainText(QStringLiteral("{\"text\": \"note-{seq}\", \"n\": 1}"));
        QCOMPARE(detail->problem(), QString());

        const std::optional<Plan> parsed = saveAndParse(panel, &problem);
        QVERIFY2(parsed, qPrintable(problem));
        QCOMPARE(parsed->endpoints.size(), size_t(2));
        const EndpointSpec &e = parsed->endpoints[1];
        QCOMPARE(e.name, QStringLiteral("add note"));
        QCOMPARE(e.method, QStringLiteral("POST"));
        QCOMPARE(e.path, QStringLiteral("/api/customers/{id}/notes"));
        QCOMPARE(e.weight, 2.5);
        QCOMPARE(e.timeout_ms, 2500);
        QCOMPARE(e.vars.size(), size_t(1));
        QCOMPARE(int(e.vars.at(QStringLiteral("id")).kind), int(PathVariable::Kind::Range));
        QCOMPARE(e.vars.at(QStringLiteral("id")).from, qint64(1));
        QCOMPARE(e.vars.at(QStringLiteral("id")).to, qint64(500));
        QVERIFY(e.body_is_json);
        QCOMPARE(QJsonDocument::fromJson(e.body).object().value(QLatin1String("text")).toString(),
                 QStringLiteral("note-{seq}"));
        QCOMPARE(e.headers.at(QStringLiteral("X-Trace")), QStringLiteral("on"));
    }

    void aListVariableAndAFormBodySurviveSaveAndParse()
    {
        TargetPanel panel;
        panel.setPlan(PlanDocument::defaultPlan());
        EndpointDetailEditor *detail = panel.endpointsEditor()->detail();
        setCell(panel.endpointsEditor()->table(), 0, EndpointsEditor::MethodColumn, QStringLiteral("POST"));
        setCell(panel.endpointsEditor()->table(), 0, EndpointsEditor::PathColumn, QStringLiteral("/{tenant}/login"));
        QTableWidget *vars = detail->variables()->table();
        vars->item(0, 1)->setCheckState(Qt::Checked); // a list
        setCell(vars, 0, 2, QStringLiteral("acme, globex"));
        setBodyKind(detail, EndpointDraft::BodyKind::Form);
        // Form fields are sent urlencoded: the header that says so is added where it can be seen and changed.
        QTableWidget *headers = detail->headers()->table();
        QCOMPARE(headers->rowCount(), 1);
        QCOMPARE(headers->item(0, 0)->text(), QStringLiteral("Content-Type"));
        detail->formFields()->addRow({QStringLiteral("user"), QStringLiteral("a b&c")});
        detail->formFields()->addRow({QStringLiteral("password"), QStringLiteral("${env:APP_PASSWORD}")});

        QString problem;
        const std::optional<Plan> parsed = saveAndParse(panel, &problem);
        QVERIFY2(parsed, qPrintable(problem));
        const EndpointSpec &e = parsed->endpoints[0];
        QCOMPARE(int(e.vars.at(QStringLiteral("tenant")).kind), int(PathVariable::Kind::List));
        QCOMPARE(e.vars.at(QStringLiteral("tenant")).values,
                 (QStringList{QStringLiteral("acme"), QStringLiteral("globex")}));
        QVERIFY(!e.body_is_json);
        QCOMPARE(e.body, QByteArray("user=a%20b%26c&password=${env:APP_PASSWORD}"));
        QCOMPARE(e.headers.at(QStringLiteral("Content-Type")), QStringLiteral("application/x-www-form-urlencoded"));
    }

    void aPlanSavedWithoutEditsComesBackUnchanged()
    {
        PlanError error;
        const std::optional<Plan> original = PlanParser::parse(fullPlan(), &error);
        QVERIFY2(original, qPrintable(error.toString()));
        TargetPanel panel;
        panel.setPlan(*original);
        // Walk every endpoint, so that each is loaded into the details and read back.
        for (int row = 0; row < panel.endpointsEditor()->table()->rowCount(); ++row)
            panel.endpointsEditor()->table()->setCurrentCell(row, EndpointsEditor::PathColumn);
        QCOMPARE(panel.endpointsEditor()->detail()->bodyKindCombo()->currentData().toInt(),
                 int(EndpointDraft::BodyKind::Text)); // "a+b=c&&d" is not a form body it could write back
        Plan saved = *original;
        QCOMPARE(panel.applyTo(&saved), QString());
        QCOMPARE(QJsonDocument(saved.toJson()).toJson(), QJsonDocument(original->toJson()).toJson());
    }

    void theFormBodyOfAPlanIsShownAsFields()
    {
        PlanError error;
        const std::optional<Plan> original = PlanParser::parse(fullPlan(), &error);
        QVERIFY(original);
        TargetPanel panel;
        panel.setPlan(*original);
        panel.endpointsEditor()->table()->setCurrentCell(3, EndpointsEditor::PathColumn);
        EndpointDetailEditor *detail = panel.endpointsEditor()->detail();
        QCOMPARE(detail->bodyKindCombo()->currentData().toInt(), int(EndpointDraft::BodyKind::Form));
        QCOMPARE(detail->formFields()->rows(),
                 (std::vector<QStringList>{{QStringLiteral("grant_type"), QStringLiteral("client_credentials")},
                                           {QStringLiteral("client_secret"), QStringLiteral("${env:CLIENT_SECRET}")}}));
        panel.endpointsEditor()->table()->setCurrentCell(1, EndpointsEditor::PathColumn);
        QCOMPARE(detail->variables()->rows(), (std::vector<QStringList>{{QStringLiteral("region"), QStringLiteral("1"),
                                                                         QStringLiteral("eu,west, us")}}));
    }

    void problemsNameTheFix_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("weight");
        QTest::addColumn<QString>("range");
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("fix");
        const QString ok = QStringLiteral("1-10");
        QTest::newRow("range backwards") << "GET"
                                         << "/a/{id}"
                                         << "1"
                                         << "10-1" << QString() << "write the smaller number first, e.g. 1-10";
        QTest::newRow("range not numbers") << "GET"
                                           << "/a/{id}"
                                           << "1"
                                           << "one to ten" << QString() << "write it like 1-500";
        QTest::newRow("no values") << "GET"
                                   << "/a/{id}"
                                   << "1" << QString() << QString()
                                   << "{id} in the path has no values: give it a range";
        QTest::newRow("bad json") << "POST"
                                  << "/a/{id}"
                                  << "1" << ok << "{\"name\": }"
                                  << "the JSON body is not valid: Line 1, column";
        QTest::newRow("empty path") << "GET"
                                    << ""
                                    << "1" << ok << QString() << "give one such as /api/items";
        QTest::newRow("space in path") << "GET"
                                       << "/a b/{id}"
                                       << "1" << ok << QString() << "write it as %20";
        QTest::newRow("weight") << "GET"
                                << "/a/{id}"
                                << "heavy" << ok << QString() << "the weight \"heavy\" must be a positive number";
        QTest::newRow("method") << "FETCH"
                                << "/a/{id}"
                                << "1" << ok << QString() << "use GET, POST";
    }
    void problemsNameTheFix()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, weight);
        QFETCH(QString, range);
        QFETCH(QString, json);
        QFETCH(QString, fix);
        TargetPanel panel;
        panel.setPlan(PlanDocument::defaultPlan());
        EndpointsEditor *editor = panel.endpointsEditor();
        EndpointDetailEditor *detail = editor->detail();
        setCell(editor->table(), 0, EndpointsEditor::PathColumn, QStringLiteral("/a/{id}"));
        setCell(detail->variables()->table(), 0, 2, range);
        if (!json.isNull()) {
            setBodyKind(detail, EndpointDraft::BodyKind::Json);
            detail->bodyEdit()->setPlainText(json);
        }
        setCell(editor->table(), 0, EndpointsEditor::MethodColumn, method);
        setCell(editor->table(), 0, EndpointsEditor::WeightColumn, weight);
        setCell(editor->table(), 0, EndpointsEditor::PathColumn, path);
        QVERIFY2(detail->problem().contains(fix), qPrintable(detail->problem()));
        Plan plan;
        const QString problem = panel.applyTo(&plan);
        QVERIFY2(problem.startsWith(QLatin1String("Endpoint 1: ")) && problem.contains(fix), qPrintable(problem));
    }

    void usableFromTheKeyboard()
    {
        TargetPanel panel;
        panel.setPlan(PlanDocument::defaultPlan());
        panel.show();
        QApplication::setActiveWindow(&panel);
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        EndpointsEditor *editor = panel.endpointsEditor();
        QTableWidget *table = editor->table();
        table->setFocus();
        QTRY_VERIFY(table->hasFocus());

        QTest::keyClick(table, Qt::Key_Insert);
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->currentRow(), 1);
        QTest::keyClick(table, Qt::Key_Delete);
        QCOMPARE(table->rowCount(), 1);

        // Tab leaves the list for its buttons; Enter on Add adds an endpoint.
        QTest::keyClick(table, Qt::Key_Tab);
        auto *add = editor->findChild<QPushButton *>(QStringLiteral("addEndpoint"));
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(add));
        QTest::keyClick(add, Qt::Key_Return);
        QCOMPARE(table->rowCount(), 2);

        // From the last list button, Tab reaches the details: name, timeout, variables …
        editor->importButton()->setFocus();
        QTRY_VERIFY(editor->importButton()->hasFocus());
        QTest::keyClick(editor->importButton(), Qt::Key_Tab);
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(editor->detail()->nameEdit()));
        QTest::keyClick(editor->detail()->nameEdit(), Qt::Key_Tab);
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(editor->detail()->timeoutSpin()));

        // In a details table, Insert adds a row and Delete removes it.
        QTableWidget *headers = editor->detail()->headers()->table();
        headers->setFocus();
        QTest::keyClick(headers, Qt::Key_Insert);
        QCOMPARE(headers->rowCount(), 1);
        if (QWidget *cellEditor = QApplication::focusWidget(); cellEditor && cellEditor != headers)
            QTest::keyClick(cellEditor, Qt::Key_Escape); // leave the new cell's editor
        QTest::keyClick(headers, Qt::Key_Delete);
        QCOMPARE(headers->rowCount(), 0);
    }
};

QTEST_MAIN(TestEndpointsEditor)
#include "tst_endpointseditor.moc"
