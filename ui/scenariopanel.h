#pragma once

#include "plan/plan.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QToolButton;
QT_END_NAMESPACE

namespace Preflight {

class AgentsFields;
class LoadShapePreview;

// Edits the scenario of a plan: preset (sweep, sustain, burst, soak, stages), its parameters, an explicit
// stages table, the gate preset, and shows a preview of the resulting load shape. Under it, the agents a run may
// use (AgentsFields: run options, not part of the plan).
class ScenarioPanel : public QWidget
{
    Q_OBJECT
public:
    enum StageColumns { DurationColumn, UsersColumn, RateColumn, NUM_STAGE_COLUMNS };

    explicit ScenarioPanel(QWidget *parent = nullptr);

    void setPlan(const Plan &plan);
    // Writes the scenario and gate preset into *plan. Returns an empty string, or what to correct.
    QString applyTo(Plan *plan) const;
    void setEnabledForRun(bool editable);

    QComboBox *presetCombo() const { return m_preset; }
    LoadShapePreview *preview() const { return m_preview; }
    AgentsFields *agentsFields() const { return m_agents; }
    QString gatePreset() const;
    // Selects a custom gates file (JSON, the check ids of docs/diagnosis.md) after checking it parses; on a bad
    // file the note under the gates says what to fix and the previous choice stays. Returns whether it took.
    bool useGatesFile(const QString &path);

signals:
    void changed();

private:
    void updateVisibility();
    void updatePreview();
    void addStage();
    void removeStage();
    void edited();
    void gateChosen(int index);

    QComboBox *m_preset;
    QComboBox *m_model;
    QSpinBox *m_users;
    QDoubleSpinBox *m_rate;
    QDoubleSpinBox *m_duration;
    QLineEdit *m_levels;
    QDoubleSpinBox *m_step;
    QSpinBox *m_think;
    QTableWidget *m_stages;
    QToolButton *m_addStage;
    QToolButton *m_removeStage;
    QComboBox *m_gates;
    QLabel *m_gatesNote; // the custom gates' checks, or why a file was refused
    int m_gateIndex = 0; // the choice before "Custom gates file…" was picked
    LoadShapePreview *m_preview;
    AgentsFields *m_agents;
    QFormLayout *m_form;
    QWidget *m_stagesBox;
    ScenarioSpec m_loaded; // fields the panel does not show (idle_s, profile_requests)
    bool m_loading = false;
};

} // namespace Preflight
