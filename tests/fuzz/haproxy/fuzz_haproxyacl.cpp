// libFuzzer target: `show acl FILE` replies ("0x55d0… 10.0.0.1" per entry).
#include "fuzz_haproxyreply.h"

using namespace FaultDesk;
using namespace FaultDesk::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString reply = text(data, size);
    QString error;
    HaproxyReply::accepts(HaproxyCommand::showAcl(QStringLiteral("/etc/haproxy/blocked.acl")), reply, &error);
    const QStringList entries = HaproxyReply::parseAclEntries(reply);
    for (const QString& e : entries) {
        check(!e.isEmpty() && !e.contains(u'\n'));
        check(e == e.trimmed());
    }
    check(entries.size() <= reply.count(u'\n') + 1);
    return 0;
}
