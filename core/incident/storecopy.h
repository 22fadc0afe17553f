#pragma once

#include "incident/storeurl.h"

#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * Copies one incident database into another — a single operator's SQLite history into the team's PostgreSQL:
 * incidents with their timelines, symptoms, evidence, baselines and series, the audit trail and the maintenance
 * windows, row for row (times, states and ids kept). Both ends are migrated to the current schema first.
 * The copy is one transaction on the destination: all or nothing. Incidents (and maintenance windows) the
 * destination already holds are skipped with everything attached to them, and audit records already there are not
 * added twice, so running the copy again adds nothing.
 */
class StoreCopy
{
public:
    struct Result
    {
        qint64 incidents = 0; ///< incidents copied
        qint64 skipped = 0; ///< incidents the destination already had
        qint64 events = 0;
        qint64 symptoms = 0;
        qint64 evidence = 0;
        qint64 series = 0;
        qint64 audit = 0;
        qint64 maintenance = 0;
    };

    /// Copies @p from into @p to; std::nullopt with a readable @p error when nothing was copied.
    static std::optional<Result> copy(const StoreUrl& from, const StoreUrl& to, QString* error = nullptr);
};

} // namespace FaultDesk
