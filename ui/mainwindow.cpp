#include "mainwindow.h"

#include "errorsview.h"
#include "report/reportexportdialog.h"

#include "agentsfields.h"
#include "comparisonview.h"
#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "evidencelocator.h"
#include "findingspanel.h"
#include "livedashboard.h"
#include "plan/planparser.h"
#include "plandocument.h"
#include "queryinspector.h"
#include "run/runcontroller.h"
#include "rungates.h"
#include "runhistorypanel.h"
#include "runpresenter.h"
#include "scenariopanel.h"
#include "statusline.h"
#include "targetpanel.h"
#include "uiwiring.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Preflight {

namespace {

QDockWidget *dock(const QString &title, const QString &objectName, QWidget *content, QWidget *parent)
{
    auto *d = new QDockWidget(title, parent);
    d->setObjectName(objectName);
    d->setWidget(content);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    return d;
}

QScrollArea *scrolled(QWidget *content)
{
    auto *area = new QScrollArea;
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setAccessibleName(content->accessibleName().isEmpty() ? content->objectName() : content->accessibleName());
    return area;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_controller(new RunController(this)), m_document(new PlanDocument(this)),
      m_banner(new ErrorBanner), m_dashboard(new LiveDashboard), m_target(new TargetPanel),
      m_scenario(new ScenarioPanel), m_endpointModel(new EndpointTableModel(this)),
      m_endpointProxy(new QSortFilterProxyModel(this)), m_endpointView(new QTableView), m_findings(new FindingsPanel),
      m_errors(new ErrorsView), m_status(new StatusLine), m_history(new RunHistoryPanel),
      m_comparison(new ComparisonView), m_queries(new QueryInspector)
{
    setObjectName(QStringLiteral("mainWindow"));
    m_target->setAccessibleName(tr("Target"));
    m_scenario->setAccessibleName(tr("Scenario"));

    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(4, 4, 4, 4);
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_dashboard, 1);
    setCentralWidget(central);

    m_endpointProxy->setSourceModel(m_endpointModel);
    m_endpointProxy->setSortRole(EndpointTableModel::SortRole);
    m_endpointView->setObjectName(QStringLiteral("endpointView"));
    m_endpointView->setModel(m_endpointProxy);
    m_endpointView->setSortingEnabled(true);
    m_endpointView->sortByColumn(-1, Qt::AscendingOrder);
    m_endpointView->verticalHeader()->setVisible(false);
    m_endpointView->horizontalHeader()->setSectionResizeMode(EndpointTableModel::EndpointColumn, QHeaderView::Stretch);
    m_endpointView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_endpointView->setAlternatingRowColors(true);
    UiWiring::name(m_endpointView, tr("Endpoints, live"), tr("Requests, rate, errors and latency per endpoint"));

    statusBar()->addWidget(m_status, 1);
    m_presenter = new RunPresenter(
        m_controller, {m_dashboard, m_endpointModel, m_status, m_findings, m_banner, m_errors, m_queries}, this);

    createActions();
    createDocks();
    connectHistory();

    connect(m_presenter, &RunPresenter::runningChanged, this, &MainWindow::updateActions);
    connect(m_target, &TargetPanel::changed, this, [this] { m_document->setModified(true); });
    connect(m_scenario, &ScenarioPanel::changed, this, [this] {
        m_document->setModified(true);
        if (!m_presenter->isRunning()) {
            // The gate set the next run would be judged by (the plan's inline gates win, as in the run).
            Plan plan = m_basePlan;
            plan.gates = m_scenario->gatePreset();
            m_dashboard->setGates(RunGates::forPlan(plan));
        }
    });
    connect(m_document, &PlanDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &PlanDocument::pathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &PlanDocument::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);

    setPlan(PlanDocument::defaultPlan());
    rebuildRecentMenu();
    updateActions();
    updateTitle();

    m_scenario->agentsFields()->restoreSettings();

    resize(1280, 820);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_start = UiWiring::action(this, tr("&Start"), {QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::Key_F5)},
                               tr("Start the run"));
    m_start->setObjectName(QStringLiteral("startAction"));
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_stop =
        UiWiring::action(this, tr("S&top"), {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_Period)},
                         tr("Stop: first drain in-flight requests, a second time abort"));
    m_stop->setObjectName(QStringLiteral("stopAction"));
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_new = UiWiring::action(this, tr("&New plan"), {QKeySequence::New});
    m_open = UiWiring::action(this, tr("&Open plan…"), {QKeySequence::Open});
    m_open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_save = UiWiring::action(this, tr("&Save plan"), {QKeySequence::Save});
    m_save->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    m_saveAs = UiWiring::action(this, tr("Save plan &as…"), {QKeySequence::SaveAs});
    m_export = UiWiring::action(this, tr("&Export view…"), {QKeySequence(Qt::CTRL | Qt::Key_E)},
                                tr("Export the charts and findings as PNG or PDF"));
    m_exportReport = UiWiring::action(
        this, tr("Export &report…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E)},
        tr("Write the readiness report (HTML or PDF) of the shown run, with a preview and a baseline"));
    m_quit = UiWiring::action(this, tr("&Quit"), {QKeySequence::Quit});
    m_openStore = UiWiring::action(this, tr("Open &Store…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)},
                                   tr("Show the run history of another run store file"));

    connect(m_start, &QAction::triggered, this, &MainWindow::startRun);
    connect(m_stop, &QAction::triggered, this, &MainWindow::stopRun);
    connect(m_new, &QAction::triggered, this, &MainWindow::newPlan);
    connect(m_open, &QAction::triggered, this, &MainWindow::openPlanDialog);
    connect(m_save, &QAction::triggered, this, &MainWindow::save);
    connect(m_saveAs, &QAction::triggered, this, &MainWindow::saveAs);
    connect(m_export, &QAction::triggered, this, &MainWindow::exportView);
    connect(m_exportReport, &QAction::triggered, this, &MainWindow::exportReport);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);
    connect(m_openStore, &QAction::triggered, this, &MainWindow::openStoreDialog);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_new);
    file->addAction(m_open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    file->addAction(m_save);
    file->addAction(m_saveAs);
    file->addAction(m_export);
    file->addAction(m_exportReport);
    file->addSeparator();
    file->addAction(m_openStore);
    file->addSeparator();
    file->addAction(m_quit);
    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_start);
    run->addAction(m_stop);
    m_viewMenu = menuBar()->addMenu(tr("&View"));

    QToolBar *toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction *a : {m_start, m_stop})
        toolbar->addAction(a);
    toolbar->addSeparator();
    for (QAction *a : {m_open, m_save, m_export})
        toolbar->addAction(a);
    // Tool buttons take their text from the action, but the accessible-name property stays empty; name them.
    for (QAction *a : toolbar->actions()) {
        if (QWidget *w = toolbar->widgetForAction(a))
            w->setAccessibleName(a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")));
    }
}

