#include "simtarget.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkReply>

#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace FaultDesk {

namespace {

constexpr double Buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
constexpr int BucketCount = int(std::size(Buckets));
constexpr double MemTotal = 8.0 * 1024 * 1024 * 1024;

QByteArray num(double v)
{
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    return QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
}

QByteArray escapeLabel(const QString& value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

} // namespace

SimTarget::SimTarget(SimTargetOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_random(std::random_device {}())
{
    m_clock.start();
    m_role = m_options.role;
    m_checksum = m_options.checksum;
    m_backups.insert(QStringLiteral("pre-upgrade"), m_checksum);
    m_backups.insert(QStringLiteral("nightly"), m_checksum);
    for (int i = 0; i <= BucketCount; ++i)
        m_buckets << 0;
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &SimTarget::tick);
}

bool SimTarget::start(QString* error)
{
    m_listener = new HttpListener(
        [this](HttpConnection* connection, const HttpRequest& request) { handle(connection, request); }, this);
    if (!m_listener->listen(QHostAddress::LocalHost, m_options.port)) {
        *error = QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(m_options.port).arg(m_listener->errorString());
        return false;
    }
    m_options.port = m_listener->serverPort();
    m_lastTickMs = m_clock.elapsed();
    m_tick.start();
    if (m_options.kind == u"api") {
        for (const QString& spec : std::as_const(m_options.dbUrls)) {
            const qsizetype eq = spec.indexOf(u'=');
            Db db;
            db.name = eq > 0 ? spec.left(eq) : spec;
            db.url = eq > 0 ? spec.mid(eq + 1) : spec;
            m_dbs.insert(db.name, db);
        }
        m_network = new QNetworkAccessManager(this);
        m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_dbPoll.setInterval(m_options.dbPollMs);
        connect(&m_dbPoll, &QTimer::timeout, this, &SimTarget::pollDatabases);
        m_dbPoll.start();
        pollDatabases();
    }
    if (m_options.controlledByStdin) {
        m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
        connect(m_stdin, &QSocketNotifier::activated, this, &SimTarget::onStdin);
    }
    std::printf("LISTENING %u\n", unsigned(m_options.port));
    std::fflush(stdout);
    log(QStringLiteral("serving %1 (%2) on 127.0.0.1:%3, capacity %4 rps")
            .arg(m_options.name, m_options.kind)
            .arg(m_options.port)
            .arg(m_options.capacityRps));
    return true;
}

void SimTarget::log(const QString& line) const
{
    const QByteArray text = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' '
        + m_options.name.toUtf8() + ": " + line.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
    std::fflush(stderr);
}

void SimTarget::emitEvent(const QString& event)
{
    const QByteArray text = "EVENT " + event.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
}

QString SimTarget::readToken() const
{
    if (!m_options.tokenFile.isEmpty()) {
        QFile file(m_options.tokenFile);
        if (file.open(QIODevice::ReadOnly))
            return QString::fromUtf8(file.readAll()).trimmed();
        return {};
    }
    return qEnvironmentVariable("FLEETSIM_ADMIN_TOKEN").trimmed();
}

double SimTarget::capacity() const
{
    return m_options.capacityRps * (m_overloadSlow ? m_options.slowFactor : 1.0);
}

double SimTarget::utilisation()
{
    const qint64 now = m_clock.elapsed();
    while (!m_arrivals.empty() && m_arrivals.front() < now - m_options.windowMs)
        m_arrivals.pop_front();
    const double window = std::min<double>(m_options.windowMs, std::max<qint64>(now, 1)) / 1000.0;
    return double(m_arrivals.size()) / window / capacity();
}

// Advances the simulated host figures: CPU time and load average follow the utilisation.
void SimTarget::tick()
{
    const qint64 now = m_clock.elapsed();
    const double dt = double(now - m_lastTickMs) / 1000.0;
    m_lastTickMs = now;
    const double u = utilisation();
    const double busy = std::clamp(0.03 + 0.9 * u, 0.0, 1.0);
    for (int cpu = 0; cpu < 2; ++cpu) {
        m_cpuBusy[cpu] += busy * dt;
        m_cpuIdle[cpu] += (1 - busy) * dt;
    }
    const double runnable = 2 * std::min(u, 4.0);
    m_load1 += (runnable - m_load1) * (1 - std::exp(-dt / 60.0 * 12));
}

void SimTarget::send(HttpConnection* connection, int status, const QByteArray& body, const QByteArray& contentType)
{
    if (m_slow)
        connection->trickle(status, body, m_options.trickleMs, contentType);
    else
        connection->reply(status, body, contentType);
}

void SimTarget::handle(HttpConnection* connection, const HttpRequest& request)
{
    if (m_hang) {
        // Health checkers give up and close; forget those so a long hang does not accumulate them.
        m_held.removeIf([](const QPointer<HttpConnection>& held) { return held.isNull(); });
        m_held << QPointer<HttpConnection>(connection);
        return;
    }
    const QByteArray& path = request.path;
    if (path == "/metrics" && request.method == "GET") {
        if (m_garbage) {
            send(connection, 200,
                QByteArrayLiteral("# TYPE node_load1 gauge\nnode_load1{ 0.5 garbage\n\x01\x02 this is not metrics\n"
                                  "http_requests_total{code=\"200\" 12\nnode_cpu_seconds_total NaN NaN NaN\n"),
                QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
            return;
        }
        send(connection, 200, metrics(), QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
        return;
    }
    if (path == "/healthz" && request.method == "GET") {
        if (m_clock.elapsed() < m_restartingUntilMs)
            send(connection, 503, QByteArrayLiteral("restarting\n"));
        else if (m_options.kind == u"db" && !m_integrity)
            send(connection, 503, QByteArrayLiteral("integrity check failed: data checksum mismatch\n"));
        else
            send(connection, 200, QByteArrayLiteral("ok\n"));
        return;
    }
    if (path.startsWith("/admin/") || path == "/admin") {
        handleAdmin(connection, request);
        return;
    }
    if (path == "/db/status" && m_options.kind == u"db") {
        m_arrivals.push_back(m_clock.elapsed());
        answer(connection, 200, statusJson(), request.method, 0.001, request.source(),
            QByteArrayLiteral("application/json"));
        return;
    }
    handleWork(connection, request);
}

QByteArray SimTarget::statusJson() const
{
    QJsonObject o { { QStringLiteral("name"), m_options.name }, { QStringLiteral("kind"), m_options.kind } };
    if (m_options.kind == u"db") {
        o.insert(QStringLiteral("role"), m_role);
        o.insert(QStringLiteral("integrity_ok"), m_integrity);
        o.insert(QStringLiteral("read_only"), m_readOnly);
        o.insert(QStringLiteral("checksum"), double(m_checksum));
        QJsonArray backups;
        for (auto it = m_backups.begin(); it != m_backups.end(); ++it)
            backups.append(it.key());
        o.insert(QStringLiteral("backups"), backups);
    }
    if (!m_dbs.isEmpty()) {
        QJsonObject routes;
        for (auto it = m_routes.cbegin(); it != m_routes.cend(); ++it)
            routes.insert(it.key(), it.value());
        o.insert(QStringLiteral("routes"), routes);
    }
    QJsonArray blocked;
    for (const QString& s : m_blocked)
        blocked.append(s);
    o.insert(QStringLiteral("blocked"), blocked);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void SimTarget::handleWork(HttpConnection* connection, const HttpRequest& request)
{
    const qint64 now = m_clock.elapsed();
    const QString source = request.source();
    if (now < m_restartingUntilMs) {
        answer(connection, 503, QByteArrayLiteral("restarting\n"), request.method, 0, source);
        return;
    }
    if (m_blocked.contains(source)) {
        answer(connection, 403, QByteArrayLiteral("source blocked\n"), request.method, 0, source);
        return;
    }
    m_arrivals.push_back(now);
    int status = 200;
    QByteArray body = QByteArrayLiteral("ok\n");
    if (m_options.kind == u"api") {
        const Db* use = nullptr;
        for (auto it = m_dbs.cbegin(); it != m_dbs.cend(); ++it) {
            const Db& db = it.value();
            if (!db.fresh || db.role != u"primary")
                continue;
            if (!use || (!use->integrity && db.integrity))
                use = &db;
        }
        // Rerouted by an operator: the calls go to another database, which serves reads; a replica refuses writes.
        bool viaReplica = false;
        for (auto it = m_routes.cbegin(); !use && it != m_routes.cend(); ++it) {
            const Db& db = m_dbs[it.value()];
            if (db.fresh) {
                use = &db;
                viaReplica = db.role != u"primary";
            }
        }
        if (use && viaReplica && request.method != "GET" && request.method != "HEAD") {
            status = 503;
            body = QByteArrayLiteral("read-only: served by the replica\n");
        } else if (!use && !m_partitioned.isEmpty()) {
            // The database this server would use is cut off: its call times out, the client gets a gateway timeout.
            status = 504;
            body = QByteArrayLiteral("database call timed out\n");
        } else if (!use) {
            status = 503;
            body = QByteArrayLiteral("database unavailable\n");
        } else if (!use->integrity) {
            status = 500;
            body = QByteArrayLiteral("database integrity error\n");
        } else if (use->readOnly && request.method != "GET" && request.method != "HEAD") {
            status = 503;
            body = QByteArrayLiteral("database is read-only\n");
        }
    } else if (m_options.kind == u"db" && m_readOnly && request.method != "GET" && request.method != "HEAD") {
        status = 503;
        body = QByteArrayLiteral("read-only mode\n");
    }
    std::exponential_distribution<double> service(capacity());
    const double serviceMs = service(m_random) * 1000.0;
    const qint64 startMs = std::max<qint64>(now, m_busyUntilMs);
    if (startMs - now > m_options.maxQueueMs) {
        answer(connection, 503, QByteArrayLiteral("overloaded: request queue full\n"), request.method,
            double(startMs - now) / 1000.0, source);
        return;
    }
    m_busyUntilMs = startMs + qint64(std::ceil(serviceMs));
    const qint64 delay = m_busyUntilMs - now;
    QPointer<HttpConnection> target(connection);
    const QByteArray method = request.method;
    QTimer::singleShot(
        int(delay), this, [=, this] { answer(target, status, body, method, double(delay) / 1000.0, source); });
}

void SimTarget::answer(QPointer<HttpConnection> connection, int status, const QByteArray& body,
    const QByteArray& method, double latencySeconds, const QString& source, const QByteArray& contentType)
{
    m_requests[qMakePair(status, method)] += 1;
    m_bySource[source] += 1;
    int bucket = 0;
    while (bucket < BucketCount && latencySeconds > Buckets[bucket])
        ++bucket;
    m_buckets[bucket] += 1;
    m_latencySum += latencySeconds;
    m_latencyCount += 1;
    if (connection)
        send(connection, status, body, contentType);
}

QByteArray SimTarget::metrics()
{
    const double u = utilisation();
    QByteArray out;
    out.reserve(8192);
    auto family = [&out](const char* name, const char* type, const char* help) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    };
    family("fleetsim_utilisation", "gauge", "Arrival rate over capacity in the last seconds (>1 means overloaded).");
    out += "fleetsim_utilisation " + num(u) + '\n';
    family("fleetsim_capacity_rps", "gauge", "Requests per second this server can serve.");
    out += "fleetsim_capacity_rps " + num(capacity()) + '\n';
    family("fleetsim_queue_seconds", "gauge", "Work queued ahead of a new request.");
    out += "fleetsim_queue_seconds " + num(std::max<qint64>(0, m_busyUntilMs - m_clock.elapsed()) / 1000.0) + '\n';

    family("http_requests_total", "counter", "Requests served, by status code and method.");
    for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it)
        out += "http_requests_total{code=\"" + QByteArray::number(it.key().first) + "\",method=\"" + it.key().second
            + "\"} " + QByteArray::number(it.value()) + '\n';
    family("http_request_duration_seconds", "histogram", "Service latency, queueing included.");
    quint64 cumulative = 0;
    for (int i = 0; i <= BucketCount; ++i) {
        cumulative += m_buckets.at(i);
        out += "http_request_duration_seconds_bucket{le=\"" + (i < BucketCount ? num(Buckets[i]) : QByteArray("+Inf"))
            + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    out += "http_request_duration_seconds_sum " + num(m_latencySum) + '\n';
    out += "http_request_duration_seconds_count " + QByteArray::number(m_latencyCount) + '\n';
    family("http_requests_by_source_total", "counter", "Requests by client source address.");
    for (auto it = m_bySource.cbegin(); it != m_bySource.cend(); ++it)
        out += "http_requests_by_source_total{source=\"" + escapeLabel(it.key()) + "\"} "
            + QByteArray::number(it.value()) + '\n';

    family("node_load1", "gauge", "1m load average.");
    out += "node_load1 " + num(m_load1) + '\n';
    family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
    for (int cpu = 0; cpu < 2; ++cpu) {
        const QByteArray c = QByteArray::number(cpu);
        out += "node_cpu_seconds_total{cpu=\"" + c + "\",mode=\"idle\"} " + num(m_cpuIdle[cpu]) + '\n';
        out += "node_cpu_seconds_total{cpu=\"" + c + "\",mode=\"iowait\"} " + num(m_cpuBusy[cpu] * 0.05) + '\n';
        out += "node_cpu_seconds_total{cpu=\"" + c + "\",mode=\"system\"} " + num(m_cpuBusy[cpu] * 0.25) + '\n';
        out += "node_cpu_seconds_total{cpu=\"" + c + "\",mode=\"user\"} " + num(m_cpuBusy[cpu] * 0.70) + '\n';
    }
    const double rss = 96.0 * 1024 * 1024 + 48.0 * 1024 * 1024 * std::min(u, 3.0) + double(m_arrivals.size()) * 4096;
    family("node_memory_MemTotal_bytes", "gauge", "Memory information field MemTotal_bytes.");
    out += "node_memory_MemTotal_bytes " + num(MemTotal) + '\n';
    family("node_memory_MemAvailable_bytes", "gauge", "Memory information field MemAvailable_bytes.");
    out += "node_memory_MemAvailable_bytes " + num(std::floor(MemTotal * 0.7 - 4 * rss)) + '\n';
    family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out += "process_resident_memory_bytes " + num(std::floor(rss)) + '\n';
    family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    out += "process_start_time_seconds " + num(double(m_startedAt.toSecsSinceEpoch())) + '\n';

    if (!m_dbs.isEmpty()) {
        family("fleetsim_dependency_up", "gauge",
            "1 while this server's own calls to the dependency succeed, 0 when they fail or time out.");
        for (auto it = m_dbs.cbegin(); it != m_dbs.cend(); ++it)
            out += "fleetsim_dependency_up{dependency=\"" + escapeLabel(it.key()) + "\"} "
                + QByteArray(it->fresh ? "1" : "0") + '\n';
    }
    if (m_options.kind == u"db") {
        family("db_integrity_ok", "gauge", "1 when the integrity check passes, 0 when the data is corrupted.");
        out += "db_integrity_ok " + QByteArray(m_integrity ? "1" : "0") + '\n';
        family("db_data_checksum", "gauge", "Checksum of the data (32-bit).");
        out += "db_data_checksum " + QByteArray::number(m_checksum) + '\n';
        family("db_role", "gauge", "1 for the database's current role.");
        out += "db_role{role=\"primary\"} " + QByteArray(m_role == u"primary" ? "1" : "0") + '\n';
        out += "db_role{role=\"replica\"} " + QByteArray(m_role == u"replica" ? "1" : "0") + '\n';
        family("db_read_only", "gauge", "1 in read-only mode.");
        out += "db_read_only " + QByteArray(m_readOnly ? "1" : "0") + '\n';
    }
    return out;
}

void SimTarget::handleAdmin(HttpConnection* connection, const HttpRequest& request)
{
    const QByteArray auth = request.headers.value(QByteArrayLiteral("authorization"));
    const QString token = readToken();
    const QString who = request.source();
    auto done = [&](int status, const QJsonObject& body, const QString& detail) {
        log(QStringLiteral("admin %1 %2%3 from %4 -> %5")
                .arg(QString::fromLatin1(request.method), QString::fromLatin1(request.path),
                    detail.isEmpty() ? QString() : u' ' + detail, who)
                .arg(status));
        send(connection, status, QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n',
            QByteArrayLiteral("application/json"));
    };
    if (token.isEmpty() || !auth.startsWith("Bearer ") || !constantTimeEquals(auth.mid(7).trimmed(), token.toUtf8())) {
        done(401, { { QStringLiteral("error"), QStringLiteral("missing or wrong bearer token") } }, {});
        return;
    }
    const QByteArray action = request.path.mid(7);
    if (request.method == "GET" && action == "status") {
        done(200, QJsonDocument::fromJson(statusJson()).object(), {});
        return;
    }
    if (request.method != "POST") {
        done(405, { { QStringLiteral("error"), QStringLiteral("admin actions are POST requests") } }, {});
        return;
    }
    QJsonObject body;
    if (!request.body.trimmed().isEmpty()) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
        if (!doc.isObject()) {
            done(400, { { QStringLiteral("error"), QString(u"body is not a JSON object: " + error.errorString()) } },
                {});
            return;
        }
        body = doc.object();
    }
    const bool isDb = m_options.kind == u"db";
    auto notDb = [&] {
        done(409, { { QStringLiteral("error"), QString(m_options.name + u" is not a database") } }, {});
    };
    if (action == "restart") {
        restart();
        done(200, { { QStringLiteral("ok"), true }, { QStringLiteral("restarting_ms"), m_options.restartMs } }, {});
    } else if (action == "block" || action == "unblock") {
        const QString source = body.value(QStringLiteral("source")).toString();
        const QHostAddress address(source);
        if (address.isNull()) {
            done(400, { { QStringLiteral("error"), QStringLiteral("'source' must be an IP address") } }, {});
            return;
        }
        if (action == "block")
            m_blocked.insert(address.toString());
        else
            m_blocked.remove(address.toString());
        done(200, QJsonDocument::fromJson(statusJson()).object(), u"source=" + address.toString());
    } else if (action == "reroute") {
        // apis: send the calls meant for one database to another (`via` equal to it, or empty, undoes it).
        if (m_dbs.isEmpty()) {
            done(409, { { QStringLiteral("error"), QString(m_options.name + u" calls no database") } }, {});
            return;
        }
        const QString dependency = body.value(QStringLiteral("dependency")).toString();
        const QString via = body.value(QStringLiteral("via")).toString();
        if (!m_dbs.contains(dependency) || (!via.isEmpty() && !m_dbs.contains(via))) {
            done(400,
                { { QStringLiteral("error"),
                    QString(u"'dependency' and 'via' must be databases this server calls: "
                        + QStringList(m_dbs.keys()).join(QStringLiteral(", "))) } },
                {});
            return;
        }
        if (via.isEmpty() || via == dependency)
            m_routes.remove(dependency);
        else
            m_routes.insert(dependency, via);
        done(200, QJsonDocument::fromJson(statusJson()).object(),
            QStringLiteral("dependency=%1 via=%2").arg(dependency, via.isEmpty() ? dependency : via));
    } else if (action == "failover") {
        if (!isDb)
            return notDb();
        QString role = body.value(QStringLiteral("role")).toString();
        if (role.isEmpty())
            role = m_role == u"primary" ? QStringLiteral("replica") : QStringLiteral("primary");
        if (role != u"primary" && role != u"replica") {
            done(400, { { QStringLiteral("error"), QStringLiteral("'role' must be primary or replica") } }, {});
            return;
        }
        m_role = role;
        emitEvent(u"role " + m_role);
        done(200, QJsonDocument::fromJson(statusJson()).object(), u"role=" + m_role);
    } else if (action == "restore") {
        if (!isDb)
            return notDb();
        const QString backup = body.value(QStringLiteral("backup")).toString();
        if (!m_backups.contains(backup)) {
            done(404, { { QStringLiteral("error"), QString(u"no backup named '" + backup + u'\'') } }, {});
            return;
        }
        m_checksum = m_backups.value(backup);
        m_integrity = true;
        emitEvent(u"restored " + backup);
        done(200, QJsonDocument::fromJson(statusJson()).object(), u"backup=" + backup);
    } else if (action == "readonly") {
        if (!isDb)
            return notDb();
        if (!body.value(QStringLiteral("on")).isBool()) {
            done(400, { { QStringLiteral("error"), QStringLiteral("'on' must be true or false") } }, {});
            return;
        }
        m_readOnly = body.value(QStringLiteral("on")).toBool();
        done(200, QJsonDocument::fromJson(statusJson()).object(),
            m_readOnly ? QStringLiteral("on") : QStringLiteral("off"));
    } else {
        done(404,
            { { QStringLiteral("error"), QString(u"unknown admin action '" + QString::fromLatin1(action) + u'\'') } },
            {});
    }
}

// A simulated restart: connections drop, the queue empties, transient faults end, the service answers 503 for a
// moment and comes back healthy. A database's data survive it.
void SimTarget::restart()
{
    for (const QPointer<HttpConnection>& held : std::as_const(m_held))
        if (held)
            held->abort();
    m_held.clear();
    m_hang = m_slow = m_garbage = false;
    m_busyUntilMs = 0;
    m_restartingUntilMs = m_clock.elapsed() + m_options.restartMs;
    emitEvent(QStringLiteral("restarted"));
}

void SimTarget::pollDatabases()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_dbs.begin(); it != m_dbs.end(); ++it)
        if (now - it->seenAt > 2 * m_options.dbPollMs + 1000)
            it->fresh = false;
    const int timeoutMs = std::max(200, m_options.dbPollMs * 2);
    for (auto it = m_dbs.cbegin(); it != m_dbs.cend(); ++it) {
        const QString name = it.key();
        // A partition: the path to the dependency is gone, the call's packets vanish and it times out. Nothing
        // reaches the database, which goes on answering everyone else.
        if (m_partitioned.contains(name)) {
            QTimer::singleShot(timeoutMs, this, [this, name] {
                if (m_partitioned.contains(name))
                    m_dbs[name].fresh = false;
            });
            continue;
        }
        QNetworkRequest request(QUrl(it->url + u"/db/status"));
        request.setTransferTimeout(timeoutMs);
        QNetworkReply* reply = m_network->get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, name] {
            reply->deleteLater();
            const QByteArray data = reply->read(64 * 1024);
            const QJsonObject o = QJsonDocument::fromJson(data).object();
            Db& db = m_dbs[name];
            // An answer that raced a partition's start does not count: the path was cut while it travelled.
            if (reply->error() != QNetworkReply::NoError || o.isEmpty() || m_partitioned.contains(name)) {
                db.fresh = false;
                return;
            }
            db.fresh = true;
            db.seenAt = m_clock.elapsed();
            db.role = o.value(QStringLiteral("role")).toString();
            db.integrity = o.value(QStringLiteral("integrity_ok")).toBool();
            db.readOnly = o.value(QStringLiteral("read_only")).toBool();
        });
    }
}

