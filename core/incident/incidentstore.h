#pragma once

#include "audit/auditsink.h"
#include "incident/incident.h"
#include "incident/incidentfilter.h"
#include "incident/storehealth.h"
#include "incident/storeurl.h"
#include "incident/writeresult.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>
#include <QVariantList>

#include <functional>
#include <optional>

class QSqlQuery;
class QThread;
class QTimer;

namespace FaultDesk {

class IncidentWriter;

/**
 * The incident database: one SQLite file (WAL, synchronous=FULL) or one PostgreSQL database (StoreUrl) holding
 * incidents, their timelines, symptoms, evidence, baselines, series snapshots and the append-only audit trail. Stores
 * of other records kept in the same file (MaintenanceStore) write through execute() and read through select(), so one
 * writer thread orders them all.
 *
 * Writes go to one writer thread the store owns and return a QFuture that finishes only after COMMIT returned,
 * so whatever the UI shows as recorded is on disk. When the disk is full or the file unwritable, writes wait in a
 * bounded in-memory buffer and are retried; health() and healthChanged() tell the UI. For a PostgreSQL store the
 * writes wait instead in a bounded local journal on disk (StoreJournal), acknowledged once synced, and are replayed
 * in order, exactly once, when the server takes writes again; reads meanwhile fail with the server's error (the
 * history is unavailable, not empty). Reads run on the caller's
 * thread with a connection of their own. Times are taken from the values written, never from the wall clock,
 * except for retention, which uses the injectable Options::clock.
 */
class IncidentStore : public QObject, public AuditSink
{
    Q_OBJECT
public:
    struct Options
    {
        QString path; ///< database file or postgresql:// URL (StoreUrl); empty = defaultPath()
        qint64 retentionMs = 365LL * 24 * 3600 * 1000; ///< incidents idle longer than this are pruned
        int pruneIntervalMs = 6 * 3600 * 1000; ///< how often retention runs while open (also once at open); 0 = never
        int maxPending = 10000; ///< writes kept in memory while the database cannot take them
        int retryIntervalMs = 2000; ///< how often a failing database is retried
        int maxSeriesPoints = 2000; ///< longer series are downsampled (LTTB) when saved
        std::function<QDateTime()> clock; ///< "now" for retention; empty = the system clock (UTC)
        /// PostgreSQL: where the local journal of writes waiting for the server goes; empty = localDirectory().
        QString journalDirectory;
        qint64 journalMaxBytes = 64LL * 1024 * 1024; ///< the journal's bound; a write past it is refused, not dropped
    };

    /// How MTTx figures are grouped.
    enum class Grouping {
        Overall,
        Target,
        Cause,
    };

    explicit IncidentStore(Options options, QObject* parent = nullptr);
    /// Commits what it can of the queued writes, then stops the writer thread.
    ~IncidentStore() override;

    /// The default database file: incidents.db in the user's application data directory.
    static QString defaultPath();
    /// A fresh incident id ("inc-" and 16 hex digits), for callers that need the id before the commit.
    static QString newId();

    /**
     * Opens (creating or migrating) the database and prunes expired incidents. Returns false with a readable
     * @p error when the file cannot be used; writes made anyway wait in memory and are retried.
     */
    bool open(QString* error = nullptr);
    /// The location as given (file path or URL).
    QString path() const { return m_options.path; }
    /// The parsed location; a SQLite file at defaultPath() until a valid one is given.
    StoreUrl url() const { return m_url; }
    /// For messages: the file, or postgresql://user@host:port/db without its parameters.
    QString displayName() const;
    /// Where files kept beside the database go (locks, automation state): the file's folder, or for a server
    /// database the user's data directory.
    QString localDirectory() const;
    /// PostgreSQL: the local journal file (exists only while writes wait in it); empty for SQLite.
    QString journalPath() const;
    /// Whether writes reach the disk, and how many wait or were dropped. Thread-safe.
    StoreHealth health() const;

    // Writes. Each future finishes after COMMIT (ok) or when the write is refused (error); they apply in call order.

