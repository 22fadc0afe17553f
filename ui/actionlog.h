#pragma once

#include <QTreeWidget>

namespace FaultDesk {

struct AuditRecord;

/**
 * The Action Log dock: every audit record (intent and result of each remediation step), newest first, capped;
 * a result's status in the ok or critical colour, the action's output in its tooltip.
 */
class ActionLog : public QTreeWidget
{
    Q_OBJECT
public:
    explicit ActionLog(QWidget* parent = nullptr);

    /// Adds @p record at the top; the oldest rows leave past maximumRows().
    void append(const AuditRecord& record);
    static constexpr int maximumRows() { return 5000; }
};

} // namespace FaultDesk
