#pragma once

#include <QByteArray>
#include <QString>

#include <sys/types.h>

/**
 * A private X display with a system tray on it, for testing the tray icon the way a desktop shows it: Xvfb on
 * a free display number (it picks one and tells us through -displayfd) and trayer, a freedesktop XEmbed tray
 * host, on that display. Started before the QApplication exists (the platform is chosen at construction), so
 * this uses plain POSIX process calls, argument vectors only. Both are stopped by the destructor.
 */
class TrayHost
{
public:
    TrayHost() = default;
    ~TrayHost();
    TrayHost(const TrayHost&) = delete;
    TrayHost& operator=(const TrayHost&) = delete;

    /// Starts Xvfb and trayer; false with @p error set when either cannot run.
    bool start(QString* error);
    /// ":N" once started.
    QByteArray display() const { return m_display; }

private:
    pid_t m_xvfb = -1;
    pid_t m_trayer = -1;
    QByteArray m_display;
};
