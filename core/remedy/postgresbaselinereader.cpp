#include "remedy/postgresbaselinereader.h"

#include "config/fleetconfig.h"
#include "pg/pgconnection.h"

#include <QMutex>
#include <QThread>

namespace FaultDesk {

struct PostgresBaselineReader::State
{
    QMutex lock;
    PgConnection* connection = nullptr;
    bool interrupted = false;
    QList<PostgresBaseline> results;
};

PostgresBaselineReader::PostgresBaselineReader(std::shared_ptr<State> state)
    : m_state(std::move(state))
{ }

QStringList PostgresBaselineReader::postgresTargetsOf(const FleetConfig& config, const QString& group)
{
    QStringList out;
    for (const TargetConfig& t : config.targets) {
        if (t.group != group || group.isEmpty())
            continue;
        for (const ProbeConfig& p : t.probes)
            if (p.postgres) {
                out << t.name;
                break;
            }
    }
    return out;
}

QList<PostgresBaselineReader::Request> PostgresBaselineReader::requestsFor(
    const FleetConfig& config, const QStringList& targets)
{
    QList<Request> out;
    for (const QString& name : targets) {
        const TargetConfig* t = config.target(name);
        if (!t)
            continue;
        for (const ProbeConfig& p : t->probes) {
            if (!p.postgres)
                continue;
            out << Request { t->name, p.postgres->dsn, p.postgres->criticalTables, std::nullopt, false };
            break;
        }
    }
    return out;
}

void PostgresBaselineReader::interrupt()
{
    QMutexLocker lock(&m_state->lock);
    m_state->interrupted = true;
    if (m_state->connection)
        m_state->connection->interrupt();
}

std::shared_ptr<PostgresBaselineReader> PostgresBaselineReader::read(
    const QList<Request>& requests, int timeoutMs, QObject* context, Done done)
{
    auto state = std::make_shared<State>();
    QThread* thread = QThread::create([state, requests, timeoutMs] {
        for (const Request& r : requests) {
            PostgresBaseline b;
            {
                PgConnection connection(r.dsn, QStringLiteral("faultdesk-baseline"));
                {
                    QMutexLocker lock(&state->lock);
                    if (!state->interrupted)
                        state->connection = &connection;
                }
                PgConnection::Error error;
                bool interrupted = false;
                {
                    QMutexLocker lock(&state->lock);
                    interrupted = state->interrupted;
                }
                if (interrupted)
                    b.error = QStringLiteral("interrupted");
                else if (!connection.open(timeoutMs, &error))
                    b.error = error.message;
                else
                    b = PostgresBaseline::read(
                        connection, r.tables, timeoutMs, r.reference ? &*r.reference : nullptr, r.amcheck);
                QMutexLocker lock(&state->lock);
                state->connection = nullptr;
            }
            b.target = r.target;
            if (!b.readUtc.isValid())
                b.readUtc = QDateTime::currentDateTimeUtc();
            QMutexLocker lock(&state->lock);
            state->results << b;
        }
    });
    thread->setObjectName(QStringLiteral("faultdesk-pgbaseline"));
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    QObject::connect(thread, &QThread::finished, context, [state, done] {
        QList<PostgresBaseline> results;
        {
            QMutexLocker lock(&state->lock);
            results = state->results;
        }
        done(results);
    });
    thread->start();
    return std::make_shared<PostgresBaselineReader>(state);
}

} // namespace FaultDesk
