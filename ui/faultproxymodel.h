#pragma once

#include <QColor>
#include <QIdentityProxyModel>

namespace FaultDesk {

/**
 * The fault panel's looks on top of FaultModel: an incident's row (its root cause) is bold with the critical icon
 * and tint and says how many more root causes, symptoms and aftershocks it holds; beneath it further root causes
 * keep the critical colour, symptoms and aftershocks are muted and italic; an incident whose faults have all
 * settled (cleared on their own, or recovered and verified) turns green with a ✓; one passing its checks while it is
 * not recovered yet has the warning icon. Each row says its place in words ("· symptom") and in its tooltip, so nothing
 * depends on colour alone.
 */
class FaultProxyModel : public QIdentityProxyModel
{
    Q_OBJECT
public:
    explicit FaultProxyModel(QObject* parent = nullptr);

    /// Colours for a dark (true) or light background; @p muted is the palette's text colour for symptoms.
    void setAppearance(bool dark, const QColor& muted);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    bool m_dark = false;
    QColor m_muted = QColor(0x80, 0x80, 0x80);
};

} // namespace FaultDesk
