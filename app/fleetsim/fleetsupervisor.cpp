#include "fleetsupervisor.h"

#include "trafficgenerator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QStandardPaths>
#include <QTcpServer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

namespace FaultDesk {

namespace {

const QStringList FaultKinds
    = { QStringLiteral("overload"), QStringLiteral("crash"), QStringLiteral("corruption"), QStringLiteral("attack"),
          QStringLiteral("hang"), QStringLiteral("slow"), QStringLiteral("garbage"), QStringLiteral("partition") };

// The cause an expert would name for each fault: a killed process refuses connections (down); a hung one accepts
// and never answers (unreachable); a partition is the path between two servers that both still answer (network).
QString causeOf(const QString& kind)
{
    if (kind == u"crash")
        return QStringLiteral("down");
    if (kind == u"hang")
        return QStringLiteral("unreachable");
    if (kind == u"partition")
        return QStringLiteral("network");
    if (kind == u"overload")
        return QStringLiteral("overload");
    if (kind == u"corruption")
        return QStringLiteral("data-integrity");
    if (kind == u"attack")
        return QStringLiteral("attack");
    if (kind == u"slow")
        return QStringLiteral("latency");
    return QStringLiteral("unhealthy");
}

QString yamlQuote(const QString& s)
{
    QString out = s;
    out.replace(u'\'', QStringLiteral("''"));
    return u'\'' + out + u'\'';
}

QString ms(qint64 v)
{
    return v % 1000 == 0 ? QString(QString::number(v / 1000) + u's')
                         : QString(QString::number(v) + QStringLiteral("ms"));
}

QString isoTime(const QDateTime& t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

// Runs one Runtime API command over the unix socket and returns its answer (empty on failure).
QByteArray runtimeApi(const QString& socketPath, const QByteArray& command, int timeoutMs = 1000)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(command + '\n');
    socket.waitForBytesWritten(timeoutMs);
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QLocalSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(int(timeoutMs - clock.elapsed())))
            out += socket.readAll();
    }
    out += socket.readAll();
    return out;
}

// Child processes die with their parent: prctl is async-signal-safe, so it is fine between fork and exec.
void dieWithParent(pid_t parent)
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
        ::_exit(1);
}

} // namespace

FleetSupervisor::FleetSupervisor(DemoFleet fleet, SupervisorOptions options, QObject* parent)
    : QObject(parent)
    , m_fleet(std::move(fleet))
    , m_options(std::move(options))
{
    if (m_options.checkInterMs > 0)
        m_fleet.checkInterMs = m_options.checkInterMs;
    m_readyPoll.setInterval(150);
    connect(&m_readyPoll, &QTimer::timeout, this, &FleetSupervisor::checkReady);
    m_expiry.setInterval(250);
    connect(&m_expiry, &QTimer::timeout, this, &FleetSupervisor::expireFaults);
}

FleetSupervisor::~FleetSupervisor()
{
    shutdown();
}

quint16 FleetSupervisor::freePort() const
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool FleetSupervisor::writeFile(
    const QString& name, const QByteArray& data, QFile::Permissions permissions, QString* error) const
{
    const QString path = m_dir + u'/' + name;
    QFile file(path + QStringLiteral(".tmp"));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || !file.setPermissions(permissions)
        || file.write(data) != data.size() || !file.flush()) {
        *error = path + u": " + file.errorString();
        return false;
    }
    file.close();
    QFile::remove(path);
    if (!QFile::rename(path + QStringLiteral(".tmp"), path)) {
        *error = path + QStringLiteral(": cannot rename into place");
        return false;
    }
    return true;
}

