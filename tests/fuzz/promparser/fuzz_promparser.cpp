// libFuzzer target for the Prometheus text parser. Beyond "no crash, no sanitizer report" it checks the
// parser's promises: all-or-nothing, views inside the payload or the scrape's own buffer, consistent indices.
#include "metrics/promparser.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace FaultDesk;

namespace {

void check(bool condition)
{
    if (!condition)
        std::abort();
}

bool inside(std::string_view part, std::string_view whole)
{
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    static ParsedScrape scrape; // reused across inputs, as a probe reuses it across scrapes
    PromParseError error;
    if (!PromParser::parse(payload, scrape, &error)) {
        check(scrape.samples().empty() && scrape.families().empty());
        check(error.line >= 1 && error.column >= 1 && !error.message.empty());
        return 0;
    }
    const auto families = scrape.families();
    std::size_t counted = 0;
    for (std::size_t f = 0; f < families.size(); ++f) {
        check(inside(families[f].name, payload));
        check(scrape.findFamily(families[f].name) == int(f));
        counted += families[f].sampleCount;
    }
    check(counted == scrape.samples().size());
    for (const PromSample& s : scrape.samples()) {
        check(inside(s.series, payload));
        check(s.nameLength > 0 && s.nameLength <= s.series.size());
        check(s.family < families.size());
        for (const PromLabel& l : scrape.labels(s)) {
            check(inside(l.name, payload));
            check(scrape.label(s, l.name).has_value());
        }
    }
    return 0;
}
