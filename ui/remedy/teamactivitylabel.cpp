#include "ui/remedy/teamactivitylabel.h"

#include "incident/storenotifier.h"
#include "remedy/advisorylocks.h"

#include <algorithm>

namespace FaultDesk {

TeamActivityLabel::TeamActivityLabel(AdvisoryLocks* locks, StoreNotifier* notifier, QWidget* parent)
    : QLabel(parent)
    , m_locks(locks)
    , m_notifier(notifier)
{
    setTextFormat(Qt::PlainText);
    setObjectName(QStringLiteral("teamActivity"));
    connect(locks, &AdvisoryLocks::holdersChanged, this, &TeamActivityLabel::refreshText);
    connect(locks, &AdvisoryLocks::connectionChanged, this, &TeamActivityLabel::refreshText);
    connect(notifier, &StoreNotifier::listeningChanged, this, &TeamActivityLabel::refreshText);
    refreshText();
}

void TeamActivityLabel::refreshText()
{
    if (!m_locks || !m_notifier)
        return;
    QStringList problems;
    if (!m_locks->isConnected())
        problems << tr("Remediation locks unavailable: automation does not act (%1)").arg(m_locks->problem());
    if (!m_notifier->isListening())
        problems << tr("Not hearing the other consoles: %1").arg(m_notifier->problem());
    if (!problems.isEmpty()) {
        setText(problems.join(QStringLiteral(" · ")));
        setToolTip(text());
        return;
    }
    QList<AdvisoryLocks::Held> held = m_locks->holders();
    std::sort(held.begin(), held.end(),
        [](const AdvisoryLocks::Held& a, const AdvisoryLocks::Held& b) { return a.holder.since < b.holder.since; });
    QStringList lines;
    for (const AdvisoryLocks::Held& h : std::as_const(held))
        lines << h.holder.sentence(h.name) + (h.mine ? tr(" (this console)") : QString());
    setText(lines.isEmpty() ? tr("Team: nobody is remediating") : lines.join(QStringLiteral(" · ")));
    setToolTip(lines.join(u'\n'));
}

} // namespace FaultDesk
