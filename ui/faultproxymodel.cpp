#include "ui/faultproxymodel.h"

#include "detect/fault.h"
#include "detect/targetstate.h"
#include "model/faultmodel.h"
#include "ui/stateappearance.h"

#include <QFont>

namespace FaultDesk {

FaultProxyModel::FaultProxyModel(QObject* parent)
    : QIdentityProxyModel(parent)
{ }

void FaultProxyModel::setAppearance(bool dark, const QColor& muted)
{
    m_dark = dark;
    m_muted = muted;
    StateAppearance::emitLooksChanged(this);
}

QVariant FaultProxyModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const auto base = [&](int r) { return QIdentityProxyModel::data(index, r); };
    const bool incidentRow = !index.parent().isValid();
    const auto membership = FaultModel::Membership(base(FaultModel::MembershipRole).toInt());
    // The incident's row stands for all of it: it looks recovered only once every fault of it has settled (passes its
    // checks, and no Recover runs on it or failed to verify it).
    const bool recovered
        = incidentRow ? base(FaultModel::OpenCountRole).toInt() == 0 : base(FaultModel::SettledRole).toBool();
    const bool root = incidentRow && base(FaultModel::RootCauseRole).toBool();
    const bool member = membership == FaultModel::Membership::Member;
    const bool aftershock = membership == FaultModel::Membership::Aftershock;
    // An operator has it: keep it visible but quiet, so the unacknowledged ones stand out.
    const bool acknowledged = base(FaultModel::AcknowledgedRole).toBool();
    const int column = index.column();
    // A target whose fault cleared and fired again in the incident is one row, its latest firing: say how often.
    const int firings = base(FaultModel::OccurrenceCountRole).toInt();
    const QString fired = firings > 1 ? tr("fired %1 times").arg(firings) : QString();
    const auto withFired = [&](const QString& text) { return fired.isEmpty() ? text : tr("%1 · %2").arg(text, fired); };
    switch (role) {
    case Qt::DecorationRole:
        if (column == FaultModel::TargetColumn) {
            // Passing its checks while Recover still runs (or before it ran): no longer failing, not over either.
            const bool passing = Fault::Phase(base(FaultModel::PhaseRole).toInt()) == Fault::Phase::Recovered
                && FaultModel::Recovery(base(FaultModel::RecoveryRole).toInt()) != FaultModel::Recovery::Failed;
            const Severity severity = recovered ? Severity::Ok
                : passing && (root || member)   ? Severity::Warning
                : root || member                ? Severity::Critical
                : aftershock                    ? Severity::Warning
                                                : Severity::Symptom;
            return StateAppearance::icon(severity, m_dark);
        }
        break;
    case Qt::ForegroundRole:
        if (recovered)
            return column == FaultModel::StateColumn ? QVariant(StateAppearance::colour(Severity::Ok, m_dark))
                                                     : QVariant(m_muted);
        if ((!root && !member) || acknowledged)
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
        if (!root && !member)
            font.setItalic(true);
        return font;
    }
    case Qt::DisplayRole:
        if (column == FaultModel::TargetColumn) {
            const QString target = base(Qt::DisplayRole).toString();
            if (!incidentRow) {
                switch (membership) {
                case FaultModel::Membership::Member:
                    return withFired(base(FaultModel::RootCauseRole).toBool() ? tr("%1 · also a root cause").arg(target)
                                                                              : tr("%1 · member").arg(target));
                case FaultModel::Membership::Aftershock:
                    return withFired(tr("%1 · aftershock").arg(target));
                case FaultModel::Membership::Symptom:
                    return withFired(tr("%1 · symptom").arg(target));
                case FaultModel::Membership::Root:
                    break;
                }
                return withFired(target);
            }
            if (!root)
                return withFired(target);
            // Members are the pool's peers hit by the same event, or further root causes: counted apart.
            int otherRoots = 0;
            const QModelIndex source = mapToSource(index.siblingAtColumn(0));
            for (int row = 0; row < sourceModel()->rowCount(source); ++row) {
                const QModelIndex child = sourceModel()->index(row, 0, source);
                otherRoots += FaultModel::Membership(child.data(FaultModel::MembershipRole).toInt())
                            == FaultModel::Membership::Member
                        && child.data(FaultModel::RootCauseRole).toBool()
                    ? 1
                    : 0;
            }
            const auto count
                = [](int n, const QString& one, const QString& many) { return n == 1 ? one : many.arg(n); };
            QStringList parts;
            // A pool-wide event (a surge, a flood) is the pool's fault: the row names the pool, then where it began.
            const QString pool = base(FaultModel::PoolRole).toString();
            if (!pool.isEmpty())
                parts << tr("%1 first").arg(target);
            const int members = base(FaultModel::MemberCountRole).toInt() - otherRoots;
            if (members > 0)
                parts << count(members, tr("1 member"), tr("%1 members"));
            if (otherRoots > 0)
                parts << count(otherRoots, tr("1 more root cause"), tr("%1 more root causes"));
            if (const int n = base(FaultModel::SymptomCountRole).toInt())
                parts << count(n, tr("1 symptom"), tr("%1 symptoms"));
            if (const int n = base(FaultModel::AftershockCountRole).toInt())
                parts << count(n, tr("1 aftershock"), tr("%1 aftershocks"));
            const QString who = pool.isEmpty() ? target : tr("%1 pool").arg(pool);
            QString head = tr("%1 — root cause").arg(who);
            if (!fired.isEmpty())
                head = tr("%1, %2").arg(head, fired);
            // Recovered only where Recover verified it; the state column says which step runs.
            switch (FaultModel::Recovery(base(FaultModel::RecoveryRole).toInt())) {
            case FaultModel::Recovery::Running:
                head = tr("%1, recovering").arg(head);
                break;
            case FaultModel::Recovery::Verified:
                if (base(FaultModel::SettledRole).toBool())
                    head = tr("%1, recovered (verified)").arg(head);
                break;
            case FaultModel::Recovery::Failed:
                head = tr("%1, recovery failed").arg(head);
                break;
            case FaultModel::Recovery::ClearedOnItsOwn:
                head = tr("%1, cleared on its own").arg(head);
                break;
            case FaultModel::Recovery::NotRecovered:
                head = tr("%1, passes its checks, not recovered").arg(head);
                break;
            case FaultModel::Recovery::None:
                break;
            }
            return parts.isEmpty() ? head : tr("%1 (%2)").arg(head, parts.join(QStringLiteral(", ")));
        }
        if (column == FaultModel::EvidenceColumn) {
            const QStringList sources = base(FaultModel::SourcesRole).toStringList();
            if (!sources.isEmpty())
                return tr("%1 (sources: %2)").arg(base(Qt::DisplayRole).toString(), sources.mid(0, 3).join(u", "));
        }
        break;
    case Qt::ToolTipRole:
        // The source's own tooltip: who acknowledged it; why monitoring is degraded; when each firing began and ended.
        if (column == FaultModel::AcknowledgedColumn
            || (column == FaultModel::StateColumn
                && (!base(FaultModel::MonitoringDegradedRole).toString().isEmpty() || firings > 1)))
            break;
        if (column != FaultModel::EvidenceColumn) {
            if (root) // the whole line: a narrow column elides what the incident holds
                return tr("%1\nRoot cause of incident %2")
                    .arg(data(index.siblingAtColumn(FaultModel::TargetColumn), Qt::DisplayRole).toString(),
                        base(FaultModel::IncidentIdRole).toString());
            if (member && base(FaultModel::RootCauseRole).toBool())
                return tr("Another root cause in the same incident");
            if (member)
                return tr("Member: a peer of the root cause in its pool or group, hit by the same event");
            if (aftershock)
                return tr("Aftershock: began after the root cause had recovered, on the same targets");
            return tr("Symptom — clears with its cause; never acted on");
        }
        break;
    default:
        break;
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace FaultDesk
