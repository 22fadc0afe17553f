#pragma once

#include "probe/probespec.h"

#include <QList>
#include <QString>

namespace FaultDesk {

/// A target as the scheduler sees it: a unique name, its probes (run together as one round) and its interval.
struct ProbeTarget
{
    QString name;
    QList<ProbeSpec> probes;
    int intervalMs = 0; ///< 0 = the scheduler's interval
};

} // namespace FaultDesk
