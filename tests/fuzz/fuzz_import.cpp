// libFuzzer harness: the OpenAPI and HAR importer (documents from anywhere: vendors, browsers, proxies).
#include "plan/endpointimport.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    Preflight::EndpointImport::Options withWrites;
    withWrites.includeWrites = true;
    (void)Preflight::EndpointImport::fromOpenApi(bytes);
    (void)Preflight::EndpointImport::fromOpenApi(bytes, withWrites);
    (void)Preflight::EndpointImport::fromHar(bytes);
    (void)Preflight::EndpointImport::fromHar(bytes, withWrites);
    return 0;
}
