#include "guiapp.h"

#include "mainwindow.h"
#include "screenshotdirector.h"
#include "uiwiring.h"

#include <QApplication>
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
    applyPaletteOverride(app);

    MainWindow window;
    auto *director = new ScreenshotDirector(&window);
    window.show();
    director->begin();
    return app.exec();
}

} // namespace Preflight
