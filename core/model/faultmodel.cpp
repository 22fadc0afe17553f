#include "model/faultmodel.h"

#include "alert/acknowledgementmanager.h"
#include "detect/detector.h"
#include "remedy/remediationcontroller.h"

#include <QDateTime>

#include <algorithm>
#include <utility>

namespace FaultDesk {

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

void FaultModel::setRemediation(RemediationController* controller)
{
    if (m_remedy)
        disconnect(m_remedy, nullptr, this, nullptr);
    m_remedy = controller;
    if (controller) {
        connect(controller, &RemediationController::runStarted, this,
            [this](const QString& id) { remediationChanged(id); });
        connect(controller, &RemediationController::stepChanged, this,
            [this](const QString& id) { remediationChanged(id); });
        connect(controller, &RemediationController::runFinished, this,
            [this](const QString& id) { remediationChanged(id); });
    }
    const QStringList ids = m_incidentOf.keys();
    for (const QString& id : ids)
        remediationChanged(id);
}

void FaultModel::remediationChanged(const QString& faultId)
{
    const Place p = find(faultId);
    if (p.node < 0 || p.earlier >= 0)
        return;
    emitFaultCells(faultId, { StateColumn }, { RecoveryRole, SettledRole, SeverityRole });
    // Settled or not decides the incident's count of faults still to recover.
    Q_EMIT dataChanged(rowIndex(p.node, 0, 0), rowIndex(p.node, 0, ColumnCount - 1), { OpenCountRole });
}

FaultModel::Recovery FaultModel::recoveryOf(const Fault& f) const
{
    const auto handle = m_remedy ? m_remedy->lastRun(f.id, SafetyRequest::Purpose::Handle) : std::nullopt;
    const auto recover = m_remedy ? m_remedy->lastRun(f.id, SafetyRequest::Purpose::Recover) : std::nullopt;
    // The target passing its checks again is the detector's word; recovered is Recover's, once it verified.
    if (recover)
        return recover->running ? Recovery::Running : recover->verified ? Recovery::Verified : Recovery::Failed;
    if (f.isOpen())
        return Recovery::None;
    return handle ? Recovery::NotRecovered : Recovery::ClearedOnItsOwn;
}

bool FaultModel::settled(const Fault& f) const
{
    if (f.isOpen())
        return false;
    const Recovery r = recoveryOf(f);
    return r == Recovery::Verified || r == Recovery::ClearedOnItsOwn;
}

Severity FaultModel::faultSeverity(const Fault& f) const
{
    if (settled(f))
        return Severity::Ok;
    if (!f.rootCause)
        return Severity::Symptom;
    return f.isOpen() || recoveryOf(f) == Recovery::Failed ? Severity::Critical : Severity::Warning;
}

QString FaultModel::stateText(const Fault& f) const
{
    const auto run
        = [&](SafetyRequest::Purpose purpose) { return m_remedy ? m_remedy->lastRun(f.id, purpose) : std::nullopt; };
    switch (recoveryOf(f)) {
    case Recovery::Running: {
        const auto r = run(SafetyRequest::Purpose::Recover);
        if (r->step < 0)
            return tr("recovering");
        const QString step = tr("step %1 of %2: %3").arg(r->step + 1).arg(r->stepCount).arg(r->stepName);
        return r->stepStatus == StepReport::Status::Verifying ? tr("recovering — verifying %1").arg(step)
                                                              : tr("recovering — %1").arg(step);
    }
    case Recovery::Verified:
        // Verified means healthy by Recover's own checks; the detector's next check says it too, a moment later.
        return f.isOpen() ? tr("recovery verified — waiting for its checks to pass") : tr("recovered — verified");
    case Recovery::Failed:
        return tr("recovery failed — not recovered");
    case Recovery::ClearedOnItsOwn:
        return f.rootCause ? tr("cleared on its own") : tr("cleared");
    case Recovery::NotRecovered: {
        const auto h = run(SafetyRequest::Purpose::Handle);
        return h && h->running ? tr("passes its checks — Handle still running")
                               : tr("passes its checks — not recovered: Recover has not run since Handle");
    }
    case Recovery::None:
        break;
    }
    // The detector keeps "handling" after a Handle that did not succeed: nothing handles it any more.
    if (const auto h = run(SafetyRequest::Purpose::Handle);
        h && !h->running && f.phase == Fault::Phase::Handling && h->outcome.result != RunbookOutcome::Result::Succeeded)
        return tr("Handle %1 — not handled").arg(RunbookOutcome::resultName(h->outcome.result));
    return Fault::phaseName(f.phase);
}

void FaultModel::emitFaultCells(const QString& faultId, const QList<int>& columns, const QList<int>& roles)
{
    if (find(faultId).node < 0)
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
    m_nodes.clear();
    m_incidentOf.clear();
    m_nodeOfIncident.clear();
    m_nodeOfKey.clear();
    for (const Fault& f : faults) {
        if (m_incidentOf.contains(f.id))
            continue;
        const QString key = incidentKey(f);
        int n = m_nodeOfIncident.value(key, -1);
        if (n < 0) {
            n = int(m_nodes.size());
            m_nodes.append({ m_nextKey++, key, {} });
            m_nodeOfIncident.insert(key, n);
        }
        Node& node = m_nodes[n];
        if (const int r = firingRow(node, f); r >= 0)
            addFiring(node.rows[r], f);
        else
            node.rows.append({ f, {}, 0 });
        m_incidentOf.insert(f.id, key);
    }
    for (Node& node : m_nodes) {
        const int head = preferredHead(node);
        if (head > 0)
            node.rows.move(head, 0);
    }
    reindex();
    endResetModel();
}

QString FaultModel::incidentKey(const Fault& fault)
{
    // Before localization a fault has no incident yet: it stands alone (a symptom waits under its root's id).
    if (!fault.incidentId.isEmpty())
        return fault.incidentId;
    if (!fault.rootCause && !fault.rootFaultId.isEmpty())
        return u'#' + fault.rootFaultId;
    return u'#' + fault.id;
}

int FaultModel::preferredHead(const Node& node)
{
    // The incident's root cause: the first root cause detected; a symptom heads an incident only until it arrives.
    int best = -1;
    for (int i = 0; i < node.rows.size(); ++i) {
        if (!node.rows[i].fault.rootCause)
            continue;
        if (best < 0 || node.rows[i].firstDetectedMs() < node.rows[best].firstDetectedMs())
            best = i;
    }
    return best < 0 ? 0 : best;
}

int FaultModel::Row::earlierIndex(const QString& faultId) const
{
    for (int i = 0; i < earlier.size(); ++i) {
        if (earlier[i].id == faultId)
            return i;
    }
    return -1;
}

int FaultModel::firingRow(const Node& node, const Fault& fault)
{
    for (int i = 0; i < node.rows.size(); ++i) {
        const Row& row = node.rows[i];
        if (row.fault.target != fault.target || row.fault.id == fault.id || row.earlierIndex(fault.id) >= 0)
            continue;
        // Two faults of one target open at once (a probe's and an alert's) are two rows; one after the other, the
        // target fired again.
        const Fault& latest = row.fault;
        if (fault.detectedMs >= latest.detectedMs ? !latest.isOpen() && latest.clearedMs <= fault.detectedMs
                                                  : !fault.isOpen() && fault.clearedMs <= latest.detectedMs)
            return i;
    }
    return -1;
}

bool FaultModel::addFiring(Row& row, const Fault& fault)
{
    if (fault.detectedMs >= row.fault.detectedMs) {
        row.earlier.append(std::exchange(row.fault, fault));
        return true;
    }
    const auto at = std::find_if(
        row.earlier.cbegin(), row.earlier.cend(), [&](const Fault& f) { return f.detectedMs > fault.detectedMs; });
    row.earlier.insert(at - row.earlier.cbegin(), fault);
    return false;
}

FaultModel::Membership FaultModel::membership(const Node& node, int pos)
{
    if (pos == 0)
        return Membership::Root;
    const Row& root = node.rows[0];
    const Fault& f = node.rows[pos].fault;
    // It began after the root cause had recovered, and before any later firing of the root.
    bool rootHadRecovered = false;
    bool rootWasOpen = false;
    const auto judge = [&](const Fault& r) {
        rootHadRecovered = rootHadRecovered || (!r.isOpen() && r.clearedMs > 0 && r.clearedMs < f.detectedMs);
        rootWasOpen = rootWasOpen || (r.detectedMs <= f.detectedMs && (r.isOpen() || r.clearedMs >= f.detectedMs));
    };
    for (const Fault& r : root.earlier)
        judge(r);
    judge(root.fault);
    if (rootHadRecovered && !rootWasOpen)
        return Membership::Aftershock;
    // A peer of the root hit by the same event (a pool member) belongs to the incident as much as another root does.
    return f.rootCause || f.isMember() ? Membership::Member : Membership::Symptom;
}

FaultModel::Tally FaultModel::tally(const Node& node) const
{
    Tally t;
    for (int i = 0; i < node.rows.size(); ++i) {
        t.open += settled(node.rows[i].fault) ? 0 : 1;
        switch (membership(node, i)) {
        case Membership::Root:
            break;
        case Membership::Member:
            ++t.members;
            break;
        case Membership::Symptom:
            ++t.symptoms;
            break;
        case Membership::Aftershock:
            ++t.aftershocks;
            break;
        }
    }
    return t;
}

void FaultModel::reindex()
{
    m_nodeOfIncident.clear();
    m_nodeOfKey.clear();
    for (int n = 0; n < m_nodes.size(); ++n) {
        m_nodeOfIncident.insert(m_nodes[n].incident, n);
        m_nodeOfKey.insert(m_nodes[n].key, n);
    }
}

int FaultModel::nodeRow(quintptr key) const
{
    return m_nodeOfKey.value(key, -1);
}

FaultModel::Place FaultModel::find(const QString& faultId) const
{
    const auto key = m_incidentOf.constFind(faultId);
    if (key == m_incidentOf.cend())
        return {};
    const int n = m_nodeOfIncident.value(*key, -1);
    if (n < 0)
        return {};
    const QList<Row>& rows = m_nodes[n].rows;
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i].fault.id == faultId)
            return { n, i, -1 };
        if (const int e = rows[i].earlierIndex(faultId); e >= 0)
            return { n, i, e };
    }
    return {};
}