bool FleetSupervisor::prepareDirectory(QString* error)
{
    if (m_options.runtimeDir.isEmpty()) {
        QString base = qEnvironmentVariable("XDG_RUNTIME_DIR");
        if (base.isEmpty() || !QFileInfo(base).isDir() || !QFileInfo(base).isWritable())
            base = QStringLiteral("/tmp");
        QByteArray pattern = QFile::encodeName(base + QStringLiteral("/faultdesk-fleetsim-XXXXXX"));
        if (!::mkdtemp(pattern.data())) {
            *error = base + QStringLiteral(": cannot create a runtime directory");
            return false;
        }
        m_dir = QFile::decodeName(pattern);
        m_ownsDir = true;
    } else {
        m_dir = QFileInfo(m_options.runtimeDir).absoluteFilePath();
        if (!QDir().mkpath(m_dir)) {
            *error = m_dir + QStringLiteral(": cannot create the runtime directory");
            return false;
        }
    }
    QFile(m_dir).setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if ((m_dir + QStringLiteral("/haproxy.sock")).toUtf8().size() >= 100) {
        *error = m_dir + QStringLiteral(": path too long for a unix socket (keep it under 85 characters)");
        return false;
    }
    QDir(m_dir).mkpath(QStringLiteral("logs"));
    // A fresh token per run: 32 bytes from the kernel's CSPRNG, hex; 4 more seed the database checksum.
    QByteArray raw(36, Qt::Uninitialized);
    qsizetype got = 0;
    while (got < raw.size()) {
        const ssize_t n = ::getrandom(raw.data() + got, size_t(raw.size() - got), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = QStringLiteral("no random bytes for the admin token: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        got += n;
    }
    m_token = raw.left(32).toHex();
    std::memcpy(&m_checksum, raw.constData() + 32, sizeof(quint32));
    return writeFile(QStringLiteral("admin.token"), m_token + '\n', QFile::ReadOwner | QFile::WriteOwner, error)
        && writeFile(QStringLiteral("blocked.acl"), {}, QFile::ReadOwner | QFile::WriteOwner, error);
}

bool FleetSupervisor::start(QString* error)
{
    m_startClock.start();
    if (!prepareDirectory(error))
        return false;
    for (const DemoTarget& t : std::as_const(m_fleet.targets)) {
        auto child = std::make_unique<Child>();
        child->spec = t;
        child->port = freePort();
        m_children.push_back(std::move(child));
    }
    for (auto& c : m_children)
        if (!spawn(*c, error))
            return false;
    if (!startControl(error))
        return false;
    m_readyPoll.start();
    m_expiry.start();
    return true;
}

FleetSupervisor::Child* FleetSupervisor::child(const QString& name)
{
    for (auto& c : m_children)
        if (c->spec.name == name)
            return c.get();
    return nullptr;
}

bool FleetSupervisor::spawn(Child& c, QString* error)
{
    if (c.process) {
        c.process->disconnect(this);
        c.process->deleteLater();
    }
    c.listening = false;
    c.crashed = false;
    c.stdoutBuffer.clear();
    auto* process = new QProcess(this);
    c.process = process;
    QStringList args = { QStringLiteral("serve"), QStringLiteral("--name"), c.spec.name, QStringLiteral("--kind"),
        c.spec.kind, QStringLiteral("--port"), QString::number(c.port), QStringLiteral("--capacity"),
        QString::number(c.spec.capacityRps * m_options.rateScale), QStringLiteral("--slow-factor"),
        QString::number(m_fleet.overloadSlowFactor), QStringLiteral("--token-file"),
        m_dir + QStringLiteral("/admin.token"), QStringLiteral("--trickle-ms"),
        QString::number(m_fleet.slowByteIntervalMs) };
    if (c.spec.kind == u"db")
        args << QStringLiteral("--role") << c.spec.role << QStringLiteral("--checksum") << QString::number(m_checksum);
    if (c.spec.kind == u"api")
        for (const auto& other : m_children)
            if (other->spec.kind == u"db")
                args << QStringLiteral("--db")
                     << QStringLiteral("%1=http://127.0.0.1:%2").arg(other->spec.name).arg(other->port);
    process->setProgram(m_options.executable);
    process->setArguments(args);
    process->setStandardErrorFile(
        m_dir + QStringLiteral("/logs/") + c.spec.name + QStringLiteral(".log"), QIODevice::Append);
    const pid_t self = ::getpid();
    process->setChildProcessModifier([self] { dieWithParent(self); });
    Child* cp = &c;
    connect(process, &QProcess::readyReadStandardOutput, this, [this, cp] { onChildOutput(*cp); });
    connect(process, &QProcess::finished, this, [this, cp, process](int code, QProcess::ExitStatus status) {
        if (cp->process == process)
            onChildFinished(*cp, code, status);
    });
    process->start();
    if (!process->waitForStarted(5000)) {
        *error
            = c.spec.name + QStringLiteral(": cannot start ") + m_options.executable + u": " + process->errorString();
        return false;
    }
    return true;
}

void FleetSupervisor::onChildOutput(Child& c)
{
    c.stdoutBuffer += c.process->readAllStandardOutput();
    qsizetype eol;
    while ((eol = c.stdoutBuffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(c.stdoutBuffer.left(eol)).trimmed();
        c.stdoutBuffer.remove(0, eol + 1);
        if (line.startsWith(u"LISTENING ")) {
            c.listening = true;
        } else if (line == u"EVENT restarted") {
            for (qsizetype i = m_faults.size() - 1; i >= 0; --i) {
                const Fault& f = m_faults.at(i);
                if (f.target == c.spec.name && (f.kind == u"hang" || f.kind == u"slow" || f.kind == u"garbage"))
                    m_faults.removeAt(i);
            }
        } else if (line.startsWith(u"EVENT restored ")) {
            for (qsizetype i = m_faults.size() - 1; i >= 0; --i)
                if (m_faults.at(i).target == c.spec.name && m_faults.at(i).kind == u"corruption")
                    m_faults.removeAt(i);
        }
    }
}

void FleetSupervisor::onChildFinished(Child& c, int exitCode, QProcess::ExitStatus status)
{
    c.listening = false;
    if (m_stopping)
        return;
    if (!m_ready && status == QProcess::NormalExit && exitCode == 3) {
        // Lost a race for the port before the fleet was up: take another one.
        c.port = freePort();
        QString error;
        if (!spawn(c, &error))
            Q_EMIT failed(error);
        return;
    }
    if (c.crashed)
        return;
    c.crashed = true;
    std::fprintf(stderr, "fleetsim: %s exited unexpectedly (%s %d)\n", qPrintable(c.spec.name),
        status == QProcess::NormalExit ? "status" : "signal", exitCode);
    if (!m_ready) {
        Q_EMIT failed(c.spec.name + QStringLiteral(" exited during start-up; see ") + m_dir + QStringLiteral("/logs/")
            + c.spec.name + QStringLiteral(".log"));
        return;
    }
    Fault f { QStringLiteral("crash"), c.spec.name, c.spec.name, QStringLiteral("down"), {}, { c.spec.name },
        QDateTime::currentDateTimeUtc(), {}, false, {} };
    m_faults << f;
}

QString FleetSupervisor::haproxyConfig() const
{
    const qint64 inter = m_fleet.checkInterMs;
    QString cfg;
    cfg += QStringLiteral("# written by faultdesk-fleetsim for the demo fleet; regenerated on every start\n"
                          "global\n"
                          "    stats socket %1/haproxy.sock mode 600 level admin\n"
                          "    stats timeout 30s\n"
                          "    maxconn 4096\n\n"
                          "defaults\n"
                          "    mode http\n"
                          "    timeout connect 1s\n"
                          "    timeout client 30s\n"
                          "    timeout server %2\n"
                          "    timeout http-request 10s\n"
                          "    timeout http-keep-alive 30s\n"
                          "    timeout check %3\n"
                          "    option forwardfor\n"
                          "    option http-keep-alive\n"
                          "    default-server inter %4 fastinter %5 downinter %4 rise %6 fall %7 weight 100\n\n"
                          "frontend fleet\n"
                          "    bind 127.0.0.1:%8\n"
                          "    http-request deny if { src -f %1/blocked.acl }\n"
                          "    use_backend api if { path_beg /api/ }\n"
                          "    default_backend web\n")
               .arg(m_dir, ms(m_fleet.timeoutServerMs), ms(std::min<qint64>(inter, 1000)), ms(inter),
                   ms(std::max<qint64>(100, inter / 2)))
               .arg(m_fleet.checkRise)
               .arg(m_fleet.checkFall)
               .arg(m_frontendPort);
    for (const QString& backend : m_fleet.backends()) {
        cfg += QStringLiteral("\nbackend %1\n"
                              "    balance roundrobin\n"
                              "    option httpchk\n"
                              "    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost\n"
                              "    http-check expect status 200\n")
                   .arg(backend);
        for (const auto& c : m_children)
            if (c->spec.backend == backend)
                cfg += QStringLiteral("    server %1 127.0.0.1:%2 check\n").arg(c->spec.name).arg(c->port);
    }
    return cfg;
}

bool FleetSupervisor::startHaproxy(QString* error)
{
    QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (haproxy.isEmpty())
        haproxy = QStandardPaths::findExecutable(
            QStringLiteral("haproxy"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin") });
    if (haproxy.isEmpty()) {
        *error = QStringLiteral("haproxy not found in PATH or /usr/sbin (apt-get install haproxy)");
        return false;
    }
    m_frontendPort = freePort();
    if (!writeFile(
            QStringLiteral("haproxy.cfg"), haproxyConfig().toUtf8(), QFile::ReadOwner | QFile::WriteOwner, error))
        return false;
    QFile::remove(m_dir + QStringLiteral("/haproxy.sock"));
    m_haproxy = new QProcess(this);
    m_haproxy->setProgram(haproxy);
    m_haproxy->setArguments({ QStringLiteral("-db"), QStringLiteral("-f"), m_dir + QStringLiteral("/haproxy.cfg") });
    m_haproxy->setStandardOutputFile(m_dir + QStringLiteral("/logs/haproxy.log"), QIODevice::Append);
    m_haproxy->setStandardErrorFile(m_dir + QStringLiteral("/logs/haproxy.log"), QIODevice::Append);
    const pid_t self = ::getpid();
    m_haproxy->setChildProcessModifier([self] { dieWithParent(self); });
    connect(m_haproxy, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        if (m_stopping)
            return;
        std::fprintf(stderr, "fleetsim: haproxy exited (%d); see %s/logs/haproxy.log\n", code, qPrintable(m_dir));
        Q_EMIT failed(QStringLiteral("haproxy exited with status %1; see %2/logs/haproxy.log").arg(code).arg(m_dir));
    });
    m_haproxy->start();
    if (!m_haproxy->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start haproxy: ") + m_haproxy->errorString();
        return false;
    }
    return true;
}

bool FleetSupervisor::serversUp(QString* why) const
{
    const QByteArray stat = runtimeApi(m_dir + QStringLiteral("/haproxy.sock"), QByteArrayLiteral("show stat"), 500);
    if (stat.isEmpty()) {
        *why = QStringLiteral("haproxy's Runtime API does not answer yet");
        return false;
    }
    const QList<QByteArray> lines = stat.split('\n');
    const QList<QByteArray> header = lines.constFirst().mid(2).split(',');
    const qsizetype px = header.indexOf("pxname"), sv = header.indexOf("svname"), st = header.indexOf("status"),
                    ck = header.indexOf("check_status");
    if (px < 0 || sv < 0 || st < 0 || ck < 0) {
        *why = QStringLiteral("unexpected 'show stat' answer");
        return false;
    }
    int up = 0;
    for (const QByteArray& line : lines) {
        const QList<QByteArray> f = line.split(',');
        if (f.size() <= std::max({ px, sv, st, ck }) || f.at(sv) == "FRONTEND" || f.at(sv) == "BACKEND"
            || line.startsWith('#'))
            continue;
        if (!f.at(st).startsWith("UP") || f.at(ck) != "L7OK") {
            *why = QString::fromLatin1(f.at(px) + '/' + f.at(sv) + " is " + f.at(st) + " (" + f.at(ck) + ')');
            return false;
        }
        ++up;
    }
    return up > 0;
}

void FleetSupervisor::checkReady()
{
    if (m_ready || m_stopping)
        return;
    if (m_startClock.elapsed() > m_options.readyTimeoutMs) {
        m_readyPoll.stop();
        Q_EMIT failed(QStringLiteral("the fleet did not come up within %1 ms").arg(m_options.readyTimeoutMs));
        return;
    }
    for (const auto& c : m_children)
        if (!c->listening)
            return;
    if (!m_haproxy) {
        QString error;
        if (!startHaproxy(&error)) {
            m_readyPoll.stop();
            Q_EMIT failed(error);
        }
        return;
    }
    QString why;
    if (!serversUp(&why))
        return;
    m_readyPoll.stop();
    QString error;
    QJsonObject controlJson { { QStringLiteral("control_url"),
                                  QStringLiteral("http://127.0.0.1:%1").arg(m_controlPort) },
        { QStringLiteral("pid"), qint64(QCoreApplication::applicationPid()) },
        { QStringLiteral("frontend_url"), QStringLiteral("http://127.0.0.1:%1").arg(m_frontendPort) },
        { QStringLiteral("haproxy_socket"), QString(m_dir + QStringLiteral("/haproxy.sock")) } };
    if (!writeFile(QStringLiteral("fleet.yaml"), fleetYaml().toUtf8(), QFile::ReadOwner | QFile::WriteOwner, &error)
        || !writeFile(QStringLiteral("control.json"), QJsonDocument(controlJson).toJson(),
            QFile::ReadOwner | QFile::WriteOwner, &error)) {
        Q_EMIT failed(error);
        return;
    }
    if (m_options.traffic) {
        TrafficShape shape;
        double web = 0, api = 0;
        for (const DemoTarget& t : std::as_const(m_fleet.targets)) {
            if (t.backend == u"web")
                web += t.capacityRps;
            else if (t.backend == u"api")
                api += t.capacityRps;
        }
        shape.webRps = web * m_fleet.utilisation * m_options.rateScale;
        shape.apiRps = api * m_fleet.utilisation * m_options.rateScale;
        shape.waveAmplitude = m_fleet.waveAmplitude;
        shape.wavePeriodMs = m_fleet.wavePeriodMs;
        shape.writeShare = m_fleet.writeShare;
        for (int i = 0; i < m_fleet.sources; ++i)
            shape.sources << QHostAddress(m_fleet.firstSource.toIPv4Address() + quint32(i));
        m_traffic = new TrafficGenerator(m_frontendPort, shape, this);
        m_traffic->start();
    }
    m_ready = true;
    std::printf("READY %s\n", qPrintable(m_dir));
    std::fflush(stdout);
    std::fprintf(stderr, "fleetsim: ready in %lld ms: frontend http://127.0.0.1:%u, control http://127.0.0.1:%u\n",
        static_cast<long long>(m_startClock.elapsed()), unsigned(m_frontendPort), unsigned(m_controlPort));
    Q_EMIT ready();
}

QString FleetSupervisor::fleetYaml() const
{
    const QString d = m_dir;
    QString y;
    y += QStringLiteral("# Written by faultdesk-fleetsim for its demo fleet (runtime directory %1).\n"
                        "version: 1\n\n"
                        "defaults:\n"
                        "  interval: 1s\n"
                        "  timeout: 1s\n"
                        "  attempts: 2\n"
                        "  retry_interval: 500ms\n"
                        "  stale_after: 3s\n\n"
                        "haproxy:\n"
                        "  - name: lb\n"
                        "    socket: %2\n"
                        "    block_acl: %3\n\n"
                        "targets:\n")
             .arg(d, yamlQuote(d + QStringLiteral("/haproxy.sock")), yamlQuote(d + QStringLiteral("/blocked.acl")));
    for (const auto& c : m_children) {
        const DemoTarget& t = c->spec;
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(c->port);
        QStringList labels;
        for (auto it = t.labels.cbegin(); it != t.labels.cend(); ++it)
            labels << it.key() + QStringLiteral(": ") + yamlQuote(it.value());
        y += QStringLiteral("  - name: %1\n"
                            "    group: %2\n"
                            "    address: 127.0.0.1\n"
                            "    priority: %3\n"
                            "    labels: { %4 }\n"
                            "    probes:\n"
                            "      - kind: http\n"
                            "        url: %5\n"
                            "        expect_status: 200\n"
                            "        body_match: ok\n"
                            "      - kind: metrics\n"
                            "        url: %6\n"
                            "    signals:\n"
                            "      - name: load\n"
                            "        gauge: fleetsim_utilisation\n"
                            "        threshold: { above: 0.85, clear: 0.70 }\n"
                            "      - name: rps\n"
                            "        rate: http_requests_total\n"
                            "      - name: error_rate\n"
                            "        ratio: { num: 'http_requests_total{code=~\"5..\"}', den: http_requests_total }\n"
                            "        threshold: { above: 0.05, clear: 0.01 }\n"
                            "      - name: p95_latency\n"
                            "        quantile: { histogram: http_request_duration_seconds, q: 0.95 }\n"
                            "        threshold: { above: 1.5, clear: 0.8, adaptive: true }\n")
                 .arg(t.name, t.group)
                 .arg(t.priority)
                 .arg(labels.join(QStringLiteral(", ")), yamlQuote(base + QStringLiteral("/healthz")),
                     yamlQuote(base + QStringLiteral("/metrics")));
        if (t.kind == u"web" || t.kind == u"api")
            y += QStringLiteral("      - name: sources\n"
                                "        rate: http_requests_by_source_total\n"
                                "        by: source\n");
        if (t.kind == u"db")
            y += QStringLiteral("      - name: integrity\n"
                                "        gauge: db_integrity_ok\n"
                                "        threshold: { below: 1, clear: 1 }\n"
                                "        cause: data-integrity\n");
        // The target's own view of each dependency it calls: a breach is a link fault between the two.
        if (t.kind == u"api")
            for (const QString& dep : t.dependsOn)
                y += QStringLiteral("      - name: link_%1\n"
                                    "        gauge: 'fleetsim_dependency_up{dependency=\"%1\"}'\n"
                                    "        threshold: { below: 0.5, clear: 0.5 }\n"
                                    "        link: %1\n")
                         .arg(dep);
        if (!t.dependsOn.isEmpty())
            y += QStringLiteral("    depends_on: [%1]\n").arg(t.dependsOn.join(QStringLiteral(", ")));
        if (!t.backend.isEmpty())
            y += QStringLiteral("    haproxy: { instance: lb, backend: %1, server: %2 }\n").arg(t.backend, t.name);
        y += QStringLiteral("    admin:\n"
                            "      url: %1\n"
                            "      token: { file: %2 }\n")
                 .arg(yamlQuote(base + QStringLiteral("/admin")), yamlQuote(d + QStringLiteral("/admin.token")));
        if (t.kind == u"db")
            y += QStringLiteral("      status: %1\n").arg(yamlQuote(base + QStringLiteral("/db/status")));
        y += QStringLiteral("    commands:\n"
                            "      start: [%1, ctl, --runtime-dir, %2, start, '{target}']\n"
                            "      restart: [%1, ctl, --runtime-dir, %2, restart, '{target}']\n")
                 .arg(yamlQuote(m_options.executable), yamlQuote(d));
    }
    return y;
}

bool FleetSupervisor::authorised(const QHttpServerRequest& request) const
{
    const QByteArray auth = request.value(QByteArrayLiteral("Authorization"));
    const QByteArray expected = "Bearer " + m_token;
    if (auth.size() != expected.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < auth.size(); ++i)
        diff |= static_cast<unsigned char>(auth.at(i) ^ expected.at(i));
    return diff == 0;
}

bool FleetSupervisor::startControl(QString* error)
{
    const auto method = QHttpServerRequest::Method::Post;
    const QStringList posts
        = { QStringLiteral("inject"), QStringLiteral("clear"), QStringLiteral("start"), QStringLiteral("restart") };
    for (const QString& action : posts)
        m_control.route(u'/' + action, method,
            [this, action](const QHttpServerRequest& request) { return control(action, request); });
    for (const QString& action : { QStringLiteral("truth"), QStringLiteral("status") })
        m_control.route(u'/' + action, QHttpServerRequest::Method::Get,
            [this, action](const QHttpServerRequest& request) { return control(action, request); });
    m_controlPort = m_control.listen(QHostAddress::LocalHost, 0);
    if (m_controlPort == 0) {
        *error = QStringLiteral("cannot open the control endpoint on 127.0.0.1");
        return false;
    }
    return true;
}

QHttpServerResponse FleetSupervisor::control(const QString& action, const QHttpServerRequest& request)
{
    using Code = QHttpServerResponder::StatusCode;
    if (!authorised(request)) {
        std::fprintf(stderr, "fleetsim: control %s refused: missing or wrong token\n", qPrintable(action));
        return QHttpServerResponse(
            QJsonObject { { QStringLiteral("error"), QStringLiteral("missing or wrong bearer token") } },
            Code::Unauthorized);
    }
    if (!m_ready)
        return QHttpServerResponse(
            QJsonObject { { QStringLiteral("error"), QStringLiteral("the fleet is still starting") } },
            Code::ServiceUnavailable);
    QJsonObject body;
    if (!request.body().trimmed().isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(request.body());
        if (!doc.isObject())
            return QHttpServerResponse(
                QJsonObject { { QStringLiteral("error"), QStringLiteral("the body must be a JSON object") } },
                Code::BadRequest);
        body = doc.object();
    }
    int code = 200;
    QJsonObject answer;
    if (action == u"truth")
        answer = truth();
    else if (action == u"status")
        answer = status();
    else if (action == u"inject")
        answer = inject(body, &code);
    else if (action == u"clear")
        answer = clear(
            body.value(QStringLiteral("what")).toString(), body.value(QStringLiteral("target")).toString(), &code);
    else
        answer = startTarget(body.value(QStringLiteral("target")).toString(), action == u"restart", &code);
    std::fprintf(stderr, "fleetsim: control %s %s -> %d\n", qPrintable(action),
        QJsonDocument(body).toJson(QJsonDocument::Compact).constData(), code);
    return QHttpServerResponse(answer, static_cast<Code>(code));
}

void FleetSupervisor::tellChild(const QString& name, const QByteArray& line)
{
    Child* c = child(name);
    if (c && c->process && c->process->state() == QProcess::Running)
        c->process->write(line + '\n');
}

QJsonObject FleetSupervisor::inject(const QJsonObject& body, int* status)
{
    const QString kind = body.value(QStringLiteral("kind")).toString();
    QString target = body.value(QStringLiteral("target")).toString();
    const double durationS = body.value(QStringLiteral("duration_s")).toDouble(0);
    auto bad = [status](int code, const QString& why) {
        *status = code;
        return QJsonObject { { QStringLiteral("error"), why } };
    };
    if (!FaultKinds.contains(kind))
        return bad(400, u"unknown fault kind '" + kind + u"' (one of " + FaultKinds.join(QStringLiteral(", ")) + u')');
    if (durationS < 0)
        return bad(400, QStringLiteral("duration must not be negative"));
    Fault f;
    f.kind = kind;
    f.cause = causeOf(kind);
    f.since = QDateTime::currentDateTimeUtc();
    if (durationS > 0)
        f.until = f.since.addMSecs(qint64(durationS * 1000));
    if (kind == u"attack") {
        if (target.isEmpty())
            target = m_fleet.attackDefault;
        if (!m_fleet.backends().contains(target))
            return bad(400,
                u"attack target must be a backend (" + m_fleet.backends().join(QStringLiteral(", ")) + u"), not '"
                    + target + u'\'');
        f.target = f.rootCause = target;
        f.sources = m_fleet.attackSources;
        for (const auto& c : m_children)
            if (c->spec.backend == target)
                f.targets << c->spec.name;
    } else {
        if (target.isEmpty())
            target = kind == u"overload" ? m_fleet.overloadDefault
                : kind == u"corruption"  ? m_fleet.corruptionDefault
                : kind == u"partition"   ? m_fleet.partitionDefault
                                         : QString();
        if (target.isEmpty())
            return bad(
                400, u"fault '" + kind + u"' needs a target (" + m_fleet.names().join(QStringLiteral(", ")) + u')');
        Child* c = child(target);
        if (!c)
            return bad(400, u"unknown target '" + target + u"' (" + m_fleet.names().join(QStringLiteral(", ")) + u')');
        if (kind == u"overload" && c->spec.kind != u"web")
            return bad(400, u"overload slows one web server; '" + target + u"' is not one");
        if (kind == u"corruption" && c->spec.kind != u"db")
            return bad(400, u"corruption needs a database; '" + target + u"' is not one");
        if (kind == u"partition") {
            // Only a path the server really uses can be cut: one of its configured dependencies it calls.
            f.dependency = body.value(QStringLiteral("dependency")).toString();
            if (c->spec.kind != u"api" || c->spec.dependsOn.isEmpty())
                return bad(400, u"partition cuts a server from a dependency it calls; '" + target + u"' calls none");
            if (f.dependency.isEmpty())
                f.dependency = c->spec.dependsOn.constFirst();
            if (!c->spec.dependsOn.contains(f.dependency))
                return bad(400,
                    u"'" + target + u"' does not depend on '" + f.dependency + u"' ("
                        + c->spec.dependsOn.join(QStringLiteral(", ")) + u')');
        }
        if (c->crashed && kind != u"crash")
            return bad(409, target + u" is down; start it first");
        f.target = f.rootCause = target;
        f.targets << target;
        if (kind == u"overload")
            for (const auto& o : m_children)
                if (o->spec.backend == c->spec.backend && o->spec.name != target)
                    f.targets << o->spec.name;
        if (kind == u"corruption")
            for (const auto& o : m_children)
                if (o->spec.dependsOn.contains(target))
                    f.targets << o->spec.name;
    }
    // Injecting a fault that is already active only moves its end.
    for (Fault& existing : m_faults)
        if (existing.kind == kind && existing.target == f.target && existing.dependency == f.dependency) {
            existing.until = f.until;
            *status = 200;
            return QJsonObject { { QStringLiteral("ok"), true },
                { QStringLiteral("note"), QStringLiteral("already active") } };
        }
    if (kind == u"crash") {
        Child* c = child(target);
        if (c->crashed)
            return bad(409, target + QStringLiteral(" is already down"));
        c->crashed = true;
        c->listening = false;
        if (c->process)
            c->process->kill();
    } else if (kind == u"overload") {
        if (m_traffic)
            m_traffic->setFactor(m_fleet.overloadFactor);
        tellChild(target, QByteArrayLiteral("fault overload"));
    } else if (kind == u"attack") {
        if (m_traffic)
            m_traffic->startAttack(m_fleet.attackSources, m_fleet.attackRpsPerSource * m_options.rateScale, target);
    } else if (kind == u"partition") {
        tellChild(target, "fault partition " + f.dependency.toUtf8());
    } else {
        tellChild(target, "fault " + kind.toUtf8());
    }
    m_faults << f;
    *status = 200;
    return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("kind"), kind },
        { QStringLiteral("target"), f.target }, { QStringLiteral("since"), isoTime(f.since) } };
}

void FleetSupervisor::endFault(qsizetype index)
{
    const Fault f = m_faults.takeAt(index);
    if (f.kind == u"crash") {
        int status = 0;
        startTarget(f.target, false, &status);
    } else if (f.kind == u"overload") {
        bool more = false;
        for (const Fault& other : std::as_const(m_faults))
            more = more || other.kind == u"overload";
        if (m_traffic && !more)
            m_traffic->setFactor(1);
        tellChild(f.target, QByteArrayLiteral("clear overload"));
    } else if (f.kind == u"attack") {
        if (m_traffic)
            m_traffic->stopAttack();
    } else if (f.kind == u"partition") {
        tellChild(f.target, "clear partition " + f.dependency.toUtf8());
    } else {
        tellChild(f.target, "clear " + f.kind.toUtf8());
    }
}

QJsonObject FleetSupervisor::clear(const QString& what, const QString& target, int* status)
{
    const bool isKind = FaultKinds.contains(what);
    const bool isTarget = child(what) || m_fleet.backends().contains(what);
    if (!what.isEmpty() && !isKind && !isTarget) {
        *status = 400;
        return QJsonObject { { QStringLiteral("error"),
            QString(u"'" + what + u"' is neither a fault kind nor a target") } };
    }
    if (!target.isEmpty() && !child(target) && !m_fleet.backends().contains(target)) {
        *status = 400;
        return QJsonObject { { QStringLiteral("error"), QString(u"unknown target '" + target + u'\'') } };
    }
    int cleared = 0;
    for (qsizetype i = m_faults.size() - 1; i >= 0; --i) {
        const Fault& f = m_faults.at(i);
        const bool matches = what.isEmpty() || f.kind == what || f.target == what || f.rootCause == what;
        if (matches && (target.isEmpty() || f.target == target)) {
            endFault(i);
            ++cleared;
        }
    }
    *status = 200;
    return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("cleared"), cleared } };
}

