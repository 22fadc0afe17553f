#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * One server as HAProxy reports it, read back from `show servers state` (administrative state, configured
 * weight) and `show stat` (status, current sessions).
 */
struct HaproxyServerState
{
    QString backend;
    QString server;
    QString adminState; ///< ready, drain or maint (from srv_admin_state)
    QString status; ///< show stat status: UP, DOWN, DRAIN, MAINT, no check …
    int weight = -1; ///< user weight (srv_uweight)
    int initialWeight = -1; ///< weight from the configuration (srv_iweight)
    int sessions = -1; ///< current sessions (scur)

    QJsonObject toJson() const;
    static std::optional<HaproxyServerState> fromJson(const QJsonObject& object);

    /// Parses `show servers state` output; returns an empty list and sets @p error when it is not that.
    static QList<HaproxyServerState> parseServersState(const QString& text, QString* error = nullptr);
    /// Merges status and scur from `show stat` CSV into @p states (matched by backend and server).
    static bool mergeStat(QList<HaproxyServerState>& states, const QString& csv, QString* error = nullptr);
    /// The state of @p backend/@p server in @p states, if listed.
    static std::optional<HaproxyServerState> find(
        const QList<HaproxyServerState>& states, const QString& backend, const QString& server);
};

} // namespace FaultDesk
