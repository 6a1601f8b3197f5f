#pragma once

#include <QJsonValue>
#include <QString>

namespace Preflight {

// RFC 6901 JSON pointer lookup ("/pool/in_use", "/items/0/id"). Returns Undefined when absent.
QJsonValue jsonPointer(const QJsonValue &root, const QString &pointer);

} // namespace Preflight
