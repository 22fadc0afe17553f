#include "remedy/action.h"

#include "audit/auditsink.h"
#include "util/secretmask.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QUuid>

namespace FaultDesk {

Q_LOGGING_CATEGORY(lcAction, "faultdesk.remedy.action")

Action::Action(ActionContext context, QObject* parent)
    : QObject(parent)
    , m_context(std::move(context))
    , m_actionId(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &Action::onDeadline);
}

Action::~Action() = default;

void Action::start()
{
    if (m_state != State::Idle)
        return;
    m_state = State::Starting;
    QMetaObject::invokeMethod(this, &Action::begin, Qt::QueuedConnection);
}

void Action::abort()
{
    if (m_state == State::Starting) {
        m_state = State::Running; // so finish() reports the abort without an intent ever written
        finish(ActionResult::Status::Aborted,
            QStringLiteral("aborted by %1 before it started").arg(m_context.operatorName));
        return;
    }
    if (m_state != State::Running)
        return;
    cancel();
    finish(ActionResult::Status::Aborted, QStringLiteral("aborted by %1").arg(m_context.operatorName));
}

bool Action::prepare(QString*)
{
    return true;
}

std::optional<QString> Action::preview(QString* error)
{
    if (m_state != State::Idle)
        return mask(description());
    QString why;
    if (!prepare(&why)) {
        if (error)
            *error = mask(why);
        return std::nullopt;
    }
    return mask(description());
}

void Action::begin()
{
    if (m_state != State::Starting)
        return;
    m_state = State::Running;
    m_clock.start();
    m_result.kind = kind();
    QString error;
    if (!prepare(&error)) {
        m_result.description = mask(description());
        // A refused action is still recorded: an operator must see that an injection attempt was stopped.
        QString ignored;
        m_intentWritten = writeAudit(true, &ignored);
        finish(ActionResult::Status::Refused, error);
        return;
    }
    m_result.description = mask(description());
    if (!writeAudit(true, &error)) {
        m_state = State::Running;
        finish(
            ActionResult::Status::Refused, QStringLiteral("not run: its intent could not be recorded (%1)").arg(error));
        return;
    }
    m_intentWritten = true;
    m_result.ran = true;
    m_deadline.start(m_context.deadline);
    Q_EMIT started();
    run();
}

void Action::onDeadline()
{
    if (m_state != State::Running)
        return;
    cancel();
    const QString detail = timeoutDetail();
    finish(ActionResult::Status::Timeout,
        QStringLiteral("deadline of %1 ms passed").arg(qint64(m_context.deadline.count()))
            + (detail.isEmpty() ? QString() : u"; " + detail));
}

void Action::finish(ActionResult::Status status, const QString& error, std::optional<int> exitCode)
{
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
    m_deadline.stop();
    m_result.status = status;
    m_result.error = mask(error);
    if (exitCode)
        m_result.exitCode = exitCode;
    m_result.durationMs = elapsedMs();
    QString output = QString::fromUtf8(m_output);
    if (m_droppedBytes > 0)
        output += QStringLiteral("\n[… %1 more bytes of output dropped]").arg(m_droppedBytes);
    m_result.output = mask(output);
    if (m_result.kind.isEmpty())
        m_result.kind = kind();
    if (m_result.description.isEmpty())
        m_result.description = mask(description());
    if (m_intentWritten) {
        QString auditError;
        if (!writeAudit(false, &auditError)) {
            qCWarning(lcAction) << "audit result not recorded for" << m_actionId << auditError;
            m_result.error += (m_result.error.isEmpty() ? QString() : QStringLiteral("; "))
                + QStringLiteral("result not recorded in the audit trail: %1").arg(auditError);
        }
    }
    Q_EMIT finished(m_result);
}

bool Action::writeAudit(bool intent, QString* error)
{
    if (!m_context.audit) {
        if (error)
            *error = QStringLiteral("no audit trail configured");
        return false;
    }
    AuditRecord record;
    record.actionId = m_actionId;
    record.phase = intent ? AuditRecord::Phase::Intent : AuditRecord::Phase::Result;
    record.timeUtc = QDateTime::currentDateTimeUtc();
    record.operatorName = m_context.operatorName;
    record.target = m_context.target;
    record.incidentId = m_context.incidentId;
    record.runbook = m_context.runbook;
    record.actionKind = kind();
    record.description = m_result.description;
    if (intent)
        record.baseline = m_context.baseline;
    else {
        record.status = ActionResult::statusName(m_result.status);
        record.exitCode = m_result.exitCode;
        record.durationMs = m_result.durationMs;
        QString excerpt = m_result.output;
        if (!m_result.error.isEmpty())
            excerpt = m_result.error + (excerpt.isEmpty() ? QString() : u"\n" + excerpt);
        if (excerpt.size() > m_context.auditExcerptLimit)
            excerpt = excerpt.left(m_context.auditExcerptLimit) + u"…";
        record.outputExcerpt = excerpt;
    }
    return m_context.audit->append(record, error);
}

void Action::appendOutput(const QByteArray& bytes)
{
    const qsizetype room = m_context.outputLimit - m_output.size();
    if (room >= bytes.size()) {
        m_output += bytes;
        return;
    }
    if (room > 0)
        m_output += bytes.left(room);
    m_droppedBytes += bytes.size() - std::max<qsizetype>(room, 0);
}

void Action::addSecret(const QString& secret)
{
    if (!secret.isEmpty() && !m_secrets.contains(secret))
        m_secrets.append(secret);
}

QString Action::mask(QString text) const
{
    for (const QString& s : m_secrets)
        text.replace(s, QStringLiteral("****"));
    return SecretMask::apply(std::move(text)); // every other secret FaultDesk knows, whoever printed it
}

} // namespace FaultDesk
