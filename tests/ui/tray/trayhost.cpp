#include "trayhost.h"

#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

pid_t spawn(const QString& program, const std::vector<std::string>& args, const std::vector<std::string>& extraEnv)
{
    std::vector<char*> argv;
    std::string path = program.toStdString();
    argv.push_back(path.data());
    std::vector<std::string> copies = args;
    for (std::string& a : copies)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envCopies = extraEnv;
    std::vector<char*> envp;
    for (std::string& e : envCopies)
        envp.push_back(e.data());
    for (char** e = environ; *e; ++e)
        envp.push_back(*e);
    envp.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0)
        return -1;
    return pid;
}

void stop(pid_t& pid)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            pid = -1;
            return;
        }
        ::usleep(20000);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    pid = -1;
}

} // namespace

TrayHost::~TrayHost()
{
    stop(m_trayer);
    stop(m_xvfb);
}

bool TrayHost::start(QString* error)
{
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    const QString trayer = QStandardPaths::findExecutable(QStringLiteral("trayer"));
    if (xvfb.isEmpty() || trayer.isEmpty()) {
        *error = QStringLiteral("Xvfb and trayer are needed (scripts/install-deps installs xvfb and trayer)");
        return false;
    }
    int fds[2];
    if (::pipe(fds) != 0) {
        *error = QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Xvfb writes the display number it chose to the descriptor it inherits, then a newline.
    m_xvfb = spawn(xvfb,
        { "-displayfd", std::to_string(fds[1]), "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset" }, {});
    ::close(fds[1]);
    if (m_xvfb <= 0) {
        ::close(fds[0]);
        *error = QStringLiteral("cannot start %1").arg(xvfb);
        return false;
    }
    QByteArray number;
    char c = 0;
    while (::read(fds[0], &c, 1) == 1 && c != '\n')
        number.append(c);
    ::close(fds[0]);
    if (number.isEmpty()) {
        *error = QStringLiteral("Xvfb did not report a display number");
        return false;
    }
    m_display = ':' + number;
    m_trayer = spawn(trayer, { "--edge", "top", "--SetDockType", "false", "--expand", "false" },
        { "DISPLAY=" + m_display.toStdString() });
    if (m_trayer <= 0) {
        *error = QStringLiteral("cannot start %1").arg(trayer);
        return false;
    }
    return true;
}
