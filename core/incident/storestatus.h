#pragma once

#include "incident/storehealth.h"

#include <QDateTime>
#include <QString>

namespace FaultDesk {

/**
 * What the status bar says about the incident store, from its StoreHealth: connected, reconnecting since when and how
 * many writes wait in the local journal, a journal that is full, writes not recorded. Words and a level here; the
 * widget (ui) picks the colours.
 */
class StoreStatus
{
public:
    enum class Level {
        Ok,
        Warning, ///< the store is away or replaying, nothing lost
        Error, ///< writes were refused (journal or buffer full): records are missing
    };

    /// One line for the status bar ("Store: reconnecting since 14:03:12 · 42 writes journaled").
    static QString text(const StoreHealth& health);
    /// The tooltip: the store, the last error, where the journal is and how full.
    static QString detail(const StoreHealth& health);
    static Level level(const StoreHealth& health);
};

} // namespace FaultDesk
