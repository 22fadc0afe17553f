#pragma once

#include "incident/storeurl.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace FaultDesk {

/**
 * Live changes of a team's PostgreSQL store. The schema's triggers announce every committed change of a shared row
 * on channel "faultdesk" as "TABLE OPERATION KEY" (incidents, incident_events, audit, maintenance_windows,
 * remediation_locks); this LISTENs on a connection of its own (on the thread that starts it, which needs an event
 * loop) and emits changed() for each, from every console including this one. Readers then read that one row: nothing
 * polls whole tables. A lost connection is noticed within a second, reported, and re-established (tries 2 s apart,
 * backing off to 30 s: each blocks the thread until the server answers or connect_timeout passes); whatever changed
 * meanwhile is announced by resynced(), so readers reload once. A SQLite store has no other consoles: start() says so
 * and nothing is emitted.
 */
class StoreNotifier : public QObject
{
    Q_OBJECT

public:
    /// The channel the schema's triggers notify.
    static QString channel() { return QStringLiteral("faultdesk"); }

    explicit StoreNotifier(StoreUrl url, QObject* parent = nullptr);
    ~StoreNotifier() override;

    /// Connects and LISTENs; false with @p error when the store is SQLite or cannot be reached (retried then).
    bool start(QString* error = nullptr);
    void stop();
    bool isListening() const { return m_listening; }
    /// Why the notifier does not listen now; empty while it does.
    QString problem() const { return m_problem; }

Q_SIGNALS:
    /// A committed change: @p table, @p operation ("insert", "update", "delete") and the row's key.
    void changed(const QString& table, const QString& operation, const QString& key);
    /// Listening again after a loss: changes in between were not announced, read afresh.
    void resynced();
    void listeningChanged(bool listening, const QString& problem);

private:
    bool connectAndListen(QString* error);
    void onNotification(const QString& name, const QVariant& payload);
    void checkConnection();
    void setListening(bool listening, const QString& problem);

    StoreUrl m_url;
    QString m_name; ///< the QSqlDatabase connection name
    QTimer m_health;
    QTimer m_retry;
    bool m_listening = false;
    bool m_wasListening = false;
    QString m_problem;
};

} // namespace FaultDesk
