#include "poolsourceeditor.h"

#include "db/poolsampler.h"
#include "demo/demoplan.h"
#include "jobtracker.h"
#include "load/targetprobe.h"
#include "plan/planparser.h"
#include "plan/secretresolver.h"
#include "uiwiring.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace Preflight {

namespace {

enum Job { TestJob };

const char *const kKeyNames[PoolSourceEditor::NUM_KEYS] = {"in_use", "idle", "max", "waiting"};

QString keyName(int key)
{
    return QLatin1String(kKeyNames[key]);
}

QString value(int v)
{
    return v < 0 ? QStringLiteral("–") : QString::number(v);
}

} // namespace

PoolSourceEditor::PoolSourceEditor(QWidget *parent)
    : QWidget(parent), m_kind(new QComboBox), m_preset(new QComboBox), m_url(new QLineEdit),
      m_test(new QPushButton(tr("Test"))), m_result(new QLabel), m_jobs(new JobTracker(this))
{
    setObjectName(QStringLiteral("poolSourceEditor"));
    m_kind->setObjectName(QStringLiteral("poolKind"));
    m_kind->addItem(tr("None"), QString());
    m_kind->addItem(tr("JSON health document"), QStringLiteral("json"));
    m_kind->addItem(tr("Prometheus metrics"), QStringLiteral("prometheus"));
    UiWiring::name(m_kind, tr("Pool source"), tr("Where the application reports its connection pool"));
    m_preset->setObjectName(QStringLiteral("poolPreset"));
    m_preset->addItem(tr("Fill from a preset…"), QString());
    m_preset->addItem(tr("SQLAlchemy-style status JSON (/pool/checked_out…)"), QStringLiteral("sqlalchemy"));
    m_preset->addItem(tr("HikariCP metrics (hikaricp_connections_*)"), QStringLiteral("hikaricp"));
    m_preset->addItem(tr("Preflight demo target (/health)"), QStringLiteral("demo"));
    UiWiring::name(m_preset, tr("Pool preset"), tr("Fills the source, URL and names for a common stack"));
    m_url->setObjectName(QStringLiteral("poolUrl"));
    m_url->setPlaceholderText(QStringLiteral("/health"));
    UiWiring::name(m_url, tr("Pool URL"), tr("Path on the target (or an absolute URL) that reports the pool"));
    const QString labels[NUM_KEYS] = {tr("In use"), tr("Idle"), tr("Max"), tr("Waiting")};
    for (int k = 0; k < NUM_KEYS; ++k) {
        m_keys[k] = new QLineEdit;
        m_keys[k]->setObjectName(QStringLiteral("pool_") + keyName(k));
        UiWiring::name(m_keys[k], tr("Pool %1").arg(labels[k].toLower()));
        m_keyLabels[k] = new QLabel(labels[k]);
        m_keyLabels[k]->setBuddy(m_keys[k]);
    }
    m_test->setObjectName(QStringLiteral("testPool"));
    UiWiring::name(m_test, tr("Test pool source"), tr("Read the pool URL once and show the values"));
    m_result->setObjectName(QStringLiteral("poolTestResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();

    auto *top = new QHBoxLayout;
    top->addWidget(m_kind, 1);
    top->addWidget(m_preset, 1);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_url, 1);
    urlRow->addWidget(m_test);
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Source"), top);
    form->addRow(tr("URL"), urlRow);
    for (int k = 0; k < NUM_KEYS; ++k)
        form->addRow(m_keyLabels[k], m_keys[k]);
    form->addRow(m_result);

    m_shownKind = QString();
    connect(m_kind, &QComboBox::currentIndexChanged, this, &PoolSourceEditor::kindChanged);
    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        const QString id = m_preset->itemData(index).toString();
        m_preset->setCurrentIndex(0);
        if (!id.isEmpty())
            applyPreset(id);
    });
    connect(m_test, &QPushButton::clicked, this, &PoolSourceEditor::test);
    auto edited = [this] {
        dropTest(); // a result read with the old settings no longer applies
        if (!m_loading)
            emit changed();
    };
    connect(m_url, &QLineEdit::textEdited, this, edited);
    for (QLineEdit *e : m_keys)
        connect(e, &QLineEdit::textEdited, this, edited);
    updateEnabled();
}

QStringList PoolSourceEditor::presetIds()
{
    return {QStringLiteral("sqlalchemy"), QStringLiteral("hikaricp"), QStringLiteral("demo")};
}