void MainWindow::createDocks()
{
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    QDockWidget *target = dock(tr("Target"), QStringLiteral("targetDock"), scrolled(m_target), this);
    QDockWidget *scenario = dock(tr("Scenario"), QStringLiteral("scenarioDock"), scrolled(m_scenario), this);
    m_scenarioDock = scenario;
    QDockWidget *endpoints = dock(tr("Endpoints"), QStringLiteral("endpointsDock"), m_endpointView, this);
    QDockWidget *findings = dock(tr("Findings"), QStringLiteral("findingsDock"), m_findings, this);
    QDockWidget *errors = dock(tr("Errors"), QStringLiteral("errorsDock"), m_errors, this);
    m_historyDock = dock(tr("Run history"), QStringLiteral("historyDock"), m_history, this);
    m_comparisonDock = dock(tr("Comparison"), QStringLiteral("comparisonDock"), m_comparison, this);
    m_queriesDock = dock(tr("Queries"), QStringLiteral("queriesDock"), m_queries, this);
    addDockWidget(Qt::LeftDockWidgetArea, target);
    addDockWidget(Qt::LeftDockWidgetArea, scenario);
    tabifyDockWidget(target, scenario);
    target->raise();
    addDockWidget(Qt::BottomDockWidgetArea, endpoints);
    addDockWidget(Qt::BottomDockWidgetArea, m_historyDock);
    addDockWidget(Qt::BottomDockWidgetArea, m_comparisonDock);
    addDockWidget(Qt::BottomDockWidgetArea, errors);
    addDockWidget(Qt::BottomDockWidgetArea, m_queriesDock);
    tabifyDockWidget(endpoints, errors);
    tabifyDockWidget(errors, m_queriesDock);
    tabifyDockWidget(m_queriesDock, m_historyDock);
    tabifyDockWidget(m_historyDock, m_comparisonDock);
    endpoints->raise();
    addDockWidget(Qt::RightDockWidgetArea, findings);
    resizeDocks({target}, {380}, Qt::Horizontal);
    resizeDocks({findings}, {320}, Qt::Horizontal);
    resizeDocks({endpoints}, {170}, Qt::Vertical);
    for (QDockWidget *d :
         {target, scenario, endpoints, errors, m_queriesDock, findings, m_historyDock, m_comparisonDock})
        m_viewMenu->addAction(d->toggleViewAction());
}

