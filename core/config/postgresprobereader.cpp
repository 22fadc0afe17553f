#include "config/postgresprobereader.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>

namespace FaultDesk::PostgresProbeReader {

namespace {

using std::chrono::milliseconds;

QString fromStd(const std::string& s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

SourcePosition pos(const YAML::Node& n)
{
    const YAML::Mark m = n.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0)
        return {};
    return { m.line + 1, m.column + 1 };
}

QString scalar(const YAML::Node& n)
{
    return n.IsScalar() ? fromStd(n.Scalar()) : QString();
}

QString absolute(const QString& baseDir, const QString& path)
{
    return QDir::cleanPath(QDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir).absoluteFilePath(path));
}

const QStringList& knownKeys()
{
    static const QStringList keys { QStringLiteral("kind"), QStringLiteral("dsn"), QStringLiteral("password"),
        QStringLiteral("sslmode"), QStringLiteral("ca_file"), QStringLiteral("timeout"),
        QStringLiteral("max_replication_lag"), QStringLiteral("max_connections_ratio"),
        QStringLiteral("max_transaction_age"), QStringLiteral("critical_tables") };
    return keys;
}

// The loader's duration syntax: a number and a unit ms, s, m or h.
std::optional<milliseconds> duration(const QString& key, const YAML::Node& value, const ErrorSink& error)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$"));
    const QRegularExpressionMatch m = re.match(scalar(value).trimmed());
    if (!m.hasMatch()) {
        error(pos(value),
            QStringLiteral("'%1' must be a duration such as 500ms, 2s or 1h, got '%2'").arg(key, scalar(value)));
        return std::nullopt;
    }
    const QStringView unit = m.capturedView(2);
    const double ms = m.capturedView(1).toDouble()
        * (unit == u"ms"       ? 1
                : unit == u"s" ? 1e3
                : unit == u"m" ? 60e3
                               : 3600e3);
    if (ms < 1 || ms > 7 * 24 * 3600e3) {
        error(pos(value), QStringLiteral("'%1' must be between 1ms and a week, got '%2'").arg(key, scalar(value)));
        return std::nullopt;
    }
    return milliseconds(qint64(std::llround(ms)));
}

std::optional<SecretRef> secret(const YAML::Node& value, const QString& baseDir, const ErrorSink& error)
{
    if (!value.IsMap() || value.size() != 1) {
        error(pos(value),
            QStringLiteral("'password' is a reference, never the password: 'password: {env: VARIABLE}' or "
                           "'password: {file: /path/to/file}' (or leave it out and use PGPASSFILE)"));
        return std::nullopt;
    }
    const QString kind = scalar(value.begin()->first);
    const QString ref = scalar(value.begin()->second).trimmed();
    if (kind == u"env") {
        static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        if (envName.match(ref).hasMatch())
            return SecretRef::env(ref);
        error(pos(value.begin()->second), QStringLiteral("'env' must name an environment variable, got '%1'").arg(ref));
        return std::nullopt;
    }
    if (kind == u"file") {
        if (!ref.isEmpty() && !ref.contains(QChar(0)))
            return SecretRef::file(absolute(baseDir, ref));
        error(pos(value.begin()->second), QStringLiteral("'file' must be a path"));
        return std::nullopt;
    }
    error(pos(value.begin()->first), QStringLiteral("'password' needs 'env: VARIABLE' or 'file: /path/to/file'"));
    return std::nullopt;
}

SignalConfig builtin(const QString& name, SourcePosition at)
{
    SignalConfig s;
    s.name = name;
    s.kind = SignalConfig::Kind::Gauge;
    s.builtin = true;
    s.position = at;
    return s;
}

SignalThreshold above(double enter, double clear)
{
    SignalThreshold t;
    t.direction = SignalThreshold::Direction::Above;
    t.enter = enter;
    t.clear = clear;
    return t;
}

