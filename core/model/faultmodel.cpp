#include "faultmodel.h"

#include "alert/acknowledgementmanager.h"
#include "detect/detector.h"

#include <QDateTime>

namespace FaultDesk {

namespace {

Severity severityOf(const Fault& f)
{
    if (!f.isOpen())
        return Severity::Ok;
    return f.rootCause ? Severity::Critical : Severity::Symptom;
}

} // namespace

FaultModel::FaultModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void FaultModel::setDetector(Detector* detector)
{
    if (m_detector)
        disconnect(m_detector, nullptr, this, nullptr);
    m_detector = detector;
    if (!detector) {
        resetFaults({});
        return;
    }
    connect(detector, &Detector::targetsReset, this, [this] { resetFaults(m_detector->faults()); });
    connect(detector, &Detector::faultChanged, this, &FaultModel::updateFault);
    connect(detector, &Detector::faultRemoved, this, &FaultModel::removeFault);
    resetFaults(detector->faults());
}

void FaultModel::setAcknowledgementManager(AcknowledgementManager* manager)
{
    if (m_acknowledgements)
        disconnect(m_acknowledgements, nullptr, this, nullptr);
    m_acknowledgements = manager;
    const QStringList before = m_acks.keys();
    for (const QString& id : before)
        setAcknowledgement(id, std::nullopt);
    if (!manager)
        return;
    connect(manager, &AcknowledgementManager::acknowledgementChanged, this,
        [this](const QString& id) { setAcknowledgement(id, m_acknowledgements->acknowledgement(id)); });
    connect(manager, &AcknowledgementManager::monitoringDegradedChanged, this, &FaultModel::setMonitoringDegraded);
    for (const Acknowledgement& a : manager->acknowledgements())
        setAcknowledgement(a.faultId, a);
}

void FaultModel::emitFaultCells(const QString& faultId, const QList<int>& columns, const QList<int>& roles)
{
    if (find(faultId).root < 0)
        return;
    const QModelIndex first = indexOf(faultId, TargetColumn);
    Q_EMIT dataChanged(first, indexOf(faultId, ColumnCount - 1), roles);
    for (int column : columns) {
        const QModelIndex i = indexOf(faultId, column);
        Q_EMIT dataChanged(i, i, { Qt::DisplayRole, Qt::ToolTipRole, SortRole });
    }
}

void FaultModel::setAcknowledgement(const QString& faultId, const std::optional<Acknowledgement>& ack)
{
    const auto old = m_acks.constFind(faultId);
    if (!ack && old == m_acks.cend())
        return;
    if (ack && old != m_acks.cend() && old->operatorName == ack->operatorName && old->comment == ack->comment
        && old->silenceId == ack->silenceId)
        return;
    if (ack)
        m_acks.insert(faultId, *ack);
    else
        m_acks.remove(faultId);
    emitFaultCells(faultId, { AcknowledgedColumn },
        { AcknowledgedRole, AcknowledgedByRole, AcknowledgementCommentRole, SilenceIdRole });
}

void FaultModel::setMonitoringDegraded(const QStringList& faultIds, const QString& reason)
{
    for (const QString& id : faultIds) {
        if (m_degraded.value(id) == reason)
            continue;
        if (reason.isEmpty())
            m_degraded.remove(id);
        else
            m_degraded.insert(id, reason);
        emitFaultCells(id, { StateColumn }, { MonitoringDegradedRole });
    }
}

void FaultModel::resetFaults(const QList<Fault>& faults)
{
    beginResetModel();
    m_roots.clear();
    // Roots first so symptoms find their parents whatever the input order.
    for (const Fault& f : faults) {
        if (f.rootCause || desiredRoot(f) < 0)
            m_roots.append({ m_nextKey++, f, {} });
    }
    QList<Fault> symptoms;
    for (const Fault& f : faults) {
        if (!f.rootCause)
            symptoms.append(f);
    }
    m_roots.erase(std::remove_if(m_roots.begin(), m_roots.end(), [](const Node& n) { return !n.fault.rootCause; }),
        m_roots.end());
    for (const Fault& f : std::as_const(symptoms)) {
        const int r = desiredRoot(f);
        if (r >= 0)
            m_roots[r].symptoms.append(f);
        else
            m_roots.append({ m_nextKey++, f, {} });
    }
    endResetModel();
}

int FaultModel::rootRow(quintptr key) const
{
    for (int r = 0; r < m_roots.size(); ++r) {
        if (m_roots[r].key == key)
            return r;
    }
    return -1;
}

int FaultModel::rootRowOf(const QString& faultId) const
{
    for (int r = 0; r < m_roots.size(); ++r) {
        if (m_roots[r].fault.id == faultId)
            return r;
    }
    return -1;
}

FaultModel::Place FaultModel::find(const QString& faultId) const
{
    for (int r = 0; r < m_roots.size(); ++r) {
        if (m_roots[r].fault.id == faultId)
            return { r, -1 };
        const auto& s = m_roots[r].symptoms;
        for (int c = 0; c < s.size(); ++c) {
            if (s[c].id == faultId)
                return { r, c };
        }
    }
    return {};
}

int FaultModel::desiredRoot(const Fault& fault) const
{
    if (fault.rootCause || fault.rootFaultId.isEmpty() || fault.rootFaultId == fault.id)
        return -1;
    return rootRowOf(fault.rootFaultId);
}

QModelIndex FaultModel::indexOf(const QString& faultId, int column) const
{
    const Place p = find(faultId);
    if (p.root < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (p.child < 0)
        return createIndex(p.root, column, quintptr(0));
    return createIndex(p.child, column, m_roots[p.root].key);
}

void FaultModel::insertFault(const Fault& fault)
{
    const int r = desiredRoot(fault);
    if (r >= 0) {
        const int row = int(m_roots[r].symptoms.size());
        beginInsertRows(index(r, 0), row, row);
        m_roots[r].symptoms.append(fault);
        endInsertRows();
        return;
    }
    const int row = int(m_roots.size());
    beginInsertRows({}, row, row);
    m_roots.append({ m_nextKey++, fault, {} });
    endInsertRows();
    if (fault.rootCause)
        adoptOrphans(row);
}

// Symptoms that arrived before their root sit at the top level; move them under it.
void FaultModel::adoptOrphans(int root)
{
    const QString id = m_roots[root].fault.id;
    for (int r = int(m_roots.size()) - 1; r >= 0; --r) {
        const Fault& f = m_roots[r].fault;
        if (r == root || f.rootCause || f.rootFaultId != id || !m_roots[r].symptoms.isEmpty())
            continue;
        const int target = r < root ? root - 1 : root;
        const Fault moved = f;
        beginRemoveRows({}, r, r);
        m_roots.removeAt(r);
        endRemoveRows();
        const int row = int(m_roots[target].symptoms.size());
        beginInsertRows(index(target, 0), row, row);
        m_roots[target].symptoms.append(moved);
        endInsertRows();
        root = target;
    }
}

void FaultModel::takeFault(const Place& p)
{
    if (p.child >= 0) {
        beginRemoveRows(index(p.root, 0), p.child, p.child);
        m_roots[p.root].symptoms.removeAt(p.child);
        endRemoveRows();
        return;
    }
    // A root leaving takes its rows along; its symptoms come back at the top level until re-localized.
    const QList<Fault> orphans = m_roots[p.root].symptoms;
    beginRemoveRows({}, p.root, p.root);
    m_roots.removeAt(p.root);
    endRemoveRows();
    if (!orphans.isEmpty()) {
        const int first = int(m_roots.size());
        beginInsertRows({}, first, first + int(orphans.size()) - 1);
        for (const Fault& f : orphans)
            m_roots.append({ m_nextKey++, f, {} });
        endInsertRows();
    }
}

void FaultModel::updateFault(const Fault& fault)
{
    const Place p = find(fault.id);
    if (p.root < 0) {
        insertFault(fault);
        return;
    }
    const Fault before = p.child < 0 ? m_roots[p.root].fault : m_roots[p.root].symptoms[p.child];
    const int wanted = desiredRoot(fault);
    const bool isChild = p.child >= 0;
    const bool moves = (wanted >= 0) != isChild || (isChild && wanted != p.root)
        || (!isChild && !fault.rootCause && !m_roots[p.root].symptoms.isEmpty());
    if (moves) {
        takeFault(p);
        insertFault(fault);
        return;
    }
    if (isChild)
        m_roots[p.root].symptoms[p.child] = fault;
    else
        m_roots[p.root].fault = fault;
    const QModelIndex parent = isChild ? index(p.root, 0) : QModelIndex();
    const int row = isChild ? p.child : p.root;

    QList<int> rowRoles;
    if (before.incidentId != fault.incidentId)
        rowRoles << IncidentIdRole;
    if (before.cause != fault.cause)
        rowRoles << CauseRole;
    if (before.phase != fault.phase)
        rowRoles << PhaseRole;
    if (severityOf(before) != severityOf(fault))
        rowRoles << SeverityRole;
    if (before.rootCause != fault.rootCause)
        rowRoles << RootCauseRole;
    if (before.symptoms.size() != fault.symptoms.size())
        rowRoles << SymptomCountRole;
    if (before.flapping != fault.flapping)
        rowRoles << FlappingRole;
    if (before.sources != fault.sources)
        rowRoles << SourcesRole;
    if (!rowRoles.isEmpty())
        Q_EMIT dataChanged(index(row, 0, parent), index(row, ColumnCount - 1, parent), rowRoles);
    auto cell = [&](int column, const QList<int>& roles) {
        const QModelIndex i = index(row, column, parent);
        Q_EMIT dataChanged(i, i, roles);
    };
    if (before.cause != fault.cause)
        cell(CauseColumn, { Qt::DisplayRole, SortRole });
    if (before.phase != fault.phase)
        cell(StateColumn, { Qt::DisplayRole, SortRole });
    if (before.evidence != fault.evidence || before.localization != fault.localization)
        cell(EvidenceColumn, { Qt::DisplayRole, SortRole, Qt::ToolTipRole });
    if (before.detectedMs != fault.detectedMs)
        cell(SinceColumn, { Qt::DisplayRole, SortRole });
}

void FaultModel::removeFault(const QString& faultId)
{
    m_acks.remove(faultId);
    m_degraded.remove(faultId);
    const Place p = find(faultId);
    if (p.root >= 0)
        takeFault(p);
}

void FaultModel::removeRecovered()
{
    for (int r = int(m_roots.size()) - 1; r >= 0; --r) {
        auto& s = m_roots[r].symptoms;
        for (int c = int(s.size()) - 1; c >= 0; --c) {
            if (!s[c].isOpen()) {
                beginRemoveRows(index(r, 0), c, c);
                s.removeAt(c);
                endRemoveRows();
            }
        }
        if (!m_roots[r].fault.isOpen() && m_roots[r].symptoms.isEmpty()) {
            beginRemoveRows({}, r, r);
            m_roots.removeAt(r);
            endRemoveRows();
        }
    }
}

const Fault* FaultModel::faultAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return nullptr;
    if (index.internalId() == 0)
        return &m_roots[index.row()].fault;
    const int r = rootRow(index.internalId());
    return r < 0 ? nullptr : &m_roots[r].symptoms[index.row()];
}

QModelIndex FaultModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_roots.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_roots.size())
        return {};
    const Node& n = m_roots[parent.row()];
    return row < n.symptoms.size() ? createIndex(row, column, n.key) : QModelIndex();
}

