#include "probe/proberesult.h"

namespace FaultDesk {

QString ProbeResult::reasonName(FailureReason reason)
{
    switch (reason) {
    case FailureReason::None:
        return QStringLiteral("none");
    case FailureReason::Refused:
        return QStringLiteral("refused");
    case FailureReason::Timeout:
        return QStringLiteral("timeout");
    case FailureReason::Reset:
        return QStringLiteral("reset");
    case FailureReason::Dns:
        return QStringLiteral("dns");
    case FailureReason::Tls:
        return QStringLiteral("tls");
    case FailureReason::HttpStatus:
        return QStringLiteral("http-status");
    case FailureReason::BodyLimit:
        return QStringLiteral("body-limit");
    case FailureReason::BodyMismatch:
        return QStringLiteral("body-mismatch");
    case FailureReason::Parse:
        return QStringLiteral("parse");
    case FailureReason::Config:
        return QStringLiteral("config");
    case FailureReason::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

} // namespace FaultDesk
