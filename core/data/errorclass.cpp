#include "errorclass.h"

namespace Preflight {

QString errorClassId(ErrorClass c)
{
    switch (c) {
    case ErrorClass::Timeout:
        return QStringLiteral("timeout");
    case ErrorClass::Connect:
        return QStringLiteral("connect");
    case ErrorClass::Dns:
        return QStringLiteral("dns");
    case ErrorClass::Tls:
        return QStringLiteral("tls");
    case ErrorClass::Reset:
        return QStringLiteral("reset");
    case ErrorClass::TooLarge:
        return QStringLiteral("too_large");
    case ErrorClass::Other:
    case ErrorClass::NUM_ERROR_CLASSES:
        break;
    }
    return QStringLiteral("other");
}

QString errorClassLabel(ErrorClass c)
{
    switch (c) {
    case ErrorClass::Timeout:
        return QStringLiteral("timeouts");
    case ErrorClass::Connect:
        return QStringLiteral("connection refused");
    case ErrorClass::Dns:
        return QStringLiteral("DNS failures");
    case ErrorClass::Tls:
        return QStringLiteral("TLS failures");
    case ErrorClass::Reset:
        return QStringLiteral("connection resets");
    case ErrorClass::TooLarge:
        return QStringLiteral("responses too large");
    case ErrorClass::Other:
    case ErrorClass::NUM_ERROR_CLASSES:
        break;
    }
    return QStringLiteral("other transport errors");
}

} // namespace Preflight
