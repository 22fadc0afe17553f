#include "remedy/runbookoutcome.h"

namespace FaultDesk {

QString StepReport::statusName(Status status)
{
    switch (status) {
    case Status::Pending:
        return QStringLiteral("pending");
    case Status::Running:
        return QStringLiteral("running");
    case Status::Verifying:
        return QStringLiteral("verifying");
    case Status::Ok:
        return QStringLiteral("ok");
    case Status::Failed:
        return QStringLiteral("failed");
    case Status::Skipped:
        return QStringLiteral("skipped");
    case Status::Aborted:
        return QStringLiteral("aborted");
    case Status::RollingBack:
        return QStringLiteral("rolling-back");
    case Status::RolledBack:
        return QStringLiteral("rolled-back");
    case Status::RollbackFailed:
        return QStringLiteral("rollback-failed");
    }
    return {};
}

QString StepReport::output() const
{
    QStringList parts;
    auto add = [&](const char16_t* label, const std::optional<ActionResult>& r) {
        if (!r)
            return;
        QString text = QString::fromUtf16(label) + u" [" + r->summary() + u"] " + r->description;
        if (!r->output.isEmpty())
            text += u'\n' + r->output;
        parts.append(text);
    };
    add(u"action", action);
    add(u"verification", verification);
    add(u"rollback", rollback);
    if (!reason.isEmpty())
        parts.prepend(reason);
    return parts.join(u'\n');
}

QString RunbookOutcome::resultName(Result result)
{
    switch (result) {
    case Result::Succeeded:
        return QStringLiteral("succeeded");
    case Result::Escalated:
        return QStringLiteral("escalated");
    case Result::Aborted:
        return QStringLiteral("aborted");
    }
    return {};
}

} // namespace FaultDesk