QModelIndex FaultModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int r = rootRow(child.internalId());
    return r < 0 ? QModelIndex() : createIndex(r, 0, quintptr(0));
}

int FaultModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_roots.size());
    if (parent.column() > 0 || parent.internalId() != 0)
        return 0;
    return int(m_roots[parent.row()].symptoms.size());
}

int FaultModel::columnCount(const QModelIndex& parent) const
{
    Q_UNUSED(parent)
    return ColumnCount;
}

QVariant FaultModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Fault* f = faultAt(index);
    if (!f)
        return {};
    const int column = index.column();
    const auto ackIt = m_acks.constFind(f->id);
    const Acknowledgement* ack = ackIt == m_acks.cend() ? nullptr : &*ackIt;

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TargetColumn:
            return f->target;
        case CauseColumn:
            return causeClassName(f->cause);
        case StateColumn:
            return m_degraded.contains(f->id) ? tr("%1 (monitoring degraded)").arg(Fault::phaseName(f->phase))
                                              : Fault::phaseName(f->phase);
        case EvidenceColumn:
            return f->evidence;
        case SinceColumn:
            return QDateTime::fromMSecsSinceEpoch(f->detectedMs).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
        case AcknowledgedColumn:
            return ack ? ack->operatorName : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (column == EvidenceColumn)
            return f->localization.isEmpty() ? f->evidence : f->evidence + u'\n' + f->localization;
        if (column == StateColumn && m_degraded.contains(f->id))
            return tr("Monitoring degraded: %1").arg(m_degraded.value(f->id));
        if (column == AcknowledgedColumn && ack) {
            QString text
                = tr("Acknowledged by %1 at %2: %3")
                      .arg(ack->operatorName,
                          ack->timeUtc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), ack->comment);
            if (!ack->silenceId.isEmpty())
                text += u'\n' + tr("Silenced on Alertmanager %1 (silence %2)").arg(ack->source, ack->silenceId);
            return text;
        }
        return {};
    case SortRole:
        switch (column) {
        case TargetColumn:
            return f->target;
        case CauseColumn:
            return int(f->cause);
        case StateColumn:
            return int(f->phase);
        case EvidenceColumn:
            return f->evidence;
        case SinceColumn:
            return f->detectedMs;
        case AcknowledgedColumn:
            return ack ? ack->operatorName : QString();
        }
        return {};
    case FaultIdRole:
        return f->id;
    case IncidentIdRole:
        return f->incidentId;
    case CauseRole:
        return int(f->cause);
    case PhaseRole:
        return int(f->phase);
    case SeverityRole:
        return int(severityOf(*f));
    case RootCauseRole:
        return f->rootCause;
    case SymptomCountRole:
        return int(f->symptoms.size());
    case FlappingRole:
        return f->flapping;
    case SourcesRole:
        return f->sources;
    case TargetRole:
        return f->target;
    case AcknowledgedRole:
        return ack != nullptr;
    case AcknowledgedByRole:
        return ack ? ack->operatorName : QString();
    case AcknowledgementCommentRole:
        return ack ? ack->comment : QString();
    case SilenceIdRole:
        return ack ? ack->silenceId : QString();
    case MonitoringDegradedRole:
        return m_degraded.value(f->id);
    default:
        return {};
    }
}

QVariant FaultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TargetColumn:
        return tr("Target");
    case CauseColumn:
        return tr("Cause");
    case StateColumn:
        return tr("State");
    case EvidenceColumn:
        return tr("Evidence");
    case SinceColumn:
        return tr("Since");
    case AcknowledgedColumn:
        return tr("Ack");
    }
    return {};
}

QHash<int, QByteArray> FaultModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(FaultIdRole, "faultId");
    names.insert(IncidentIdRole, "incidentId");
    names.insert(CauseRole, "cause");
    names.insert(PhaseRole, "phase");
    names.insert(SeverityRole, "severity");
    names.insert(RootCauseRole, "rootCause");
    names.insert(SortRole, "sort");
    names.insert(SymptomCountRole, "symptomCount");
    names.insert(FlappingRole, "flapping");
    names.insert(SourcesRole, "sources");
    names.insert(TargetRole, "target");
    names.insert(AcknowledgedRole, "acknowledged");
    names.insert(AcknowledgedByRole, "acknowledgedBy");
    names.insert(AcknowledgementCommentRole, "acknowledgementComment");
    names.insert(SilenceIdRole, "silenceId");
    names.insert(MonitoringDegradedRole, "monitoringDegraded");
    return names;
}

} // namespace FaultDesk
