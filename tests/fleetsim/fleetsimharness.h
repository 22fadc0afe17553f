#pragma once

// Test helpers for faultdesk-fleetsim: start/stop a real fleet, plain HTTP/1.1 on loopback, the HAProxy Runtime API
// and a strict Prometheus text-format line checker.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace FaultDesk::Test {

inline QString fleetsimBinary()
{
    return QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim");
}

/// What one plain HTTP exchange produced.
struct HttpResult
{
    bool connected = false;
    bool complete = false;
    QAbstractSocket::SocketError error = QAbstractSocket::UnknownSocketError;
    int status = 0;
    QByteArray head;
    QByteArray body;
    QByteArray raw;
};

/// One GET (or other method) over a fresh connection with a wall-clock deadline.
inline HttpResult httpRequest(quint16 port, const QByteArray& method, const QByteArray& path, int deadlineMs = 3000,
    const QList<QPair<QByteArray, QByteArray>>& headers = {}, const QByteArray& body = {})
{
    HttpResult r;
    QTcpSocket socket;
    QElapsedTimer clock;
    clock.start();
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(deadlineMs)) {
        r.error = socket.error();
        return r;
    }
    r.connected = true;
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto& [name, value] : headers)
        request += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n" + body;
    socket.write(request);
    while (clock.elapsed() < deadlineMs) {
        socket.waitForReadyRead(int(std::max<qint64>(1, deadlineMs - clock.elapsed())));
        r.raw += socket.readAll();
        const qsizetype end = r.raw.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        r.head = r.raw.left(end);
        static const QRegularExpression lengthRe(
            QStringLiteral("content-length:\\s*(\\d+)"), QRegularExpression::CaseInsensitiveOption);
        const auto m = lengthRe.match(QString::fromLatin1(r.head));
        const qsizetype length = m.hasMatch() ? m.captured(1).toLongLong() : 0;
        if (r.raw.size() >= end + 4 + length) {
            r.body = r.raw.mid(end + 4, length);
            r.status = r.head.mid(9, 3).toInt();
            r.complete = true;
            break;
        }
    }
    r.error = socket.error();
    return r;
}

inline HttpResult httpGet(quint16 port, const QByteArray& path, int deadlineMs = 3000)
{
    return httpRequest(port, "GET", path, deadlineMs);
}

