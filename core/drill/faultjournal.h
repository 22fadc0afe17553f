#pragma once

#include "config/causeclass.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

namespace FaultDesk {

class Detector;
struct Fault;

/// What the journal remembers of one fault FaultDesk raised (value type).
struct JournalEntry
{
    QString faultId;
    QString incidentId;
    QString target;
    CauseClass cause = CauseClass::Unhealthy;
    bool namedRoot = false; ///< located as a root cause at some point (what the operator was shown)
    bool open = true;
    qint64 detectedMs = 0;
    qint64 locatedMs = 0; ///< when it was first located as a root cause (0: never)
    QString evidence;
    QString localization;
    QStringList sources;
    QString pool; ///< a pool-wide root: the pool it stands for ("lb/web"); empty otherwise

    /// {target, cause, incident, fault, evidence, and pool for a pool-wide root}.
    QJsonObject toJson() const;
};

/**
 * Every fault the detector raises while a drill or campaign runs, kept after the detector forgets it: which
 * incidents opened when, and every root cause FaultDesk named, so a drill can be scored on the whole picture and
 * not only on the fault it handled.
 */
class FaultJournal : public QObject
{
    Q_OBJECT
public:
    explicit FaultJournal(Detector* detector, QObject* parent = nullptr);

    QList<JournalEntry> entries() const;
    std::optional<JournalEntry> entry(const QString& faultId) const;
    /// Faults first detected at or after @p fromMs (and before @p toMs when it is positive).
    QList<JournalEntry> detectedBetween(qint64 fromMs, qint64 toMs = 0) const;
    /// Incidents whose first fault was detected in [@p fromMs, @p toMs) (toMs 0: until now), in opening order.
    QStringList incidentsOpened(qint64 fromMs, qint64 toMs = 0) const;
    /// The root causes named in @p incidentId, first located first.
    QList<JournalEntry> rootsOf(const QString& incidentId) const;
    /// When @p incidentId's first fault was detected (0: unknown).
    qint64 incidentOpenedMs(const QString& incidentId) const;

private:
    void record(const Fault& fault);

    QPointer<Detector> m_detector;
    QStringList m_order;
    QHash<QString, JournalEntry> m_entries;
};

} // namespace FaultDesk
