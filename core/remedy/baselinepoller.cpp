#include "baselinepoller.h"

#include "haproxyclient.h"

#include "config/fleetconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <memory>

namespace FaultDesk {

namespace {

constexpr std::chrono::milliseconds clientTimeout { 3000 };

QStringList aclEntries(const QString& text)
{
    QStringList entries;
    for (const QString& line : text.split(u'\n', Qt::SkipEmptyParts)) {
        const QString value = line.section(u' ', 1).trimmed(); // "0x55… 10.0.0.1"
        if (!value.isEmpty())
            entries.append(value);
    }
    return entries;
}

} // namespace

BaselinePoller::BaselinePoller(const FleetConfig& config, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_nam(new QNetworkAccessManager(this))
{
    m_haproxyError = QStringLiteral("HAProxy has not been read yet");
    if (const QString endpoint = haproxyEndpoint(); !endpoint.isEmpty()) {
        m_haproxy = new HaproxyClient(endpoint, this);
        m_haproxy->setTimeout(clientTimeout);
    } else {
        m_haproxyError = QStringLiteral("no HAProxy instance is configured");
    }
    connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
}

BaselinePoller::~BaselinePoller()
{
    // Reads in flight end with the client, while the state their answers would write still exists.
    delete m_haproxy;
    m_haproxy = nullptr;
}

void BaselinePoller::start(std::chrono::milliseconds interval)
{
    m_interval = interval;
    m_timer.start(interval);
}

QString BaselinePoller::haproxyEndpoint(const QString& instance) const
{
    const HaproxyInstance* h = instance.isEmpty()
        ? (m_config.haproxy.isEmpty() ? nullptr : &m_config.haproxy.constFirst())
        : m_config.haproxyInstance(instance);
    if (!h)
        return {};
    return h->socket.isEmpty() ? h->address : h->socket;
}

QString BaselinePoller::blockAcl() const
{
    return m_config.haproxy.isEmpty() ? QString() : m_config.haproxy.constFirst().blockAcl;
}

QString BaselinePoller::haproxyProblem(const QDateTime& now) const
{
    if (!m_current.haproxyKnown)
        return m_haproxyError.isEmpty() ? QStringLiteral("HAProxy's state is unknown") : m_haproxyError;
    const qint64 age = m_haproxyReadUtc.msecsTo(now);
    if (age > 2 * m_interval.count())
        return QStringLiteral("HAProxy's state is %1 s old (older than two poll intervals of %2 s)")
            .arg(double(age) / 1000, 0, 'f', 1)
            .arg(double(m_interval.count()) / 1000, 0, 'f', 1);
    return {};
}

void BaselinePoller::poll(std::function<void()> done)
{
    if (done)
        m_waiters.append(std::move(done));
    if (m_pending > 0)
        return;
    m_pending = 2;
    auto one = [this] {
        if (--m_pending > 0)
            return;
        ++m_cycle;
        const auto waiters = std::exchange(m_waiters, {});
        for (const auto& w : waiters)
            w();
        Q_EMIT polled();
    };
    pollHaproxy(one);
    pollDatabases(one);
}

void BaselinePoller::haproxyFailed(const QString& error)
{
    // Half a read is no read: the gates must not judge a pool on a state whose status column never arrived.
    m_current.haproxyKnown = false;
    m_haproxyError = QStringLiteral("HAProxy's state is unknown: %1").arg(error);
}

void BaselinePoller::pollHaproxy(std::function<void()> done)
{
    if (!m_haproxy) {
        done();
        return;
    }
    auto next = std::make_shared<HaproxyBaseline>();
    const QString acl = blockAcl();
    m_haproxy->send(HaproxyCommand::showServersState(), [this, next, acl, done](const HaproxyClient::Reply& r) {
        QString parseError;
        if (r.ok)
            next->servers = HaproxyServerState::parseServersState(r.text, &parseError);
        if (!r.ok || !parseError.isEmpty()) {
            haproxyFailed(QStringLiteral("show servers state: %1").arg(r.ok ? parseError : r.error));
            done();
            return;
        }
        m_haproxy->send(HaproxyCommand::showStat(), [this, next, acl, done](const HaproxyClient::Reply& s) {
            QString statError;
            if (!s.ok || !HaproxyServerState::mergeStat(next->servers, s.text, &statError)) {
                haproxyFailed(QStringLiteral("show stat: %1").arg(s.ok ? statError : s.error));
                done();
                return;
            }
            auto finish = [this, next, done] {
                next->capturedUtc = QDateTime::currentDateTimeUtc();
                m_current.haproxy = *next;
                m_current.haproxyKnown = true;
                m_current.capturedUtc = next->capturedUtc;
                m_haproxyReadUtc = next->capturedUtc;
                m_haproxyError.clear();
                done();
            };
            if (acl.isEmpty()) {
                finish();
                return;
            }
            m_haproxy->send(
                HaproxyCommand::showAcl(acl), [this, next, acl, finish, done](const HaproxyClient::Reply& a) {
                    if (!a.ok) {
                        haproxyFailed(QStringLiteral("show acl %1: %2").arg(acl, a.error));
                        done();
                        return;
                    }
                    next->acls.insert(acl, aclEntries(a.text));
                    finish();
                });
        });
    });
}

HaproxyClient* BaselinePoller::clientFor(const QString& instance)
{
    const QString endpoint = haproxyEndpoint(instance);
    if (endpoint.isEmpty())
        return nullptr;
    if (m_haproxy && m_haproxy->endpoint() == endpoint)
        return m_haproxy;
    auto* client = new HaproxyClient(endpoint, this);
    client->setTimeout(clientTimeout);
    return client;
}

void BaselinePoller::readPool(
    const QString& instance, const QString& backend, std::function<void(const PoolRead&)> done)
{
    HaproxyClient* client = clientFor(instance);
    if (!client) {
        QTimer::singleShot(0, this, [done, instance] {
            done({ std::nullopt,
                instance.isEmpty() ? QStringLiteral("no HAProxy instance is configured")
                                   : QStringLiteral("HAProxy instance %1 is not configured").arg(instance) });
        });
        return;
    }
    // A client made for another instance lives as long as this read.
    auto release = [this, client] {
        if (client != m_haproxy)
            client->deleteLater();
    };
    client->send(
        HaproxyCommand::showServersState(backend), [client, backend, done, release](const HaproxyClient::Reply& r) {
            QString error;
            QList<HaproxyServerState> servers;
            if (r.ok)
                servers = HaproxyServerState::parseServersState(r.text, &error);
            if (!r.ok || !error.isEmpty()) {
                done(
                    { std::nullopt, QStringLiteral("show servers state %1: %2").arg(backend, r.ok ? error : r.error) });
                release();
                return;
            }
            client->send(HaproxyCommand::showStat(), [servers, done, release](const HaproxyClient::Reply& s) mutable {
                QString statError;
                if (!s.ok || !HaproxyServerState::mergeStat(servers, s.text, &statError))
                    done({ std::nullopt, QStringLiteral("show stat: %1").arg(s.ok ? statError : s.error) });
                else
                    done({ servers, {} });
                release();
            });
        });
}

void BaselinePoller::pollDatabases(std::function<void()> done)
{
    QList<const TargetConfig*> dbs;
    for (const TargetConfig& t : m_config.targets)
        if (t.admin && !t.admin->statusUrl.isEmpty())
            dbs.append(&t);
    if (dbs.isEmpty()) {
        done();
        return;
    }
    auto left = std::make_shared<int>(int(dbs.size()));
    for (const TargetConfig* t : dbs) {
        QNetworkRequest request(t->admin->statusUrl);
        request.setTransferTimeout(2000);
        QNetworkReply* reply = m_nam->get(request);
        const QString name = t->name;
        connect(reply, &QNetworkReply::finished, this, [this, reply, name, left, done] {
            reply->deleteLater();
            const QJsonObject o = QJsonDocument::fromJson(reply->read(64 * 1024)).object();
            if (reply->error() == QNetworkReply::NoError && o.value(QStringLiteral("checksum")).isDouble())
                m_current.databases.insert(name,
                    RemediationBaseline::Database { o.value(QStringLiteral("role")).toString(),
                        o.value(QStringLiteral("read_only")).toBool(), o.value(QStringLiteral("integrity_ok")).toBool(),
                        o.value(QStringLiteral("checksum")).toDouble() });
            else
                m_current.databases.remove(name);
            if (--*left == 0)
                done();
        });
    }
}

} // namespace FaultDesk
