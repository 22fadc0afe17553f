#include "alert/alertmanagersource.h"

#include "alert/alertmanagerclient.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"

#include <QDateTime>
#include <QUrl>

namespace FaultDesk {

namespace {
QString hostPort(const QString& host, int port)
{
    if (host.contains(u':'))
        return u'[' + host + QStringLiteral("]:") + QString::number(port);
    return host + u':' + QString::number(port);
}
} // namespace

AlertmanagerSource::AlertmanagerSource(
    const AlertmanagerConfig& config, const FleetConfig& fleet, Detector* detector, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_detector(detector)
    , m_client(new AlertmanagerClient(config, this))
{
    for (const TargetConfig& t : fleet.targets) {
        m_targetByName.insert(t.name, t.name);
        for (const ProbeConfig& p : t.probes) {
            QString address;
            if (p.kind == ProbeConfig::Kind::Tcp)
                address = p.address;
            else if (p.url.isValid())
                address = hostPort(p.url.host(), p.url.port(p.url.scheme() == u"https" ? 443 : 80));
            if (!address.isEmpty() && !m_targetByAddress.contains(address))
                m_targetByAddress.insert(address, t.name);
        }
    }
    m_timer.setInterval(int(config.pollInterval.count()));
    connect(&m_timer, &QTimer::timeout, this, &AlertmanagerSource::poll);
}

AlertmanagerSource::~AlertmanagerSource() = default;

QString AlertmanagerSource::sourceId() const
{
    return QStringLiteral("alertmanager/") + m_config.name;
}

qint64 AlertmanagerSource::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

void AlertmanagerSource::start()
{
    m_timer.start();
    poll();
}

void AlertmanagerSource::stop()
{
    m_timer.stop();
}

void AlertmanagerSource::poll()
{
    if (m_inFlight)
        return;
    m_inFlight = true;
    m_client->fetchAlerts(true, false, this, [this](const QList<AlertmanagerAlert>& alerts, const QString& error) {
        m_inFlight = false;
        onAlerts(alerts, error);
    });
}

QString AlertmanagerSource::targetFor(const QMap<QString, QString>& labels, QString* why) const
{
    const QString value = labels.value(m_config.targetLabel);
    if (value.isEmpty()) {
        if (why)
            *why = QStringLiteral("it has no '%1' label").arg(m_config.targetLabel);
        return {};
    }
    if (const QString t = m_targetByName.value(value); !t.isEmpty())
        return t;
    if (const QString t = m_targetByAddress.value(value); !t.isEmpty())
        return t;
    if (why)
        *why = QStringLiteral("%1=\"%2\" is neither a target name nor the host:port of a target's probe")
                   .arg(m_config.targetLabel, value);
    return {};
}

CauseClass AlertmanagerSource::causeOf(const AlertmanagerAlert& alert) const
{
    if (const auto it = m_config.causes.constFind(alert.alertName()); it != m_config.causes.cend())
        return *it;
    if (!m_config.causeLabel.isEmpty()) {
        if (const auto c = causeClassFromName(alert.labels.value(m_config.causeLabel)))
            return *c;
    }
    return m_config.defaultCause;
}

QString AlertmanagerSource::evidenceOf(const AlertmanagerAlert& alert) const
{
    QStringList labels;
    for (auto it = alert.labels.cbegin(); it != alert.labels.cend(); ++it) {
        if (it.key() != u"alertname")
            labels << it.key() + u'=' + it.value();
    }
    QString text = QStringLiteral("Alertmanager: %1 firing since %2 (%3)")
                       .arg(alert.alertName(), alert.startsAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")),
                           labels.join(QStringLiteral(", ")));
    const QString summary = alert.annotations.value(QStringLiteral("summary"));
    if (!summary.isEmpty())
        text += QStringLiteral(" — ") + summary;
    return text;
}

void AlertmanagerSource::setDegraded(bool degraded, const QString& reason)
{
    if (degraded == m_degraded && reason == m_degradedReason)
        return;
    const bool changed = degraded != m_degraded;
    m_degraded = degraded;
    m_degradedReason = reason;
    if (changed)
        Q_EMIT degradedChanged(degraded, reason);
}

void AlertmanagerSource::onAlerts(const QList<AlertmanagerAlert>& alerts, const QString& error)
{
    const qint64 nowMs = now();
    if (!error.isEmpty()) {
        // Nothing is cleared on a failed poll: an unreachable Alertmanager says nothing about the alerts.
        setDegraded(true, error);
        Q_EMIT polled(false, error);
        return;
    }
    m_polledOk = true;
    setDegraded(false, {});

    QSet<QString> firing;
    QList<AlertmanagerAlert> unmapped;
    QSet<QString> unmappedNow;
    for (const AlertmanagerAlert& a : alerts) {
        if (a.state == u"suppressed") {
            bool ours = false;
            for (const QString& id : a.silencedBy)
                ours = ours || m_owned.contains(id);
            // Muted by someone else's silence or inhibited: Alertmanager says nobody should be paged for it.
            if (!ours || !a.inhibitedBy.isEmpty())
                continue;
        } else if (a.state != u"active") {
            continue;
        }
        QString why;
        const QString target = targetFor(a.labels, &why);
        if (target.isEmpty()) {
            unmapped.append(a);
            unmappedNow.insert(a.fingerprint);
            if (!m_unmappedSeen.contains(a.fingerprint))
                Q_EMIT unmappedAlertSeen(a, why);
            continue;
        }
        Detector::ExternalFault f;
        f.source = sourceId();
        f.key = a.fingerprint;
        f.target = target;
        f.cause = causeOf(a);
        f.evidence = evidenceOf(a);
        f.labels = a.labels;
        f.startsMs = a.startsAt.toMSecsSinceEpoch();
        const QString id = m_detector->raiseExternalFault(f, nowMs);
        if (id.isEmpty())
            continue;
        firing.insert(a.fingerprint);
        m_alerts.insert(a.fingerprint, a);
        m_faultOfFingerprint.insert(a.fingerprint, id);
    }
    m_unmapped = unmapped;
    m_unmappedSeen = unmappedNow;

    const QStringList known = m_faultOfFingerprint.keys();
    for (const QString& fingerprint : known) {
        if (firing.contains(fingerprint))
            continue;
        const QString id = m_faultOfFingerprint.value(fingerprint);
        if (m_held.contains(id))
            continue;
        const AlertmanagerAlert alert = m_alerts.value(fingerprint);
        bool silencedElsewhere = false;
        for (const AlertmanagerAlert& a : alerts)
            silencedElsewhere = silencedElsewhere || (a.fingerprint == fingerprint && a.state == u"suppressed");
        const QString reason = silencedElsewhere
            ? QStringLiteral("Alertmanager %1: %2 is silenced or inhibited in Alertmanager")
                  .arg(name(), alert.alertName())
            : QStringLiteral("Alertmanager %1: %2 resolved").arg(name(), alert.alertName());
        m_faultOfFingerprint.remove(fingerprint);
        m_alerts.remove(fingerprint);
        m_detector->clearExternalFault(sourceId(), fingerprint, reason, nowMs);
        Q_EMIT alertResolved(id, alert, nowMs, reason);
    }
    Q_EMIT polled(true, {});
}

QStringList AlertmanagerSource::faultIds() const
{
    return m_detector->externalFaultIds(sourceId());
}

std::optional<AlertmanagerAlert> AlertmanagerSource::alertOf(const QString& faultId) const
{
    for (auto it = m_faultOfFingerprint.cbegin(); it != m_faultOfFingerprint.cend(); ++it) {
        if (it.value() == faultId)
            return m_alerts.value(it.key());
    }
    return std::nullopt;
}

QList<AlertmanagerSilence::Matcher> AlertmanagerSource::silenceMatchers(const QString& faultId) const
{
    const auto alert = alertOf(faultId);
    if (!alert)
        return {};
    QList<AlertmanagerSilence::Matcher> matchers { { QStringLiteral("alertname"), alert->alertName() } };
    if (alert->labels.contains(m_config.targetLabel))
        matchers.append({ m_config.targetLabel, alert->labels.value(m_config.targetLabel) });
    return matchers;
}

void AlertmanagerSource::holdFault(const QString& faultId, bool hold)
{
    if (hold)
        m_held.insert(faultId);
    else
        m_held.remove(faultId);
}

} // namespace FaultDesk
