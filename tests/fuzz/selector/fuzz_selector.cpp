// libFuzzer target for the PromQL selector parser the fleet configuration uses (see selector_harness.h).
#include "fuzz/selector/selector_harness.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (!FaultDeskFuzz::runSelectorCase(std::string_view(reinterpret_cast<const char*>(data), size)))
        std::abort();
    return 0;
}
