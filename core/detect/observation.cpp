#include "detect/observation.h"

namespace FaultDesk {

QString Observation::failureKindName(FailureKind kind)
{
    switch (kind) {
    case FailureKind::None:
        return QString();
    case FailureKind::Refused:
        return QStringLiteral("refused");
    case FailureKind::Timeout:
        return QStringLiteral("timeout");
    case FailureKind::Reset:
        return QStringLiteral("reset");
    case FailureKind::Dns:
        return QStringLiteral("dns");
    case FailureKind::Tls:
        return QStringLiteral("tls");
    case FailureKind::HttpStatus:
        return QStringLiteral("http-status");
    case FailureKind::BodyMismatch:
        return QStringLiteral("body-mismatch");
    case FailureKind::BodyLimit:
        return QStringLiteral("body-limit");
    case FailureKind::Parse:
        return QStringLiteral("parse");
    case FailureKind::SlowAnswer:
        return QStringLiteral("slow-answer");
    case FailureKind::Stale:
        return QStringLiteral("stale");
    case FailureKind::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

Observation::FailureKind Observation::failureKindFromName(QStringView name)
{
    for (int k = int(FailureKind::None); k <= int(FailureKind::Other); ++k) {
        if (name == failureKindName(FailureKind(k)))
            return FailureKind(k);
    }
    return FailureKind::Other;
}

} // namespace FaultDesk
