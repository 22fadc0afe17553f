#include "drill/demofleetprocess.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTimer>

namespace FaultDesk {

DemoFleetProcess::DemoFleetProcess(QObject* parent)
    : QObject(parent)
{ }

DemoFleetProcess::~DemoFleetProcess()
{
    stop();
}

QString DemoFleetProcess::findProgram()
{
    // An explicit choice wins (tests run from another directory than the programs).
    const QString chosen = qEnvironmentVariable("FAULTDESK_FLEETSIM");
    if (!chosen.isEmpty())
        return chosen;
    const QString name = QStringLiteral("faultdesk-fleetsim");
    const QString beside = QCoreApplication::applicationDirPath() + u'/' + name;
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(name);
}

bool DemoFleetProcess::start(int timeoutMs, QString* error)
{
    auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        qCWarning(lcApp).noquote() << "demo fleet:" << why;
        return false;
    };
    if (isRunning())
        return true;
    m_program = findProgram();
    if (m_program.isEmpty())
        return fail(QStringLiteral("faultdesk-fleetsim not found next to %1 or on PATH")
                        .arg(QCoreApplication::applicationDirPath()));

    m_stopping = false;
    m_runtimeDir.clear();
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    // fleetsim's own log goes to our stderr so an operator sees why it failed to start.
    m_process->setReadChannel(QProcess::StandardOutput);
    connect(m_process, &QProcess::readyReadStandardError, this,
        [this] { qCInfo(lcApp).noquote() << "fleetsim:" << m_process->readAllStandardError().trimmed(); });
    m_process->start(m_program, QStringList { QStringLiteral("run") } + m_extraArguments);
    if (!m_process->waitForStarted(5000))
        return fail(QStringLiteral("cannot start %1: %2").arg(m_program, m_process->errorString()));

    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(m_process, &QProcess::finished, &loop, &QEventLoop::quit);
    connect(m_process, &QProcess::readyReadStandardOutput, &loop, [this, &loop] {
        while (m_process->canReadLine()) {
            const QByteArray line = m_process->readLine().trimmed();
            if (line.startsWith("READY ")) {
                m_runtimeDir = QString::fromLocal8Bit(line.mid(6));
                loop.quit();
                return;
            }
        }
    });
    deadline.start(timeoutMs);
    loop.exec();
    disconnect(m_process, &QProcess::readyReadStandardOutput, &loop, nullptr);

    if (m_runtimeDir.isEmpty()) {
        const QString why = m_process->state() == QProcess::NotRunning
            ? QStringLiteral("faultdesk-fleetsim exited with status %1 before it was ready").arg(m_process->exitCode())
            : QStringLiteral("faultdesk-fleetsim was not ready within %1 s").arg(timeoutMs / 1000.0);
        stop();
        return fail(why);
    }
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (!m_stopping)
            Q_EMIT stopped(status == QProcess::CrashExit
                    ? QStringLiteral("faultdesk-fleetsim crashed")
                    : QStringLiteral("faultdesk-fleetsim exited with status %1").arg(code));
    });
    qCInfo(lcApp).noquote() << "demo fleet ready in" << m_runtimeDir;
    return true;
}

void DemoFleetProcess::stop()
{
    if (!m_process)
        return;
    m_stopping = true;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    delete m_process;
    m_process = nullptr;
}

bool DemoFleetProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString DemoFleetProcess::fleetConfigPath() const
{
    return m_runtimeDir.isEmpty() ? QString() : QDir(m_runtimeDir).filePath(QStringLiteral("fleet.yaml"));
}

int DemoFleetProcess::control(const QStringList& arguments, QByteArray* output, int timeoutMs) const
{
    if (m_runtimeDir.isEmpty() || m_program.isEmpty())
        return -1;
    QProcess ctl;
    ctl.setProcessChannelMode(QProcess::MergedChannels);
    ctl.start(
        m_program, QStringList { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), m_runtimeDir } + arguments);
    if (!ctl.waitForFinished(timeoutMs)) {
        ctl.kill();
        ctl.waitForFinished(1000);
        return -1;
    }
    if (output)
        *output = ctl.readAll();
    return ctl.exitStatus() == QProcess::NormalExit ? ctl.exitCode() : -1;
}

QStringList DemoFleetProcess::injectArguments(const QString& kind, const QString& target, const QString& dependency)
{
    QStringList args { QStringLiteral("inject"), kind };
    if (!target.isEmpty())
        args << target;
    if (!dependency.isEmpty())
        args << QStringLiteral("--to") << dependency;
    return args;
}

bool DemoFleetProcess::inject(
    const QString& kind, const QString& target, QString* error, const QString& dependency) const
{
    QByteArray out;
    const int code = control(injectArguments(kind, target, dependency), &out);
    if (code != 0 && error)
        *error = QString::fromUtf8(out).trimmed();
    return code == 0;
}

void DemoFleetProcess::controlAsync(const QStringList& arguments, QObject* context,
    std::function<void(int code, const QByteArray& output)> done, int timeoutMs) const
{
    if (m_runtimeDir.isEmpty() || m_program.isEmpty()) {
        QMetaObject::invokeMethod(
            context, [done] { done(-1, QByteArrayLiteral("the demo fleet is not running")); }, Qt::QueuedConnection);
        return;
    }
    auto* ctl = new QProcess(context);
    ctl->setProcessChannelMode(QProcess::MergedChannels);
    ctl->setStandardInputFile(QProcess::nullDevice());
    auto* deadline = new QTimer(ctl);
    deadline->setSingleShot(true);
    QObject::connect(deadline, &QTimer::timeout, ctl, [ctl] { ctl->kill(); });
    QObject::connect(ctl, &QProcess::finished, context, [ctl, done](int code, QProcess::ExitStatus status) {
        const QByteArray out = ctl->readAll();
        ctl->deleteLater();
        done(status == QProcess::NormalExit ? code : -1, out);
    });
    QObject::connect(ctl, &QProcess::errorOccurred, context, [ctl, done](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        const QByteArray why = ctl->errorString().toUtf8();
        ctl->deleteLater();
        done(-1, why);
    });
    ctl->start(
        m_program, QStringList { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), m_runtimeDir } + arguments);
    deadline->start(timeoutMs);
}

bool DemoFleetProcess::clear(const QString& what, QString* error) const
{
    QStringList args { QStringLiteral("clear") };
    if (!what.isEmpty())
        args << what;
    QByteArray out;
    const int code = control(args, &out);
    if (code != 0 && error)
        *error = QString::fromUtf8(out).trimmed();
    return code == 0;
}

QJsonObject DemoFleetProcess::truth(QString* error) const
{
    QByteArray out;
    if (control({ QStringLiteral("truth") }, &out) != 0) {
        if (error)
            *error = QString::fromUtf8(out).trimmed();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("ctl truth: %1").arg(parseError.errorString());
        return {};
    }
    return doc.object();
}

} // namespace FaultDesk