QModelIndex FaultModel::rowIndex(int node, int pos, int column) const
{
    if (pos == 0)
        return createIndex(node, column, quintptr(0));
    return createIndex(pos - 1, column, m_nodes[node].key);
}

QModelIndex FaultModel::indexOf(const QString& faultId, int column) const
{
    const Place p = find(faultId);
    if (p.node < 0 || column < 0 || column >= ColumnCount)
        return {};
    return rowIndex(p.node, p.pos, column);
}

QList<Fault> FaultModel::incidentFaults(const QString& faultId) const
{
    const Place p = find(faultId);
    const int n = p.node >= 0 ? p.node : m_nodeOfIncident.value(faultId, -1);
    if (n < 0)
        return {};
    QList<Fault> faults;
    for (const Row& row : m_nodes[n].rows)
        faults.append(row.fault);
    for (const Row& row : m_nodes[n].rows)
        faults.append(row.earlier);
    return faults;
}

QString FaultModel::firingHistory(const Row& row) const
{
    const auto clock = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    };
    QStringList lines { tr("Fired %1 times in this incident:").arg(row.firings()) };
    if (row.dropped > 0)
        lines << (row.dropped == 1 ? tr("1 earlier firing no longer kept")
                                   : tr("%1 earlier firings no longer kept").arg(row.dropped));
    QList<Fault> firings = row.earlier;
    firings.append(row.fault);
    for (const Fault& f : std::as_const(firings)) {
        const QString began = tr("%1 %2").arg(clock(f.detectedMs), causeClassName(f.cause));
        if (f.isOpen())
            lines << tr("%1, %2").arg(began, Fault::phaseName(f.phase));
        else if (f.clearedMs > 0)
            lines << tr("%1, cleared at %2").arg(began, clock(f.clearedMs));
        else
            lines << tr("%1, cleared").arg(began);
    }
    return lines.join(u'\n');
}

