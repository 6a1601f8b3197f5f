#include "scenariopanel.h"

#include "agentsfields.h"
#include "diagnosis/gates.h"
#include "loadshapepreview.h"
#include "uiwiring.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace Preflight {

namespace {

// The gates combo's last item: picking it asks for a file instead of selecting itself.
const QString kChooseGatesFile = QStringLiteral("\x01choose");

QString levelsText(const std::vector<int> &levels)
{
    QStringList parts;
    for (int l : levels)
        parts << QString::number(l);
    return parts.join(QStringLiteral(", "));
}

// "launch (P95 ≤ 120 ms, P99 ≤ 200 ms)": the preset's latency checks as GateSet labels them (it owns the thresholds).
QString presetLabel(const QString &name)
{
    QStringList latency;
    if (const std::optional<GateSet> set = GateSet::preset(name))
        for (const GateSpec &check : set->checks())
            if (check.id.startsWith(QLatin1Char('p')) && check.id.endsWith(QLatin1String("_ms")))
                latency << check.label();
    return latency.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, latency.join(QStringLiteral(", ")));
}

} // namespace

ScenarioPanel::ScenarioPanel(QWidget *parent)
    : QWidget(parent), m_preset(new QComboBox), m_model(new QComboBox), m_users(new QSpinBox),
      m_rate(new QDoubleSpinBox), m_duration(new QDoubleSpinBox), m_levels(new QLineEdit), m_step(new QDoubleSpinBox),
      m_think(new QSpinBox), m_stages(new QTableWidget(0, NUM_STAGE_COLUMNS)), m_addStage(new QToolButton),
      m_removeStage(new QToolButton), m_gates(new QComboBox), m_gatesNote(new QLabel), m_preview(new LoadShapePreview),
      m_agents(new AgentsFields), m_form(new QFormLayout), m_stagesBox(new QWidget)
{
    setObjectName(QStringLiteral("scenarioPanel"));
    m_preset->setObjectName(QStringLiteral("scenarioPreset"));
    m_preset->addItem(tr("Sweep: stepped concurrency"), QStringLiteral("sweep"));
    m_preset->addItem(tr("Sustain: fixed load for a duration"), QStringLiteral("sustain"));
    m_preset->addItem(tr("Burst: users at once after idle"), QStringLiteral("burst"));
    m_preset->addItem(tr("Soak: long sustain"), QStringLiteral("soak"));
    m_preset->addItem(tr("Stages: explicit list"), QStringLiteral("stages"));
    UiWiring::name(m_preset, tr("Scenario preset"));
    m_model->setObjectName(QStringLiteral("loadModel"));
    m_model->addItem(tr("Users (closed model)"));
    m_model->addItem(tr("Rate (open model)"));
    UiWiring::name(m_model, tr("Load model"), tr("Users: a fixed number of virtual users; rate: arrivals per second"));
    m_users->setObjectName(QStringLiteral("users"));
    m_users->setRange(1, 100000);
    UiWiring::name(m_users, tr("Users"), tr("Virtual users (concurrent requests)"));
    m_rate->setObjectName(QStringLiteral("rate"));
    m_rate->setRange(0.1, 1000000);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" req/s"));
    UiWiring::name(m_rate, tr("Rate"), tr("Arrivals per second (open model)"));
    m_duration->setObjectName(QStringLiteral("duration"));
    m_duration->setRange(1, 7 * 24 * 3600);
    m_duration->setDecimals(0);
    m_duration->setSuffix(tr(" s"));
    UiWiring::name(m_duration, tr("Duration"));
    m_levels->setObjectName(QStringLiteral("levels"));
    m_levels->setPlaceholderText(QStringLiteral("1, 2, 5, 10, 20, 50"));
    UiWiring::name(m_levels, tr("Sweep levels"), tr("Users per level, comma separated"));
    m_step->setObjectName(QStringLiteral("step"));
    m_step->setRange(1, 3600);
    m_step->setDecimals(0);
    m_step->setSuffix(tr(" s"));
    UiWiring::name(m_step, tr("Seconds per level"));
    m_think->setObjectName(QStringLiteral("thinkTime"));
    m_think->setRange(0, 600000);
    m_think->setSuffix(tr(" ms"));
    UiWiring::name(m_think, tr("Think time"), tr("Pause of each virtual user between requests"));
    m_gates->setObjectName(QStringLiteral("gatePreset"));
    for (const QString &name : GateSet::presetNames())
        m_gates->addItem(presetLabel(name), name);
    m_gates->addItem(tr("Custom gates file…"), kChooseGatesFile);
    UiWiring::name(m_gates, tr("Gate preset"),
                   tr("Launch gates the verdict is checked against: a preset or a JSON file"));
    m_gatesNote->setObjectName(QStringLiteral("gatesNote"));
    m_gatesNote->setWordWrap(true);
    m_gatesNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_gatesNote->hide();

    m_stages->setObjectName(QStringLiteral("stagesTable"));
    m_stages->setHorizontalHeaderLabels({tr("Duration (s)"), tr("Users"), tr("Rate (req/s)")});
    m_stages->verticalHeader()->setVisible(false);
    m_stages->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_stages->setMinimumHeight(100);
    UiWiring::name(m_stages, tr("Stages"), tr("Each stage ramps linearly to its users or rate"));
    m_addStage->setText(tr("Add"));
    m_removeStage->setText(tr("Remove"));
    UiWiring::name(m_addStage, tr("Add stage"));
    UiWiring::name(m_removeStage, tr("Remove stage"));
    connect(m_addStage, &QToolButton::clicked, this, &ScenarioPanel::addStage);
    connect(m_removeStage, &QToolButton::clicked, this, &ScenarioPanel::removeStage);
    auto *stageButtons = new QHBoxLayout;
    stageButtons->addWidget(m_addStage);
    stageButtons->addWidget(m_removeStage);
    stageButtons->addStretch();
    auto *stagesLayout = new QVBoxLayout(m_stagesBox);
    stagesLayout->setContentsMargins(0, 0, 0, 0);
    stagesLayout->addWidget(m_stages);
    stagesLayout->addLayout(stageButtons);

    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->addRow(tr("&Preset"), m_preset);
    m_form->addRow(tr("&Model"), m_model);
    m_form->addRow(tr("&Users"), m_users);
    m_form->addRow(tr("&Rate"), m_rate);
    m_form->addRow(tr("&Duration"), m_duration);
    m_form->addRow(tr("&Levels"), m_levels);
    m_form->addRow(tr("&Step"), m_step);
    m_form->addRow(tr("&Think time"), m_think);
    m_form->addRow(tr("&Gates"), m_gates);
    m_form->addRow(QString(), m_gatesNote);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_stagesBox, 1);
    layout->addWidget(new QLabel(tr("Load shape")));
    layout->addWidget(m_preview);
    layout->addWidget(m_agents);
    layout->addStretch();

    connect(m_preset, &QComboBox::currentIndexChanged, this, &ScenarioPanel::edited);
    connect(m_model, &QComboBox::currentIndexChanged, this, &ScenarioPanel::edited);
    connect(m_gates, &QComboBox::currentIndexChanged, this, &ScenarioPanel::gateChosen);
    connect(m_users, &QSpinBox::valueChanged, this, &ScenarioPanel::edited);
    connect(m_think, &QSpinBox::valueChanged, this, &ScenarioPanel::edited);
    for (QDoubleSpinBox *box : {m_rate, m_duration, m_step})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ScenarioPanel::edited);
    connect(m_levels, &QLineEdit::textEdited, this, &ScenarioPanel::edited);
    connect(m_stages, &QTableWidget::itemChanged, this, &ScenarioPanel::edited);

    setPlan(Plan{});
}

