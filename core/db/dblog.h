#pragma once

#include <QLoggingCategory>

// Diagnostics of the database side ("preflight.db"). Never log a resolved conninfo or a password.
Q_DECLARE_LOGGING_CATEGORY(lcPreflightDb)