void FaultModel::emitIncidentChanges(int n, const Tally& before, bool rootChanged)
{
    const Tally after = tally(m_nodes[n]);
    QList<int> roles;
    if (before.members != after.members)
        roles << MemberCountRole;
    if (before.symptoms != after.symptoms)
        roles << SymptomCountRole;
    if (before.aftershocks != after.aftershocks)
        roles << AftershockCountRole;
    if (before.open != after.open)
        roles << OpenCountRole;
    if (rootChanged)
        roles << IncidentTargetsRole;
    if (!roles.isEmpty())
        Q_EMIT dataChanged(rowIndex(n, 0, 0), rowIndex(n, 0, ColumnCount - 1), roles);
    const int children = int(m_nodes[n].rows.size()) - 1;
    if (rootChanged && children > 0)
        Q_EMIT dataChanged(rowIndex(n, 1, 0), rowIndex(n, children, ColumnCount - 1), { MembershipRole });
}

void FaultModel::insertFault(const Fault& fault)
{
    const QString key = incidentKey(fault);
    const int n = m_nodeOfIncident.value(key, -1);
    if (n < 0) {
        const int row = int(m_nodes.size());
        beginInsertRows({}, row, row);
        m_nodes.append({ m_nextKey++, key, { Row { fault, {}, 0 } } });
        m_nodeOfIncident.insert(key, row);
        m_nodeOfKey.insert(m_nodes[row].key, row);
        m_incidentOf.insert(fault.id, key);
        endInsertRows();
        return;
    }
    const Tally before = tally(m_nodes[n]);
    if (const int r = firingRow(m_nodes[n], fault); r >= 0) {
        // The target fired again within the incident: its row shows the new firing and counts it.
        m_incidentOf.insert(fault.id, key);
        if (addFiring(m_nodes[n].rows[r], fault))
            Q_EMIT dataChanged(rowIndex(n, r, 0), rowIndex(n, r, ColumnCount - 1));
        else
            Q_EMIT dataChanged(
                rowIndex(n, r, 0), rowIndex(n, r, ColumnCount - 1), { OccurrenceCountRole, Qt::ToolTipRole });
        const int head = preferredHead(m_nodes[n]);
        if (head != 0)
            promote(n, head);
        emitIncidentChanges(n, before, r == 0 || head != 0);
        return;
    }
    const int pos = int(m_nodes[n].rows.size());
    beginInsertRows(rowIndex(n, 0, 0), pos - 1, pos - 1);
    m_nodes[n].rows.append({ fault, {}, 0 });
    m_incidentOf.insert(fault.id, key);
    endInsertRows();
    const int head = preferredHead(m_nodes[n]);
    if (head != 0)
        promote(n, head);
    emitIncidentChanges(n, before, head != 0);
}