QString ScenarioPanel::gatePreset() const
{
    return m_gates->currentData().toString();
}

void ScenarioPanel::edited()
{
    if (m_loading)
        return;
    updateVisibility();
    updatePreview();
    emit changed();
}

void ScenarioPanel::setPlan(const Plan &plan)
{
    m_loading = true;
    const ScenarioSpec &s = plan.scenario;
    m_loaded = s;
    m_preset->setCurrentIndex(std::max(0, m_preset->findData(s.preset)));
    const bool open = s.rate > 0 && !(s.users > 0);
    m_model->setCurrentIndex(open ? 1 : 0);
    m_users->setValue(s.users > 0 ? int(s.users) : 10);
    m_rate->setValue(s.rate > 0 ? s.rate : 50);
    m_duration->setValue(s.duration_s > 0 ? s.duration_s : 30);
    m_levels->setText(levelsText(s.levels));
    m_step->setValue(s.step_s);
    m_think->setValue(int(s.think_time_ms));
    m_stages->setRowCount(0);
    for (const StageSpec &st : s.stages) {
        const int row = m_stages->rowCount();
        m_stages->insertRow(row);
        m_stages->setItem(row, DurationColumn, new QTableWidgetItem(QString::number(st.duration_s)));
        m_stages->setItem(row, UsersColumn,
                          new QTableWidgetItem(st.users >= 0 ? QString::number(st.users) : QString()));
        m_stages->setItem(row, RateColumn, new QTableWidgetItem(st.rate >= 0 ? QString::number(st.rate) : QString()));
    }
    int gate = m_gates->findData(plan.gates);
    if (gate < 0 && !plan.gates.isEmpty()) {
        m_gates->insertItem(m_gates->count() - 1, tr("custom: %1").arg(QFileInfo(plan.gates).fileName()), plan.gates);
        gate = m_gates->count() - 2;
    }
    m_gates->setCurrentIndex(std::max(0, gate));
    m_gateIndex = m_gates->currentIndex();
    m_gatesNote->hide();
    m_loading = false;
    updateVisibility();
    updatePreview();
}

