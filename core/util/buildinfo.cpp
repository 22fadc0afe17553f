#include "util/buildinfo.h"

namespace FaultDesk::BuildInfo {

QString version()
{
    return QStringLiteral(FAULTDESK_VERSION);
}
QString applicationName()
{
    return QStringLiteral("FaultDesk");
}
QString applicationId()
{
    return QStringLiteral("org.faultdesk.FaultDesk");
}
QString organizationName()
{
    return QStringLiteral("FaultDesk");
}
QString organizationDomain()
{
    return QStringLiteral("faultdesk.org");
}

} // namespace FaultDesk::BuildInfo
