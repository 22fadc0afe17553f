#include "ui/fleetview.h"

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
    // The children of one parent are laid out top to bottom in row order, so the range's rows on screen are one run:
    // found by bisection on their rectangles (a few dozen lookups however large the range). Anything unexpected (a
    // row without a rectangle: collapsed, hidden) goes to QTreeView as it is.
    const int height = viewport()->height();
    const auto rect = [this, &topLeft](int row) { return visualRect(topLeft.sibling(row, 0)); };
    const QRect first = rect(topLeft.row());
    const QRect last = rect(bottomRight.row());
    if (!first.isValid() || !last.isValid()) {
        QTreeView::dataChanged(topLeft, bottomRight, roles);
        return;
    }
    if (last.bottom() < 0 || first.top() >= height)
        return; // all above or all below the viewport: painted from the model when scrolled to
    // The first row whose bottom is on screen, and the last whose top is.
    int lo = topLeft.row();
    int hi = bottomRight.row();
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        const QRect r = rect(mid);
        if (!r.isValid()) {
            QTreeView::dataChanged(topLeft, bottomRight, roles);
            return;
        }
        if (r.bottom() < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const int firstOnScreen = lo;
    hi = bottomRight.row();
    while (lo < hi) {
        const int mid = lo + (hi - lo + 1) / 2;
        const QRect r = rect(mid);
        if (!r.isValid()) {
            QTreeView::dataChanged(topLeft, bottomRight, roles);
            return;
        }
        if (r.top() >= height)
            hi = mid - 1;
        else
            lo = mid;
    }
    QTreeView::dataChanged(topLeft.siblingAtRow(firstOnScreen), bottomRight.siblingAtRow(lo), roles);
}

} // namespace FaultDesk
