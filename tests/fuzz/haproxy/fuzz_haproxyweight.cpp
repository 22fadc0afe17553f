// libFuzzer target: `get weight` replies ("3 (initial 3)").
#include "fuzz_haproxyreply.h"

using namespace FaultDesk;
using namespace FaultDesk::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString reply = text(data, size);
    QString error;
    const bool accepted = HaproxyReply::accepts(
        HaproxyCommand::getWeight(QStringLiteral("web"), QStringLiteral("web-1")), reply, &error);
    const auto weight = HaproxyReply::parseWeight(reply);
    check(!weight || (*weight >= 0 && *weight <= 256));
    check(accepted == (weight.has_value() && !reply.startsWith(u"Permission denied")));
    check(accepted || !error.isNull());
    return 0;
}
