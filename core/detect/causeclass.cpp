#include "causeclass.h"

namespace FaultDesk {

QString causeClassName(CauseClass cause)
{
    switch (cause) {
    case CauseClass::Down:
        return QStringLiteral("down");
    case CauseClass::DataIntegrity:
        return QStringLiteral("data-integrity");
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
    for (auto c : { CauseClass::Down, CauseClass::DataIntegrity, CauseClass::Attack, CauseClass::Overload,
             CauseClass::Errors, CauseClass::Latency, CauseClass::Unhealthy }) {
        if (name == causeClassName(c))
            return c;
    }
    return std::nullopt;
}

CauseClass defaultCauseForSignal(QStringView signalName)
{
    if (signalName == u"load")
        return CauseClass::Overload;
    if (signalName.contains(u"latency", Qt::CaseInsensitive))
        return CauseClass::Latency;
    if (signalName.startsWith(u"error", Qt::CaseInsensitive))
        return CauseClass::Errors;
    if (signalName.contains(u"integrity", Qt::CaseInsensitive) || signalName.contains(u"checksum", Qt::CaseInsensitive))
        return CauseClass::DataIntegrity;
    return CauseClass::Unhealthy;
}

} // namespace FaultDesk
