#include "guiapp.h"

#include "demosession.h"
#include "errorbanner.h"
#include "mainwindow.h"
#include "screenshotdirector.h"
#include "uiwiring.h"

#include <QApplication>
#include <QIcon>
#include <QStyle>
#include <QStyleFactory>

namespace Preflight {

namespace {

// PREFLIGHT_PALETTE=dark|light forces Fusion with a dark or light palette (screenshots, testing);
// otherwise the platform style and the system palette are used unchanged.
void applyPaletteOverride(QApplication &app)
{
    const QString palette = qEnvironmentVariable("PREFLIGHT_PALETTE").toLower();
    if (palette != QLatin1String("dark") && palette != QLatin1String("light"))
        return;
    QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    if (!fusion)
        return;
    QApplication::setStyle(fusion);
    app.setPalette(palette == QLatin1String("dark") ? UiWiring::darkPalette() : fusion->standardPalette());
}

} // namespace

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("preflight"));
    QApplication::setOrganizationName(QStringLiteral("preflight"));
    QApplication::setApplicationDisplayName(QStringLiteral("Preflight"));
    QApplication::setApplicationVersion(QStringLiteral(PREFLIGHT_VERSION));
    // Matches the installed .desktop entry (Wayland uses it to find the icon) and the hicolor icon name;
    // the bundled SVG covers a build that is run without being installed.
    QGuiApplication::setDesktopFileName(QStringLiteral("dev.preflight.Preflight"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("dev.preflight.Preflight"),
                                                 QIcon(QStringLiteral(":/preflight/icons/preflight.svg"))));
    applyPaletteOverride(app);

    // `preflight demo …`: the same arguments as the CLI's (DemoArguments); main() sent --headless and --help there.
    const QStringList arguments = app.arguments().mid(1);
    const bool demo = !arguments.isEmpty() && arguments.first() == QLatin1String("demo");
    QString argumentError;
    std::optional<DemoArguments> args = demo ? DemoArguments::parse(arguments.mid(1), &argumentError) : std::nullopt;
    if (args && !args->headlessOnly().isEmpty()) {
        argumentError = QObject::tr("%1 apply to `preflight demo --headless` only; add --headless, or export the "
                                    "report from the window (File → Export Report).")
                            .arg(args->headlessOnly().join(QStringLiteral(", ")));
        args.reset();
    }

    MainWindow window;
    auto *director = new ScreenshotDirector(&window);
    window.show();
    if (demo && !args) {
        window.banner()->showMessage(ErrorBanner::Kind::Error, argumentError,
                                     QObject::tr("Run `preflight demo --help` for the options."));
        director->begin();
    } else if (demo) {
        // The screenshot director (autostart, screenshots) waits for the demo plan.
        auto *session = new DemoSession(&window, &window);
        QObject::connect(session, &DemoSession::ready, director, &ScreenshotDirector::begin);
        QObject::connect(session, &DemoSession::failed, director, &ScreenshotDirector::begin);
        session->start(*args);
    } else {
        director->begin();
    }
    return app.exec();
}

} // namespace Preflight