void MainWindow::connectHistory()
{
    connect(m_history, &RunHistoryPanel::runOpened, this, [this](const RunDataPtr &run) {
        if (m_presenter->isRunning())
            return showError(tr("A run is going; stored runs open once it has finished."), tr("Stop the run first."));
        m_presenter->showRun(run);
        m_banner->showMessage(ErrorBanner::Kind::Info, tr("Showing stored run \"%1\" (read-only).").arg(run->info.name),
                              tr("Press Start to run the plan in the Target and Scenario panels again."));
    });
    connect(m_history, &RunHistoryPanel::comparisonReady, m_comparison, &ComparisonView::setComparison);
    connect(m_history, &RunHistoryPanel::comparisonReady, this, [this] {
        m_comparisonDock->show();
        m_comparisonDock->raise();
    });
    connect(m_history, &RunHistoryPanel::errorOccurred, this, &MainWindow::showError);
    connect(m_findings, &FindingsPanel::findingActivated, this, &MainWindow::showEvidence);
    // A finished run is in the store (RunController records it): list it.
    connect(m_presenter, &RunPresenter::runningChanged, m_history, [this](bool running) {
        if (!running)
            m_history->refresh();
    });
    m_history->setStorePath(QSettings().value(QStringLiteral("store/path")).toString());
}

void MainWindow::showEvidence(const Finding &finding)
{
    const RunDataPtr run = m_presenter->shownRun();
    if (!run)
        return;
    const EvidenceFocus focus = EvidenceLocator::locate(*run, finding);
    m_dashboard->highlightRange(focus.from_s, focus.to_s);
    m_endpointView->clearSelection();
    if (focus.endpoint >= 0 && focus.endpoint < m_endpointModel->rowCount()) {
        const QModelIndex row = m_endpointProxy->mapFromSource(m_endpointModel->index(focus.endpoint, 0));
        m_endpointView->selectRow(row.row());
        m_endpointView->scrollTo(row);
        m_dashboard->endpointPicker()->setCurrentIndex(focus.endpoint + 1);
    }
    if (!focus.query_text.isEmpty()) {
        // A passing message: the status line keeps the run's phase ("finished: completed").
        statusBar()->showMessage(tr("Evidence query: %1").arg(focus.query_text.left(120)), 10000);
        if (m_queries->focusQuery(focus.query_text, focus.endpoint, focus.query_fingerprint)) {
            m_queriesDock->show();
            m_queriesDock->raise();
        }
    }
}

void MainWindow::openStoreDialog()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open run store"), QFileInfo(m_history->storePath()).path(),
                                     tr("Run stores (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("store/path"), path);
    m_history->setStorePath(path);
    m_historyDock->show();
    m_historyDock->raise();
}

std::optional<Plan> MainWindow::currentPlan(QString *error) const
{
    Plan plan = m_basePlan;
    QString problem = m_target->applyTo(&plan);
    if (problem.isEmpty())
        problem = m_scenario->applyTo(&plan);
    if (!problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    return plan;
}

std::optional<RunController::Options> MainWindow::currentRunOptions(QString *error) const
{
    RunController::Options options;
    const std::optional<DistributedOptions> distributed = m_scenario->agentsFields()->options(error);
    if (!distributed)
        return std::nullopt;
    options.distributed = *distributed;
    return options;
}

void MainWindow::setPlan(const Plan &plan)
{
    m_basePlan = plan;
    m_target->setPlan(plan);
    m_scenario->setPlan(plan);
    m_dashboard->setGates(RunGates::forPlan(plan));
}

void MainWindow::showError(const QString &message, const QString &fix)
{
    m_banner->showMessage(ErrorBanner::Kind::Error, message, fix);
}

void MainWindow::startRun()
{
    if (m_presenter->isRunning())
        return;
    QString error;
    std::optional<Plan> plan = currentPlan(&error);
    if (!plan)
        return showError(error, tr("Correct the field in the Target or Scenario panel, then press Start again."));
    if (const QString problem = PlanParser::validate(*plan); !problem.isEmpty())
        return showError(problem, tr("Correct the plan in the Target or Scenario panel, then press Start again."));

    std::optional<RunController::Options> runOptions = currentRunOptions(&error);
    if (!runOptions) {
        // The agents section says which field, under the fields; show it.
        m_scenarioDock->show();
        m_scenarioDock->raise();
        if (QWidget *field = m_scenario->agentsFields()->problemField())
            field->setFocus(Qt::OtherFocusReason);
        return showError(error, tr("Correct the field in the agents section of the Scenario panel, then press Start "
                                   "again."));
    }
    m_scenario->agentsFields()->saveSettings();
    RunController::Options &options = *runOptions;
    const std::optional<QString> url = PlanParser::normaliseBaseUrl(plan->target.base_url, &error);
    if (url && !RunController::isLoopbackUrl(*url)) {
        // The one modal question: load-testing someone else's host must be a deliberate choice (docs/architecture.md).
        const auto answer = QMessageBox::warning(
            this, tr("Load-test another host?"),
            tr("%1 is not on this machine. Preflight will send load to it.\n\nOnly continue if you own this "
               "backend or have permission to load-test it.")
                .arg(*url),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        options.allowNonLoopback = true;
    }
    m_banner->dismiss();
    m_presenter->prepare(*plan);
    m_controller->start(*plan, options);
}

void MainWindow::stopRun()
{
    m_controller->stop();
    m_stop->setText(tr("Abor&t"));
}

void MainWindow::updateActions()
{
    const bool running = m_presenter->isRunning();
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    if (!running)
        m_stop->setText(tr("S&top"));
    for (QAction *a : {m_new, m_open})
        a->setEnabled(!running);
    m_recentMenu->setEnabled(!running);
    m_target->setEnabledForRun(!running);
    m_scenario->setEnabledForRun(!running);
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1[*] — Preflight").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = m_document->recentFiles();
    for (const QString &path : files) {
        QAction *a = m_recentMenu->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (maybeSave())
                openPlan(path);
        });
    }
    if (files.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        connect(m_recentMenu->addAction(tr("Clear list")), &QAction::triggered, m_document,
                &PlanDocument::clearRecentFiles);
    }
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved plan"), tr("The plan \"%1\" has unsaved changes. Save them?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::newPlan()
{
    if (!maybeSave())
        return;
    setPlan(PlanDocument::defaultPlan());
    m_document->reset();
}

void MainWindow::openPlanDialog()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open plan"), QFileInfo(m_document->path()).path(),
                                                      PlanDocument::fileFilter());
    if (!path.isEmpty())
        openPlan(path);
}

