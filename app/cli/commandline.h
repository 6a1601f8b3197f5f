#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

namespace Preflight::Cli {

// Parses a subcommand's arguments (without the program and subcommand names) with QCommandLineParser, after
// adding `options` to `parser`. On bad input returns false and phrases the problem the way every subcommand
// does: `unexpected argument "--bogus"`, `--store needs a value`, `--yes takes no value`.
bool parseArguments(QCommandLineParser &parser, const QList<QCommandLineOption> &options, const QString &command,
                    const QStringList &args, QString *error);

} // namespace Preflight::Cli