// The fault at @p pos becomes the incident's row; the former root goes beneath it as the first child.
void FaultModel::promote(int n, int pos)
{
    Node& node = m_nodes[n];
    const QModelIndex top = rowIndex(n, 0, 0);
    beginRemoveRows(top, pos - 1, pos - 1);
    const Row head = node.rows.takeAt(pos);
    endRemoveRows();
    beginInsertRows(top, 0, 0);
    node.rows.prepend(head);
    endInsertRows();
    Q_EMIT dataChanged(top, rowIndex(n, 0, ColumnCount - 1));
}

void FaultModel::takeFault(const Place& p, bool keepCount)
{
    Node& node = m_nodes[p.node];
    Row& row = node.rows[p.pos];
    if (p.earlier >= 0) {
        // An earlier firing: the row shows the same, its history (and, unless it still counts, its count) shorter.
        m_incidentOf.remove(row.earlier.takeAt(p.earlier).id);
        row.dropped += keepCount ? 1 : 0;
        Q_EMIT dataChanged(rowIndex(p.node, p.pos, 0), rowIndex(p.node, p.pos, ColumnCount - 1),
            { OccurrenceCountRole, Qt::ToolTipRole });
        return;
    }
    m_incidentOf.remove(row.fault.id);
    if (!row.earlier.isEmpty()) {
        // The latest firing leaves (it moved to another incident, or went): the row is its previous firing again.
        const Tally before = tally(node);
        row.fault = row.earlier.takeLast();
        row.dropped += keepCount ? 1 : 0;
        Q_EMIT dataChanged(rowIndex(p.node, p.pos, 0), rowIndex(p.node, p.pos, ColumnCount - 1));
        const int head = preferredHead(node);
        if (head != 0)
            promote(p.node, head);
        emitIncidentChanges(p.node, before, p.pos == 0 || head != 0);
        return;
    }
    if (node.rows.size() == 1) {
        beginRemoveRows({}, p.node, p.node);
        m_nodes.removeAt(p.node);
        reindex();
        endRemoveRows();
        return;
    }
    const Tally before = tally(node);
    const QModelIndex top = rowIndex(p.node, 0, 0);
    if (p.pos > 0) {
        beginRemoveRows(top, p.pos - 1, p.pos - 1);
        node.rows.removeAt(p.pos);
        endRemoveRows();
        emitIncidentChanges(p.node, before, false);
        return;
    }
    // The root leaves: the next root cause (or the first remaining fault) becomes the incident's row.
    Node rest = node;
    rest.rows.removeFirst();
    const int next = preferredHead(rest) + 1;
    beginRemoveRows(top, next - 1, next - 1);
    const Row head = node.rows.takeAt(next);
    endRemoveRows();
    node.rows[0] = head;
    Q_EMIT dataChanged(top, rowIndex(p.node, 0, ColumnCount - 1));
    emitIncidentChanges(p.node, before, true);
}

