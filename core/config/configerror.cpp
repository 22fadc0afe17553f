#include "config/configerror.h"

namespace FaultDesk {

QString ConfigError::toString() const
{
    if (!position.isValid())
        return file + u": " + message;
    return file + u':' + QString::number(position.line) + u':' + QString::number(position.column) + u": " + message;
}

} // namespace FaultDesk
