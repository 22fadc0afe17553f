#pragma once

#include "remedy/actioncontext.h"
#include "remedy/actionresult.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>

namespace FaultDesk {

/**
 * Base of every remediation action (command, http, haproxy, wait). start() returns at once; the action then
 * validates its input, writes an audit Intent record (and does not run if that fails), runs under its
 * deadline, writes the Result record and emits finished() exactly once. Connect before calling start().
 */
class Action : public QObject
{
    Q_OBJECT

public:
    explicit Action(ActionContext context, QObject* parent = nullptr);
    ~Action() override;

    /// command, http, haproxy, wait
    virtual QString kind() const = 0;
    /// Masked one-line description (argv, method+URL, runtime API command) for previews and the audit trail.
    virtual QString description() const = 0;

    /**
     * Validates and substitutes without running or recording anything, for the confirmation preview: the masked
     * description of exactly what would run, or std::nullopt with the reason it would be refused.
     */
    std::optional<QString> preview(QString* error = nullptr);

    /// Starts asynchronously (from the event loop); finished() follows, never from inside start().
    void start();
    /// Stops the action (an operator's abort); finished() reports Aborted unless it had already finished.
    void abort();

    bool isRunning() const { return m_state == State::Running || m_state == State::Starting; }
    bool isFinished() const { return m_state == State::Finished; }
    const ActionResult& result() const { return m_result; }
    const ActionContext& context() const { return m_context; }
    /// The audit action id linking the Intent and Result records.
    QString actionId() const { return m_actionId; }

Q_SIGNALS:
    /// Emitted once the intent is recorded and the action really runs.
    void started();
    void finished(const FaultDesk::ActionResult& result);

protected:
    /// Validates and resolves input before anything is recorded or run; false (with @p error) refuses.
    virtual bool prepare(QString* error);
    /// Starts the work; call finish() when done (may be called synchronously).
    virtual void run() = 0;
    /// Stops whatever is in flight (deadline or abort); must not call finish().
    virtual void cancel() = 0;
    /// What was still missing when the deadline passed ("web/s1 still has 3 sessions"), for the timeout message.
    virtual QString timeoutDetail() const { return {}; }

    void finish(ActionResult::Status status, const QString& error = {}, std::optional<int> exitCode = {});
    void appendOutput(const QByteArray& bytes);
    void appendOutput(const QString& text) { appendOutput(text.toUtf8()); }
    /// A value that must never appear in descriptions, output or records (a resolved token).
    void addSecret(const QString& secret);
    /// @p text with every registered secret replaced by "****".
    QString mask(QString text) const;
    QJsonObject& data() { return m_result.data; }
    qint64 elapsedMs() const { return m_clock.isValid() ? m_clock.elapsed() : 0; }
    bool isActive() const { return m_state == State::Running; }

private:
    enum class State {
        Idle,
        Starting,
        Running,
        Finished,
    };

    void begin();
    void onDeadline();
    bool writeAudit(bool intent, QString* error);

    ActionContext m_context;
    ActionResult m_result;
    State m_state = State::Idle;
    QString m_actionId;
    QByteArray m_output;
    qint64 m_droppedBytes = 0;
    QStringList m_secrets;
    QElapsedTimer m_clock;
    QTimer m_deadline;
    bool m_intentWritten = false;
};

} // namespace FaultDesk
