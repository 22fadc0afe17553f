#pragma once

#include "detect/targetstate.h"

#include <QColor>
#include <QIcon>
#include <QString>

class QAbstractItemModel;
class QModelIndex;

namespace FaultDesk {

/**
 * How a target state or severity looks in the console: an icon whose shape differs per state (so colour is
 * never the only signal), a colour readable on the light and the dark palette, and a word.
 */
class StateAppearance
{
public:
    /// The state's colour; @p dark picks the variant for a dark background.
    static QColor colour(Severity severity, bool dark);
    /// A small icon: ✓ circle (ok), ? circle (unknown), ↓ diamond (symptom), ! triangle (warning), ✕ square
    /// (critical). Cached.
    static QIcon icon(Severity severity, bool dark);
    /// "OK", "UNKNOWN", "SYMPTOM", "WARNING", "CRITICAL".
    static QString text(Severity severity);
    /// Tells the views of @p model (a proxy adding looks) that colours, icons and fonts changed on every row, child
    /// rows included: one dataChanged per parent, for the look roles only.
    static void emitLooksChanged(QAbstractItemModel* model);

private:
    static void emitLooksChanged(QAbstractItemModel* model, const QModelIndex& parent);
};

} // namespace FaultDesk
