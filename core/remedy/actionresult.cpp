#include "remedy/actionresult.h"

namespace FaultDesk {

QString ActionResult::statusName(Status status)
{
    switch (status) {
    case Status::Ok:
        return QStringLiteral("ok");
    case Status::Failed:
        return QStringLiteral("failed");
    case Status::Timeout:
        return QStringLiteral("timeout");
    case Status::Refused:
        return QStringLiteral("refused");
    case Status::Aborted:
        return QStringLiteral("aborted");
    }
    return QStringLiteral("failed");
}

QString ActionResult::summary() const
{
    const QString name = statusName(status);
    return error.isEmpty() ? name : name + u": " + error;
}

} // namespace FaultDesk
