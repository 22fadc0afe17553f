#include "drill/faultjournal.h"

#include "detect/detector.h"

#include <algorithm>

namespace FaultDesk {

QJsonObject JournalEntry::toJson() const
{
    QJsonObject o { { QStringLiteral("target"), target }, { QStringLiteral("cause"), causeClassName(cause) },
        { QStringLiteral("incident"), incidentId }, { QStringLiteral("fault"), faultId },
        { QStringLiteral("evidence"), evidence } };
    if (!localization.isEmpty())
        o.insert(QStringLiteral("localization"), localization);
    if (!pool.isEmpty())
        o.insert(QStringLiteral("pool"), pool);
    return o;
}

FaultJournal::FaultJournal(Detector* detector, QObject* parent)
    : QObject(parent)
    , m_detector(detector)
{
    for (const Fault& f : detector->faults())
        record(f);
    connect(detector, &Detector::faultChanged, this, [this](const Fault& f) { record(f); });
}

void FaultJournal::record(const Fault& f)
{
    auto it = m_entries.find(f.id);
    if (it == m_entries.end()) {
        m_order << f.id;
        it = m_entries.insert(f.id, JournalEntry {});
        it->faultId = f.id;
        it->detectedMs = f.detectedMs;
    }
    JournalEntry& e = *it;
    e.incidentId = f.incidentId;
    e.target = f.target;
    e.open = f.isOpen();
    const bool located = f.phase != Fault::Phase::Detected && f.rootCause;
    if (located && !e.namedRoot) {
        e.namedRoot = true;
        e.locatedMs = f.locatedMs > 0 ? f.locatedMs : f.detectedMs;
    }
    // The cause and evidence as they were when it was (last) a root cause: what the operator read.
    if (located || !e.namedRoot) {
        e.cause = f.cause;
        if (!f.evidence.isEmpty())
            e.evidence = f.evidence;
        if (!f.localization.isEmpty())
            e.localization = f.localization;
        if (!f.sources.isEmpty())
            e.sources = f.sources;
        if (!f.pool.isEmpty())
            e.pool = f.pool;
    }
}

QList<JournalEntry> FaultJournal::entries() const
{
    QList<JournalEntry> out;
    for (const QString& id : m_order)
        out << m_entries.value(id);
    return out;
}

std::optional<JournalEntry> FaultJournal::entry(const QString& faultId) const
{
    const auto it = m_entries.constFind(faultId);
    if (it == m_entries.cend())
        return std::nullopt;
    return *it;
}

QList<JournalEntry> FaultJournal::detectedBetween(qint64 fromMs, qint64 toMs) const
{
    QList<JournalEntry> out;
    for (const QString& id : m_order) {
        const JournalEntry& e = m_entries[id];
        if (e.detectedMs >= fromMs && (toMs <= 0 || e.detectedMs < toMs))
            out << e;
    }
    return out;
}

qint64 FaultJournal::incidentOpenedMs(const QString& incidentId) const
{
    qint64 first = 0;
    for (const JournalEntry& e : m_entries)
        if (e.incidentId == incidentId && (first == 0 || e.detectedMs < first))
            first = e.detectedMs;
    return first;
}

QStringList FaultJournal::incidentsOpened(qint64 fromMs, qint64 toMs) const
{
    QList<QPair<qint64, QString>> opened;
    QStringList seen;
    for (const QString& id : m_order) {
        const QString incident = m_entries[id].incidentId;
        if (incident.isEmpty() || seen.contains(incident))
            continue;
        seen << incident;
        // An incident that was open before the window (an aftershock joins it) did not open in it.
        const qint64 at = incidentOpenedMs(incident);
        if (at >= fromMs && (toMs <= 0 || at < toMs))
            opened << qMakePair(at, incident);
    }
    std::stable_sort(opened.begin(), opened.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    QStringList out;
    for (const auto& o : std::as_const(opened))
        out << o.second;
    return out;
}

QList<JournalEntry> FaultJournal::rootsOf(const QString& incidentId) const
{
    QList<JournalEntry> out;
    for (const QString& id : m_order) {
        const JournalEntry& e = m_entries[id];
        if (e.incidentId == incidentId && e.namedRoot)
            out << e;
    }
    std::stable_sort(
        out.begin(), out.end(), [](const JournalEntry& a, const JournalEntry& b) { return a.locatedMs < b.locatedMs; });
    return out;
}

} // namespace FaultDesk