// `critical_tables: [accounts, {table: bank.ledger, max_rows: 50000}]`: names as SQL spells them (no quoting).
bool readCriticalTables(const YAML::Node& value, QList<PostgresProbeConfig::CriticalTable>& out, const ErrorSink& error)
{
    if (!value.IsSequence()) {
        error(pos(value),
            QStringLiteral("'critical_tables' must be a list of table names or {table: NAME, max_rows: N}"));
        return false;
    }
    static const QRegularExpression name(
        QStringLiteral("^[A-Za-z_][A-Za-z0-9_$]{0,62}(\\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$"));
    bool ok = true;
    for (const YAML::Node& item : value) {
        PostgresProbeConfig::CriticalTable t;
        t.position = pos(item);
        if (item.IsMap()) {
            for (auto it = item.begin(); it != item.end(); ++it) {
                const QString key = scalar(it->first);
                if (key == u"table") {
                    t.name = scalar(it->second).trimmed();
                } else if (key == u"max_rows") {
                    bool number = false;
                    t.maxRows = scalar(it->second).toLongLong(&number);
                    if (!number || t.maxRows < 100) {
                        error(pos(it->second),
                            QStringLiteral("'max_rows' must be a whole number of at least 100, got '%1'")
                                .arg(scalar(it->second)));
                        ok = false;
                    }
                } else {
                    error(pos(it->first),
                        QStringLiteral("unknown key '%1' in a critical table (known: table, max_rows)").arg(key));
                    ok = false;
                }
            }
        } else {
            t.name = scalar(item).trimmed();
        }
        if (!name.match(t.name).hasMatch()) {
            error(t.position,
                QStringLiteral("critical table '%1' is not a table name (name or schema.name: letters, digits, '_', "
                               "'$')")
                    .arg(t.name));
            ok = false;
            continue;
        }
        out << t;
    }
    return ok;
}

} // namespace

bool isPostgresProbe(const YAML::Node& probe)
{
    if (!probe.IsMap())
        return false;
    for (auto it = probe.begin(); it != probe.end(); ++it) {
        if (scalar(it->first) == u"kind")
            return scalar(it->second) == u"postgres";
    }
    return false;
}

std::optional<ProbeConfig> read(const YAML::Node& probe, const QString& baseDir, const ErrorSink& error)
{
    bool ok = true;
    auto report = [&](SourcePosition at, const QString& message) {
        ok = false;
        error(at, message);
    };
    ProbeConfig p;
    p.kind = ProbeConfig::Kind::Postgres;
    p.position = pos(probe);
    PostgresProbeConfig pg;
    std::optional<PostgresDsn> dsn;
    std::optional<SecretRef> password;
    std::optional<PostgresDsn::SslMode> sslMode;
    SourcePosition sslModeAt;
    QString caFile;
    SourcePosition dsnAt = p.position;
    for (auto it = probe.begin(); it != probe.end(); ++it) {
        const QString key = scalar(it->first);
        const YAML::Node value = it->second;
        if (!knownKeys().contains(key)) {
            report(pos(it->first),
                QStringLiteral("unknown key '%1' in a postgres probe (known: %2)")
                    .arg(key, knownKeys().join(QStringLiteral(", "))));
        } else if (key == u"dsn") {
            dsnAt = pos(value);
            QString why;
            dsn = PostgresDsn::parse(scalar(value).trimmed(), &why, baseDir);
            if (!dsn)
                report(pos(value), QStringLiteral("'dsn' %1").arg(why));
        } else if (key == u"password") {
            password = secret(value, baseDir, error);
            ok = ok && password.has_value();
        } else if (key == u"sslmode") {
            sslModeAt = pos(value);
            sslMode = PostgresDsn::sslModeFromName(scalar(value));
            if (!sslMode)
                report(pos(value),
                    QStringLiteral("'sslmode' must be disable, allow, prefer, require, verify-ca or verify-full, got "
                                   "'%1'")
                        .arg(scalar(value)));
        } else if (key == u"ca_file") {
            caFile = absolute(baseDir, scalar(value));
            if (!QFileInfo(caFile).isReadable())
                report(pos(value), QStringLiteral("'ca_file' %1 cannot be read").arg(caFile));
        } else if (key == u"timeout") {
            p.timeout = duration(key, value, error);
            ok = ok && p.timeout.has_value();
        } else if (key == u"max_replication_lag") {
            const auto d = duration(key, value, error);
            ok = ok && d.has_value();
            pg.maxReplicationLag = d.value_or(pg.maxReplicationLag);
        } else if (key == u"max_transaction_age") {
            pg.maxTransactionAge = duration(key, value, error);
            ok = ok && pg.maxTransactionAge.has_value();
        } else if (key == u"critical_tables") {
            ok = readCriticalTables(value, pg.criticalTables, error) && ok;
        } else if (key == u"max_connections_ratio") {
            bool number = false;
            const double v = scalar(value).toDouble(&number);
            if (!number || !(v > 0 && v <= 1))
                report(pos(value),
                    QStringLiteral("'max_connections_ratio' must be a number in (0, 1], got '%1'").arg(scalar(value)));
            else
                pg.maxConnectionsRatio = v;
        }
    }
    if (!probe["dsn"]) {
        report(p.position,
            QStringLiteral("postgres probe is missing required key 'dsn' (postgresql://user@host:port/db)"));
        return std::nullopt;
    }
    if (!ok || !dsn)
        return std::nullopt;
    pg.dsn = *dsn;
    pg.dsn.password = password;
    if (sslMode)
        pg.dsn.sslMode = *sslMode;
    if (!caFile.isEmpty())
        pg.dsn.caFile = caFile;
    const bool verifies
        = pg.dsn.sslMode == PostgresDsn::SslMode::VerifyCa || pg.dsn.sslMode == PostgresDsn::SslMode::VerifyFull;
    if (verifies && pg.dsn.caFile.isEmpty()) {
        error(sslMode ? sslModeAt : dsnAt,
            QStringLiteral("sslmode %1 verifies the server against a CA: give 'ca_file: PATH'")
                .arg(PostgresDsn::sslModeName(pg.dsn.sslMode)));
        return std::nullopt;
    }
    p.postgres = pg;
    return p;
}

