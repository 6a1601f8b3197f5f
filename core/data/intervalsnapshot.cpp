#include "intervalsnapshot.h"

namespace Preflight {

EndpointStats IntervalSnapshot::total() const
{
    EndpointStats sum;
    for (const auto &e : endpoints)
        sum.merge(e);
    return sum;
}

} // namespace Preflight
