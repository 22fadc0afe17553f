#include "config/causeclass.h"

namespace FaultDesk {

namespace {
constexpr CauseClass allCauses[]
    = { CauseClass::Down, CauseClass::Unreachable, CauseClass::Unhealthy, CauseClass::Overload, CauseClass::Latency,
          CauseClass::Errors, CauseClass::Attack, CauseClass::DataIntegrity, CauseClass::Network };
}

QString causeClassName(CauseClass cause)
{
    switch (cause) {
    case CauseClass::Down:
        return QStringLiteral("down");
    case CauseClass::Unreachable:
        return QStringLiteral("unreachable");
    case CauseClass::DataIntegrity:
        return QStringLiteral("data-integrity");
    case CauseClass::Network:
        return QStringLiteral("network");
    case CauseClass::Attack:
        return QStringLiteral("attack");
    case CauseClass::Overload:
        return QStringLiteral("overload");
    case CauseClass::Errors:
        return QStringLiteral("errors");
    case CauseClass::Latency:
        return QStringLiteral("latency");
    case CauseClass::Unhealthy:
        return QStringLiteral("unhealthy");
    }
    return QStringLiteral("unhealthy");
}

std::optional<CauseClass> causeClassFromName(QStringView name)
{
    for (CauseClass c : allCauses) {
        if (name == causeClassName(c))
            return c;
    }
    return std::nullopt;
}

CauseClass defaultCauseForSignal(QStringView signalName)
{
    // Most specific first: "error_latency" is a latency signal, "download_errors" an error signal.
    if (signalName.contains(u"integrity", Qt::CaseInsensitive) || signalName.contains(u"checksum", Qt::CaseInsensitive))
        return CauseClass::DataIntegrity;
    if (signalName.contains(u"latency", Qt::CaseInsensitive))
        return CauseClass::Latency;
    if (signalName.startsWith(u"error", Qt::CaseInsensitive) || signalName.contains(u"_error", Qt::CaseInsensitive))
        return CauseClass::Errors;
    if (signalName.startsWith(u"load") || signalName.endsWith(u"_load") || signalName.contains(u"utilisation")
        || signalName.contains(u"utilization"))
        return CauseClass::Overload;
    return CauseClass::Unhealthy;
}

QStringList CauseClasses::names()
{
    QStringList out;
    for (CauseClass c : allCauses)
        out << causeClassName(c);
    return out;
}

} // namespace FaultDesk