void FaultModel::updateFault(const Fault& fault)
{
    Place p = find(fault.id);
    if (p.node >= 0 && m_nodes[p.node].incident != incidentKey(fault)) {
        // Correlation moved it to another incident (or localization gave it its first one).
        takeFault(p);
        p = {};
    }
    if (p.node < 0) {
        insertFault(fault);
        return;
    }
    Node& node = m_nodes[p.node];
    if (p.earlier >= 0) {
        // An earlier firing changed (it has recovered: rarely): only the row's history says it.
        node.rows[p.pos].earlier[p.earlier] = fault;
        const QModelIndex state = rowIndex(p.node, p.pos, StateColumn);
        Q_EMIT dataChanged(state, state, { Qt::ToolTipRole });
        return;
    }
    const Tally tallyBefore = tally(node);
    const Fault before = std::exchange(node.rows[p.pos].fault, fault);
    const int head = preferredHead(node);
    const int row = p.pos == 0 ? p.node : p.pos - 1;
    const QModelIndex parent = p.pos == 0 ? QModelIndex() : rowIndex(p.node, 0, 0);

    QList<int> rowRoles;
    if (before.incidentId != fault.incidentId)
        rowRoles << IncidentIdRole;
    if (before.cause != fault.cause)
        rowRoles << CauseRole;
    if (before.phase != fault.phase)
        rowRoles << PhaseRole;
    if (faultSeverity(before) != faultSeverity(fault))
        rowRoles << SeverityRole;
    if (before.rootCause != fault.rootCause)
        rowRoles << RootCauseRole;
    if (before.flapping != fault.flapping)
        rowRoles << FlappingRole;
    if (before.sources != fault.sources)
        rowRoles << SourcesRole;
    if (p.pos > 0 && before.rootCause != fault.rootCause)
        rowRoles << MembershipRole;
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

    if (head != 0)
        promote(p.node, head);
    // The root recovering (or reopening) decides which later faults are aftershocks.
    const bool rootTimesChanged
        = p.pos == 0 && (before.phase != fault.phase || before.clearedMs != fault.clearedMs) && node.rows.size() > 1;
    emitIncidentChanges(p.node, tallyBefore, head != 0 || rootTimesChanged);
}

void FaultModel::removeFault(const QString& faultId)
{
    m_acks.remove(faultId);
    m_degraded.remove(faultId);
    const Place p = find(faultId);
    if (p.node >= 0)
        takeFault(p, true);
}

