#include "barrierprogress.h"

namespace Preflight {

QString BarrierProgress::describe() const
{
    QString text = QStringLiteral("waiting for %1 %2 on %3 (%4 connected")
                       .arg(expected)
                       .arg(expected == 1 ? QStringLiteral("agent") : QStringLiteral("agents"), listen)
                       .arg(ready);
    if (refused > 0)
        text += QStringLiteral(", %1 refused").arg(refused);
    return text + QLatin1Char(')');
}

} // namespace Preflight
