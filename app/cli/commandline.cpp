#include "commandline.h"

#include <algorithm>

namespace Preflight::Cli {

namespace {
// The argument as the user typed it, for an option name QCommandLineParser reports without its dashes.
QString typed(const QString &name, const QStringList &args)
{
    for (const QString &a : args)
        if (a == QLatin1String("--") + name || a == QLatin1Char('-') + name ||
            a.startsWith(QLatin1String("--") + name + QLatin1Char('=')))
            return a;
    for (const QString &a : args)
        if (a.startsWith(QLatin1Char('-')) && !a.startsWith(QLatin1String("--")) && a.contains(name))
            return a; // compacted short options: "-xq"
    return (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
}
} // namespace

bool parseArguments(QCommandLineParser &parser, const QList<QCommandLineOption> &options, const QString &command,
                    const QStringList &args, QString *error)
{
    parser.addOptions(options);
    if (parser.parse(QStringList{command} + args)) {
        // QCommandLineParser takes the next argument as an option's value even when it is another option:
        // `--users --duration 5` would read "--duration" as the user count and 5 as a plan file.
        for (const QCommandLineOption &option : options) {
            if (option.valueName().isEmpty())
                continue;
            for (const QString &value : parser.values(option)) {
                if (value.startsWith(QLatin1String("--")) && value.size() > 2 && value[2].isLetter()) {
                    const QString name = option.names().constLast();
                    *error = QStringLiteral("%1%2 needs a value (it was followed by %3)")
                                 .arg(name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--"), name, value);
                    return false;
                }
            }
        }
        return true;
    }
    if (const QStringList unknown = parser.unknownOptionNames(); !unknown.isEmpty()) {
        *error = QStringLiteral("unexpected argument \"%1\"").arg(typed(unknown.first(), args));
        return false;
    }
    // The remaining failures name an option of ours: a value option at the very end, or a flag given a value.
    for (const QCommandLineOption &option : options) {
        for (const QString &name : option.names()) {
            const QString dashed = (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
            if (!option.valueName().isEmpty() && !args.isEmpty() && args.last() == dashed) {
                *error = QStringLiteral("%1 needs a value").arg(dashed);
                return false;
            }
            if (option.valueName().isEmpty() && std::any_of(args.begin(), args.end(), [&](const QString &a) {
                    return a.startsWith(dashed + QLatin1Char('='));
                })) {
                *error = QStringLiteral("%1 takes no value").arg(dashed);
                return false;
            }
        }
    }
    *error = parser.errorText();
    return false;
}

} // namespace Preflight::Cli
