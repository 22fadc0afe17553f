// libFuzzer target: `show servers state` replies.
#include "fuzz_haproxyreply.h"

using namespace FaultDesk;
using namespace FaultDesk::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString reply = text(data, size);
    QString error;
    HaproxyReply::accepts(HaproxyCommand::showServersState(), reply, &error);
    const QList<HaproxyServerState> states = HaproxyServerState::parseServersState(reply, &error);
    checkStates(states);
    return 0;
}
