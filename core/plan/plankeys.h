#pragma once

#include <QString>
#include <QStringList>

// The plan format's vocabulary (README.md, "The plan"): its keys by object, scenario presets, HTTP methods, and the
// "did you mean" hint for a misspelt key. Pure, thread-safe.
namespace Preflight::PlanKeys {

const QStringList &presets(); // sweep, sustain, burst, soak, stages
const QStringList &methods(); // GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS
// Every key the object at objectPath ("" top level, "target", "endpoints[]", ...) may hold.
const QStringList &knownKeys(const char *objectPath);
// "; did you mean \"database\"?" (or the known keys there) for an unknown key.
QString suggestion(const QString &typed, const char *objectPath);

} // namespace Preflight::PlanKeys
