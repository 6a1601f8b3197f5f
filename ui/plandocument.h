#pragma once

#include "plan/plan.h"

#include <QObject>
#include <QStringList>

#include <optional>

namespace Preflight {

// The plan file behind the main window: its path, whether it has unsaved edits, and the recent-files list
// (kept in QSettings). Reading and writing go through PlanParser and Plan::toJson, like the CLI.
class PlanDocument : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxRecentFiles = 8;

    explicit PlanDocument(QObject *parent = nullptr);

    // The plan a new document starts from: a loopback target and a short sweep.
    static Plan defaultPlan();
    static QString fileFilter();
    // Appends ".preflight.json" when the name has no .json suffix.
    static QString withSuffix(const QString &path);

    QString path() const { return m_path; }
    QString displayName() const;
    bool isModified() const { return m_modified; }
    void setModified(bool modified);

    // New document (no path, unmodified), shown as `untitledName` (empty: "Untitled plan") until saved.
    void reset(const QString &untitledName = {});
    std::optional<Plan> open(const QString &path, QString *error);
    bool save(const QString &path, const Plan &plan, QString *error);

    QStringList recentFiles() const;
    void clearRecentFiles();

signals:
    void modifiedChanged(bool modified);
    void pathChanged(const QString &path);
    void recentFilesChanged();

private:
    void setPath(const QString &path);
    void addRecentFile(const QString &path);

    QString m_path;
    QString m_untitledName;
    bool m_modified = false;
};

} // namespace Preflight
