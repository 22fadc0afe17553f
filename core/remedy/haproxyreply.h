#pragma once

#include "remedy/haproxycommand.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * Reads HAProxy Runtime API replies, socket-free (so they can be fuzzed): whether a reply is the answer its
 * command expects, the weight of a `get weight` reply, the entries of a `show acl` reply. `show servers state`
 * and `show stat` are read by HaproxyServerState. A reply is data from the network: anything unexpected is
 * refused with its excerpt, never guessed.
 */
class HaproxyReply
{
public:
    /// Whether @p text answers @p command; false with @p error (the reply's first line) otherwise.
    static bool accepts(const HaproxyCommand& command, const QString& text, QString* error);
    /// The current weight of "3 (initial 3)"; std::nullopt unless it is a number 0–256 followed by the rest.
    static std::optional<int> parseWeight(const QString& text);
    /// The patterns of "0x55d0… 10.0.0.1" lines, in order; lines without a pattern are skipped.
    static QStringList parseAclEntries(const QString& text);
};

} // namespace FaultDesk
