#include "probe/postgressession.h"

#include "config/postgresprobeconfig.h"
#include "util/logging.h"

#include <QDateTime>
#include <QElapsedTimer>

namespace FaultDesk {

namespace {

ProbeResult::FailureReason reasonOf(PgConnection::Error::Kind kind)
{
    using K = PgConnection::Error::Kind;
    using R = ProbeResult::FailureReason;
    switch (kind) {
    case K::None:
        return R::None;
    case K::Refused:
        return R::Refused;
    case K::Timeout:
        return R::Timeout;
    case K::Dns:
        return R::Dns;
    case K::Tls:
        return R::Tls;
    case K::Config:
        return R::Config;
    case K::Lost:
        return R::Reset;
    case K::Sql:
    case K::Other:
        return R::Other;
    }
    return R::Other;
}

// One round trip for the server's role and load. On a replica: whether its WAL receiver streams, the age of the last
// transaction it replayed (NULL when it replayed none since it started), how long it has been running, and the WAL
// positions it received and replayed — the session turns these into a lag that grows while its primary is gone.
const QString& statusQuery()
{
    static const QString sql = QStringLiteral(
        "SELECT pg_is_in_recovery(),"
        " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8,"
        " current_setting('max_connections')::float8,"
        " coalesce((SELECT extract(epoch FROM max(clock_timestamp() - xact_start)) FROM pg_stat_activity"
        "   WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'), 0)::float8,"
        " EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),"
        " CASE WHEN NOT pg_is_in_recovery() THEN"
        "   (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') END::float8,"
        " current_setting('data_checksums'),"
        " extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8,"
        " extract(epoch FROM clock_timestamp() - pg_postmaster_start_time())::float8,"
        " pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::float8,"
        " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::float8,"
        " current_setting('wal_block_size')::float8");
    return sql;
}

const QString& checksumQuery()
{
    // The row without a name counts failures in shared catalogs.
    static const QString sql = QStringLiteral(
        "SELECT coalesce(datname, '(shared)'), coalesce(checksum_failures, 0)::float8 FROM pg_stat_database");
    return sql;
}

} // namespace

PostgresSession::PostgresSession(const PostgresDsn& dsn, QObject* parent)
    : QObject(parent)
    , m_connection(dsn)
{ }

PostgresSession::~PostgresSession() = default;

void PostgresSession::interrupt(quint64 serial)
{
    if (serial != 0 && m_running.load() == serial)
        m_connection.interrupt();
}

void PostgresSession::noteConfigError(const QString& target, const QString& message)
{
    if (message == m_lastConfigError)
        return;
    m_lastConfigError = message;
    // Loud: nothing is wrong with the server, the operator has to fix the fleet file, the role or pg_hba.conf.
    qCCritical(lcProbe).noquote() << "postgres probe of" << target << u'(' + m_connection.dsn().toString() + u')'
                                  << "cannot log in — a configuration error, not a fault of the server:" << message;
}

void PostgresSession::run(const ProbeRequest& request, quint64 serial, QDeadlineTimer deadline)
{
    if (deadline.hasExpired())
        return; // the prober already reported this one as timed out
    m_running = serial;
    QElapsedTimer clock;
    clock.start();
    ProbeResult result;
    result.target = request.target;
    result.probeIndex = request.probeIndex;
    result.kind = ProbeSpec::Kind::Postgres;
    result.startedAt = QDateTime::currentDateTimeUtc();

    PgConnection::Error error;
    bool ok = true;
    QString phase;
    if (!m_connection.isOpen()) {
        m_phase = Phase::Connecting;
        phase = QStringLiteral("connecting");
        ok = m_connection.open(int(qMax<qint64>(1, deadline.remainingTime())), &error);
    }
    if (ok && deadline.hasExpired()) {
        m_phase = Phase::Idle;
        m_running = 0;
        return; // connected too late: the prober reported the timeout; the session is kept for the next round
    }
    if (ok) {
        m_phase = Phase::Querying;
        phase = QStringLiteral("querying");
        ok = measure(result, request.spec.timeoutMs, &error);
    }
    result.ok = ok;
    result.elapsedUs = clock.nsecsElapsed() / 1000;
    if (ok) {
        m_lastConfigError.clear();
        result.values.insert(PostgresProbeConfig::upSignal(), 1);
    } else {
        result.reason = reasonOf(error.kind);
        result.reasonText = phase + u": " + error.message;
        result.values.insert(PostgresProbeConfig::upSignal(), 0);
        if (error.kind == PgConnection::Error::Kind::Config)
            noteConfigError(request.target, error.message);
        else
            qCDebug(lcProbe).noquote() << "postgres probe of" << request.target << "failed:" << result.reasonText;
        if (m_connection.isOpen() && error.kind != PgConnection::Error::Kind::Timeout)
            m_connection.close(); // opened afresh next round
    }
    m_phase = Phase::Idle;
    m_running = 0;
    Q_EMIT finished(serial, result);
}

double PostgresSession::replicationLag(const ReplicaPosition& p)
{
    // Caught up: streaming, and it replayed all it received — the received position is rounded up to the end of a WAL
    // page, so within one page of it — or nothing arrived and nothing was replayed since the last round.
    const bool idle
        = m_lastPosition && m_lastPosition->received == p.received && m_lastPosition->replayed == p.replayed;
    const bool first = !m_lastPosition;
    m_lastPosition = p;
    if (p.streaming && (p.received - p.replayed < std::max(1.0, p.walPageBytes) || idle)) {
        m_caughtUp.start();
        return 0;
    }
    if (p.streaming && first)
        return 0; // one round is not enough to tell an idle replica from one replaying: judged from the next
    // Not streaming, or replaying behind what it received: its data is at least as current as the last transaction
    // replayed and as the last time this session saw it caught up, so it lags by the smaller of the two ages. With
    // neither known (nothing replayed since it started, never seen caught up), by at least its uptime — never 0,
    // which would say "caught up" of a replica whose primary is gone.
    double lag = -1;
    if (!p.replayAge.isNull())
        lag = std::max(0.0, p.replayAge.toDouble());
    if (m_caughtUp.isValid()) {
        const double since = double(m_caughtUp.elapsed()) / 1000;
        lag = lag < 0 ? since : std::min(lag, since);
    }
    return lag < 0 ? std::max(0.0, p.runningSeconds) : lag;
}

bool PostgresSession::measure(ProbeResult& result, int statementTimeoutMs, PgConnection::Error* error)
{
    const auto status = m_connection.query(statusQuery(), {}, statementTimeoutMs, error);
    if (!status)
        return false;
    if (status->size() != 1 || status->first().size() != 12) {
        *error = { PgConnection::Error::Kind::Other, QStringLiteral("unexpected answer to the status query"), {} };
        return false;
    }
    const QVariantList& row = status->first();
    const bool replica = row.at(0).toBool();
    const double maxConnections = row.at(2).toDouble();
    result.values.insert(PostgresProbeConfig::roleSignal(), replica ? 0 : 1);
    if (maxConnections > 0)
        result.values.insert(PostgresProbeConfig::connectionsUsedSignal(), row.at(1).toDouble() / maxConnections);
    result.values.insert(PostgresProbeConfig::oldestTransactionSignal(), row.at(3).toDouble());
    if (replica)
        result.values.insert(PostgresProbeConfig::replicationLagSignal(),
            replicationLag(
                { row.at(4).toBool(), row.at(7), row.at(8).toDouble(), row.at(9).toDouble(), row.at(10).toDouble() }));
    else
        result.values.insert(PostgresProbeConfig::replicasStreamingSignal(), row.at(5).toDouble());
    if (!replica) {
        m_caughtUp.invalidate(); // a promoted server starts afresh should it become a replica again
        m_lastPosition.reset();
    }
    if (row.at(6).toString() != u"on" && !m_warnedChecksumsOff) {
        m_warnedChecksumsOff = true;
        qCWarning(lcProbe).noquote() << "postgres probe of" << result.target
                                     << ": data checksums are off on this server (initdb -k or pg_checksums "
                                        "--enable turns them on); pg_checksum_failures cannot see damaged pages";
    }

    const auto checksums = m_connection.query(checksumQuery(), {}, statementTimeoutMs, error);
    if (!checksums)
        return false;
    double total = 0;
    double fresh = 0;
    for (const QVariantList& r : *checksums) {
        const QString database = r.value(0).toString();
        const double count = r.value(1).toDouble();
        total += count;
        const auto base = m_checksumBaseline.constFind(database);
        // A counter that went down was reset (pg_stat_reset(), a rebuilt node, a crash): it counts from there.
        if (base == m_checksumBaseline.constEnd() || count < *base)
            m_checksumBaseline.insert(database, count);
        const double last = m_checksumLast.value(database, count);
        if (count > last)
            qCWarning(lcProbe).noquote() << "postgres probe of" << result.target << ": database" << database
                                         << "counted checksum failures:" << last << "→" << count;
        m_checksumLast.insert(database, count);
        fresh += count - m_checksumBaseline.value(database);
    }
    result.values.insert(PostgresProbeConfig::checksumFailuresSignal(), total);
    result.values.insert(PostgresProbeConfig::newChecksumFailuresSignal(), fresh);
    return true;
}

} // namespace FaultDesk
