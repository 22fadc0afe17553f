#pragma once

#include <QString>

namespace FaultDesk {

/// Identity of the program, shared by the console, the headless commands and the packaging.
namespace BuildInfo {
/// Semantic version from the top-level project() call.
QString version();
/// Human-readable application name ("FaultDesk").
QString applicationName();
/// Reverse-DNS application id used by the desktop file, metainfo and icons.
QString applicationId();
/// Organisation name/domain used for QSettings and the standard paths.
QString organizationName();
QString organizationDomain();
} // namespace BuildInfo

} // namespace FaultDesk
