#include "controlclient.h"

#include "demofleet.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <cstdio>

namespace FaultDesk {

namespace {

const QStringList Kinds
    = { QStringLiteral("overload"), QStringLiteral("crash"), QStringLiteral("corruption"), QStringLiteral("attack"),
          QStringLiteral("hang"), QStringLiteral("slow"), QStringLiteral("garbage"), QStringLiteral("partition") };

int usage(const QString& why)
{
    std::fprintf(stderr,
        "faultdesk-fleetsim ctl: %s\n"
        "usage: faultdesk-fleetsim ctl --runtime-dir DIR COMMAND\n"
        "  inject KIND [TARGET] [--duration 30s]   KIND: %s\n"
        "  inject partition [TARGET] [--to DEP]    TARGET loses its network path to DEP (default: its first\n"
        "                                          dependency); both still answer everyone else\n"
        "  clear [KIND|TARGET]                     end faults (all without an argument)\n"
        "  heal [TARGET]                           end partitions (of TARGET), like clear partition\n"
        "  start NAME                              start a stopped (crashed) target, like systemctl start\n"
        "  restart NAME                            kill and start a target\n"
        "  truth                                   print the active faults as JSON\n"
        "  status                                  print the targets' ports, pids and states as JSON\n",
        qPrintable(why), qPrintable(Kinds.join(QStringLiteral(", "))));
    return 2;
}

void print(const QJsonObject& o)
{
    std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

} // namespace

ControlClient::ControlClient(QString runtimeDir)
    : m_dir(std::move(runtimeDir))
{ }

int ControlClient::request(const QByteArray& method, const QString& path, const QJsonObject& body, QJsonObject* answer)
{
    QNetworkAccessManager network;
    QNetworkRequest req(QUrl(m_url + path));
    req.setRawHeader("Authorization", "Bearer " + m_token);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setTransferTimeout(10000);
    QNetworkReply* reply
        = method == "GET" ? network.get(req) : network.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = reply->readAll();
    *answer = QJsonDocument::fromJson(data).object();
    if (status == 0) {
        std::fprintf(stderr, "faultdesk-fleetsim ctl: %s: %s\n", qPrintable(m_url), qPrintable(reply->errorString()));
        return 1;
    }
    if (status >= 300) {
        std::fprintf(stderr, "faultdesk-fleetsim ctl: %s\n",
            qPrintable(answer->value(QStringLiteral("error")).toString(QString::fromUtf8(data).trimmed())));
        return status == 400 ? 2 : 1;
    }
    return 0;
}

int ControlClient::waitRunning(const QString& name, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        QJsonObject status;
        if (request("GET", QStringLiteral("/status"), {}, &status) != 0)
            return 1;
        for (const QJsonValue& t : status.value(QStringLiteral("targets")).toArray())
            if (t.toObject().value(QStringLiteral("name")).toString() == name
                && t.toObject().value(QStringLiteral("state")).toString() == u"running") {
                print(t.toObject());
                return 0;
            }
        QThread::msleep(100);
    }
    std::fprintf(stderr, "faultdesk-fleetsim ctl: %s did not start within %d ms\n", qPrintable(name), timeoutMs);
    return 1;
}

int ControlClient::run(const QStringList& argsIn)
{
    if (m_dir.isEmpty())
        return usage(QStringLiteral("--runtime-dir DIR is required"));
    QFile control(m_dir + QStringLiteral("/control.json"));
    QFile token(m_dir + QStringLiteral("/admin.token"));
    if (!control.open(QIODevice::ReadOnly) || !token.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr,
            "faultdesk-fleetsim ctl: %s: no running fleet here (control.json or admin.token missing)\n",
            qPrintable(m_dir));
        return 1;
    }
    m_url = QJsonDocument::fromJson(control.readAll()).object().value(QStringLiteral("control_url")).toString();
    m_token = token.readAll().trimmed();
    if (m_url.isEmpty()) {
        std::fprintf(stderr, "faultdesk-fleetsim ctl: %s/control.json has no control_url\n", qPrintable(m_dir));
        return 1;
    }

    QStringList args = argsIn;
    double durationS = 0;
    const qsizetype d = args.indexOf(QStringLiteral("--duration"));
    if (d >= 0) {
        const qint64 msecs = DemoFleet::parseDuration(args.value(d + 1));
        if (msecs <= 0)
            return usage(u"--duration needs a duration such as 30s, 500ms or 2m, not '" + args.value(d + 1) + u'\'');
        durationS = double(msecs) / 1000.0;
        args.remove(d, 2);
    }
    QString dependency;
    const qsizetype to = args.indexOf(QStringLiteral("--to"));
    if (to >= 0) {
        dependency = args.value(to + 1);
        if (dependency.isEmpty() || dependency.startsWith(u'-'))
            return usage(QStringLiteral("--to needs the name of a dependency"));
        args.remove(to, 2);
    }
    const QString verb = args.value(0);
    if (!dependency.isEmpty() && (verb != u"inject" || args.value(1) != u"partition"))
        return usage(QStringLiteral("--to belongs to inject partition"));
    QJsonObject answer;
    int rc = 0;
    if (verb == u"inject") {
        const QString kind = args.value(1);
        if (!Kinds.contains(kind))
            return usage(u"unknown fault kind '" + kind + u'\'');
        if (args.size() > 3)
            return usage(QStringLiteral("too many arguments"));
        QJsonObject body { { QStringLiteral("kind"), kind } };
        if (args.size() > 2)
            body.insert(QStringLiteral("target"), args.at(2));
        if (durationS > 0)
            body.insert(QStringLiteral("duration_s"), durationS);
        if (!dependency.isEmpty())
            body.insert(QStringLiteral("dependency"), dependency);
        rc = request("POST", QStringLiteral("/inject"), body, &answer);
    } else if (verb == u"clear") {
        if (args.size() > 2)
            return usage(QStringLiteral("too many arguments"));
        rc = request("POST", QStringLiteral("/clear"), { { QStringLiteral("what"), args.value(1) } }, &answer);
    } else if (verb == u"heal") {
        if (args.size() > 2)
            return usage(QStringLiteral("too many arguments"));
        rc = request("POST", QStringLiteral("/clear"),
            { { QStringLiteral("what"), QStringLiteral("partition") }, { QStringLiteral("target"), args.value(1) } },
            &answer);
    } else if (verb == u"start" || verb == u"restart") {
        if (args.size() != 2)
            return usage(verb + QStringLiteral(" needs exactly one target name"));
        rc = request("POST", u'/' + verb, { { QStringLiteral("target"), args.at(1) } }, &answer);
        if (rc == 0)
            return waitRunning(args.at(1), 15000);
    } else if (verb == u"truth" || verb == u"status") {
        if (args.size() != 1)
            return usage(QStringLiteral("too many arguments"));
        rc = request("GET", u'/' + verb, {}, &answer);
    } else {
        return usage(verb.isEmpty() ? QStringLiteral("a command is required") : u"unknown command '" + verb + u'\'');
    }
    if (rc == 0)
        print(answer);
    return rc;
}

} // namespace FaultDesk
