#include "remedy/commandaction.h"

#include <QFileInfo>
#include <QStandardPaths>

#include <csignal>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

namespace FaultDesk {

QProcessEnvironment CommandSpec::minimalEnvironment(const QProcessEnvironment& from)
{
    QProcessEnvironment env;
    env.insert(
        QStringLiteral("PATH"), from.value(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin")));
    const QStringList names = from.keys();
    for (const QString& name : names) {
        if (name == u"HOME" || name == u"LANG" || name.startsWith(u"LC_"))
            env.insert(name, from.value(name));
    }
    return env;
}

CommandAction::CommandAction(CommandSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
{ }

CommandAction::~CommandAction()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        killGroup();
        m_process->waitForFinished(2000);
    }
}

static QString quoted(const QString& arg)
{
    if (!arg.isEmpty() && std::all_of(arg.cbegin(), arg.cend(), [](QChar c) {
            return c.isLetterOrNumber() || QStringView(u"-_./:=@,+%").contains(c);
        }))
        return arg;
    QString escaped = arg;
    escaped.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + escaped + u'\'';
}

QString CommandAction::description() const
{
    const QStringList& args = m_argv.isEmpty() ? m_spec.argv : m_argv;
    QStringList parts;
    for (const QString& a : args)
        parts.append(quoted(a));
    return parts.join(u' ');
}

bool CommandAction::prepare(QString* error)
{
    if (m_spec.argv.isEmpty()) {
        *error = QStringLiteral("command has an empty argument vector");
        return false;
    }
    QStringList argv;
    for (qsizetype i = 0; i < m_spec.argv.size(); ++i) {
        QString why;
        // Any argument after the program could be parsed as an option, so guard them all.
        const auto arg = context().fields.substitute(m_spec.argv.at(i), TemplateFields::Escape::None, true, &why);
        if (!arg) {
            *error = QStringLiteral("argument %1: %2").arg(i).arg(why);
            return false;
        }
        argv.append(*arg);
    }
    const QString program = argv.first();
    if (program.isEmpty()) {
        *error = QStringLiteral("command has an empty program name");
        return false;
    }
    m_program = program.contains(u'/') ? program : QStandardPaths::findExecutable(program);
    if (m_program.isEmpty() || !QFileInfo(m_program).isExecutable()) {
        *error = QStringLiteral("program '%1' not found or not executable").arg(program);
        m_argv = argv;
        return false;
    }
    m_env = CommandSpec::minimalEnvironment(QProcessEnvironment::systemEnvironment());
    for (auto it = m_spec.environment.cbegin(); it != m_spec.environment.cend(); ++it)
        m_env.insert(it.key(), it.value());
    for (auto it = m_spec.secretEnvironment.cbegin(); it != m_spec.secretEnvironment.cend(); ++it) {
        QString why;
        const auto secret = it.value().resolveText(&why);
        if (!secret) {
            *error = why;
            return false;
        }
        addSecret(*secret);
        m_env.insert(it.key(), *secret);
    }
    m_argv = argv;
    return true;
}

void CommandAction::run()
{
    m_process = new QProcess(this);
    m_process->setProgram(m_program);
    m_process->setArguments(m_argv.mid(1));
    m_process->setProcessEnvironment(m_env);
    if (!m_spec.workingDirectory.isEmpty())
        m_process->setWorkingDirectory(m_spec.workingDirectory);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardInputFile(QProcess::nullDevice()); // a command never waits for input that cannot come
    // Its own process group, so the deadline can kill the program and everything it started in one signal. The
    // run's locks stay open in the child (only there: close-on-exec is cleared after fork), so they outlive a
    // crash of FaultDesk for as long as the command runs.
    const QList<int> inherited = context().inheritedDescriptors;
    m_process->setChildProcessModifier([inherited] {
        ::setpgid(0, 0);
        for (const int fd : inherited)
            ::fcntl(fd, F_SETFD, 0);
    });
    connect(m_process, &QProcess::readyReadStandardOutput, this,
        [this] { appendOutput(m_process->readAllStandardOutput()); });
    connect(m_process, &QProcess::readyReadStandardError, this,
        [this] { appendOutput(m_process->readAllStandardError()); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && isActive())
            finish(ActionResult::Status::Failed,
                QStringLiteral("could not start %1: %2").arg(m_program, m_process->errorString()));
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (!isActive())
            return;
        appendOutput(m_process->readAllStandardOutput());
        appendOutput(m_process->readAllStandardError());
        data().insert(QStringLiteral("pid"), m_pgid);
        if (status == QProcess::CrashExit) {
            finish(ActionResult::Status::Failed, QStringLiteral("%1 crashed").arg(QFileInfo(m_program).fileName()));
            return;
        }
        if (m_spec.okExitCodes.contains(code))
            finish(ActionResult::Status::Ok, {}, code);
        else
            finish(ActionResult::Status::Failed, QStringLiteral("exit code %1").arg(code), code);
    });
    connect(m_process, &QProcess::started, this, [this] { m_pgid = m_process->processId(); });
    m_process->start(QIODevice::ReadOnly);
}

void CommandAction::killGroup()
{
    const qint64 pid = m_pgid > 0 ? m_pgid : (m_process ? m_process->processId() : 0);
    if (pid > 0)
        ::kill(-pid_t(pid), SIGKILL);
    if (m_process)
        m_process->kill();
}

void CommandAction::cancel()
{
    if (!m_process)
        return;
    appendOutput(m_process->readAllStandardOutput());
    appendOutput(m_process->readAllStandardError());
    killGroup();
}

} // namespace FaultDesk
