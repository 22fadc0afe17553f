// libFuzzer target: `show stat` CSV replies, merged into the servers of a fixed `show servers state`.
#include "fuzz_haproxyreply.h"

using namespace FaultDesk;
using namespace FaultDesk::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString csv = text(data, size);
    static const QList<HaproxyServerState> servers = HaproxyServerState::parseServersState(QStringLiteral(
        "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight\n"
        "3 web 1 web-1 127.0.0.1 2 0 10 10\n3 web 2 web-2 127.0.0.1 2 0 10 10\n"));
    check(servers.size() == 2);
    QList<HaproxyServerState> states = servers;
    QString error;
    // The client's judgment runs first in production; mergeStat must hold on whatever it is given (it accepts a
    // reply with blank lines before the header, which the client refuses: no harm, the client is stricter).
    HaproxyReply::accepts(HaproxyCommand::showStat(), csv, &error);
    error.clear();
    const bool merged = HaproxyServerState::mergeStat(states, csv, &error);
    check(merged || !error.isEmpty());
    check(states.size() == servers.size());
    checkStates(states);
    return 0;
}
