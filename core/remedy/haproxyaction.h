#pragma once

#include "remedy/action.h"
#include "remedy/haproxycommand.h"
#include "remedy/haproxyserverstate.h"

#include <QList>
#include <QPair>
#include <QPointer>

#include <chrono>

namespace FaultDesk {

class HaproxyClient;

/// One HAProxy operation; backend, server and ACL file may be templates ("{backend}"). An ACL pattern is data
/// (a source located in scraped labels) and is never substituted.
struct HaproxyOperation
{
    enum class Kind {
        ShowStat, ///< output: the CSV; data: servers
        ShowServersState, ///< data: servers of @c backend (or all)
        GetWeight,
        SetState, ///< ready, drain or maint; read back and compared
        SetWeight, ///< read back and compared
        SetWeights, ///< several servers of one backend (a rebalance); all read back
        Drain, ///< drain, wait until sessions reach 0, then maint; deadline = the action's
        ShowAcl,
        AddAcl, ///< block a source; read back: the pattern is listed
        DelAcl, ///< unblock; read back: the pattern is gone
    };

    Kind kind = Kind::ShowStat;
    QString backend;
    QString server;
    QString state; ///< SetState
    int weight = 0; ///< SetWeight
    QList<QPair<QString, int>> weights; ///< SetWeights: server, weight
    QString aclFile;
    QString pattern;
    /// AddAcl: any valid ACL entry (a network, as a person wrote it in the baseline), not only one host address.
    bool anyPattern = false;
    std::chrono::milliseconds pollInterval { 500 }; ///< Drain: how often sessions are read

    static HaproxyOperation setState(const QString& backend, const QString& server, const QString& state);
    static HaproxyOperation setWeight(const QString& backend, const QString& server, int weight);
    static HaproxyOperation setWeights(const QString& backend, const QList<QPair<QString, int>>& weights);
    static HaproxyOperation drain(const QString& backend, const QString& server,
        std::chrono::milliseconds pollInterval = std::chrono::milliseconds(500));
    /// Blocks one host address (IPv4 or IPv6); anything else is refused before HAProxy is asked.
    static HaproxyOperation addAcl(const QString& aclFile, const QString& pattern);
    /// Puts an entry of the baseline back, whatever its form (a network a person listed).
    static HaproxyOperation restoreAcl(const QString& aclFile, const QString& entry);
    static HaproxyOperation delAcl(const QString& aclFile, const QString& pattern);
    static HaproxyOperation showAcl(const QString& aclFile);
    static HaproxyOperation showServersState(const QString& backend = {});
    static HaproxyOperation showStat();
    static HaproxyOperation getWeight(const QString& backend, const QString& server);
};

/**
 * Acts on HAProxy through its Runtime API: every name validated before anything is sent, every change read back
 * (the result's data holds the servers' state after the change, "servers": [HaproxyServerState…], or the ACL's
 * entries), and a mismatch between what was asked and what is read back is a failure. Drain is tracked to
 * completion: state drain, then sessions polled until 0, then maint — or a timeout, leaving the server draining.
 */
class HaproxyAction : public Action
{
    Q_OBJECT

public:
    /// @p endpoint as for HaproxyClient (socket path or host:port).
    HaproxyAction(QString endpoint, HaproxyOperation operation, ActionContext context, QObject* parent = nullptr);

    QString kind() const override { return QStringLiteral("haproxy"); }
    /// The runtime API command(s), e.g. "set server web/s1 state drain; wait sessions 0; set … state maint".
    QString description() const override;
    /// The servers read back after the operation (empty for ACL and show operations).
    QList<HaproxyServerState> servers() const { return m_servers; }

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;
    QString timeoutDetail() const override;

private:
    void sendChanges(qsizetype index);
    void readBack(std::function<void()> then);
    void verifyServers();
    void pollDrain();
    void readAcl(std::function<void(const QStringList&)> then);

    QString m_endpoint;
    HaproxyOperation m_op;
    HaproxyClient* m_client = nullptr;
    QList<HaproxyCommand> m_changes;
    QString m_backend;
    QString m_server;
    QString m_aclFile;
    QString m_pattern;
    QList<QPair<QString, int>> m_weights;
    QList<HaproxyServerState> m_servers;
    bool m_cancelled = false;
};

} // namespace FaultDesk
