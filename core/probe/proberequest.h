#pragma once

#include "probe/probespec.h"

#include <QString>

namespace FaultDesk {

/// One probe to run, as the scheduler hands it to the engine and the engine to its worker: the result carries
/// @c target and @c probeIndex back.
struct ProbeRequest
{
    QString target;
    int probeIndex = 0;
    ProbeSpec spec;
};

} // namespace FaultDesk
