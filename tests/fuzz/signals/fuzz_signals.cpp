// libFuzzer target: signal evaluation and the series store after a successful parse (see signals_harness.h).
#include "fuzz/signals/signals_harness.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (!FaultDeskFuzz::runSignalsCase(std::string_view(reinterpret_cast<const char*>(data), size)))
        std::abort();
    return 0;
}
