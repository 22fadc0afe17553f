#pragma once
// Shared by the fuzz_selector libFuzzer target and the ctest replay of its corpus (tst_selector): arbitrary
// UTF-8 in, either a selector whose canonical form parses back to itself, or an error with a column in the text.
#include "metrics/selector.h"

#include <string_view>

namespace FaultDeskFuzz {

/// Runs one case; false when an invariant broke (the fuzzer aborts on it, the replay test fails).
inline bool runSelectorCase(std::string_view input)
{
    using namespace FaultDesk;
    if (input.size() > 4096)
        return true;
    const QString text = QString::fromUtf8(input.data(), qsizetype(input.size()));
    QString error;
    int column = -1;
    const auto selector = Selector::parse(text, &error, &column);
    if (!selector)
        return !error.isEmpty() && column >= 0 && column <= text.size();
    const QString canonical = selector->toString();
    const auto again = Selector::parse(canonical, &error, &column);
    if (!again || again->toString() != canonical)
        return false;
    // Matching never crashes, whatever the label values.
    (void)selector->matches(selector->metricUtf8(), [&](std::string_view) { return std::optional(input); });
    return true;
}

} // namespace FaultDeskFuzz
