#include "causeclass.h"

namespace FaultDesk::CauseClasses {

QString toString(CauseClass cause)
{
    switch (cause) {
    case CauseClass::Down:
        return QStringLiteral("down");
    case CauseClass::Unhealthy:
        return QStringLiteral("unhealthy");
    case CauseClass::Overload:
        return QStringLiteral("overload");
    case CauseClass::Latency:
        return QStringLiteral("latency");
    case CauseClass::Errors:
        return QStringLiteral("errors");
    case CauseClass::Attack:
        return QStringLiteral("attack");
    case CauseClass::DataIntegrity:
        return QStringLiteral("data-integrity");
    }
    return {};
}

QStringList names()
{
    return { QStringLiteral("down"), QStringLiteral("unhealthy"), QStringLiteral("overload"), QStringLiteral("latency"),
        QStringLiteral("errors"), QStringLiteral("attack"), QStringLiteral("data-integrity") };
}

std::optional<CauseClass> fromString(QStringView text)
{
    for (int i = 0; i <= int(CauseClass::DataIntegrity); ++i) {
        if (toString(CauseClass(i)) == text)
            return CauseClass(i);
    }
    return std::nullopt;
}

CauseClass defaultForSignal(QStringView signalName)
{
    // Most specific first: "error_latency" is a latency signal, "download_errors" an error signal.
    if (signalName.contains(u"integrity") || signalName.contains(u"checksum"))
        return CauseClass::DataIntegrity;
    if (signalName.contains(u"latency"))
        return CauseClass::Latency;
    if (signalName.startsWith(u"error") || signalName.contains(u"_error"))
        return CauseClass::Errors;
    if (signalName.startsWith(u"load") || signalName.endsWith(u"_load") || signalName.contains(u"utilisation")
        || signalName.contains(u"utilization"))
        return CauseClass::Overload;
    return CauseClass::Unhealthy;
}

} // namespace FaultDesk::CauseClasses