void SimTarget::onStdin()
{
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        // The supervisor is gone: a fleet member never outlives it.
        m_stdin->setEnabled(false);
        log(QStringLiteral("control channel closed, exiting"));
        QCoreApplication::exit(0);
        return;
    }
    m_stdinBuffer.append(buffer, n);
    qsizetype eol;
    while ((eol = m_stdinBuffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_stdinBuffer.left(eol)).trimmed();
        m_stdinBuffer.remove(0, eol + 1);
        if (!line.isEmpty())
            command(line);
    }
}

void SimTarget::command(const QString& line)
{
    const QStringList words = line.split(u' ', Qt::SkipEmptyParts);
    const QString verb = words.value(0);
    const QString kind = words.value(1);
    const bool on = verb == u"fault";
    if (!on && verb != u"clear") {
        log(u"ignoring unknown control line: " + line);
        return;
    }
    const bool all = !on && (kind.isEmpty() || kind == u"all");
    if (all || kind == u"hang") {
        m_hang = on;
        if (!on) {
            for (const QPointer<HttpConnection>& held : std::as_const(m_held))
                if (held)
                    held->abort();
            m_held.clear();
        }
    }
    if (all || kind == u"slow")
        m_slow = on;
    if (all || kind == u"garbage")
        m_garbage = on;
    if (all || kind == u"overload")
        m_overloadSlow = on;
    if (kind == u"partition") {
        const QString dependency = words.value(2);
        if (!m_dbs.contains(dependency)) {
            log(u"ignoring a partition from an unknown dependency: " + line);
            return;
        }
        if (on) {
            m_partitioned.insert(dependency);
        } else {
            m_partitioned.remove(dependency);
        }
    } else if (all) {
        m_partitioned.clear();
    }
    if ((all || kind == u"corruption") && m_options.kind == u"db") {
        if (on) {
            m_integrity = false;
            std::uniform_int_distribution<quint32> flip(1, 0xffffffffu);
            m_checksum ^= flip(m_random);
        } else {
            m_integrity = true;
            m_checksum = m_backups.value(QStringLiteral("pre-upgrade"));
        }
    }
    log(QStringLiteral("control: %1").arg(line));
}

} // namespace FaultDesk
