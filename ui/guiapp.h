#pragma once

namespace Preflight {

// Starts the Qt Widgets application (main window) and runs its event loop.
int runGui(int argc, char **argv);

} // namespace Preflight