void MainWindow::loadUnsavedPlan(const Plan &plan, const QString &title)
{
    setPlan(plan);
    m_document->reset(title);
    updateTitle();
}

bool MainWindow::openPlan(const QString &path)
{
    QString error;
    const std::optional<Plan> plan = m_document->open(path, &error);
    if (!plan) {
        showError(error, tr("Fix the plan file at the position given, or open another one."));
        return false;
    }
    setPlan(*plan);
    m_document->setModified(false);
    m_banner->dismiss();
    return true;
}

bool MainWindow::savePlan(const QString &path)
{
    QString error;
    const std::optional<Plan> plan = currentPlan(&error);
    if (!plan) {
        showError(error, tr("The plan was not saved; correct the field first."));
        return false;
    }
    if (!m_document->save(path, *plan, &error)) {
        showError(error, tr("Choose another folder, or check its permissions."));
        return false;
    }
    m_basePlan = *plan;
    return true;
}

bool MainWindow::save()
{
    if (m_document->path().isEmpty())
        return saveAs();
    return savePlan(m_document->path());
}

bool MainWindow::saveAs()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save plan"), m_document->path(), PlanDocument::fileFilter());
    if (path.isEmpty())
        return false;
    return savePlan(PlanDocument::withSuffix(path));
}

void MainWindow::exportReport()
{
    const RunDataPtr run = m_presenter->shownRun();
    if (!run || m_presenter->isRunning()) {
        showError(tr("There is no finished run to report on yet."),
                  tr("Finish a run, or open one from Run history, then export its report."));
        return;
    }
    ReportExportDialog::openFor(*run, m_history->storePath(), this);
}

void MainWindow::exportView()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export view"), QString(), tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    const QPixmap pixmap = centralWidget()->grab();
    bool ok = false;
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
        QPdfWriter pdf(path);
        pdf.setTitle(windowTitle());
        pdf.setPageOrientation(QPageLayout::Landscape);
        QPainter painter;
        ok = painter.begin(&pdf);
        if (ok) {
            const QRect page = painter.viewport();
            const QSize size = pixmap.size().scaled(page.size(), Qt::KeepAspectRatio);
            painter.drawPixmap(QRect(page.topLeft(), size), pixmap);
        }
    } else {
        ok = pixmap.save(path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ? path
                                                                                   : path + QStringLiteral(".png"));
    }
    if (!ok)
        showError(tr("Could not write %1.").arg(path), tr("Choose another folder, or check its permissions."));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    if (m_presenter->isRunning()) {
        // Closing abandons the run: both stops, so the engine ends at once rather than draining.
        m_controller->stop();
        m_controller->stop();
    }
    m_scenario->agentsFields()->saveSettings();
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    event->accept();
}

} // namespace Preflight
