#include "remedy/waitaction.h"

namespace FaultDesk {

WaitAction::WaitAction(WaitSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &WaitAction::poll);
}

QString WaitAction::description() const
{
    return QStringLiteral("wait until %1 (%2 checks in a row, every %3 ms)")
        .arg(m_spec.description.isEmpty() ? QStringLiteral("the condition holds") : m_spec.description)
        .arg(m_spec.requiredConsecutive)
        .arg(qint64(m_spec.interval.count()));
}

bool WaitAction::prepare(QString* error)
{
    if (!m_spec.condition) {
        *error = QStringLiteral("wait gate has no condition");
        return false;
    }
    if (m_spec.requiredConsecutive < 1) {
        *error = QStringLiteral("wait gate needs at least 1 check in a row, got %1").arg(m_spec.requiredConsecutive);
        return false;
    }
    return true;
}

void WaitAction::run()
{
    poll();
}

void WaitAction::poll()
{
    if (!isActive())
        return;
    const ConditionCheck check = m_spec.condition();
    if (!isActive())
        return; // the condition aborted us
    ++m_checks;
    m_lastReason = check.reason;
    m_consecutive = check.met ? m_consecutive + 1 : 0;
    appendOutput(QStringLiteral("check %1: %2%3\n")
                     .arg(m_checks)
                     .arg(check.met ? QStringLiteral("met") : QStringLiteral("not met"))
                     .arg(check.reason.isEmpty() ? QString() : u" — " + check.reason));
    data().insert(QStringLiteral("checks"), m_checks);
    data().insert(QStringLiteral("consecutive"), m_consecutive);
    data().insert(QStringLiteral("last_reason"), m_lastReason);
    if (m_consecutive >= m_spec.requiredConsecutive) {
        finish(ActionResult::Status::Ok);
        return;
    }
    m_timer.start(m_spec.interval);
}

QString WaitAction::timeoutDetail() const
{
    if (m_checks == 0)
        return QStringLiteral("the condition was never checked");
    return QStringLiteral("held %1 of %2 checks in a row; last check: %3")
        .arg(m_consecutive)
        .arg(m_spec.requiredConsecutive)
        .arg(m_lastReason.isEmpty() ? QStringLiteral("not met") : m_lastReason);
}

void WaitAction::cancel()
{
    m_timer.stop();
    if (!m_lastReason.isEmpty())
        appendOutput(QStringLiteral("last check: %1\n").arg(m_lastReason));
}

} // namespace FaultDesk
