#include "dblog.h"

Q_LOGGING_CATEGORY(lcPreflightDb, "preflight.db", QtInfoMsg)
