#pragma once

#include "incident/incidentwriter.h"
#include "incident/storewrite.h"

namespace FaultDesk {

/**
 * The SQL of each StoreWrite kind, run by the writer inside the write's savepoint: the same code for a write that
 * goes straight to the database and for one replayed from the journal. Internal to IncidentStore.
 */
class IncidentWrites
{
public:
    static IncidentWriter::Outcome apply(IncidentWriter::Context& ctx, const StoreWrite& write);
};

} // namespace FaultDesk
