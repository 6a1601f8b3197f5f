#include "guiapp.h"

#include <QApplication>
#include <QMainWindow>

namespace Preflight {

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QMainWindow window;
    window.show();
    return app.exec();
}

} // namespace Preflight