/// Strict check of Prometheus text format 0.0.4; returns an empty string when valid, else "line N: problem".
inline QString checkPrometheusText(const QByteArray& text)
{
    static const QRegularExpression nameRe(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    static const QRegularExpression labelNameRe(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    static const QStringList types = { QStringLiteral("counter"), QStringLiteral("gauge"), QStringLiteral("histogram"),
        QStringLiteral("summary"), QStringLiteral("untyped") };
    if (text.isEmpty())
        return QStringLiteral("empty payload");
    if (!text.endsWith('\n'))
        return QStringLiteral("payload does not end with a newline");
    QHash<QString, QString> typeOf;
    QSet<QString> sampled;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QString where = QStringLiteral("line %1: ").arg(i + 1);
        const QByteArray& raw = lines.at(i);
        for (const char c : raw)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
                return where + QStringLiteral("control character");
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        if (line.startsWith(u'#')) {
            const QStringList w = line.split(u' ');
            if (w.value(1) == u"HELP") {
                if (w.size() < 3 || !nameRe.match(w.at(2)).hasMatch())
                    return where + QStringLiteral("bad HELP line");
            } else if (w.value(1) == u"TYPE") {
                if (w.size() != 4 || !nameRe.match(w.at(2)).hasMatch() || !types.contains(w.at(3)))
                    return where + QStringLiteral("bad TYPE line");
                if (typeOf.contains(w.at(2)) || sampled.contains(w.at(2)))
                    return where + QStringLiteral("TYPE after samples or repeated");
                typeOf.insert(w.at(2), w.at(3));
            }
            continue;
        }
        qsizetype pos = 0;
        while (pos < line.size() && line.at(pos) != u'{' && line.at(pos) != u' ')
            ++pos;
        const QString name = line.left(pos);
        if (!nameRe.match(name).hasMatch())
            return where + u"bad metric name '" + name + u'\'';
        if (pos < line.size() && line.at(pos) == u'{') {
            ++pos;
            QSet<QString> seen;
            while (true) {
                if (pos < line.size() && line.at(pos) == u'}') {
                    ++pos;
                    break;
                }
                qsizetype eq = line.indexOf(u'=', pos);
                if (eq < 0)
                    return where + QStringLiteral("label without '='");
                const QString label = line.mid(pos, eq - pos);
                if (!labelNameRe.match(label).hasMatch() || seen.contains(label))
                    return where + u"bad or repeated label name '" + label + u'\'';
                seen.insert(label);
                pos = eq + 1;
                if (pos >= line.size() || line.at(pos) != u'"')
                    return where + QStringLiteral("label value not quoted");
                ++pos;
                bool closed = false;
                while (pos < line.size()) {
                    const QChar c = line.at(pos);
                    if (c == u'\\') {
                        if (pos + 1 >= line.size() || !QStringLiteral("\\\"n").contains(line.at(pos + 1)))
                            return where + QStringLiteral("bad escape in label value");
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    if (c == u'"') {
                        closed = true;
                        break;
                    }
                }
                if (!closed)
                    return where + QStringLiteral("unterminated label value");
                if (pos < line.size() && line.at(pos) == u',')
                    ++pos;
                else if (pos >= line.size() || line.at(pos) != u'}')
                    return where + QStringLiteral("expected ',' or '}' after a label");
            }
        }
        if (pos >= line.size() || line.at(pos) != u' ')
            return where + QStringLiteral("expected a space before the value");
        const QStringList rest = line.mid(pos + 1).split(u' ');
        if (rest.isEmpty() || rest.size() > 2)
            return where + QStringLiteral("expected a value and an optional timestamp");
        const QString value = rest.at(0);
        bool ok = false;
        value.toDouble(&ok);
        if (!ok && value != u"+Inf" && value != u"-Inf" && value != u"NaN")
            return where + u"bad value '" + value + u'\'';
        if (rest.size() == 2) {
            rest.at(1).toLongLong(&ok);
            if (!ok)
                return where + QStringLiteral("bad timestamp");
        }
        QString family = name;
        for (const QString& suffix : { QStringLiteral("_bucket"), QStringLiteral("_sum"), QStringLiteral("_count") })
            if (name.endsWith(suffix) && typeOf.value(name.chopped(suffix.size())) == u"histogram")
                family = name.chopped(suffix.size());
        if (typeOf.value(family) == u"histogram" && family == name)
            return where + QStringLiteral("histogram sample without _bucket/_sum/_count");
        sampled.insert(family);
    }
    return {};
}

/// Sums the samples of a metric whose label set contains every given label (crude, enough for our own payloads).
inline double sumSamples(const QByteArray& text, const QString& name, const QStringList& labelMatchers = {})
{
    double sum = 0;
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(u'#') || !(line.startsWith(name + u'{') || line.startsWith(name + u' ')))
            continue;
        bool all = true;
        for (const QString& m : labelMatchers)
            all = all && line.contains(m);
        if (all)
            sum += line.section(u' ', -1).toDouble();
    }
    return sum;
}

/// A running demo fleet in a fresh runtime directory; stopped (SIGTERM, then SIGKILL) when destroyed.
class FleetProcess
{
public:
    explicit FleetProcess(const QStringList& extraArgs = {})
    {
        m_dir = m_tmp.path() + QStringLiteral("/rt");
        m_process.setProgram(fleetsimBinary());
        m_process.setArguments(
            QStringList { QStringLiteral("run"), QStringLiteral("--runtime-dir"), m_dir } + extraArgs);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start();
    }
    ~FleetProcess() { stop(); }

