// Shared checks of the HAProxy Runtime API reply fuzzers: each reply is data from the network, so whatever it
// holds must be judged and parsed without a crash, a sanitizer report or a result that breaks its own promises.
#pragma once

#include "remedy/haproxyreply.h"
#include "remedy/haproxyserverstate.h"

#include <QString>

#include <cstdint>
#include <cstdlib>

namespace FaultDesk::Fuzz {

inline void check(bool condition)
{
    if (!condition)
        std::abort();
}

inline QString text(const std::uint8_t* data, std::size_t size)
{
    return QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
}

/// Every parsed server names its backend and server, and survives the JSON round trip the baseline uses.
inline void checkStates(const QList<HaproxyServerState>& states)
{
    for (const HaproxyServerState& s : states) {
        check(!s.backend.isEmpty() && !s.server.isEmpty());
        check(s.adminState == u"ready" || s.adminState == u"drain" || s.adminState == u"maint");
        const auto back = HaproxyServerState::fromJson(s.toJson());
        check(back.has_value() && back->backend == s.backend && back->server == s.server && back->weight == s.weight
            && back->sessions == s.sessions);
    }
}

} // namespace FaultDesk::Fuzz