QJsonObject FleetSupervisor::startTarget(const QString& name, bool restart, int* status)
{
    Child* c = child(name);
    if (!c) {
        *status = 400;
        return QJsonObject { { QStringLiteral("error"),
            QString(u"unknown target '" + name + u"' (" + m_fleet.names().join(QStringLiteral(", ")) + u')') } };
    }
    const bool running = c->process && c->process->state() != QProcess::NotRunning && !c->crashed;
    if (running && !restart) {
        *status = 200;
        return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("state"), QStringLiteral("running") },
            { QStringLiteral("note"), QStringLiteral("already running") } };
    }
    if (c->process && c->process->state() != QProcess::NotRunning) {
        c->crashed = true; // so its exit is not reported as a new crash
        c->process->disconnect(this);
        c->process->kill();
        c->process->waitForFinished(2000);
    }
    for (qsizetype i = m_faults.size() - 1; i >= 0; --i) {
        const Fault& f = m_faults.at(i);
        if (f.target == name && (f.kind == u"crash" || f.kind == u"hang" || f.kind == u"slow" || f.kind == u"garbage"))
            m_faults.removeAt(i);
    }
    QString error;
    if (!spawn(*c, &error)) {
        *status = 500;
        c->crashed = true;
        return QJsonObject { { QStringLiteral("error"), error } };
    }
    // A database comes back from its disk: a corrupted one stays corrupted until restored.
    for (const Fault& f : std::as_const(m_faults))
        if (f.target == name && (f.kind == u"corruption" || f.kind == u"overload"))
            tellChild(name, "fault " + f.kind.toUtf8());
        else if (f.target == name && f.kind == u"partition")
            tellChild(name, "fault partition " + f.dependency.toUtf8()); // the path is outside the process
    *status = 202;
    return QJsonObject { { QStringLiteral("ok"), true }, { QStringLiteral("state"), QStringLiteral("starting") } };
}

