#pragma once

#include <QLoggingCategory>
#include <QString>

namespace FaultDesk {

Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcProbe)
Q_DECLARE_LOGGING_CATEGORY(lcDetect)
Q_DECLARE_LOGGING_CATEGORY(lcRemedy)
Q_DECLARE_LOGGING_CATEGORY(lcStore)

/**
 * Process-wide log sink: every qDebug/qCInfo/… line goes to a size-rotated file
 * (`faultdesk.log`, `faultdesk.log.1` … `.N`) under a state directory, with UTC time,
 * level and category. With @c verbose the same lines are mirrored to stderr.
 * Callers must never pass secrets to the log; as a second line of defence every secret FaultDesk knows
 * (SecretMask) is masked in each line.
 */
class Logging
{
public:
    struct Options
    {
        QString directory; ///< where the log files live; empty = the user's state directory
        bool verbose = false; ///< mirror every line to stderr
        qint64 maxBytes = 4 * 1024 * 1024; ///< rotate when the current file reaches this size
        int keepFiles = 5; ///< rotated files kept besides the current one
    };

    /// Installs the message handler. Returns false (and keeps logging to stderr) if the directory is unusable.
    static bool install(const Options& options);
    /// Restores Qt's default handler and closes the file.
    static void uninstall();
    /// Path of the current log file, or empty when none is open.
    static QString currentFile();
    /// The user's state directory for FaultDesk logs (XDG_STATE_HOME or ~/.local/state).
    static QString defaultDirectory();
};

} // namespace FaultDesk
