// libFuzzer target for the probe's HTTP/1.1 response parser. The input is split at a point it chooses (its first
// byte), so responses arriving in two reads are covered too. Beyond "no crash, no sanitizer report" it checks the
// parser's promises: the body never exceeds the limit, a result is final until reset, an error has a reason.
#include "probe/httpresponseparser.h"

#include <cstdint>
#include <cstdlib>

using namespace FaultDesk;

namespace {

void check(bool condition)
{
    if (!condition)
        std::abort();
}

constexpr qint64 Limit = 4096;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t split = size > 1 ? data[0] % size : 0;
    const char* bytes = reinterpret_cast<const char*>(data + 1);
    const qint64 n = qint64(size - 1);
    const qint64 first = qMin<qint64>(qint64(split), n);
    static HttpResponseParser parser; // reused across inputs, as a connection reuses it across responses
    parser.reset(Limit);
    using S = HttpResponseParser::Status;
    S st = parser.feed(bytes, first);
    if (st == S::NeedMore)
        st = parser.feed(bytes + first, n - first);
    if (st == S::NeedMore)
        st = parser.finishOnClose();
    check(st != S::NeedMore);
    check(parser.body().size() <= Limit);
    if (st == S::Error) {
        check(parser.error() != HttpResponseParser::Error::None && !parser.errorText().isEmpty());
        check(!parser.keepAlive());
    } else {
        check(parser.headDone() && parser.status() >= 200 && parser.status() <= 999);
    }
    check(parser.feed("x", 1) == st); // final until reset
    return 0;
}
