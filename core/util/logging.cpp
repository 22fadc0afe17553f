#include "util/logging.h"

#include "util/secretmask.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>
#include <QStandardPaths>

#include <cstdio>

namespace FaultDesk {

Q_LOGGING_CATEGORY(lcApp, "faultdesk.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProbe, "faultdesk.probe", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDetect, "faultdesk.detect", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRemedy, "faultdesk.remedy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "faultdesk.store", QtInfoMsg)

namespace {

struct Sink
{
    QMutex mutex;
    QFile file;
    Logging::Options options;
    QtMessageHandler previous = nullptr;
    bool installed = false;
};

Sink& sink()
{
    static Sink s;
    return s;
}

const char* levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "critical";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

// Caller holds the mutex.
void rotateIfNeeded(Sink& s)
{
    if (s.file.size() < s.options.maxBytes)
        return;
    const QString base = s.file.fileName();
    s.file.close();
    QFile::remove(base + u'.' + QString::number(s.options.keepFiles));
    for (int i = s.options.keepFiles - 1; i >= 1; --i)
        QFile::rename(base + u'.' + QString::number(i), base + u'.' + QString::number(i + 1));
    QFile::rename(base, base + QStringLiteral(".1"));
    s.file.setFileName(base);
    if (!s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        std::fprintf(stderr, "faultdesk: cannot reopen log file %s\n", qPrintable(base));
}

void handler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    Sink& s = sink();
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' + levelName(type)
        + ' ' + (context.category ? context.category : "default") + ": " + SecretMask::apply(message).toUtf8() + '\n';
    {
        QMutexLocker lock(&s.mutex);
        if (s.file.isOpen()) {
            rotateIfNeeded(s);
            s.file.write(line);
            s.file.flush();
        }
    }
    // QtInfoMsg sorts after QtFatalMsg in the enum, so name the levels the terminal always gets.
    const bool alwaysShown = type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg;
    if (s.options.verbose || !s.file.isOpen() || alwaysShown) {
        std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
        std::fflush(stderr);
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

QString Logging::defaultDirectory()
{
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/faultdesk");
}

bool Logging::install(const Options& options)
{
    Sink& s = sink();
    bool ok = true;
    {
        QMutexLocker lock(&s.mutex);
        s.options = options;
        if (s.options.directory.isEmpty())
            s.options.directory = defaultDirectory();
        s.options.keepFiles = qMax(1, s.options.keepFiles);
        if (s.file.isOpen())
            s.file.close();
        if (QDir().mkpath(s.options.directory)) {
            s.file.setFileName(s.options.directory + QStringLiteral("/faultdesk.log"));
            ok = s.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
        } else {
            ok = false;
        }
        if (!s.installed) {
            s.previous = qInstallMessageHandler(handler);
            s.installed = true;
        }
    }
    if (options.verbose) {
        QLoggingCategory::setFilterRules(QStringLiteral("faultdesk.*.debug=true"));
    }
    if (!ok)
        qCWarning(lcApp) << "cannot write log files in" << s.options.directory << "- logging to the terminal only";
    return ok;
}

void Logging::uninstall()
{
    Sink& s = sink();
    QMutexLocker lock(&s.mutex);
    if (s.installed) {
        qInstallMessageHandler(s.previous);
        s.installed = false;
    }
    s.file.close();
}

QString Logging::currentFile()
{
    Sink& s = sink();
    QMutexLocker lock(&s.mutex);
    return s.file.isOpen() ? s.file.fileName() : QString();
}

} // namespace FaultDesk
