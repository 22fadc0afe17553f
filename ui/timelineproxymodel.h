#pragma once

#include <QSortFilterProxyModel>

namespace FaultDesk {

/**
 * The incident timeline's looks on top of TimelineModel: detections and root causes in the critical colour,
 * clears in the ok colour, and single failed checks the next check took back hidden unless asked for, so the
 * timeline reads as detections, localizations and clears.
 */
class TimelineProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TimelineProxyModel(QObject* parent = nullptr);

    /// Shows the unconfirmed checks (UP → SOFT → UP) too.
    void setShowUnconfirmed(bool show);
    bool showsUnconfirmed() const { return m_showUnconfirmed; }
    /// Colours for a dark (true) or light background.
    void setDark(bool dark);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    bool m_showUnconfirmed = false;
    bool m_dark = false;
};

} // namespace FaultDesk
