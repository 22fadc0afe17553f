#include "net/httpresponse.h"

namespace FaultDesk {

QString HttpResponse::errorName(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("none");
    case Error::Invalid:
        return QStringLiteral("invalid");
    case Error::Refused:
        return QStringLiteral("refused");
    case Error::HostNotFound:
        return QStringLiteral("host-not-found");
    case Error::Timeout:
        return QStringLiteral("timeout");
    case Error::TooLarge:
        return QStringLiteral("too-large");
    case Error::Redirect:
        return QStringLiteral("redirect");
    case Error::Tls:
        return QStringLiteral("tls");
    case Error::Network:
        return QStringLiteral("network");
    }
    return QStringLiteral("network");
}

} // namespace FaultDesk
