#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

struct FleetConfig;

/**
 * Decides which located attack sources a Handle may block. A source comes from a scraped label value, so it is
 * data: it must be one host address (IPv4 or IPv6, no network, no name, no template), and it is never loopback
 * (unless every target of the fleet has a loopback address, as the demo fleet does: then its clients are loopback
 * addresses too, while this host's own 127.0.0.1 and ::1 stay protected), an address of this host, an HAProxy
 * instance's or a fleet target's address, or inside the fleet's `never_block:` networks; at most `max_block_sources`
 * are blocked by one Handle, busiest first. Everything refused is kept with its reason, for the preview.
 */
class BlockSourcePolicy
{
public:
    /// A source that will not be blocked, and why ("loopback", "the address of HAProxy instance lb").
    struct Refusal
    {
        QString source; ///< as located, shortened when long
        double share = -1; ///< its share of the target's requests; negative when not measured
        QString reason;
    };
    /// The outcome of screening one Handle's sources.
    struct Screened
    {
        QStringList blocked; ///< canonical addresses, busiest first
        QList<double> shares; ///< their shares of the requests (negative: not measured), same order
        QList<Refusal> refused;
        int overLimit = 0; ///< valid sources left out because of max_block_sources
        int refusedUnlisted = 0; ///< refused sources beyond the first 100, counted only

        /// One line per source for the preview: "block 203.0.113.7 (41.2 % of requests)", "refused …: reason".
        QStringList lines() const;
    };

    /// Collects the addresses never to block from @p config and this host's interfaces.
    explicit BlockSourcePolicy(const FleetConfig& config);

    /// Screens @p sources (busiest first) with their @p shares of the requests (same order; may be shorter).
    Screened screen(const QStringList& sources, const QList<double>& shares = {}) const;
    /// Why @p address may never be blocked, or an empty string.
    QString protectedReason(const QHostAddress& address) const;

    /// @p text as exactly one host address (IPv4 in dotted-quad form, or IPv6), or the reason it is not one.
    static std::optional<QHostAddress> hostAddress(const QString& text, QString* why = nullptr);
    /// The canonical text of a host address (an IPv4-mapped IPv6 address as IPv4).
    static QString canonical(const QHostAddress& address);

private:
    QList<QPair<QHostAddress, QString>> m_protected; ///< single addresses and who they belong to
    QList<QPair<QPair<QHostAddress, int>, QString>> m_networks; ///< never_block networks
    int m_limit = 32;
    bool m_loopbackFleet = false; ///< every target lives on loopback (a demo or test fleet): so do its clients
};

} // namespace FaultDesk
