#include "screenshotdirector.h"

#include "errorbanner.h"
#include "errorsmodel.h"
#include "errorsview.h"
#include "evidencelocator.h"
#include "findingcard.h"
#include "findingspanel.h"
#include "loginstepeditor.h"
#include "mainwindow.h"
#include "run/runcontroller.h"
#include "runhistorypanel.h"
#include "runlistmodel.h"
#include "runpresenter.h"
#include "scenariopanel.h"
#include "targetpanel.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

#include <cstdio>

namespace Preflight {

namespace {

// Long enough for the asynchronous parts of a view (store reads, the comparison, a repaint) to land.
constexpr int kViewSettle_ms = 1500;

QDockWidget *raiseDock(MainWindow *window, const char *objectName)
{
    auto *dock = window->findChild<QDockWidget *>(QLatin1String(objectName));
    if (dock) {
        dock->show();
        dock->raise();
    }
    return dock;
}

// The card most severe first, as the panel orders them; empty when there is none.
QString firstFindingId(MainWindow *window)
{
    const QList<FindingCard *> cards = window->findingsPanel()->findChildren<FindingCard *>();
    return cards.isEmpty() ? QString() : cards.first()->findingId();
}

// The N+1 finding when there is one (the demo has), else the first finding whose evidence points at a query;
// empty when none does.
QString firstFindingWithQuery(MainWindow *window)
{
    const RunDataPtr run = window->presenter()->shownRun();
    if (!run)
        return {};
    QString first;
    for (const Finding &f : run->findings) {
        if (EvidenceLocator::locate(*run, f).query_text.isEmpty())
            continue;
        if (f.id == QLatin1String("n-plus-one"))
            return f.id;
        if (first.isEmpty())
            first = f.id;
    }
    return first;
}

// A ramp-and-hold shape, so the stages table and the preview have something to show.
void showExampleStages(MainWindow *window)
{
    QString error;
    std::optional<Plan> plan = window->currentPlan(&error);
    if (!plan)
        return;
    plan->scenario.preset = QStringLiteral("stages");
    plan->scenario.stages.clear();
    const std::pair<double, double> stages[] = {{30, 20}, {60, 20}, {30, 50}, {90, 50}, {20, 0}};
    for (const auto &[duration_s, users] : stages) {
        StageSpec s;
        s.duration_s = duration_s;
        s.users = users;
        plan->scenario.stages.push_back(s);
    }
    window->scenarioPanel()->setPlan(*plan);
}

} // namespace

ScreenshotDirector::ScreenshotDirector(MainWindow *window) : QObject(window), m_window(window)
{
    m_screenshot = qEnvironmentVariable("PREFLIGHT_SCREENSHOT");
    m_views = qEnvironmentVariable("PREFLIGHT_SCREENSHOT_VIEWS").split(QLatin1Char(','), Qt::SkipEmptyParts);
    m_dir = qEnvironmentVariable("PREFLIGHT_SCREENSHOT_DIR", QStringLiteral("."));
    m_suffix = qEnvironmentVariable("PREFLIGHT_SCREENSHOT_SUFFIX");
    m_autostart = qEnvironmentVariableIntValue("PREFLIGHT_AUTOSTART") == 1;
    bool ok = false;
    const double after = qEnvironmentVariable("PREFLIGHT_SCREENSHOT_AFTER_S").toDouble(&ok);
    if (ok && after > 0)
        m_after_s = after;
    m_active = !m_screenshot.isEmpty() || !m_views.isEmpty() || m_autostart ||
               qEnvironmentVariableIsSet("PREFLIGHT_PLAN") || qEnvironmentVariableIsSet("PREFLIGHT_TARGET");
}

QStringList ScreenshotDirector::viewNames()
{
    return {QStringLiteral("main"),   QStringLiteral("findings"), QStringLiteral("queries"),
            QStringLiteral("errors"), QStringLiteral("history"),  QStringLiteral("comparison"),
            QStringLiteral("target"), QStringLiteral("scenario")};
}

void ScreenshotDirector::begin()
{
    if (!m_active)
        return;
    const bool shooting = !m_screenshot.isEmpty() || !m_views.isEmpty();
    const QString size =
        qEnvironmentVariable("PREFLIGHT_WINDOW_SIZE", shooting ? QStringLiteral("1440x900") : QString());
    const QStringList wh = size.split(QLatin1Char('x'));
    if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
        m_window->resize(wh[0].toInt(), wh[1].toInt());
    if (const QString plan = qEnvironmentVariable("PREFLIGHT_PLAN"); !plan.isEmpty())
        m_window->openPlan(plan);
    if (const QString target = qEnvironmentVariable("PREFLIGHT_TARGET"); !target.isEmpty())
        m_window->targetPanel()->baseUrlEdit()->setText(target);

    if (!m_views.isEmpty()) {
        // After the diagnosis (findings, N+1 marks on the queries) and the history refresh that follows the run.
        connect(m_window->presenter(), &RunPresenter::runDiagnosed, this,
                [this] { QTimer::singleShot(2000, this, &ScreenshotDirector::shootViews); });
        connect(m_window->controller(), &RunController::runFailed, this,
                [this] { QTimer::singleShot(2000, this, &ScreenshotDirector::shootViews); });
    } else if (!m_screenshot.isEmpty()) {
        connect(m_window->controller(), &RunController::runFinished, this,
                [this] { QTimer::singleShot(600, this, &ScreenshotDirector::takeScreenshot); });
        connect(m_window->controller(), &RunController::runFailed, this,
                [this] { QTimer::singleShot(300, this, &ScreenshotDirector::takeScreenshot); });
        connect(m_window->controller(), &RunController::runStarted, this,
                [this] { QTimer::singleShot(int(m_after_s * 1000), this, &ScreenshotDirector::takeScreenshot); });
        if (!m_autostart)
            QTimer::singleShot(int(m_after_s * 1000), this, &ScreenshotDirector::takeScreenshot);
    }
    if (m_autostart)
        QTimer::singleShot(300, m_window, &MainWindow::startRun);
}

bool ScreenshotDirector::save(const QString &path)
{
    // Quality 0: the strongest zlib level (1440x900 windows come out at 270-320 KB).
    const bool saved = m_window->grab().save(path, "PNG", 0);
    std::fprintf(stderr, "preflight: screenshot %s %s\n", saved ? "saved to" : "could not be written to",
                 qPrintable(path));
    if (!m_window->banner()->message().isEmpty())
        std::fprintf(stderr, "preflight: banner: %s\n", qPrintable(m_window->banner()->message()));
    return saved;
}

void ScreenshotDirector::quit(bool ok)
{
    if (m_window->controller()->isRunning()) {
        m_window->controller()->stop();
        m_window->controller()->stop();
        connect(m_window->controller(), &RunController::runFinished, qApp, [ok] { QApplication::exit(ok ? 0 : 1); });
        QTimer::singleShot(5000, qApp, [ok] { QApplication::exit(ok ? 0 : 1); });
        return;
    }
    QApplication::exit(ok ? 0 : 1);
}

void ScreenshotDirector::takeScreenshot()
{
    if (m_taken)
        return;
    m_taken = true;
    quit(save(m_screenshot));
}

void ScreenshotDirector::shootViews()
{
    if (m_taken)
        return;
    m_taken = true;
    QDir().mkpath(m_dir);
    shootNextView();
}

void ScreenshotDirector::shootNextView()
{
    if (m_views.isEmpty())
        return quit(m_allSaved);
    const QString view = m_views.takeFirst();
    if (!showView(view)) {
        std::fprintf(stderr, "preflight: unknown screenshot view %s (known: %s)\n", qPrintable(view),
                     qPrintable(viewNames().join(QStringLiteral(", "))));
        m_allSaved = false;
        return shootNextView();
    }
    QTimer::singleShot(kViewSettle_ms, this, [this, view] {
        m_allSaved = save(QDir(m_dir).filePath(view + m_suffix + QStringLiteral(".png"))) && m_allSaved;
        shootNextView();
    });
}

bool ScreenshotDirector::showView(const QString &view)
{
    MainWindow *w = m_window;
    if (view == QLatin1String("main")) {
        raiseDock(w, "endpointsDock");
        raiseDock(w, "targetDock");
    } else if (view == QLatin1String("findings")) {
        // A click on the most severe card: shaded span on the charts, its endpoint selected. The click may raise
        // the Queries dock (the queries view shows that); here the endpoint table stays in front.
        w->findingsPanel()->activateFinding(firstFindingId(w));
        raiseDock(w, "endpointsDock");
    } else if (view == QLatin1String("queries")) {
        // A click on the card whose evidence is a query raises the Queries dock on it, with its plan.
        raiseDock(w, "queriesDock");
        w->findingsPanel()->activateFinding(firstFindingWithQuery(w));
    } else if (view == QLatin1String("errors")) {
        // A run without failed requests leaves the dock empty: then the oldest stored run is shown instead.
        const QAbstractItemModel *runs = w->historyPanel()->view()->model();
        if (w->findChild<ErrorsView *>()->model()->rowCount() == 0 && runs->rowCount() > 1)
            w->historyPanel()->openRun(runs->index(runs->rowCount() - 1, 0).data(RunListModel::IdRole).toLongLong());
        raiseDock(w, "errorsDock");
    } else if (view == QLatin1String("history") || view == QLatin1String("comparison")) {
        raiseDock(w, "historyDock");
        QTableView *runs = w->historyPanel()->view();
        runs->clearSelection();
        for (int row = 0; row < std::min(2, runs->model()->rowCount()); ++row)
            runs->selectionModel()->select(runs->model()->index(row, 0),
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
        if (view == QLatin1String("comparison"))
            w->historyPanel()->compareSelected(); // raises the Comparison dock when it is ready
    } else if (view == QLatin1String("target")) {
        raiseDock(w, "targetDock");
        // The login step, pool and database sections are below the endpoints; scroll them into view.
        QWidget *p = w->targetPanel();
        while (p && !qobject_cast<QScrollArea *>(p))
            p = p->parentWidget();
        auto *login = w->targetPanel()->findChild<LoginStepEditor *>();
        if (p && login) {
            // Vertically only: the panel is wider than the dock, and the labels are on the left.
            auto *area = static_cast<QScrollArea *>(p);
            area->verticalScrollBar()->setValue(login->mapTo(area->widget(), QPoint(0, 0)).y() - 8);
            area->horizontalScrollBar()->setValue(0);
        }
    } else if (view == QLatin1String("scenario")) {
        raiseDock(w, "scenarioDock");
        showExampleStages(w);
    } else {
        return false;
    }
    return true;
}

} // namespace Preflight
