#include "remedy/blocksourcepolicy.h"

#include "config/fleetconfig.h"

#include <QNetworkInterface>
#include <QUrl>

#include <algorithm>

namespace FaultDesk {

namespace {

constexpr qsizetype maxShown = 80;

QString shown(const QString& source)
{
    QString s = source.left(maxShown);
    for (QChar& c : s)
        if (!c.isPrint())
            c = u'?';
    if (source.size() > maxShown)
        s += QStringLiteral("… (%1 characters)").arg(source.size());
    return s;
}

QString percent(double share)
{
    return share < 0 ? QStringLiteral("share of requests not measured")
                     : QStringLiteral("%1 % of requests").arg(share * 100, 0, 'f', 1);
}

/// The host of "host:port", "[v6]:port" or a bare address.
QString hostOf(const QString& hostPort)
{
    if (hostPort.startsWith(u'['))
        return hostPort.mid(1, hostPort.indexOf(u']') - 1);
    if (hostPort.count(u':') == 1)
        return hostPort.section(u':', 0, 0);
    return hostPort;
}

} // namespace

QString BlockSourcePolicy::canonical(const QHostAddress& address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped && address.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4).toString();
    return address.toString();
}

std::optional<QHostAddress> BlockSourcePolicy::hostAddress(const QString& text, QString* why)
{
    auto no = [why](const QString& reason) {
        if (why)
            *why = reason;
        return std::nullopt;
    };
    if (text.isEmpty())
        return no(QStringLiteral("empty"));
    if (text.size() > 45) // the longest textual IPv6 address
        return no(QStringLiteral("not a host address (%1 characters)").arg(text.size()));
    if (text.contains(u'/'))
        return no(QStringLiteral("a network, not a single host address"));
    if (text.contains(u'{') || text.contains(u'}'))
        return no(QStringLiteral("a template, not an address (sources are never substituted)"));
    if (text.contains(u'%'))
        return no(QStringLiteral("an address with a scope, not a plain host address"));
    for (const QChar c : text)
        if (!(c.isDigit() || (c.toLower() >= u'a' && c.toLower() <= u'f') || c == u'.' || c == u':'))
            return no(QStringLiteral("not a host address"));
    QHostAddress a;
    if (!a.setAddress(text))
        return no(QStringLiteral("not a host address"));
    // Only the dotted-quad form: "127.1" or "0x7f.0.0.1" must not slip past the checks as something else.
    if (a.protocol() == QAbstractSocket::IPv4Protocol && a.toString() != text)
        return no(QStringLiteral("not an IPv4 address in dotted-quad form"));
    if (a.protocol() != QAbstractSocket::IPv4Protocol && a.protocol() != QAbstractSocket::IPv6Protocol)
        return no(QStringLiteral("not a host address"));
    const QHostAddress c(canonical(a));
    if (c == QHostAddress(QHostAddress::AnyIPv4) || c == QHostAddress(QHostAddress::AnyIPv6))
        return no(QStringLiteral("the unspecified address (it stands for every host)"));
    if (c == QHostAddress(QHostAddress::Broadcast))
        return no(QStringLiteral("the broadcast address"));
    if (c.isMulticast())
        return no(QStringLiteral("a multicast address"));
    return c;
}

BlockSourcePolicy::BlockSourcePolicy(const FleetConfig& config)
    : m_limit(config.maxBlockSources)
{
    auto protect = [this](const QString& text, const QString& owner) {
        QHostAddress a;
        if (a.setAddress(hostOf(text)))
            m_protected.append({ QHostAddress(canonical(a)), owner });
    };
    m_loopbackFleet = !config.targets.isEmpty()
        && std::all_of(config.targets.cbegin(), config.targets.cend(),
            [](const TargetConfig& t) { return QHostAddress(t.address).isLoopback(); });
    for (const HaproxyInstance& h : config.haproxy)
        if (!h.address.isEmpty())
            protect(h.address, QStringLiteral("the address of HAProxy instance %1").arg(h.name));
    for (const TargetConfig& t : config.targets) {
        protect(t.address, QStringLiteral("the address of fleet target %1").arg(t.name));
        if (t.admin) {
            protect(t.admin->url.host(), QStringLiteral("the admin address of fleet target %1").arg(t.name));
            protect(t.admin->statusUrl.host(), QStringLiteral("the status address of fleet target %1").arg(t.name));
        }
    }
    for (const QHostAddress& a : QNetworkInterface::allAddresses())
        m_protected.append({ QHostAddress(canonical(a)), QStringLiteral("an address of this FaultDesk host") });
    for (const QString& n : config.neverBlock) {
        const QString cidr = n.contains(u'/') ? n : n + (n.contains(u':') ? u"/128" : u"/32");
        const auto net = QHostAddress::parseSubnet(cidr);
        if (!net.first.isNull())
            m_networks.append({ net, QStringLiteral("in never_block %1").arg(n) });
    }
}

QString BlockSourcePolicy::protectedReason(const QHostAddress& address) const
{
    if (address.isLoopback() && !m_loopbackFleet)
        return QStringLiteral("loopback");
    for (const auto& [a, owner] : m_protected)
        if (a.isEqual(address))
            return owner;
    for (const auto& [net, why] : m_networks)
        if (address.isInSubnet(net))
            return why;
    return {};
}

BlockSourcePolicy::Screened BlockSourcePolicy::screen(const QStringList& sources, const QList<double>& shares) const
{
    Screened out;
    for (qsizetype i = 0; i < sources.size(); ++i) {
        const QString& source = sources.at(i);
        const double share = i < shares.size() ? shares.at(i) : -1;
        QString why;
        const auto a = hostAddress(source, &why);
        if (a)
            why = protectedReason(*a);
        if (a && why.isEmpty() && out.blocked.contains(canonical(*a)))
            continue; // the same host written twice
        if (!why.isEmpty()) {
            // A flood of junk is summarised, not listed: the preview stays readable and bounded.
            if (out.refused.size() < 100)
                out.refused.append({ shown(source), share, why });
            else
                ++out.refusedUnlisted;
            continue;
        }
        if (out.blocked.size() >= m_limit) {
            ++out.overLimit;
            continue;
        }
        out.blocked.append(canonical(*a));
        out.shares.append(share);
    }
    return out;
}

QStringList BlockSourcePolicy::Screened::lines() const
{
    QStringList out;
    for (qsizetype i = 0; i < blocked.size(); ++i)
        out.append(QStringLiteral("block %1 (%2)").arg(blocked.at(i), percent(shares.value(i, -1))));
    for (const Refusal& r : refused)
        out.append(QStringLiteral("not blocked: %1 (%2): %3").arg(r.source, percent(r.share), r.reason));
    if (refusedUnlisted > 0)
        out.append(QStringLiteral("not blocked: %1 more refused sources (not listed)").arg(refusedUnlisted));
    if (overLimit > 0)
        out.append(QStringLiteral("not blocked: %1 more sources over max_block_sources (%2 per Handle)")
                       .arg(overLimit)
                       .arg(blocked.size()));
    return out;
}

} // namespace FaultDesk
