#include "postgressession.h"

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

// One round trip for the server's role and load. The lag of a replica is 0 while it streams and has replayed all it
// received; otherwise it is the age of the last transaction it replayed, which grows while its primary is gone.
const QString& statusQuery()
{
    static const QString sql = QStringLiteral(
        "SELECT pg_is_in_recovery(),"
        " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8,"
        " current_setting('max_connections')::float8,"
        " coalesce((SELECT extract(epoch FROM max(clock_timestamp() - xact_start)) FROM pg_stat_activity"
        "   WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'), 0)::float8,"
        " CASE WHEN pg_is_in_recovery() THEN"
        "   CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
        "     AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0"
        "   ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0) END"
        " END::float8,"
        " CASE WHEN NOT pg_is_in_recovery() THEN"
        "   (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') END::float8,"
        " current_setting('data_checksums')");
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

bool PostgresSession::measure(ProbeResult& result, int statementTimeoutMs, PgConnection::Error* error)
{
    const auto status = m_connection.query(statusQuery(), {}, statementTimeoutMs, error);
    if (!status)
        return false;
    if (status->size() != 1 || status->first().size() != 7) {
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
        result.values.insert(PostgresProbeConfig::replicationLagSignal(), row.at(4).toDouble());
    else
        result.values.insert(PostgresProbeConfig::replicasStreamingSignal(), row.at(5).toDouble());
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