PoolSpec PoolSourceEditor::presetSpec(const QString &id)
{
    if (id == QLatin1String("demo"))
        return demoPlan(QString(), QString()).pool;
    PoolSpec spec = PoolSampler::preset(id);
    // The core presets name only the keys; the URL is where those stacks usually expose them.
    if (spec.kind == QLatin1String("json"))
        spec.url = QStringLiteral("/health");
    else if (spec.kind == QLatin1String("prometheus"))
        spec.url = QStringLiteral("/actuator/prometheus");
    return spec;
}

void PoolSourceEditor::applyPreset(const QString &id)
{
    const PoolSpec spec = presetSpec(id);
    if (spec.kind.isEmpty())
        return;
    PoolSpec merged = this->spec();
    merged.kind = spec.kind;
    if (m_url->text().trimmed().isEmpty() || id == QLatin1String("demo"))
        merged.url = spec.url;
    (spec.kind == QLatin1String("json") ? merged.pointers : merged.metrics) =
        spec.kind == QLatin1String("json") ? spec.pointers : spec.metrics;
    setSpec(merged);
    emit changed();
}

void PoolSourceEditor::setSpec(const PoolSpec &spec)
{
    m_loading = true;
    m_pointers = spec.pointers;
    m_metrics = spec.metrics;
    m_url->setText(spec.url);
    const int index = m_kind->findData(spec.kind);
    m_shownKind.clear(); // do not store the old edits into the new maps
    m_kind->setCurrentIndex(index < 0 ? 0 : index);
    m_shownKind = m_kind->currentData().toString();
    loadEdits();
    dropTest();
    updateEnabled();
    m_loading = false;
}

PoolSpec PoolSourceEditor::spec() const
{
    PoolSpec spec;
    spec.kind = m_kind->currentData().toString();
    if (spec.kind.isEmpty())
        return spec;
    spec.url = m_url->text().trimmed();
    spec.pointers = m_pointers;
    spec.metrics = m_metrics;
    std::map<QString, QString> &shown = spec.kind == QLatin1String("prometheus") ? spec.metrics : spec.pointers;
    shown.clear();
    for (int k = 0; k < NUM_KEYS; ++k)
        if (const QString text = m_keys[k]->text().trimmed(); !text.isEmpty())
            shown[keyName(k)] = text;
    return spec;
}

void PoolSourceEditor::storeEdits()
{
    if (m_shownKind.isEmpty())
        return;
    std::map<QString, QString> &shown = m_shownKind == QLatin1String("prometheus") ? m_metrics : m_pointers;
    shown.clear();
    for (int k = 0; k < NUM_KEYS; ++k)
        if (const QString text = m_keys[k]->text().trimmed(); !text.isEmpty())
            shown[keyName(k)] = text;
}

void PoolSourceEditor::loadEdits()
{
    const bool prometheus = m_shownKind == QLatin1String("prometheus");
    const std::map<QString, QString> &shown = prometheus ? m_metrics : m_pointers;
    // Empty fields fall back to the preset PoolSampler uses when no names are given: show it as the hint.
    const PoolSpec fallback =
        PoolSampler::preset(prometheus ? QStringLiteral("hikaricp") : QStringLiteral("sqlalchemy"));
    const std::map<QString, QString> &hints = prometheus ? fallback.metrics : fallback.pointers;
    for (int k = 0; k < NUM_KEYS; ++k) {
        const auto it = shown.find(keyName(k));
        m_keys[k]->setText(it == shown.end() ? QString() : it->second);
        const auto hint = hints.find(keyName(k));
        m_keys[k]->setPlaceholderText(hint == hints.end() ? QString() : hint->second);
        m_keys[k]->setToolTip(prometheus ? tr("Prometheus metric name (values summed over labels)")
                                         : tr("JSON pointer (RFC 6901) into the document"));
    }
}

void PoolSourceEditor::kindChanged()
{
    if (!m_loading)
        storeEdits();
    m_shownKind = m_kind->currentData().toString();
    loadEdits();
    dropTest();
    updateEnabled();
    if (!m_loading)
        emit changed();
}

void PoolSourceEditor::updateEnabled()
{
    const bool on = !m_kind->currentData().toString().isEmpty();
    m_url->setEnabled(m_editable && on);
    for (QLineEdit *e : m_keys)
        e->setEnabled(m_editable && on);
    m_test->setEnabled(on);
    m_kind->setEnabled(m_editable);
    m_preset->setEnabled(m_editable);
}

void PoolSourceEditor::setEnabledForRun(bool editable)
{
    m_editable = editable;
    updateEnabled();
}

