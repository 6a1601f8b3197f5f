#pragma once

#include "distributed/distributedoptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>

namespace Preflight::Cli {

// `preflight run`'s distributed flags: --agents N --listen HOST:PORT --agent-token-file FILE --agent-cert FILE
// --agent-key FILE --agent-wait S (docs/distributed.md).
QList<QCommandLineOption> distributedRunOptions();
// Reads them into *out (agents = 0 when --agents is absent). False + *error naming the fix on bad input.
bool readDistributedOptions(const QCommandLineParser &parser, DistributedOptions *out, QString *error);

} // namespace Preflight::Cli