void addBuiltinSignals(TargetConfig& target, const ErrorSink& error)
{
    const ProbeConfig* postgres = nullptr;
    for (const ProbeConfig& p : std::as_const(target.probes)) {
        if (p.kind != ProbeConfig::Kind::Postgres || !p.postgres)
            continue;
        if (postgres) {
            error(p.position,
                QStringLiteral("target '%1' has a second postgres probe (first at line %2): one server per target")
                    .arg(target.name)
                    .arg(postgres->position.line));
            return;
        }
        postgres = &p;
    }
    if (!postgres)
        return;
    const PostgresProbeConfig& pg = *postgres->postgres;
    const SourcePosition at = postgres->position;

    QList<SignalConfig> signals;
    signals << builtin(PostgresProbeConfig::upSignal(), at) << builtin(PostgresProbeConfig::roleSignal(), at);
    SignalConfig lag = builtin(PostgresProbeConfig::replicationLagSignal(), at);
    const double lagSeconds = double(pg.maxReplicationLag.count()) / 1000.0;
    lag.threshold = above(lagSeconds, lagSeconds / 2);
    lag.cause = CauseClass::Unhealthy;
    signals << lag << builtin(PostgresProbeConfig::replicasStreamingSignal(), at)
            << builtin(PostgresProbeConfig::checksumFailuresSignal(), at);
    SignalConfig failures = builtin(PostgresProbeConfig::newChecksumFailuresSignal(), at);
    failures.threshold = above(0, 0);
    failures.cause = CauseClass::DataIntegrity;
    signals << failures;
    SignalConfig connections = builtin(PostgresProbeConfig::connectionsUsedSignal(), at);
    connections.threshold = above(pg.maxConnectionsRatio, pg.maxConnectionsRatio * 0.9);
    connections.cause = CauseClass::Overload;
    signals << connections;
    SignalConfig oldest = builtin(PostgresProbeConfig::oldestTransactionSignal(), at);
    if (pg.maxTransactionAge) {
        const double seconds = double(pg.maxTransactionAge->count()) / 1000.0;
        oldest.threshold = above(seconds, seconds * 0.9);
    }
    oldest.cause = CauseClass::Unhealthy;
    signals << oldest;

    for (const SignalConfig& own : std::as_const(target.signalConfigs)) {
        for (const SignalConfig& b : std::as_const(signals)) {
            if (own.name == b.name) {
                error(own.position,
                    QStringLiteral("signal '%1' is built into the postgres probe of target '%2'; name yours "
                                   "differently")
                        .arg(own.name, target.name));
                return;
            }
        }
    }
    target.signalConfigs.append(signals);
}

} // namespace FaultDesk::PostgresProbeReader
