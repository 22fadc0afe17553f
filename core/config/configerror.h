#pragma once

#include "config/sourceposition.h"

#include <QList>
#include <QString>

namespace FaultDesk {

/// One problem found in a fleet description, printed the way compilers do: `file:line:col: message`.
struct ConfigError
{
    QString file;
    SourcePosition position;
    QString message;

    /// `file:line:col: message`, or `file: message` when the problem has no position (e.g. an unreadable file).
    QString toString() const;
    friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

} // namespace FaultDesk
