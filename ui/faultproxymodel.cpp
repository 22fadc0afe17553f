#include "faultproxymodel.h"

#include "detect/fault.h"
#include "detect/targetstate.h"
#include "model/faultmodel.h"
#include "stateappearance.h"

#include <QFont>

namespace FaultDesk {

FaultProxyModel::FaultProxyModel(QObject* parent)
    : QIdentityProxyModel(parent)
{ }

void FaultProxyModel::setAppearance(bool dark, const QColor& muted)
{
    m_dark = dark;
    m_muted = muted;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
            { Qt::DecorationRole, Qt::ForegroundRole, Qt::BackgroundRole });
}

QVariant FaultProxyModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const auto base = [&](int r) { return QIdentityProxyModel::data(index, r); };
    const bool root = base(FaultModel::RootCauseRole).toBool();
    const bool recovered = Fault::Phase(base(FaultModel::PhaseRole).toInt()) == Fault::Phase::Recovered;
    // An operator has it: keep it visible but quiet, so the unacknowledged ones stand out.
    const bool acknowledged = base(FaultModel::AcknowledgedRole).toBool();
    const int column = index.column();
    switch (role) {
    case Qt::DecorationRole:
        if (column == FaultModel::TargetColumn) {
            const Severity severity = recovered ? Severity::Ok : root ? Severity::Critical : Severity::Symptom;
            return StateAppearance::icon(severity, m_dark);
        }
        break;
    case Qt::ForegroundRole:
        if (recovered)
            return column == FaultModel::StateColumn ? QVariant(StateAppearance::colour(Severity::Ok, m_dark))
                                                     : QVariant(m_muted);
        if (!root || acknowledged)
            return m_muted;
        if (column == FaultModel::TargetColumn || column == FaultModel::CauseColumn)
            return StateAppearance::colour(Severity::Critical, m_dark);
        break;
    case Qt::BackgroundRole:
        if (root && !recovered && !acknowledged) {
            QColor tint = StateAppearance::colour(Severity::Critical, m_dark);
            tint.setAlpha(m_dark ? 60 : 30);
            return tint;
        }
        break;
    case Qt::FontRole: {
        QFont font;
        if (root && !recovered && !acknowledged)
            font.setBold(true);
        if (!root)
            font.setItalic(true);
        return font;
    }
    case Qt::DisplayRole:
        if (column == FaultModel::TargetColumn && root && !recovered) {
            const int symptoms = base(FaultModel::SymptomCountRole).toInt();
            const QString target = base(Qt::DisplayRole).toString();
            return symptoms > 0 ? tr("%1 — root cause (%n symptom(s))", nullptr, symptoms).arg(target)
                                : tr("%1 — root cause").arg(target);
        }
        if (column == FaultModel::EvidenceColumn) {
            const QStringList sources = base(FaultModel::SourcesRole).toStringList();
            if (!sources.isEmpty())
                return tr("%1 (sources: %2)").arg(base(Qt::DisplayRole).toString(), sources.mid(0, 3).join(u", "));
        }
        break;
    case Qt::ToolTipRole:
        if (column == FaultModel::AcknowledgedColumn
            || (column == FaultModel::StateColumn && !base(FaultModel::MonitoringDegradedRole).toString().isEmpty()))
            break;
        if (column != FaultModel::EvidenceColumn)
            return root ? tr("Root cause") : tr("Symptom — clears with its cause; never acted on");
        break;
    default:
        break;
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace FaultDesk
