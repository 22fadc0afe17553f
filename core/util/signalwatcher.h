#pragma once

#include <QObject>

class QSocketNotifier;

namespace FaultDesk {

/**
 * Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe), so headless commands stop
 * cleanly — children stopped, files flushed — instead of dying mid-write.
 */
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    /// SIGINT or SIGTERM arrived; @p signal is its number.
    void terminationRequested(int signal);

private:
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace FaultDesk
