#include "remedy/haproxyaction.h"

#include "remedy/blocksourcepolicy.h"
#include "remedy/haproxyclient.h"
#include "remedy/haproxyreply.h"

#include <QJsonArray>
#include <QTimer>

namespace FaultDesk {

HaproxyOperation HaproxyOperation::setState(const QString& backend, const QString& server, const QString& state)
{
    HaproxyOperation op;
    op.kind = Kind::SetState;
    op.backend = backend;
    op.server = server;
    op.state = state;
    return op;
}

HaproxyOperation HaproxyOperation::setWeight(const QString& backend, const QString& server, int weight)
{
    HaproxyOperation op;
    op.kind = Kind::SetWeight;
    op.backend = backend;
    op.server = server;
    op.weight = weight;
    return op;
}

HaproxyOperation HaproxyOperation::setWeights(const QString& backend, const QList<QPair<QString, int>>& weights)
{
    HaproxyOperation op;
    op.kind = Kind::SetWeights;
    op.backend = backend;
    op.weights = weights;
    return op;
}

HaproxyOperation HaproxyOperation::drain(
    const QString& backend, const QString& server, std::chrono::milliseconds pollInterval)
{
    HaproxyOperation op;
    op.kind = Kind::Drain;
    op.backend = backend;
    op.server = server;
    op.pollInterval = pollInterval;
    return op;
}

HaproxyOperation HaproxyOperation::addAcl(const QString& aclFile, const QString& pattern)
{
    HaproxyOperation op;
    op.kind = Kind::AddAcl;
    op.aclFile = aclFile;
    op.pattern = pattern;
    return op;
}

HaproxyOperation HaproxyOperation::restoreAcl(const QString& aclFile, const QString& entry)
{
    HaproxyOperation op = addAcl(aclFile, entry);
    op.anyPattern = true;
    return op;
}

HaproxyOperation HaproxyOperation::delAcl(const QString& aclFile, const QString& pattern)
{
    HaproxyOperation op = addAcl(aclFile, pattern);
    op.kind = Kind::DelAcl;
    return op;
}

HaproxyOperation HaproxyOperation::showAcl(const QString& aclFile)
{
    HaproxyOperation op;
    op.kind = Kind::ShowAcl;
    op.aclFile = aclFile;
    return op;
}

HaproxyOperation HaproxyOperation::showServersState(const QString& backend)
{
    HaproxyOperation op;
    op.kind = Kind::ShowServersState;
    op.backend = backend;
    return op;
}

HaproxyOperation HaproxyOperation::showStat()
{
    return HaproxyOperation {};
}

HaproxyOperation HaproxyOperation::getWeight(const QString& backend, const QString& server)
{
    HaproxyOperation op;
    op.kind = Kind::GetWeight;
    op.backend = backend;
    op.server = server;
    return op;
}

HaproxyAction::HaproxyAction(QString endpoint, HaproxyOperation operation, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_endpoint(std::move(endpoint))
    , m_op(std::move(operation))
{ }

QString HaproxyAction::description() const
{
    QStringList parts;
    for (const HaproxyCommand& c : m_changes)
        parts.append(c.text());
    const QString b = m_backend.isEmpty() ? m_op.backend : m_backend;
    const QString s = m_server.isEmpty() ? m_op.server : m_server;
    switch (m_op.kind) {
    case HaproxyOperation::Kind::ShowStat:
        return QStringLiteral("show stat @ %1").arg(m_endpoint);
    case HaproxyOperation::Kind::ShowServersState:
        return QStringLiteral("show servers state %1 @ %2").arg(b, m_endpoint).simplified();
    case HaproxyOperation::Kind::GetWeight:
        return QStringLiteral("get weight %1/%2 @ %3").arg(b, s, m_endpoint);
    case HaproxyOperation::Kind::ShowAcl:
        return QStringLiteral("show acl %1 @ %2").arg(m_aclFile.isEmpty() ? m_op.aclFile : m_aclFile, m_endpoint);
    case HaproxyOperation::Kind::Drain:
        if (parts.isEmpty())
            return QStringLiteral("drain %1/%2 until sessions reach 0, then maint @ %3").arg(b, s, m_endpoint);
        return QStringLiteral("%1; wait until %2/%3 has 0 sessions; set server %2/%3 state maint @ %4")
            .arg(parts.first(), b, s, m_endpoint);
    default:
        break;
    }
    if (parts.isEmpty()) {
        // Not prepared (or refused): describe from the templates.
        switch (m_op.kind) {
        case HaproxyOperation::Kind::SetState:
            return QStringLiteral("set server %1/%2 state %3").arg(b, s, m_op.state);
        case HaproxyOperation::Kind::SetWeight:
            return QStringLiteral("set weight %1/%2 %3").arg(b, s).arg(m_op.weight);
        case HaproxyOperation::Kind::SetWeights:
            return QStringLiteral("set weights of %1 (%2 servers)").arg(b).arg(m_op.weights.size());
        case HaproxyOperation::Kind::AddAcl:
            return QStringLiteral("add acl %1 %2").arg(m_op.aclFile, m_op.pattern);
        case HaproxyOperation::Kind::DelAcl:
            return QStringLiteral("del acl %1 %2").arg(m_op.aclFile, m_op.pattern);
        default:
            return {};
        }
    }
    return parts.join(QStringLiteral("; ")) + QStringLiteral(" @ ") + m_endpoint;
}

bool HaproxyAction::prepare(QString* error)
{
    auto sub = [&](const QString& text, const QString& what, QString* out) {
        if (text.isEmpty()) {
            out->clear();
            return true;
        }
        QString why;
        const auto v = context().fields.substitute(text, TemplateFields::Escape::None, false, &why);
        if (!v) {
            *error = QStringLiteral("%1: %2").arg(what, why);
            return false;
        }
        *out = *v;
        return true;
    };
    if (!sub(m_op.backend, QStringLiteral("backend"), &m_backend)
        || !sub(m_op.server, QStringLiteral("server"), &m_server)
        || !sub(m_op.aclFile, QStringLiteral("ACL file"), &m_aclFile))
        return false;
    m_pattern = m_op.pattern;
    if (m_op.kind == HaproxyOperation::Kind::AddAcl && !m_op.anyPattern) {
        QString why;
        const auto host = BlockSourcePolicy::hostAddress(m_pattern, &why);
        if (!host) {
            *error = QStringLiteral("source '%1' refused: %2").arg(m_pattern.left(80), why);
            return false;
        }
        m_pattern = BlockSourcePolicy::canonical(*host);
    }
    m_weights.clear();
    delete m_client;
    m_client = nullptr;
    for (const auto& [server, weight] : std::as_const(m_op.weights)) {
        QString name;
        if (!sub(server, QStringLiteral("server"), &name))
            return false;
        m_weights.append({ name, weight });
    }
    using K = HaproxyOperation::Kind;
    QList<HaproxyCommand> commands;
    switch (m_op.kind) {
    case K::ShowStat:
        commands.append(HaproxyCommand::showStat());
        break;
    case K::ShowServersState:
        commands.append(HaproxyCommand::showServersState(m_backend));
        break;
    case K::GetWeight:
        commands.append(HaproxyCommand::getWeight(m_backend, m_server));
        break;
    case K::SetState:
        commands.append(HaproxyCommand::setState(m_backend, m_server, m_op.state));
        break;
    case K::SetWeight:
        commands.append(HaproxyCommand::setWeight(m_backend, m_server, m_op.weight));
        break;
    case K::SetWeights:
        if (m_weights.isEmpty()) {
            *error = QStringLiteral("no weights to set");
            return false;
        }
        for (const auto& [server, weight] : std::as_const(m_weights))
            commands.append(HaproxyCommand::setWeight(m_backend, server, weight));
        break;
    case K::Drain:
        commands.append(HaproxyCommand::setState(m_backend, m_server, QStringLiteral("drain")));
        commands.append(HaproxyCommand::setState(m_backend, m_server, QStringLiteral("maint")));
        break;
    case K::ShowAcl:
        commands.append(HaproxyCommand::showAcl(m_aclFile));
        break;
    case K::AddAcl:
        commands.append(HaproxyCommand::addAcl(m_aclFile, m_pattern));
        break;
    case K::DelAcl:
        commands.append(HaproxyCommand::delAcl(m_aclFile, m_pattern));
        break;
    }
    for (const HaproxyCommand& c : std::as_const(commands)) {
        if (!c.isValid()) {
            *error = c.error();
            return false;
        }
    }
    m_changes = commands;
    if (m_op.kind == K::Drain)
        m_changes.removeLast(); // maint is sent only once sessions reached 0
    m_client = new HaproxyClient(m_endpoint, this);
    return true;
}

void HaproxyAction::run()
{
    using K = HaproxyOperation::Kind;
    const HaproxyCommand first = m_changes.first();
    switch (m_op.kind) {
    case K::ShowStat:
    case K::ShowServersState:
    case K::GetWeight:
        m_client->send(first, [this](const HaproxyClient::Reply& r) {
            if (m_cancelled || !isActive())
                return;
            appendOutput(r.text);
            if (!r.ok) {
                finish(ActionResult::Status::Failed, QStringLiteral("HAProxy: %1").arg(r.error));
                return;
            }
            if (m_op.kind == K::ShowServersState) {
                m_servers = HaproxyServerState::parseServersState(r.text);
                QJsonArray list;
                for (const auto& s : std::as_const(m_servers))
                    list.append(s.toJson());
                data().insert(QStringLiteral("servers"), list);
            } else if (m_op.kind == K::GetWeight) {
                data().insert(QStringLiteral("weight"), HaproxyReply::parseWeight(r.text).value_or(-1));
            }
            finish(ActionResult::Status::Ok);
        });
        return;
    case K::ShowAcl:
        readAcl([this](const QStringList&) { finish(ActionResult::Status::Ok); });
        return;
    default:
        sendChanges(0);
        return;
    }
}

void HaproxyAction::sendChanges(qsizetype index)
{
    using K = HaproxyOperation::Kind;
    if (index >= m_changes.size()) {
        if (m_op.kind == K::AddAcl || m_op.kind == K::DelAcl) {
            readAcl([this](const QStringList& entries) {
                const bool present = entries.contains(m_pattern);
                if (m_op.kind == K::AddAcl && !present)
                    finish(ActionResult::Status::Failed,
                        QStringLiteral("read back: %1 is not listed in %2").arg(m_pattern, m_aclFile));
                else if (m_op.kind == K::DelAcl && present)
                    finish(ActionResult::Status::Failed,
                        QStringLiteral("read back: %1 is still listed in %2").arg(m_pattern, m_aclFile));
                else
                    finish(ActionResult::Status::Ok);
            });
            return;
        }
        if (m_op.kind == K::Drain) {
            pollDrain();
            return;
        }
        readBack([this] { verifyServers(); });
        return;
    }
    const HaproxyCommand command = m_changes.at(index);
    m_client->send(command, [this, index, command](const HaproxyClient::Reply& r) {
        if (m_cancelled || !isActive())
            return;
        appendOutput(u"> " + command.text() + u'\n');
        if (!r.ok) {
            appendOutput(r.text + u'\n');
            const QString error = QStringLiteral("HAProxy refused '%1': %2").arg(command.text(), r.error);
            if (m_op.kind == K::AddAcl || m_op.kind == K::DelAcl || m_backend.isEmpty()) {
                finish(ActionResult::Status::Failed, error);
                return;
            }
            // Read back anyway: the caller must know what state the pool is in after a partial change.
            readBack([this, error] { finish(ActionResult::Status::Failed, error); });
            return;
        }
        sendChanges(index + 1);
    });
}

void HaproxyAction::readBack(std::function<void()> then)
{
    m_client->send(HaproxyCommand::showServersState(m_backend), [this, then](const HaproxyClient::Reply& state) {
        if (m_cancelled || !isActive())
            return;
        if (!state.ok) {
            finish(ActionResult::Status::Failed, QStringLiteral("read back failed: %1").arg(state.error));
            return;
        }
        QString error;
        QList<HaproxyServerState> servers = HaproxyServerState::parseServersState(state.text, &error);
        m_client->send(HaproxyCommand::showStat(), [this, servers, then](const HaproxyClient::Reply& stat) mutable {
            if (m_cancelled || !isActive())
                return;
            if (!stat.ok) {
                finish(ActionResult::Status::Failed, QStringLiteral("read back failed: %1").arg(stat.error));
                return;
            }
            HaproxyServerState::mergeStat(servers, stat.text);
            m_servers = servers;
            QJsonArray list;
            for (const auto& s : std::as_const(m_servers))
                list.append(s.toJson());
            data().insert(QStringLiteral("servers"), list);
            then();
        });
    });
}

void HaproxyAction::verifyServers()
{
    using K = HaproxyOperation::Kind;
    QList<QPair<QString, int>> expectWeights = m_weights;
    if (m_op.kind == K::SetWeight)
        expectWeights = { { m_server, m_op.weight } };
    QStringList mismatches;
    if (m_op.kind == K::SetState || m_op.kind == K::Drain) {
        const QString want = m_op.kind == K::Drain ? QStringLiteral("maint") : m_op.state;
        const auto s = HaproxyServerState::find(m_servers, m_backend, m_server);
        if (!s)
            mismatches.append(QStringLiteral("%1/%2 not listed").arg(m_backend, m_server));
        else if (s->adminState != want)
            mismatches.append(QStringLiteral("%1/%2 is %3, expected %4").arg(m_backend, m_server, s->adminState, want));
        else
            appendOutput(QStringLiteral("read back: %1/%2 %3 (status %4, weight %5, sessions %6)\n")
                             .arg(m_backend, m_server, s->adminState, s->status)
                             .arg(s->weight)
                             .arg(s->sessions));
    }
    for (const auto& [server, weight] : std::as_const(expectWeights)) {
        const auto s = HaproxyServerState::find(m_servers, m_backend, server);
        if (!s)
            mismatches.append(QStringLiteral("%1/%2 not listed").arg(m_backend, server));
        else if (s->weight != weight)
            mismatches.append(
                QStringLiteral("%1/%2 weight is %3, expected %4").arg(m_backend, server).arg(s->weight).arg(weight));
        else
            appendOutput(QStringLiteral("read back: %1/%2 weight %3\n").arg(m_backend, server).arg(s->weight));
    }
    if (mismatches.isEmpty())
        finish(ActionResult::Status::Ok);
    else
        finish(ActionResult::Status::Failed, u"read back differs: " + mismatches.join(QStringLiteral("; ")));
}

void HaproxyAction::pollDrain()
{
    readBack([this] {
        const auto s = HaproxyServerState::find(m_servers, m_backend, m_server);
        if (!s) {
            finish(ActionResult::Status::Failed, QStringLiteral("%1/%2 not listed").arg(m_backend, m_server));
            return;
        }
        data().insert(QStringLiteral("sessions"), s->sessions);
        if (s->sessions > 0) {
            QTimer::singleShot(m_op.pollInterval, this, [this] {
                if (!m_cancelled && isActive())
                    pollDrain();
            });
            return;
        }
        const HaproxyCommand maint = HaproxyCommand::setState(m_backend, m_server, QStringLiteral("maint"));
        m_client->send(maint, [this, maint](const HaproxyClient::Reply& r) {
            if (m_cancelled || !isActive())
                return;
            appendOutput(QStringLiteral("%1/%2 has no sessions left\n> %3\n").arg(m_backend, m_server, maint.text()));
            if (!r.ok) {
                finish(ActionResult::Status::Failed,
                    QStringLiteral("HAProxy refused '%1': %2").arg(maint.text(), r.error));
                return;
            }
            readBack([this] { verifyServers(); });
        });
    });
}

void HaproxyAction::readAcl(std::function<void(const QStringList&)> then)
{
    m_client->send(HaproxyCommand::showAcl(m_aclFile), [this, then](const HaproxyClient::Reply& r) {
        if (m_cancelled || !isActive())
            return;
        if (!r.ok) {
            finish(ActionResult::Status::Failed, QStringLiteral("HAProxy: %1").arg(r.error));
            return;
        }
        const QStringList entries = HaproxyReply::parseAclEntries(r.text);
        data().insert(QStringLiteral("acl_file"), m_aclFile);
        data().insert(QStringLiteral("entries"), QJsonArray::fromStringList(entries));
        appendOutput(QStringLiteral("%1: %2 entries%3\n")
                         .arg(m_aclFile)
                         .arg(entries.size())
                         .arg(entries.isEmpty() ? QString() : u" (" + entries.join(QStringLiteral(", ")) + u')'));
        then(entries);
    });
}

void HaproxyAction::cancel()
{
    m_cancelled = true;
}

QString HaproxyAction::timeoutDetail() const
{
    if (m_op.kind != HaproxyOperation::Kind::Drain)
        return {};
    const auto s = HaproxyServerState::find(m_servers, m_backend, m_server);
    if (!s)
        return QStringLiteral("%1/%2 was never read back").arg(m_backend, m_server);
    return QStringLiteral("%1/%2 still has %3 sessions and stays in %4 (not put into maintenance)")
        .arg(m_backend, m_server)
        .arg(s->sessions)
        .arg(s->adminState);
}

} // namespace FaultDesk