void FaultModel::removeRecovered()
{
    for (int n = int(m_nodes.size()) - 1; n >= 0; --n) {
        const QList<Row>& rows = m_nodes[n].rows;
        if (std::any_of(rows.cbegin(), rows.cend(), [this](const Row& r) { return !settled(r.fault); }))
            continue;
        beginRemoveRows({}, n, n);
        for (const Row& row : rows) {
            m_incidentOf.remove(row.fault.id);
            for (const Fault& f : row.earlier)
                m_incidentOf.remove(f.id);
        }
        m_nodes.removeAt(n);
        reindex();
        endRemoveRows();
    }
}

const FaultModel::Node* FaultModel::nodeAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return nullptr;
    const int n = index.internalId() == 0 ? index.row() : nodeRow(index.internalId());
    return n < 0 || n >= m_nodes.size() ? nullptr : &m_nodes[n];
}

const FaultModel::Row* FaultModel::rowAt(const QModelIndex& index) const
{
    const Node* node = nodeAt(index);
    if (!node)
        return nullptr;
    const int pos = index.internalId() == 0 ? 0 : index.row() + 1;
    return pos < node->rows.size() ? &node->rows[pos] : nullptr;
}

QModelIndex FaultModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_nodes.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_nodes.size())
        return {};
    const Node& n = m_nodes[parent.row()];
    return row < n.rows.size() - 1 ? createIndex(row, column, n.key) : QModelIndex();
}

QModelIndex FaultModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int n = nodeRow(child.internalId());
    return n < 0 ? QModelIndex() : createIndex(n, 0, quintptr(0));
}

int FaultModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_nodes.size());
    if (parent.column() > 0 || parent.internalId() != 0)
        return 0;
    return int(m_nodes[parent.row()].rows.size()) - 1;
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
    const Node* node = nodeAt(index);
    const Row* row = rowAt(index);
    if (!row)
        return {};
    const Fault* f = &row->fault;
    const int column = index.column();
    const bool incidentRow = index.internalId() == 0;
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
            return m_degraded.contains(f->id) ? tr("%1 (monitoring degraded)").arg(stateText(*f)) : stateText(*f);
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
        if (column == StateColumn && (m_degraded.contains(f->id) || row->firings() > 1)) {
            QStringList lines;
            if (m_degraded.contains(f->id))
                lines << tr("Monitoring degraded: %1").arg(m_degraded.value(f->id));
            if (row->firings() > 1)
                lines << firingHistory(*row);
            return lines.join(u'\n');
        }
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
        return int(faultSeverity(*f));
    case RootCauseRole:
        return f->rootCause;
    case SymptomCountRole:
        return incidentRow ? tally(*node).symptoms : 0;
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
    case MembershipRole:
        return int(membership(*node, incidentRow ? 0 : index.row() + 1));
    case MemberCountRole:
        return incidentRow ? tally(*node).members : 0;
    case AftershockCountRole:
        return incidentRow ? tally(*node).aftershocks : 0;
    case OpenCountRole:
        return incidentRow ? tally(*node).open : int(!settled(*f));
    case PoolRole:
        return f->rootCause ? f->pool : QString();
    case OccurrenceCountRole:
        return row->firings();
    case RecoveryRole:
        return int(recoveryOf(*f));
    case SettledRole:
        return settled(*f);
    case IncidentTargetsRole: {
        if (!incidentRow)
            return QStringList { f->target };
        QStringList targets;
        for (const Row& member : node->rows) {
            if (!targets.contains(member.fault.target))
                targets << member.fault.target;
        }
        return targets;
    }
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
    names.insert(MembershipRole, "membership");
    names.insert(MemberCountRole, "memberCount");
    names.insert(AftershockCountRole, "aftershockCount");
    names.insert(OpenCountRole, "openCount");
    names.insert(IncidentTargetsRole, "incidentTargets");
    names.insert(PoolRole, "pool");
    names.insert(OccurrenceCountRole, "occurrenceCount");
    names.insert(RecoveryRole, "recovery");
    names.insert(SettledRole, "settled");
    return names;
}

} // namespace FaultDesk
