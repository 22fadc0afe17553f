#include "fleetview.h"

namespace FaultDesk {

FleetView::FleetView(QWidget* parent)
    : QTreeView(parent)
{ }

void FleetView::dataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles)
{
    if (!topLeft.isValid() || !bottomRight.isValid() || bottomRight.row() - topLeft.row() < ClipFromRows
        || !uniformRowHeights() || !isVisible()) {
        QTreeView::dataChanged(topLeft, bottomRight, roles);
        return;
    }
    // The rows on screen, top to bottom (a screenful: tens of rows however large the range), and which of them
    // belong to the range.
    const QModelIndex parent = topLeft.parent();
    const int bottom = viewport()->height();
    int first = -1;
    int last = -1;
    for (QModelIndex row = indexAt(QPoint(0, 0)); row.isValid(); row = indexBelow(row)) {
        if (visualRect(row).top() >= bottom)
            break;
        if (row.row() >= topLeft.row() && row.row() <= bottomRight.row() && row.parent() == parent) {
            first = first < 0 ? row.row() : first;
            last = row.row();
        }
    }
    if (first >= 0)
        QTreeView::dataChanged(topLeft.siblingAtRow(first), bottomRight.siblingAtRow(last), roles);
}

} // namespace FaultDesk
