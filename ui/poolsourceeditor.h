#pragma once

#include "data/dbsample.h"
#include "plan/plan.h"

#include <QWidget>

#include <functional>
#include <map>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
QT_END_NAMESPACE

namespace Preflight {

class JobTracker;

// Edits the plan's pool source (PoolSpec): none, a JSON health document read with JSON pointers, or a
// Prometheus text endpoint read by metric names, for in_use / idle / max / waiting. Presets come from core
// (PoolSampler::preset: SQLAlchemy-style status JSON, HikariCP metric names; demoPlan(): the demo target's
// /health), never a table of our own. "Test" reads the URL once off the GUI thread and shows the values.
class PoolSourceEditor : public QWidget
{
    Q_OBJECT
public:
    enum Key { InUse, Idle, Max, Waiting, NUM_KEYS };
    // Target settings the test request needs (base URL, headers, TLS), asked for when Test is pressed.
    using TargetProvider = std::function<TargetSpec()>;

    explicit PoolSourceEditor(QWidget *parent = nullptr);

    void setSpec(const PoolSpec &spec);
    PoolSpec spec() const;
    void setTargetProvider(TargetProvider provider) { m_target = std::move(provider); }
    void setEnabledForRun(bool editable);

    // Preset ids offered in the combo: "sqlalchemy", "hikaricp", "demo".
    static QStringList presetIds();
    static PoolSpec presetSpec(const QString &id);
    void applyPreset(const QString &id);

    // One blocking read of the pool URL (call off the GUI thread). url relative to target.base_url or absolute.
    static PoolSample readOnce(const PoolSpec &spec, const TargetSpec &target);

    QComboBox *kindCombo() const { return m_kind; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *keyEdit(Key key) const { return m_keys[key]; }
    QPushButton *testButton() const { return m_test; }
    QString testResultText() const;

public slots:
    void test();

signals:
    void changed();

private:
    void kindChanged();
    void storeEdits();
    void loadEdits();
    void updateEnabled();
    // The fields changed: a test in flight no longer applies, and its result goes.
    void dropTest();

    QComboBox *m_kind;
    QComboBox *m_preset;
    QLineEdit *m_url;
    QLineEdit *m_keys[NUM_KEYS];
    QLabel *m_keyLabels[NUM_KEYS];
    QPushButton *m_test;
    QLabel *m_result;
    std::map<QString, QString> m_pointers;
    std::map<QString, QString> m_metrics;
    QString m_shownKind;
    TargetProvider m_target;
    JobTracker *m_jobs;
    bool m_loading = false;
    bool m_editable = true;
};

} // namespace Preflight
