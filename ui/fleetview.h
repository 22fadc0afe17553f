#pragma once

#include <QTreeView>

namespace FaultDesk {

/**
 * The fleet table's view: a QTreeView that repaints only the on-screen part of a large dataChanged range. A
 * monitor tick at fleet scale changes rows scattered through the whole table, so its ranges span thousands of rows;
 * QTreeView would ask every row of such a range for its rectangle to find the few on screen. Rows off screen are
 * painted from the model when they scroll in, so they need nothing. Needs uniform row heights (the fleet's rows
 * are one line each); without them every range goes to QTreeView as it is.
 */
class FleetView : public QTreeView
{
    Q_OBJECT
public:
    explicit FleetView(QWidget* parent = nullptr);

    /// Ranges of more rows than this are clipped to the rows on screen.
    static constexpr int ClipFromRows = 32;

protected:
    void dataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles) override;
};

} // namespace FaultDesk
