#pragma once

#include <QColor>
#include <QIdentityProxyModel>

namespace FaultDesk {

/**
 * The fault panel's looks on top of FaultModel: a root cause is bold with the critical icon and tint, its
 * symptoms are nested, muted and italic with the symptom icon, recovered faults turn green with a ✓. The phase
 * column spells out "root cause" / "symptom of X" in its tooltip, so nothing depends on colour alone.
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
