#include "remedy/baselinepoller.h"

#include "remedy/haproxyclient.h"

#include "config/fleetconfig.h"
#include "net/httpclient.h"
#include "util/logging.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace FaultDesk {

namespace {

constexpr std::chrono::milliseconds clientTimeout { 3000 };
// A status document is a few hundred bytes; the cap and the deadline keep a hostile or broken endpoint from
// holding memory or the poll (the next poll starts only when every read of this one ended).
constexpr std::chrono::milliseconds statusTimeout { 2000 };
constexpr qint64 statusMaxBytes = 64 * 1024;
constexpr int statusMaxRedirects = 3;

// The request for @p target's status endpoint, or std::nullopt and @p error when none can be sent.
std::optional<HttpRequest> statusRequest(const TargetConfig& target, QString* error)
{
    const AdminConfig& admin = *target.admin;
    HttpRequest request;
    request.url = admin.statusUrl;
    request.timeout = statusTimeout;
    request.maxBodyBytes = statusMaxBytes;
    request.maxRedirects = statusMaxRedirects;
    request.headers.emplaceBack(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    // The admin token was configured for the admin API's origin: a status endpoint anywhere else never sees it.
    if (admin.token && HttpClient::sameOrigin(admin.url, admin.statusUrl)) {
        const auto token = admin.token->resolve(error);
        if (!token)
            return std::nullopt;
        request.bearerToken = *token;
        request.allowTokenOverHttp = admin.insecureTokenOverHttp;
    }
    if (admin.statusUrl.scheme() == u"https" && !target.tlsCaFile.isEmpty()) {
        const auto ca = HttpClient::readCaFile(target.tlsCaFile, error);
        if (!ca)
            return std::nullopt;
        request.extraCaCertificates = *ca;
    }
    return request;
}

// The database state in a status reply, or std::nullopt and @p error when the reply is not one.
std::optional<RemediationBaseline::Database> parseStatus(const HttpResponse& reply, QString* error)
{
    if (!reply.ok()) {
        *error = reply.errorText;
        return std::nullopt;
    }
    if (reply.status < 200 || reply.status >= 300) {
        *error = QStringLiteral("HTTP status %1").arg(reply.status);
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(reply.body, &parse);
    const QJsonObject o = doc.object();
    if (parse.error != QJsonParseError::NoError || !doc.isObject() || !o.value(QStringLiteral("checksum")).isDouble()) {
        *error = QStringLiteral("the reply is not a status document (a JSON object with a numeric checksum)");
        return std::nullopt;
    }
    return RemediationBaseline::Database { o.value(QStringLiteral("role")).toString(),
        o.value(QStringLiteral("read_only")).toBool(), o.value(QStringLiteral("integrity_ok")).toBool(),
        o.value(QStringLiteral("checksum")).toDouble() };
}

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
    , m_http(new HttpClient(this))
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
    auto settle = [this, left, done](
                      const QString& name, std::optional<RemediationBaseline::Database> state, const QString& error) {
        if (state) {
            m_current.databases.insert(name, *state);
            m_databaseErrors.remove(name);
        } else {
            m_current.databases.remove(name);
            if (m_databaseErrors.value(name) != error)
                qCWarning(
                    lcRemedy, "database status of %s is unknown: %s", qUtf8Printable(name), qUtf8Printable(error));
            m_databaseErrors.insert(name, error);
        }
        if (--*left == 0)
            done();
    };
    for (const TargetConfig* t : dbs) {
        const QString name = t->name;
        const QString where = t->admin->statusUrl.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
        QString why;
        const auto request = statusRequest(*t, &why);
        if (!request) {
            // Answered from the event loop like every read, so done() never runs inside poll().
            QTimer::singleShot(0, this,
                [settle, name, where, why] { settle(name, std::nullopt, QStringLiteral("%1: %2").arg(where, why)); });
            continue;
        }
        m_http->send(*request, this, [settle, name, where](const HttpResponse& reply) {
            QString error;
            const auto state = parseStatus(reply, &error);
            settle(name, state, state ? QString() : QStringLiteral("%1: %2").arg(where, error));
        });
    }
}

} // namespace FaultDesk