void FleetSupervisor::expireFaults()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (qsizetype i = m_faults.size() - 1; i >= 0; --i)
        if (m_faults.at(i).until.isValid() && m_faults.at(i).until <= now)
            endFault(i);
}

QJsonObject FleetSupervisor::truth() const
{
    QJsonArray faults;
    for (const Fault& f : m_faults) {
        QJsonObject o { { QStringLiteral("kind"), f.kind }, { QStringLiteral("target"), f.target },
            { QStringLiteral("root_cause"), f.rootCause }, { QStringLiteral("cause"), f.cause },
            { QStringLiteral("sources"), QJsonArray::fromStringList(f.sources) },
            { QStringLiteral("targets"), QJsonArray::fromStringList(f.targets) },
            { QStringLiteral("since"), isoTime(f.since) }, { QStringLiteral("injected"), f.injected } };
        if (f.until.isValid())
            o.insert(QStringLiteral("until"), isoTime(f.until));
        if (!f.dependency.isEmpty())
            o.insert(QStringLiteral("dependency"), f.dependency);
        faults.append(o);
    }
    return QJsonObject { { QStringLiteral("faults"), faults } };
}

QJsonObject FleetSupervisor::status() const
{
    QJsonArray targets;
    for (const auto& c : m_children) {
        const bool running = c->process && c->process->state() == QProcess::Running && !c->crashed;
        targets.append(QJsonObject { { QStringLiteral("name"), c->spec.name }, { QStringLiteral("kind"), c->spec.kind },
            { QStringLiteral("port"), int(c->port) },
            { QStringLiteral("pid"), running ? qint64(c->process->processId()) : 0 },
            { QStringLiteral("state"),
                !running           ? QStringLiteral("down")
                    : c->listening ? QStringLiteral("running")
                                   : QStringLiteral("starting") } });
    }
    QJsonObject o { { QStringLiteral("runtime_dir"), m_dir }, { QStringLiteral("targets"), targets },
        { QStringLiteral("frontend_url"), QStringLiteral("http://127.0.0.1:%1").arg(m_frontendPort) },
        { QStringLiteral("haproxy_pid"), m_haproxy ? qint64(m_haproxy->processId()) : 0 } };
    if (m_traffic)
        o.insert(QStringLiteral("traffic"),
            QJsonObject { { QStringLiteral("sent"), double(m_traffic->sent()) },
                { QStringLiteral("answered"), double(m_traffic->answered()) },
                { QStringLiteral("dropped"), double(m_traffic->dropped()) } });
    return o;
}

void FleetSupervisor::shutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_readyPoll.stop();
    m_expiry.stop();
    if (m_traffic)
        m_traffic->stop();
    QList<QProcess*> all;
    for (auto& c : m_children)
        if (c->process && c->process->state() != QProcess::NotRunning) {
            c->process->closeWriteChannel();
            c->process->terminate();
            all << c->process;
        }
    if (m_haproxy && m_haproxy->state() != QProcess::NotRunning) {
        m_haproxy->terminate();
        all << m_haproxy;
    }
    for (QProcess* p : std::as_const(all))
        if (!p->waitForFinished(2000)) {
            p->kill();
            p->waitForFinished(2000);
        }
    QFile::remove(m_dir + QStringLiteral("/control.json"));
    QFile::remove(m_dir + QStringLiteral("/haproxy.sock"));
    if (m_ownsDir && !m_dir.isEmpty())
        QDir(m_dir).removeRecursively();
}

} // namespace FaultDesk
