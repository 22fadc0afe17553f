#pragma once

#include <QHash>
#include <QSortFilterProxyModel>

namespace FaultDesk {

/**
 * The fleet view's model on top of FleetModel: sorts by the raw values (FleetModel::SortRole), filters by a
 * search text over name, group and labels and by one group, and gives the state an icon, a colour and a word
 * (colour never alone). Root-cause rows are bold with a tinted background; flapping targets say so.
 */
class FleetProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FleetProxyModel(QObject* parent = nullptr);

    /// Case-insensitive substring matched against name, group and "key=value" labels; empty = everything.
    void setFilterText(const QString& text);
    QString filterText() const { return m_text; }
    /// Only targets of @p group; empty = all groups.
    void setGroupFilter(const QString& group);
    QString groupFilter() const { return m_group; }
    /// The labels of each target (from the fleet configuration), searched by the filter text.
    void setTargetLabels(const QHash<QString, QStringList>& labels);
    /// Colours for a dark (true) or light background.
    void setDark(bool dark);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void refilter();
    bool isStale(const QModelIndex& index) const;

    QString m_text;
    QString m_group;
    QHash<QString, QStringList> m_labels;
    bool m_dark = false;
};

} // namespace FaultDesk