    /// Waits for the READY line; false on timeout or exit.
    bool waitReady(int timeoutMs = 30000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(200);
            m_stdout += m_process.readAllStandardOutput();
            if (m_stdout.contains(QByteArray("READY " + QFile::encodeName(m_dir) + '\n'))) {
                readFleet();
                return true;
            }
        }
        qWarning("fleetsim did not become ready: %s", m_process.readAllStandardError().constData());
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    QString dir() const { return m_dir; }
    QProcess& process() { return m_process; }
    QByteArray token() const { return m_token; }
    quint16 port(const QString& target) const { return m_ports.value(target); }
    QStringList targets() const { return m_order; }
    QByteArray fleetYaml() const { return m_yaml; }

    /// Runs `faultdesk-fleetsim ctl --runtime-dir DIR args…`; returns its exit code, stdout in *out.
    int ctl(const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr, int timeoutMs = 20000) const
    {
        QProcess p;
        p.start(fleetsimBinary(), QStringList { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), m_dir } + args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    QJsonObject ctlJson(const QStringList& args) const
    {
        QByteArray out;
        if (ctl(args, &out) != 0)
            return {};
        return QJsonDocument::fromJson(out).object();
    }

    /// One Runtime API command over haproxy.sock.
    QByteArray runtimeApi(const QByteArray& command) const
    {
        QLocalSocket socket;
        socket.connectToServer(m_dir + QStringLiteral("/haproxy.sock"));
        if (!socket.waitForConnected(2000))
            return {};
        socket.write(command + '\n');
        QByteArray out;
        QElapsedTimer clock;
        clock.start();
        while (socket.state() == QLocalSocket::ConnectedState && clock.elapsed() < 3000)
            if (socket.waitForReadyRead(200))
                out += socket.readAll();
        return out + socket.readAll();
    }

    /// HAProxy's view of one server: its status column of `show stat` ("UP", "DOWN", …).
    QByteArray haproxyStatus(const QByteArray& backend, const QByteArray& server) const
    {
        const QList<QByteArray> lines = runtimeApi("show stat").split('\n');
        const QList<QByteArray> header = lines.value(0).mid(2).split(',');
        const qsizetype st = header.indexOf("status");
        for (const QByteArray& line : lines) {
            const QList<QByteArray> f = line.split(',');
            if (f.size() > st && f.at(0) == backend && f.at(1) == server)
                return f.at(st);
        }
        return {};
    }

    QByteArray metrics(const QString& target) const { return httpGet(port(target), "/metrics").body; }

private:
    void readFleet()
    {
        QFile yaml(m_dir + QStringLiteral("/fleet.yaml"));
        if (yaml.open(QIODevice::ReadOnly))
            m_yaml = yaml.readAll();
        static const QRegularExpression re(QStringLiteral(
            "\\n  - name: ([A-Za-z0-9_.-]+)\\n(?:.*\\n)*?\\s+url: 'http://127\\.0\\.0\\.1:(\\d+)/healthz'"));
        const QString text = QString::fromUtf8(m_yaml);
        auto it = re.globalMatch(text.mid(text.indexOf(QStringLiteral("\ntargets:\n"))));
        while (it.hasNext()) {
            const auto m = it.next();
            m_ports.insert(m.captured(1), quint16(m.captured(2).toUInt()));
            m_order << m.captured(1);
        }
        QFile token(m_dir + QStringLiteral("/admin.token"));
        if (token.open(QIODevice::ReadOnly))
            m_token = token.readAll().trimmed();
    }

    QTemporaryDir m_tmp { QDir::tempPath() + QStringLiteral("/fsimXXXXXX") };
    QString m_dir;
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_yaml;
    QByteArray m_token;
    QHash<QString, quint16> m_ports;
    QStringList m_order;
};

} // namespace FaultDesk::Test