QString ScenarioPanel::applyTo(Plan *plan) const
{
    ScenarioSpec s = m_loaded;
    s.preset = m_preset->currentData().toString();
    const bool open =
        m_model->currentIndex() == 1 && (s.preset == QLatin1String("sustain") || s.preset == QLatin1String("soak"));
    s.users = open ? -1 : m_users->value();
    s.rate = open ? m_rate->value() : -1;
    s.duration_s = m_duration->value();
    s.step_s = m_step->value();
    s.think_time_ms = m_think->value();

    s.levels.clear();
    const QStringList parts =
        m_levels->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        bool ok = false;
        const int level = part.toInt(&ok);
        if (!ok || level <= 0)
            return tr("Sweep levels: \"%1\" is not a positive whole number of users (write e.g. 1, 2, 5, 10).")
                .arg(part);
        s.levels.push_back(level);
    }
    if (s.preset == QLatin1String("sweep") && s.levels.empty())
        return tr("Sweep levels: give at least one level, e.g. 1, 2, 5, 10.");

    s.stages.clear();
    for (int row = 0; row < m_stages->rowCount(); ++row) {
        auto number = [&](int column, double fallback, bool *ok) {
            const QTableWidgetItem *item = m_stages->item(row, column);
            const QString text = item ? item->text().trimmed() : QString();
            *ok = true;
            return text.isEmpty() ? fallback : text.toDouble(ok);
        };
        bool okDuration = false, okUsers = false, okRate = false;
        StageSpec st;
        st.duration_s = number(DurationColumn, 0, &okDuration);
        st.users = number(UsersColumn, -1, &okUsers);
        st.rate = number(RateColumn, -1, &okRate);
        if (!okDuration || !okUsers || !okRate || !(st.duration_s > 0))
            return tr("Stage %1: give a positive duration and a number of users or a rate.").arg(row + 1);
        s.stages.push_back(st);
    }
    plan->scenario = s;
    plan->gates = gatePreset();
    return {};
}

void ScenarioPanel::gateChosen(int index)
{
    if (m_gates->itemData(index).toString() != kChooseGatesFile) {
        m_gateIndex = index;
        if (!m_loading)
            m_gatesNote->hide();
        edited();
        return;
    }
    // Back to the previous choice first: the file dialog may be cancelled, or the file refused.
    {
        const QSignalBlocker blocker(m_gates);
        m_gates->setCurrentIndex(m_gateIndex);
    }
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Custom launch gates"), QString(), tr("Gates (*.json);;All files (*)"));
    if (!path.isEmpty())
        useGatesFile(path);
}

bool ScenarioPanel::useGatesFile(const QString &path)
{
    QString error;
    const std::optional<GateSet> gates = GateSet::fromFile(path, &error);
    if (!gates) {
        m_gatesNote->setText(tr("%1 was not used: %2. Fix the file and choose it again; the check ids are listed in "
                                "docs/diagnosis.md.")
                                 .arg(QFileInfo(path).fileName(), error));
        m_gatesNote->show();
        return false;
    }
    int index = m_gates->findData(path);
    if (index < 0) {
        m_gates->insertItem(m_gates->count() - 1, tr("custom: %1").arg(QFileInfo(path).fileName()), path);
        index = m_gates->count() - 2;
    }
    QStringList checks;
    for (const GateSpec &check : gates->checks())
        checks << check.label();
    m_gatesNote->setText(tr("Checks: %1").arg(checks.join(QStringLiteral(" · "))));
    m_gatesNote->show();
    m_gates->setCurrentIndex(index);
    return true;
}

void ScenarioPanel::setEnabledForRun(bool editable)
{
    for (QWidget *w : std::initializer_list<QWidget *>{m_preset, m_model, m_users, m_rate, m_duration, m_levels, m_step,
                                                       m_think, m_stages, m_addStage, m_removeStage, m_gates, m_agents})
        w->setEnabled(editable);
}

void ScenarioPanel::updateVisibility()
{
    const QString preset = m_preset->currentData().toString();
    const bool sweep = preset == QLatin1String("sweep");
    const bool stages = preset == QLatin1String("stages");
    const bool sustained = preset == QLatin1String("sustain") || preset == QLatin1String("soak");
    const bool open = sustained && m_model->currentIndex() == 1;
    m_form->setRowVisible(m_model, sustained);
    m_form->setRowVisible(m_users, !sweep && !stages && !open);
    m_form->setRowVisible(m_rate, open);
    m_form->setRowVisible(m_duration, !sweep && !stages);
    m_form->setRowVisible(m_levels, sweep);
    m_form->setRowVisible(m_step, sweep);
    m_form->setRowVisible(m_think, !open);
    m_stagesBox->setVisible(stages);
}

void ScenarioPanel::updatePreview()
{
    Plan plan;
    if (applyTo(&plan).isEmpty())
        m_preview->setScenario(plan.scenario);
}

void ScenarioPanel::addStage()
{
    const int row = m_stages->rowCount();
    m_loading = true;
    m_stages->insertRow(row);
    m_stages->setItem(row, DurationColumn, new QTableWidgetItem(QStringLiteral("10")));
    m_stages->setItem(row, UsersColumn, new QTableWidgetItem(QStringLiteral("10")));
    m_stages->setItem(row, RateColumn, new QTableWidgetItem);
    m_loading = false;
    edited();
}

void ScenarioPanel::removeStage()
{
    const int row = m_stages->currentRow();
    if (row < 0)
        return;
    m_stages->removeRow(row);
    edited();
}

} // namespace Preflight
