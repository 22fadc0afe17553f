#pragma once

#include <QString>

#include <chrono>

namespace FaultDesk {

/// The timing and levels of remediation: how often state is read back, step deadlines, the overload levels.
struct RemediationSettings
{
    std::chrono::milliseconds pollInterval { 1000 }; ///< HAProxy and database status refresh
    std::chrono::milliseconds waitInterval { 500 }; ///< verification gates poll this often
    int healthyChecks = 2; ///< consecutive passing polls a verification needs
    std::chrono::milliseconds stepDeadline { 15000 };
    std::chrono::milliseconds verifyDeadline { 30000 };
    std::chrono::milliseconds settle { 3000 }; ///< overload: time the new weights get before a drain is judged
    std::chrono::milliseconds attackBlock { 600000 }; ///< blocked sources are unblocked after this
    double overloadLevel = 0.85; ///< load above which a server is overloaded
    double loadClear = 0.70; ///< load below which an overload or attack has subsided
    QString backupName = QStringLiteral("pre-upgrade");
};

} // namespace FaultDesk