PoolSample PoolSourceEditor::readOnce(const PoolSpec &spec, const TargetSpec &target)
{
    PoolSample s;
    QStringList missing;
    QString url = SecretResolver::resolve(spec.url, &missing);
    if (!url.startsWith(QLatin1String("http://")) && !url.startsWith(QLatin1String("https://"))) {
        QString error;
        const std::optional<QString> base =
            PlanParser::normaliseBaseUrl(SecretResolver::resolve(target.base_url, &missing), &error);
        if (!base) {
            s.error = tr("the pool URL is relative and the base URL is not usable: %1; set the target's base URL, or "
                         "give the pool URL as an absolute http:// URL")
                          .arg(error);
            return s;
        }
        url = *base + (url.startsWith(QLatin1Char('/')) ? url : QLatin1Char('/') + url);
    }
    TargetProbe::Request request;
    request.url = url.toStdString();
    request.timeout_ms = std::min(target.timeout_ms, 5000);
    request.transport = TransportOptions::fromTarget(target);
    for (const auto &[name, v] : target.headers)
        request.headers.push_back(
            QString(name + QStringLiteral(": ") + SecretResolver::resolve(v, &missing)).toStdString());
    if (!missing.isEmpty()) {
        s.error = SecretResolver::describeMissing(missing, tr("the target"));
        return s;
    }
    const QString shown = SecretResolver::redactUrl(url);
    const ProbeResult answer = TargetProbe::fetch(request);
    if (!answer.answered) {
        s.error = tr("%1; check the pool URL and that the application is running there").arg(answer.describe(shown));
        return s;
    }
    if (!answer.isSuccess()) {
        s.error = tr("%1 answered HTTP %2; check the pool URL").arg(shown).arg(answer.status);
        return s;
    }
    // Same fallbacks as PoolSampler: no names given → its preset for the kind.
    const bool prometheus = spec.kind == QLatin1String("prometheus");
    const std::map<QString, QString> names =
        prometheus
            ? (spec.metrics.empty() ? PoolSampler::preset(QStringLiteral("hikaricp")).metrics : spec.metrics)
            : (spec.pointers.empty() ? PoolSampler::preset(QStringLiteral("sqlalchemy")).pointers : spec.pointers);
    s = prometheus ? PoolSampler::parsePrometheus(answer.body, names) : PoolSampler::parseJson(answer.body, names);
    // The sampler's words say what is wrong with the answer; the editor adds which of its fields to change.
    if (!s.ok) {
        s.error += prometheus ? tr("; set the metric names to ones %1 exposes, or choose another source").arg(shown)
                              : tr("; point the URL at the document that reports the pool and the JSON pointers at "
                                   "its figures, or choose Prometheus metrics");
        return s;
    }
    // A figure shown as "–" says which of the names did not resolve, so that the field to fix is known.
    if (s.error.isEmpty()) {
        const int values[NUM_KEYS] = {s.in_use, s.idle, s.max, s.waiting};
        QStringList absent;
        for (int k = 0; k < NUM_KEYS; ++k)
            if (const auto it = names.find(keyName(k)); values[k] < 0 && it != names.end())
                absent << it->second;
        if (!absent.isEmpty())
            s.error = tr("not found: %1").arg(absent.join(QStringLiteral(", ")));
    }
    return s;
}

void PoolSourceEditor::test()
{
    const PoolSpec spec = this->spec();
    if (spec.kind.isEmpty())
        return;
    const TargetSpec target = m_target ? m_target() : TargetSpec{};
    m_test->setEnabled(false);
    m_test->setText(tr("Testing…"));
    m_result->setStyleSheet(QString());
    m_result->setText(tr("Reading %1…").arg(SecretResolver::redactUrl(spec.url)));
    m_result->show();
    m_jobs->start(
        TestJob, [spec, target] { return readOnce(spec, target); },
        [this](const PoolSample &s) {
            m_test->setText(tr("Test"));
            updateEnabled();
            if (!s.ok) {
                m_result->setStyleSheet(QStringLiteral("color: #c62828;"));
                m_result->setText(s.error);
            } else {
                m_result->setStyleSheet(QStringLiteral("color: #2e8b3e;"));
                QString text = tr("in use %1 · idle %2 · max %3 · waiting %4")
                                   .arg(value(s.in_use), value(s.idle), value(s.max), value(s.waiting));
                if (!s.error.isEmpty())
                    text += QStringLiteral(" (") + s.error + QLatin1Char(')'); // some names were not found
                m_result->setText(text);
            }
            m_result->show();
        });
}

void PoolSourceEditor::dropTest()
{
    m_jobs->cancel(TestJob);
    m_test->setText(tr("Test"));
    updateEnabled(); // the dropped probe's answer will never come to enable it
    m_result->hide();
}

QString PoolSourceEditor::testResultText() const
{
    return m_result->isHidden() ? QString() : m_result->text();
}

} // namespace Preflight
