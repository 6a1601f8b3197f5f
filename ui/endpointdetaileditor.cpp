#include "endpointdetaileditor.h"

#include "pairtable.h"
#include "uiwiring.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Preflight {

namespace {

enum VarColumn { VarName, VarList, VarValues };

std::vector<QStringList> pairRows(const std::vector<EndpointDraft::Pair> &pairs)
{
    std::vector<QStringList> rows;
    for (const EndpointDraft::Pair &p : pairs)
        rows.push_back({p.name, p.value});
    return rows;
}

std::vector<EndpointDraft::Pair> pairsOf(const std::vector<QStringList> &rows)
{
    std::vector<EndpointDraft::Pair> pairs;
    for (const QStringList &r : rows)
        pairs.push_back({r.value(0), r.value(1)});
    return pairs;
}

} // namespace

EndpointDetailEditor::EndpointDetailEditor(QWidget *parent)
    : QWidget(parent), m_title(new QLabel), m_name(new QLineEdit), m_timeout(new QSpinBox),
      m_vars(new PairTable({tr("Variable"), tr("List"), tr("Values")}, tr("variable"))),
      m_headers(new PairTable({tr("Header"), tr("Value")}, tr("header"))), m_bodyKind(new QComboBox),
      m_bodyStack(new QStackedWidget), m_body(new QPlainTextEdit),
      m_form(new PairTable({tr("Field"), tr("Value")}, tr("form field"))), m_problem(new QLabel)
{
    setObjectName(QStringLiteral("endpointDetail"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setObjectName(QStringLiteral("endpointTitle"));
    m_name->setObjectName(QStringLiteral("endpointName"));
    UiWiring::name(m_name, tr("Endpoint name"), tr("How findings and reports name this endpoint"));
    m_timeout->setObjectName(QStringLiteral("endpointTimeout"));
    m_timeout->setRange(0, 3600 * 1000);
    m_timeout->setSingleStep(1000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("the target's timeout"));
    UiWiring::name(m_timeout, tr("Endpoint timeout"), tr("0: the target's request timeout applies"));
    m_vars->setObjectName(QStringLiteral("endpointVariables"));
    m_vars->setCheckColumn(VarList);
    m_vars->table()->setToolTip(tr("Values for {name} in the path: a range such as 1-500, or (List checked) "
                                   "values separated by commas"));
    m_headers->setObjectName(QStringLiteral("endpointHeaders"));
    m_bodyKind->setObjectName(QStringLiteral("endpointBodyKind"));
    m_bodyKind->addItem(tr("No body"), int(EndpointDraft::BodyKind::None));
    m_bodyKind->addItem(tr("JSON"), int(EndpointDraft::BodyKind::Json));
    m_bodyKind->addItem(tr("Form fields"), int(EndpointDraft::BodyKind::Form));
    m_bodyKind->addItem(tr("Text"), int(EndpointDraft::BodyKind::Text));
    UiWiring::name(m_bodyKind, tr("Body kind"),
                   tr("JSON is sent as application/json; form fields as application/x-www-form-urlencoded"));
    m_body->setObjectName(QStringLiteral("endpointBody"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setTabChangesFocus(true);
    m_body->setPlaceholderText(QStringLiteral("{\"name\": \"item-{seq}\"}"));
    m_body->setMinimumHeight(60);
    UiWiring::name(m_body, tr("Endpoint body"), tr("{seq} and path variables are filled in per request"));
    m_form->setObjectName(QStringLiteral("endpointForm"));
    m_bodyStack->addWidget(new QWidget);
    m_bodyStack->addWidget(m_body);
    m_bodyStack->addWidget(m_form);
    m_problem->setObjectName(QStringLiteral("endpointProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("N&ame"), m_name);
    form->addRow(tr("T&imeout"), m_timeout);
    auto *varsLabel = new QLabel(tr("&Variables"));
    varsLabel->setBuddy(m_vars->table());
    form->addRow(varsLabel, m_vars);
    auto *headersLabel = new QLabel(tr("Hea&ders"));
    headersLabel->setBuddy(m_headers->table());
    form->addRow(headersLabel, m_headers);
    form->addRow(tr("&Body"), m_bodyKind);
    form->addRow(QString(), m_bodyStack);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_title);
    layout->addLayout(form);
    layout->addWidget(m_problem);

    QWidget *chain[] = {m_name,
                        m_timeout,
                        m_vars->table(),
                        m_vars->addButton(),
                        m_vars->removeButton(),
                        m_headers->table(),
                        m_headers->addButton(),
                        m_headers->removeButton(),
                        m_bodyKind,
                        m_body,
                        m_form->table(),
                        m_form->addButton(),
                        m_form->removeButton()};
    for (size_t i = 1; i < std::size(chain); ++i)
        setTabOrder(chain[i - 1], chain[i]);

    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_draft.name = text;
        emit edited();
    });
    connect(m_timeout, &QSpinBox::valueChanged, this, [this](int value) {
        if (m_loading)
            return;
        m_draft.timeout_ms = value;
        emit edited();
    });
    connect(m_vars, &PairTable::edited, this, &EndpointDetailEditor::readVariables);
    connect(m_headers, &PairTable::edited, this, &EndpointDetailEditor::readHeaders);
    connect(m_form, &PairTable::edited, this, &EndpointDetailEditor::readBody);
    connect(m_body, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_loading)
            readBody();
    });
    connect(m_bodyKind, &QComboBox::currentIndexChanged, this, [this] {
        showBodyKind();
        if (m_loading)
            return;
        // Form fields go as application/x-www-form-urlencoded: the header is shown where it can be changed.
        if (EndpointDraft::BodyKind(m_bodyKind->currentData().toInt()) == EndpointDraft::BodyKind::Form) {
            bool hasType = false;
            for (const QStringList &row : m_headers->rows())
                hasType |= row.value(0).trimmed().compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
            if (!hasType) {
                m_loading = true;
                m_headers->addRow(
                    {QStringLiteral("Content-Type"), QStringLiteral("application/x-www-form-urlencoded")});
                m_loading = false;
                readHeaders();
            }
            m_bodyKind->setFocus();
        }
        readBody();
    });
    clear();
}

QWidget *EndpointDetailEditor::firstField() const
{
    return m_name;
}

QWidget *EndpointDetailEditor::lastField() const
{
    return m_form->removeButton();
}

void EndpointDetailEditor::setDraft(const EndpointDraft &draft, const QString &title)
{
    m_loading = true;
    m_draft = draft;
    m_hasDraft = true;
    m_title->setText(title);
    m_name->setText(draft.name);
    m_timeout->setValue(draft.timeout_ms);
    std::vector<QStringList> vars;
    for (const EndpointDraft::Variable &v : draft.vars)
        vars.push_back({v.name, v.list ? QStringLiteral("1") : QString(), v.values});
    m_vars->setRows(vars);
    m_headers->setRows(pairRows(draft.headers));
    m_bodyKind->setCurrentIndex(m_bodyKind->findData(int(draft.bodyKind)));
    m_body->setPlainText(draft.bodyKind == EndpointDraft::BodyKind::Form ? QString() : draft.bodyText);
    m_form->setRows(pairRows(draft.form));
    showBodyKind();
    m_loading = false;
    setEditable(m_editable);
}

void EndpointDetailEditor::clear()
{
    m_loading = true;
    m_hasDraft = false;
    m_draft = EndpointDraft();
    m_title->setText(tr("No endpoint selected"));
    m_name->clear();
    m_timeout->setValue(0);
    m_vars->setRows({});
    m_headers->setRows({});
    m_bodyKind->setCurrentIndex(0);
    m_body->clear();
    m_form->setRows({});
    showBodyKind();
    showProblem({});
    m_loading = false;
    setEditable(m_editable);
}

void EndpointDetailEditor::setEditable(bool editable)
{
    m_editable = editable;
    const bool on = editable && m_hasDraft;
    for (QWidget *w : std::initializer_list<QWidget *>{m_name, m_timeout, m_bodyKind, m_body})
        w->setEnabled(on);
    for (PairTable *t : {m_vars, m_headers, m_form})
        t->setEditable(on);
}

bool EndpointDetailEditor::addMissingVariables(const QStringList &names)
{
    QStringList have;
    for (const QStringList &row : m_vars->rows())
        have << row.value(VarName).trimmed();
    bool added = false;
    m_loading = true;
    for (const QString &name : names) {
        if (have.contains(name))
            continue;
        m_vars->setRows([&] {
            std::vector<QStringList> rows = m_vars->rows();
            rows.push_back({name, QString(), QString()});
            return rows;
        }());
        added = true;
    }
    m_loading = false;
    if (added)
        readVariables();
    return added;
}

void EndpointDetailEditor::followLabel(const QString &oldLabel, const QString &newLabel)
{
    if (m_draft.name != oldLabel && !m_draft.name.isEmpty())
        return;
    m_draft.name = newLabel;
    m_name->setText(newLabel);
}

void EndpointDetailEditor::showProblem(const QString &problem)
{
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
}

QString EndpointDetailEditor::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void EndpointDetailEditor::readVariables()
{
    if (m_loading)
        return;
    m_draft.vars.clear();
    for (const QStringList &row : m_vars->rows())
        m_draft.vars.push_back({row.value(VarName), !row.value(VarList).isEmpty(), row.value(VarValues)});
    m_draft.varsEdited = true;
    emit edited();
}

void EndpointDetailEditor::readHeaders()
{
    if (m_loading)
        return;
    m_draft.headers = pairsOf(m_headers->rows());
    m_draft.headersEdited = true;
    emit edited();
}

void EndpointDetailEditor::readBody()
{
    if (m_loading)
        return;
    m_draft.bodyKind = EndpointDraft::BodyKind(m_bodyKind->currentData().toInt());
    m_draft.bodyText = m_body->toPlainText();
    m_draft.form = pairsOf(m_form->rows());
    m_draft.bodyEdited = true;
    emit edited();
}

void EndpointDetailEditor::showBodyKind()
{
    switch (EndpointDraft::BodyKind(m_bodyKind->currentData().toInt())) {
    case EndpointDraft::BodyKind::None:
        m_bodyStack->setCurrentIndex(0);
        break;
    case EndpointDraft::BodyKind::Json:
    case EndpointDraft::BodyKind::Text:
        m_bodyStack->setCurrentIndex(1);
        break;
    case EndpointDraft::BodyKind::Form:
        m_bodyStack->setCurrentIndex(2);
        break;
    }
    m_bodyStack->setVisible(m_bodyStack->currentIndex() != 0);
}

} // namespace Preflight
