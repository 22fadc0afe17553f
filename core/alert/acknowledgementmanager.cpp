#include "alert/acknowledgementmanager.h"

#include "alert/alertmanagerclient.h"
#include "alert/alertmanagersource.h"
#include "audit/auditsink.h"
#include "detect/detector.h"
#include "incident/incidentrecorder.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>
#include <QTimer>
#include <QUuid>

#include <utility>

namespace FaultDesk {

namespace {
const QString KindAcknowledge = QStringLiteral("acknowledge");
const QString KindUnacknowledge = QStringLiteral("unacknowledge");
const QString KindEnded = QStringLiteral("acknowledge-ended");
const QString KindSilence = QStringLiteral("alertmanager-silence");
const QString KindExpire = QStringLiteral("alertmanager-expire");
const QString KindResolved = QStringLiteral("alert-resolved");
const QString SourcePrefix = QStringLiteral("alertmanager/");

QString describe(const Fault& f)
{
    return QStringLiteral("%1 (%2, %3)").arg(f.id, f.target, causeClassName(f.cause));
}
} // namespace

struct AcknowledgementManager::Batch
{
    int remaining = 0;
    int succeeded = 0;
    QStringList failures;
};

AcknowledgementManager::AcknowledgementManager(Detector* detector, AuditSink* audit, QObject* parent)
    : QObject(parent)
    , m_detector(detector)
    , m_audit(audit)
{
    qRegisterMetaType<FaultDesk::Acknowledgement>();
    connect(detector, &Detector::faultChanged, this, &AcknowledgementManager::onFaultChanged);
    // A reload starts every fault afresh; the acknowledgements wait for their faults like after a restart.
    connect(detector, &Detector::targetsReset, this, [this] {
        const QHash<QString, Acknowledgement> acks = std::exchange(m_acks, {});
        for (Acknowledgement a : acks) {
            const QString id = std::exchange(a.faultId, QString());
            m_pendingRestore.insert(a.key(), a);
            Q_EMIT acknowledgementChanged(id);
        }
        if (!acks.isEmpty())
            scheduleRestoreGrace();
        emitCounts();
    });
}

AcknowledgementManager::~AcknowledgementManager() = default;

void AcknowledgementManager::setIncidentRecorder(IncidentRecorder* recorder)
{
    m_recorder = recorder;
}

qint64 AcknowledgementManager::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

void AcknowledgementManager::addSource(AlertmanagerSource* source)
{
    m_sources.append(source);
    for (auto it = m_silences.cbegin(); it != m_silences.cend(); ++it) {
        if (it->source == source->name())
            source->addOwnedSilence(it.key());
    }
    connect(source, &AlertmanagerSource::alertResolved, this, &AcknowledgementManager::onAlertResolved);
    connect(source, &AlertmanagerSource::polled, this, [this, source](bool ok) { onPolled(source, ok); });
    connect(source, &AlertmanagerSource::degradedChanged, this, [this, source](bool degraded, const QString& reason) {
        Q_EMIT monitoringDegradedChanged(source->faultIds(), degraded ? reason : QString());
        Q_EMIT notice(degraded ? QStringLiteral("Monitoring degraded: %1 — its alert faults are kept").arg(reason)
                               : QStringLiteral("Alertmanager %1 answers again").arg(source->name()),
            degraded);
    });
    connect(source, &AlertmanagerSource::unmappedAlertSeen, this,
        [this, source](const AlertmanagerAlert& alert, const QString& why) {
            QStringList labels;
            for (auto it = alert.labels.cbegin(); it != alert.labels.cend(); ++it)
                labels << it.key() + u'=' + it.value();
            Q_EMIT notice(QStringLiteral("Alertmanager %1: alert %2 {%3} maps to no target: %4")
                              .arg(source->name(), alert.alertName(), labels.join(QStringLiteral(", ")), why),
                false);
        });
}

void AcknowledgementManager::clearSources()
{
    for (const auto& s : std::as_const(m_sources)) {
        if (s)
            disconnect(s, nullptr, this, nullptr);
    }
    m_sources.clear();
}

AlertmanagerSource* AcknowledgementManager::sourceNamed(const QString& name) const
{
    for (const auto& s : m_sources) {
        if (s && s->name() == name)
            return s;
    }
    return nullptr;
}

AlertmanagerSource* AcknowledgementManager::sourceOfFault(const QString& faultId) const
{
    const auto ext = m_detector->externalFault(faultId);
    if (!ext || !ext->source.startsWith(SourcePrefix))
        return nullptr;
    return sourceNamed(ext->source.mid(SourcePrefix.size()));
}

std::optional<Acknowledgement> AcknowledgementManager::acknowledgement(const QString& faultId) const
{
    const auto it = m_acks.constFind(faultId);
    if (it == m_acks.cend())
        return std::nullopt;
    return *it;
}

void AcknowledgementManager::emitCounts()
{
    const QPair<int, int> counts { acknowledgedCount(), silencedCount() };
    if (counts == m_lastCounts)
        return;
    m_lastCounts = counts;
    Q_EMIT countsChanged(counts.first, counts.second);
}

bool AcknowledgementManager::audit(const QString& kind, const QString& operatorName, const QString& target,
    const QString& incidentId, const QString& description, const QString& status, const QJsonObject& output,
    QString* error)
{
    if (!m_audit)
        return true;
    AuditRecord r;
    r.actionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.phase = status.isEmpty() ? AuditRecord::Phase::Intent : AuditRecord::Phase::Result;
    r.timeUtc = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
    r.operatorName = operatorName;
    r.target = target;
    r.incidentId = incidentId;
    r.runbook = kind;
    r.actionKind = kind;
    r.description = description;
    r.status = status;
    if (!output.isEmpty())
        r.outputExcerpt = QString::fromUtf8(QJsonDocument(output).toJson(QJsonDocument::Compact));
    return m_audit->append(r, error);
}

void AcknowledgementManager::finish(
    const std::shared_ptr<Batch>& batch, const QString& faultId, bool ok, const QString& message)
{
    Q_EMIT acknowledgeFinished(faultId, ok, message);
    if (ok)
        ++batch->succeeded;
    else
        batch->failures.append(message);
    if (--batch->remaining == 0)
        Q_EMIT batchFinished(batch->succeeded, batch->failures);
}

void AcknowledgementManager::acknowledge(
    const QStringList& faultIds, const QString& operatorName, const QString& comment)
{
    auto batch = std::make_shared<Batch>();
    batch->remaining = int(faultIds.size()) + 1; // +1 until every fault is started, so a sync finish cannot end it
    for (const QString& id : faultIds)
        acknowledgeOne(id, operatorName.trimmed(), comment.trimmed(), batch);
    if (--batch->remaining == 0)
        Q_EMIT batchFinished(batch->succeeded, batch->failures);
}

void AcknowledgementManager::acknowledgeOne(
    const QString& faultId, const QString& operatorName, const QString& comment, const std::shared_ptr<Batch>& batch)
{
    const auto fault = m_detector->fault(faultId);
    if (!fault || !fault->isOpen()) {
        finish(batch, faultId, false, QStringLiteral("%1: no open fault (it recovered or is gone)").arg(faultId));
        return;
    }
    if (comment.isEmpty() || operatorName.isEmpty()) {
        finish(batch, faultId, false,
            QStringLiteral("%1: an acknowledgement needs an operator name and a comment").arg(describe(*fault)));
        return;
    }
    if (const auto it = m_acks.constFind(faultId); it != m_acks.cend()) {
        finish(batch, faultId, false,
            QStringLiteral("%1: already acknowledged by %2").arg(describe(*fault), it->operatorName));
        return;
    }
    Acknowledgement a;
    a.faultId = faultId;
    a.incidentId = fault->incidentId;
    a.target = fault->target;
    a.cause = fault->cause;
    a.operatorName = operatorName;
    a.comment = comment;
    a.timeUtc = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
    AlertmanagerSource* source = sourceOfFault(faultId);
    if (source) {
        const auto alert = source->alertOf(faultId);
        a.source = source->name();
        a.alertName = alert ? alert->alertName() : QString();
        a.alertInstance = alert ? alert->labels.value(source->config().targetLabel) : QString();
    }
    // Durable first: the acknowledgement shows only once the audit trail has it.
    QString error;
    if (!audit(KindAcknowledge, operatorName, a.target, a.incidentId,
            QStringLiteral("acknowledge %1: %2").arg(describe(*fault), comment), QStringLiteral("ok"), a.toJson(),
            &error)) {
        finish(batch, faultId, false,
            QStringLiteral("%1: cannot record the acknowledgement: %2").arg(describe(*fault), error));
        return;
    }
    m_acks.insert(faultId, a);
    recordIncidentEvent(a);
    Q_EMIT acknowledgementChanged(faultId);
    emitCounts();
    if (source)
        createSilence(faultId, source, batch);
    else
        finish(batch, faultId, true, QStringLiteral("%1: acknowledged").arg(describe(*fault)));
}

void AcknowledgementManager::createSilence(
    const QString& faultId, AlertmanagerSource* source, const std::shared_ptr<Batch>& batch)
{
    const Acknowledgement a = m_acks.value(faultId);
    AlertmanagerSilence s;
    s.matchers = source->silenceMatchers(faultId);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
    s.startsAt = start;
    s.endsAt = start.addMSecs(source->config().silenceDuration.count());
    s.createdBy = a.operatorName;
    s.comment = QStringLiteral("%1 (FaultDesk acknowledgement of %2 on %3)").arg(a.comment, faultId, a.target);
    const QString what = QStringLiteral("create silence on Alertmanager %1: %2 until %3")
                             .arg(source->name(), s.matchersText(), s.endsAt.toString(Qt::ISODate));
    QString auditError;
    if (!audit(KindSilence, a.operatorName, a.target, a.incidentId, what, {}, {}, &auditError)) {
        finish(batch, faultId, false,
            QStringLiteral("%1: acknowledged, but the silence was not created: cannot record its intent: %2")
                .arg(faultId, auditError));
        return;
    }
    source->holdFault(faultId, true);
    ++m_pendingRequests;
    QPointer<AlertmanagerSource> guard(source);
    source->client()->createSilence(s, this,
        [this, faultId, guard, batch, what, a, endsMs = s.endsAt.toMSecsSinceEpoch()](
            const QString& id, const QString& error) {
            --m_pendingRequests;
            if (guard)
                guard->holdFault(faultId, false);
            if (!error.isEmpty()) {
                audit(KindSilence, a.operatorName, a.target, a.incidentId, what, QStringLiteral("failed"),
                    { { QStringLiteral("error"), error } });
                finish(batch, faultId, false,
                    QStringLiteral("%1 (%2): acknowledged, but the silence failed: %3").arg(faultId, a.target, error));
                return;
            }
            m_silences.insert(id, { a.source, a.key(), a.target, a.incidentId, endsMs });
            if (guard)
                guard->addOwnedSilence(id);
            audit(KindSilence, a.operatorName, a.target, a.incidentId, what, QStringLiteral("ok"),
                { { QStringLiteral("silence"), id }, { QStringLiteral("source"), a.source },
                    { QStringLiteral("key"), a.key() }, { QStringLiteral("ends"), QString::number(endsMs) } });
            if (!m_acks.contains(faultId)) {
                // The fault recovered or was unacknowledged while the silence was being made: it must not outlive it.
                expireSilence(id, QStringLiteral("auto"), QStringLiteral("its acknowledgement ended meanwhile"));
                finish(batch, faultId, true,
                    QStringLiteral("%1: acknowledged; it ended before the silence was made").arg(faultId));
                emitCounts();
                return;
            }
            m_acks[faultId].silenceId = id;
            Q_EMIT acknowledgementChanged(faultId);
            emitCounts();
            finish(
                batch, faultId, true, QStringLiteral("%1 (%2): acknowledged; silence %3").arg(faultId, a.target, id));
        });
}

void AcknowledgementManager::unacknowledge(
    const QStringList& faultIds, const QString& operatorName, const QString& comment)
{
    auto batch = std::make_shared<Batch>();
    batch->remaining = int(faultIds.size()) + 1;
    for (const QString& id : faultIds) {
        if (!m_acks.contains(id)) {
            finish(batch, id, false, QStringLiteral("%1: not acknowledged").arg(id));
            continue;
        }
        const QString reason = comment.isEmpty()
            ? QStringLiteral("unacknowledged by %1").arg(operatorName)
            : QStringLiteral("unacknowledged by %1: %2").arg(operatorName, comment);
        endAcknowledgement(id, KindUnacknowledge, operatorName, reason);
        finish(batch, id, true, QStringLiteral("%1: unacknowledged").arg(id));
    }
    if (--batch->remaining == 0)
        Q_EMIT batchFinished(batch->succeeded, batch->failures);
}

void AcknowledgementManager::endAcknowledgement(
    const QString& faultId, const QString& kind, const QString& operatorName, const QString& reason)
{
    if (!m_acks.contains(faultId))
        return;
    const Acknowledgement a = m_acks.take(faultId);
    QJsonObject output = a.toJson();
    output.insert(QStringLiteral("reason"), reason);
    audit(kind, operatorName, a.target, a.incidentId, QStringLiteral("%1: %2").arg(faultId, reason),
        QStringLiteral("ok"), output);
    Q_EMIT acknowledgementChanged(faultId);
    if (!a.silenceId.isEmpty())
        expireSilence(a.silenceId, operatorName, reason);
    emitCounts();
}

void AcknowledgementManager::expireSilence(const QString& silenceId, const QString& operatorName, const QString& why)
{
    if (m_expiring.contains(silenceId) || !m_silences.contains(silenceId))
        return;
    const OwnedSilence owner = m_silences.value(silenceId);
    AlertmanagerSource* source = sourceNamed(owner.source);
    if (!source)
        return; // retried when its source is back (onPolled)
    const QString what = QStringLiteral("expire silence %1 on Alertmanager %2 (%3)").arg(silenceId, owner.source, why);
    audit(KindExpire, operatorName, owner.target, owner.incidentId, what, {}, {});
    m_expiring.insert(silenceId);
    ++m_pendingRequests;
    QPointer<AlertmanagerSource> guard(source);
    source->client()->expireSilence(
        silenceId, this, [this, silenceId, guard, operatorName, what, owner](const QString& error) {
            --m_pendingRequests;
            m_expiring.remove(silenceId);
            // Expiring an already expired silence is refused by Alertmanager; the goal is reached either way.
            const bool done = error.isEmpty() || error.contains(QStringLiteral("already expired"));
            audit(KindExpire, operatorName, owner.target, owner.incidentId, what,
                done ? QStringLiteral("ok") : QStringLiteral("failed"),
                { { QStringLiteral("silence"), silenceId }, { QStringLiteral("error"), error } });
            if (!done) {
                Q_EMIT notice(QStringLiteral("Silence %1 could not be expired (retried at the next poll): %2")
                                  .arg(silenceId, error),
                    true);
                return;
            }
            m_silences.remove(silenceId);
            if (guard)
                guard->removeOwnedSilence(silenceId);
            emitCounts();
        });
}

void AcknowledgementManager::recordIncidentEvent(const Acknowledgement& a)
{
    if (!m_recorder || a.incidentId.isEmpty() || m_incidentsRecorded.contains(a.incidentId))
        return;
    m_incidentsRecorded.insert(a.incidentId);
    QString note = QStringLiteral("%1 on %2: %3").arg(a.faultId, a.target, a.comment);
    if (a.restored)
        note += QStringLiteral(" (acknowledged before a restart)");
    m_recorder->acknowledge(a.incidentId, a.operatorName, note);
}

QString AcknowledgementManager::keyOf(const Fault& fault) const
{
    Acknowledgement a;
    a.target = fault.target;
    a.cause = fault.cause;
    if (AlertmanagerSource* source = sourceOfFault(fault.id)) {
        const auto ext = m_detector->externalFault(fault.id);
        a.source = source->name();
        a.alertName = ext->labels.value(QStringLiteral("alertname"));
        a.alertInstance = ext->labels.value(source->config().targetLabel);
    }
    return a.key();
}

void AcknowledgementManager::onFaultChanged(const Fault& fault)
{
    if (!fault.isOpen()) {
        m_pendingRestore.remove(keyOf(fault));
        endAcknowledgement(fault.id, KindEnded, QStringLiteral("auto"), QStringLiteral("the fault recovered"));
        return;
    }
    const auto it = m_acks.find(fault.id);
    if (it == m_acks.end()) {
        if (!m_pendingRestore.isEmpty())
            tryRestore(fault);
        return;
    }
    // Acknowledged before it was located: the incident exists now.
    if (it->incidentId != fault.incidentId) {
        it->incidentId = fault.incidentId;
        if (const auto owned = m_silences.find(it->silenceId); owned != m_silences.end())
            owned->incidentId = fault.incidentId;
        recordIncidentEvent(*it);
    }
}

void AcknowledgementManager::tryRestore(const Fault& fault)
{
    const QString key = keyOf(fault);
    if (!m_pendingRestore.contains(key))
        return;
    Acknowledgement a = m_pendingRestore.take(key);
    a.faultId = fault.id;
    a.incidentId = fault.incidentId;
    a.restored = true;
    if (!a.silenceId.isEmpty() && !m_silences.contains(a.silenceId))
        a.silenceId.clear();
    audit(KindAcknowledge, a.operatorName, a.target, a.incidentId,
        QStringLiteral("acknowledge %1 again after a restart: %2").arg(describe(fault), a.comment),
        QStringLiteral("ok"), a.toJson());
    m_acks.insert(fault.id, a);
    recordIncidentEvent(a);
    Q_EMIT acknowledgementChanged(fault.id);
    emitCounts();
}

void AcknowledgementManager::onAlertResolved(
    const QString& faultId, const AlertmanagerAlert& alert, qint64 whenMs, const QString& reason)
{
    const auto fault = m_detector->fault(faultId);
    QStringList labels;
    for (auto it = alert.labels.cbegin(); it != alert.labels.cend(); ++it)
        labels << it.key() + u'=' + it.value();
    audit(KindResolved, QStringLiteral("auto"), fault ? fault->target : QString(),
        fault ? fault->incidentId : QString(),
        QStringLiteral("%1 at %2 (firing since %3; %4)")
            .arg(reason, QDateTime::fromMSecsSinceEpoch(whenMs, Qt::UTC).toString(Qt::ISODate),
                alert.startsAt.toString(Qt::ISODate), labels.join(QStringLiteral(", "))),
        QStringLiteral("ok"), { { QStringLiteral("fingerprint"), alert.fingerprint } });
}

void AcknowledgementManager::forgetLapsedSilences(AlertmanagerSource* source)
{
    const qint64 nowMs = now();
    const QStringList ids = m_silences.keys();
    for (const QString& id : ids) {
        const OwnedSilence owned = m_silences.value(id);
        if (owned.source != source->name() || owned.endsMs <= 0 || nowMs < owned.endsMs || m_expiring.contains(id))
            continue;
        m_silences.remove(id);
        source->removeOwnedSilence(id);
        const QString what
            = QStringLiteral("silence %1 on Alertmanager %2 lapsed at %3 (silence_duration)")
                  .arg(id, owned.source, QDateTime::fromMSecsSinceEpoch(owned.endsMs, Qt::UTC).toString(Qt::ISODate));
        audit(KindExpire, QStringLiteral("auto"), owned.target, owned.incidentId, what, QStringLiteral("ok"),
            { { QStringLiteral("silence"), id }, { QStringLiteral("lapsed"), true } });
        for (auto it = m_acks.begin(); it != m_acks.end(); ++it) {
            if (it->silenceId != id)
                continue;
            it->silenceId.clear();
            Q_EMIT acknowledgementChanged(it.key());
            Q_EMIT notice(QStringLiteral("The silence of %1 (%2) lapsed: the alert is no longer muted in Alertmanager; "
                                         "the acknowledgement stays")
                              .arg(it.key(), it->target),
                false);
        }
        emitCounts();
    }
}

void AcknowledgementManager::onPolled(AlertmanagerSource* source, bool ok)
{
    if (!ok)
        return;
    forgetLapsedSilences(source);
    // Restored alert acknowledgements whose alert did not come back: it resolved while FaultDesk was not running.
    const QStringList keys = m_pendingRestore.keys();
    for (const QString& key : keys) {
        const Acknowledgement a = m_pendingRestore.value(key);
        if (a.source != source->name())
            continue;
        m_pendingRestore.remove(key);
        QJsonObject output = a.toJson();
        output.insert(QStringLiteral("reason"), QStringLiteral("the alert resolved while FaultDesk was not running"));
        audit(KindEnded, QStringLiteral("auto"), a.target, {},
            QStringLiteral("%1: the alert is no longer firing").arg(key), QStringLiteral("ok"), output);
    }
    // Owned silences nobody needs any more (alert gone, or an expiry that failed before) are expired now.
    QSet<QString> inUse;
    for (const Acknowledgement& a : std::as_const(m_acks))
        inUse.insert(a.silenceId);
    const QStringList ids = m_silences.keys();
    for (const QString& id : ids) {
        if (m_silences.value(id).source == source->name() && !inUse.contains(id))
            expireSilence(id, QStringLiteral("auto"), QStringLiteral("no acknowledged fault needs it any more"));
    }
}

void AcknowledgementManager::scheduleRestoreGrace()
{
    QTimer::singleShot(int(m_settings.restoreGraceMs), this, [this] {
        const QStringList keys = m_pendingRestore.keys();
        for (const QString& key : keys) {
            const Acknowledgement a = m_pendingRestore.value(key);
            if (a.isAlert())
                continue; // ended by its source's first successful poll
            m_pendingRestore.remove(key);
            QJsonObject output = a.toJson();
            output.insert(QStringLiteral("reason"), QStringLiteral("the fault did not come back after a restart"));
            audit(KindEnded, QStringLiteral("auto"), a.target, {},
                QStringLiteral("%1: the fault did not come back after a restart").arg(key), QStringLiteral("ok"),
                output);
        }
    });
}

bool AcknowledgementManager::applyShared(const AuditRecord& r)
{
    if (r.phase != AuditRecord::Phase::Result || r.status != u"ok")
        return false;
    const bool acknowledged = r.actionKind == KindAcknowledge;
    if (!acknowledged && r.actionKind != KindUnacknowledge && r.actionKind != KindEnded)
        return false;
    const auto a = Acknowledgement::fromJson(QJsonDocument::fromJson(r.outputExcerpt.toUtf8()).object());
    if (!a)
        return false;
    for (const Fault& f : m_detector->openFaults()) {
        if (keyOf(f) != a->key())
            continue;
        const auto it = m_acks.find(f.id);
        if (acknowledged) {
            if (it != m_acks.end())
                return false; // acknowledged here already: by this console (its own record heard back) or before
            Acknowledgement shared = *a;
            shared.faultId = f.id;
            shared.incidentId = f.incidentId;
            shared.silenceId.clear(); // the silence belongs to the console that made it
            shared.shared = true;
            m_acks.insert(f.id, shared);
        } else {
            if (it == m_acks.end() || !it->shared)
                return false;
            m_acks.erase(it);
        }
        Q_EMIT acknowledgementChanged(f.id);
        emitCounts();
        return true;
    }
    return false;
}

int AcknowledgementManager::restore()
{
    if (!m_audit)
        return 0;
    QHash<QString, Acknowledgement> open;
    QHash<QString, OwnedSilence> silences;
    for (const AuditRecord& r : m_audit->records()) {
        if (r.phase != AuditRecord::Phase::Result || r.status != u"ok")
            continue;
        const QJsonObject o = QJsonDocument::fromJson(r.outputExcerpt.toUtf8()).object();
        if (r.actionKind == KindAcknowledge) {
            if (const auto a = Acknowledgement::fromJson(o))
                open.insert(a->key(), *a);
        } else if (r.actionKind == KindUnacknowledge || r.actionKind == KindEnded) {
            if (const auto a = Acknowledgement::fromJson(o))
                open.remove(a->key());
        } else if (r.actionKind == KindSilence) {
            const QString id = o.value(QStringLiteral("silence")).toString();
            const QString key = o.value(QStringLiteral("key")).toString();
            if (id.isEmpty())
                continue;
            silences.insert(id,
                { o.value(QStringLiteral("source")).toString(), key, r.target, r.incidentId,
                    o.value(QStringLiteral("ends")).toString().toLongLong() });
            if (open.contains(key))
                open[key].silenceId = id;
        } else if (r.actionKind == KindExpire) {
            silences.remove(o.value(QStringLiteral("silence")).toString());
        }
    }
    for (auto it = silences.cbegin(); it != silences.cend(); ++it) {
        m_silences.insert(it.key(), *it);
        if (AlertmanagerSource* s = sourceNamed(it->source))
            s->addOwnedSilence(it.key());
    }
    int restored = 0;
    for (Acknowledgement a : std::as_const(open)) {
        a.faultId.clear();
        m_pendingRestore.insert(a.key(), a);
        ++restored;
    }
    for (const Fault& f : m_detector->openFaults()) {
        if (!m_acks.contains(f.id))
            tryRestore(f);
    }
    scheduleRestoreGrace();
    emitCounts();
    return restored;
}

QList<AcknowledgementManager::SilenceEnd> AcknowledgementManager::silenceEnds() const
{
    QList<SilenceEnd> out;
    for (auto it = m_silences.cbegin(); it != m_silences.cend(); ++it) {
        out.append({ it.key(), it.value().target,
            it.value().endsMs > 0 ? QDateTime::fromMSecsSinceEpoch(it.value().endsMs, QTimeZone::utc())
                                  : QDateTime() });
    }
    return out;
}

} // namespace FaultDesk
