#pragma once

#include <QLabel>
#include <QPointer>

namespace FaultDesk {

class AdvisoryLocks;
class StoreNotifier;

/**
 * The status bar's "who is acting" line for a team sharing one store: every remediation lock held now, this console's
 * and the others' ("alice (host:1234) is handling web-2 since 10:41:07"), updated as the store announces changes,
 * and a warning instead when the store cannot be heard or locks cannot be taken (then automation does not act).
 * Plain text: names come from other consoles.
 */
class TeamActivityLabel : public QLabel
{
    Q_OBJECT

public:
    TeamActivityLabel(AdvisoryLocks* locks, StoreNotifier* notifier, QWidget* parent = nullptr);

private:
    void refreshText();

    QPointer<AdvisoryLocks> m_locks;
    QPointer<StoreNotifier> m_notifier;
};

} // namespace FaultDesk