    /// Records a new incident in state detected, with its symptoms, evidence and baseline.
    QFuture<WriteResult> createIncident(const Incident& incident);
    /// Records many incidents in one transaction (imports, tests): all or none.
    QFuture<WriteResult> createIncidents(const QList<Incident>& incidents);
    /// Moves an incident along its lifecycle; refused (future with error) when the lifecycle forbids it.
    QFuture<WriteResult> transition(const QString& incidentId, const IncidentEvent& event);
    /// An operator takes the incident. Resolves once it is on disk: only then may the UI show it acknowledged.
    QFuture<WriteResult> acknowledge(
        const QString& incidentId, const QString& actor, const QDateTime& timeUtc, const QString& note = {});
    QFuture<WriteResult> addSymptom(const QString& incidentId, const Symptom& symptom);
    QFuture<WriteResult> addEvidence(const QString& incidentId, const Evidence& evidence);
    QFuture<WriteResult> setBaseline(const QString& incidentId, const QJsonObject& baseline);
    /// Stores (replacing per target and signal) the incident window's series, downsampled to maxSeriesPoints.
    QFuture<WriteResult> saveSeries(const QString& incidentId, const QList<SeriesSnapshot>& series);
    /// Deletes incidents (with their timeline and series) idle since before @p cutoffUtc; audit rows stay.
    QFuture<WriteResult> pruneOlderThan(const QDateTime& cutoffUtc);
    /// pruneOlderThan(clock() − retention).
    QFuture<WriteResult> pruneExpired();
    /**
     * Runs one constant @p statement with positional @p binds on the writer thread, in order with every other write
     * (WriteResult::affected: rows changed). For stores whose tables live in this database; never built from data.
     */
    QFuture<WriteResult> execute(const QString& statement, const QVariantList& binds);
    /// Asynchronous audit append; fails at once (no queueing) when the database cannot write.
    QFuture<WriteResult> appendAudit(const AuditRecord& record);

    /// AuditSink: blocks until the record is committed; false when it could not be (never queued for later).
    bool append(const AuditRecord& record, QString* error = nullptr) override;
    /// AuditSink: every audit record in write order.
    QList<AuditRecord> records() const override;

    // Reads, on the caller's thread.

    /// One incident with its timeline, symptoms, evidence, actions and (if @p withSeries) series.
    std::optional<Incident> incident(const QString& id, bool withSeries = true, QString* error = nullptr) const;
    /// Incidents matching @p filter, newest first, without timeline, actions or series (symptoms included).
    QList<Incident> incidents(const IncidentFilter& filter = {}, QString* error = nullptr) const;
    /// How many incidents match @p filter (its limit and offset ignored).
    int count(const IncidentFilter& filter = {}, QString* error = nullptr) const;
    QList<SeriesSnapshot> series(const QString& incidentId, QString* error = nullptr) const;
    QList<AuditRecord> auditRecords(const QString& incidentId, QString* error = nullptr) const;
    /// The audit record written as @p seq (the key StoreNotifier announces for an audit insert).
    std::optional<AuditRecord> auditRecord(qint64 seq, QString* error = nullptr) const;
    /// Mean phase times of the incidents matching @p filter (drills only with includeDrills), grouped by @p by.
    QList<MttxFigures> mttx(Grouping by, const IncidentFilter& filter = {}, QString* error = nullptr) const;
    /// Runs the constant @p query with positional @p binds on the caller's thread and hands each row to @p row.
    bool select(const QString& query, const QVariantList& binds, const std::function<void(const QSqlQuery&)>& row,
        QString* error = nullptr) const;
    /// PRAGMA integrity_check: "ok", or the problems found.
    QString integrityCheck() const;

    /// Tests: makes the writer's connection refuse writes (PRAGMA query_only), as an unwritable disk would.
    void setWriteBlockedForTesting(bool blocked);

Q_SIGNALS:
    /// After COMMIT of any write touching @p incidentId.
    void recorded(const QString& incidentId);
    void healthChanged(const FaultDesk::StoreHealth& health);
    /// A storage error, readable ("…/incidents.db: database or disk is full"); records now wait in memory.
    void errorOccurred(const QString& message);

private:
    static QString validate(Incident& incident);
    QSqlDatabase readConnection(QString* error) const;
    QDateTime now() const;

    Options m_options;
    StoreUrl m_url;
    QString m_urlError; ///< why Options::path is not a usable location (then nothing opens)
    QThread* m_thread = nullptr;
    QTimer* m_pruneTimer = nullptr;
    IncidentWriter* m_writer = nullptr;
    mutable QMutex m_readMutex;
    mutable QStringList m_readConnections;
};

} // namespace FaultDesk
