#include "plandocument.h"

#include "plan/planparser.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSettings>

namespace Preflight {

namespace {
const QString kRecentKey = QStringLiteral("recentFiles");
}

PlanDocument::PlanDocument(QObject *parent) : QObject(parent) {}

Plan PlanDocument::defaultPlan()
{
    Plan plan;
    plan.target.base_url = QStringLiteral("http://127.0.0.1:8000");
    EndpointSpec root;
    root.path = QStringLiteral("/");
    plan.endpoints.push_back(root);
    plan.scenario.preset = QStringLiteral("sweep");
    plan.scenario.levels = {1, 2, 5, 10, 20};
    plan.scenario.step_s = 5;
    return plan;
}

QString PlanDocument::fileFilter()
{
    return tr("Preflight plans (*.preflight.json *.json);;All files (*)");
}

QString PlanDocument::withSuffix(const QString &path)
{
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return path;
    return path + QStringLiteral(".preflight.json");
}

QString PlanDocument::displayName() const
{
    if (!m_path.isEmpty())
        return QFileInfo(m_path).fileName();
    return m_untitledName.isEmpty() ? tr("Untitled plan") : m_untitledName;
}

void PlanDocument::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    emit modifiedChanged(modified);
}

void PlanDocument::setPath(const QString &path)
{
    if (m_path == path)
        return;
    m_path = path;
    emit pathChanged(path);
}

void PlanDocument::reset(const QString &untitledName)
{
    const bool renamed = m_untitledName != untitledName;
    m_untitledName = untitledName;
    setPath({});
    setModified(false);
    if (renamed)
        emit pathChanged(m_path);
}

std::optional<Plan> PlanDocument::open(const QString &path, QString *error)
{
    PlanError planError;
    std::optional<Plan> plan = PlanParser::parseFile(path, &planError);
    if (!plan) {
        *error = QFileInfo(path).fileName() + QStringLiteral(": ") + planError.toString();
        return std::nullopt;
    }
    setPath(QFileInfo(path).absoluteFilePath());
    setModified(false);
    addRecentFile(m_path);
    return plan;
}

bool PlanDocument::save(const QString &path, const Plan &plan, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    setPath(QFileInfo(path).absoluteFilePath());
    setModified(false);
    addRecentFile(m_path);
    return true;
}

QStringList PlanDocument::recentFiles() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void PlanDocument::clearRecentFiles()
{
    QSettings().remove(kRecentKey);
    emit recentFilesChanged();
}

void PlanDocument::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    QSettings().setValue(kRecentKey, files);
    emit recentFilesChanged();
}

} // namespace Preflight
