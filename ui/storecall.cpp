#include "storecall.h"

namespace Preflight::StoreCall {

RunStore::OpenOptions writing(bool quickCheck)
{
    RunStore::OpenOptions options;
    options.quick_check = quickCheck;
    return options;
}

RunStore::OpenOptions reading()
{
    RunStore::OpenOptions options;
    options.create = false;
    options.quick_check = false;
    options.recover_interrupted = false;
    return options;
}

} // namespace Preflight::StoreCall
