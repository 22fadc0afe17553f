#pragma once

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>

namespace FaultDesk {

/**
 * The embedded demo fleet: runs `faultdesk-fleetsim` as a child process, waits for its `READY <dir>` line,
 * and exposes the runtime directory (with the generated fleet.yaml) and fault injection through
 * `faultdesk-fleetsim ctl`. The child dies with this object (and, through fleetsim's own parent-death
 * signal, with this process).
 */
class DemoFleetProcess : public QObject
{
    Q_OBJECT
public:
    explicit DemoFleetProcess(QObject* parent = nullptr);
    ~DemoFleetProcess() override;

    /// Path of the faultdesk-fleetsim program: $FAULTDESK_FLEETSIM, else next to this executable, else on PATH.
    /// Empty when not found.
    static QString findProgram();

    /// Extra arguments passed to `faultdesk-fleetsim run` (timings, rates).
    void setExtraArguments(const QStringList& arguments) { m_extraArguments = arguments; }
    /// Starts the fleet and blocks (running the event loop) until it is ready or @p timeoutMs passes.
    bool start(int timeoutMs = 30000, QString* error = nullptr);
    /// Stops the fleet and everything it started.
    void stop();
    bool isRunning() const;

    QString runtimeDirectory() const { return m_runtimeDir; }
    /// The console's configuration for the fleet, written by fleetsim.
    QString fleetConfigPath() const;

    /// Runs `faultdesk-fleetsim ctl --runtime-dir DIR <arguments>` and returns its exit code (-1 on timeout).
    int control(const QStringList& arguments, QByteArray* output = nullptr, int timeoutMs = 15000) const;
    /// Runs the same command without blocking; @p done gets the exit code (-1 on timeout) and the output, on
    /// @p context's thread, unless @p context is gone by then.
    void controlAsync(const QStringList& arguments, QObject* context,
        std::function<void(int code, const QByteArray& output)> done, int timeoutMs = 15000) const;
    /// Injects a fault (overload, crash, corruption, attack, hang, slow, garbage, partition) on @p target (may be
    /// empty: fleetsim's default). A partition cuts @p target from @p dependency (empty: its first dependency).
    bool inject(const QString& kind, const QString& target = {}, QString* error = nullptr,
        const QString& dependency = {}) const;
    /// The `ctl` arguments that inject @p kind on @p target (and, for a partition, from @p dependency).
    static QStringList injectArguments(const QString& kind, const QString& target, const QString& dependency = {});
    /// Ends injected faults (all when @p what is empty).
    bool clear(const QString& what = {}, QString* error = nullptr) const;
    /// Ground truth: which faults are active where (`ctl truth`).
    QJsonObject truth(QString* error = nullptr) const;

Q_SIGNALS:
    /// The fleet process ended on its own (crashed or was killed).
    void stopped(const QString& reason);

private:
    QProcess* m_process = nullptr;
    QString m_program;
    QString m_runtimeDir;
    QStringList m_extraArguments;
    bool m_stopping = false;
};

} // namespace FaultDesk
