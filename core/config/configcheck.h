#pragma once

#include <QStringList>
#include <QTextStream>

namespace FaultDesk {

/// `faultdesk check FLEET.yaml…`: validates fleet descriptions and reports like a compiler.
class ConfigCheck
{
public:
    static constexpr int ExitOk = 0;
    static constexpr int ExitInvalid = 2;

    /**
     * Checks every file in @p files. Prints `file:line:col: message` per problem and `file:line:col: warning: message`
     * per warning (a deprecated spelling) to @p err, in file order, and a one-line summary per valid file to @p out
     * (`fleet.yaml: ok (9 targets, 2 haproxy instances, 31 signals)`). Returns ExitOk when all are valid, warnings or
     * not; ExitInvalid otherwise (also for a missing or unreadable file, or no file at all).
     */
    static int run(const QStringList& files, QTextStream& out, QTextStream& err);
};

} // namespace FaultDesk
