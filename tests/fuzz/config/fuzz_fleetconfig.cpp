// libFuzzer target: arbitrary bytes through the fleet configuration loader. It must end with a configuration or
// a clean error list, never a crash, a hang or unbounded memory.

#include "config/fleetconfigloader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const FaultDesk::ConfigLoadResult r
        = FaultDesk::FleetConfigLoader::loadBytes(bytes, QStringLiteral("fuzz.yaml"), QStringLiteral("/fuzz"));
    // The loader's contract: a configuration exactly when there are no errors.
    if (r.config.has_value() != r.errors.isEmpty())
        std::abort();
    for (const FaultDesk::ConfigError& e : r.errors) {
        if (e.message.isEmpty())
            std::abort();
    }
    return 0;
}
