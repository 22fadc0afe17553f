#pragma once

#include "remedy/action.h"

#include <QTimer>

#include <chrono>
#include <functional>

namespace FaultDesk {

/// One evaluation of a wait gate's condition.
struct ConditionCheck
{
    bool met = false;
    QString reason; ///< "healthy (HTTP 200 in 12 ms)", "load 0.93 above 0.80"
};

/// What a wait gate polls.
struct WaitSpec
{
    QString description; ///< "web-2 healthy for 3 checks"
    /// Called on every poll from the event loop; must not block.
    std::function<ConditionCheck()> condition;
    int requiredConsecutive = 3; ///< K: the condition must hold K polls in a row
    std::chrono::milliseconds interval { 1000 };
};

/**
 * A verification gate: polls a condition until it holds K times in a row (Ok) or the deadline passes (Timeout,
 * with the last reason). Every check is kept in the output so the operator sees how it went.
 */
class WaitAction : public Action
{
    Q_OBJECT

public:
    WaitAction(WaitSpec spec, ActionContext context, QObject* parent = nullptr);

    QString kind() const override { return QStringLiteral("wait"); }
    QString description() const override;

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;
    QString timeoutDetail() const override;

private:
    void poll();

    WaitSpec m_spec;
    QTimer m_timer;
    int m_consecutive = 0;
    int m_checks = 0;
    QString m_lastReason;
};

} // namespace FaultDesk
