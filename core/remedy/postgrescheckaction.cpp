#include "remedy/postgrescheckaction.h"

#include <QJsonArray>

#include <algorithm>

namespace FaultDesk {

PostgresCheckAction::PostgresCheckAction(PostgresCheckSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PostgresCheckAction::readOnce);
}

PostgresCheckAction::~PostgresCheckAction()
{
    if (m_reader)
        m_reader->interrupt();
}

QString PostgresCheckAction::description() const
{
    QStringList tables;
    for (const auto& t : m_spec.server.tables)
        tables << t.name;
    return QStringLiteral("verify %1 (%2): %3amcheck, and table%4 %5 equal to %6")
        .arg(m_spec.server.target, m_spec.server.dsn.toString(),
            m_spec.wantedRole.isEmpty() ? QString() : QStringLiteral("role %1, ").arg(m_spec.wantedRole),
            tables.size() == 1 ? QString() : QStringLiteral("s"),
            tables.isEmpty() ? QStringLiteral("(none named)") : tables.join(QStringLiteral(", ")), m_spec.expectedFrom);
}

bool PostgresCheckAction::prepare(QString* error)
{
    if (m_spec.server.target.isEmpty()) {
        *error = QStringLiteral("no server to verify");
        return false;
    }
    return true;
}

void PostgresCheckAction::run()
{
    readOnce();
}

void PostgresCheckAction::readOnce()
{
    if (!isActive())
        return;
    const int timeoutMs = int(std::clamp<qint64>(qint64(context().deadline.count()) - elapsedMs(), 2000, 30000));
    m_reader
        = PostgresBaselineReader::read({ m_spec.server }, timeoutMs, this, [this](const QList<PostgresBaseline>& r) {
              m_reader.reset();
              if (isActive() && !r.isEmpty())
                  judge(r.constFirst());
          });
}

void PostgresCheckAction::judge(const PostgresBaseline& now)
{
    ++m_reads;
    QStringList problems;
    QStringList notes;
    if (!now.readable()) {
        problems << QStringLiteral("%1 cannot be read: %2").arg(now.target, now.error);
    } else {
        if (!m_spec.wantedRole.isEmpty() && now.role != m_spec.wantedRole)
            problems << QStringLiteral("%1 is a %2, wanted a %3").arg(now.target, now.role, m_spec.wantedRole);
        if (!now.amcheckClean)
            problems << QStringLiteral("amcheck %1").arg(now.amcheck);
        else
            notes << QStringLiteral("amcheck %1").arg(now.amcheck);
        for (const PostgresBaseline::Table& t : now.tables) {
            const auto want = m_spec.expected.constFind(t.name);
            if (!t.error.isEmpty())
                problems << QStringLiteral("table %1 cannot be read: %2").arg(t.name, t.error);
            else if (want == m_spec.expected.cend())
                problems << QStringLiteral("table %1: no expected fingerprint to compare with (md5 now %2)")
                                .arg(t.name, t.md5);
            else if (want->md5 != t.md5)
                problems << QStringLiteral("table %1 md5 %2 (%3 rows), expected %4 (%5 rows)")
                                .arg(t.name, t.md5)
                                .arg(t.rows)
                                .arg(want->md5)
                                .arg(want->rows);
            else
                notes << QStringLiteral("table %1 md5 %2 equals the baseline — %3").arg(t.name, t.md5, t.sampling);
        }
    }
    appendOutput(QStringLiteral("read %1: %2 %3, %4\n")
                     .arg(m_reads)
                     .arg(now.target, now.role.isEmpty() ? QStringLiteral("unreadable") : now.role, now.replication));
    for (const QString& n : std::as_const(notes))
        appendOutput(QStringLiteral("  ok: %1\n").arg(n));
    for (const QString& p : std::as_const(problems))
        appendOutput(QStringLiteral("  not yet: %1\n").arg(p));
    data().insert(QStringLiteral("postgres"), now.toJson());
    data().insert(QStringLiteral("reads"), m_reads);
    if (problems.isEmpty()) {
        finish(ActionResult::Status::Ok);
        return;
    }
    m_lastProblem = problems.join(QStringLiteral("; "));
    // Corruption amcheck found does not heal by waiting; everything else may (a replica still replaying).
    if (!now.amcheckClean) {
        finish(ActionResult::Status::Failed, m_lastProblem);
        return;
    }
    m_timer.start(m_spec.interval);
}

void PostgresCheckAction::cancel()
{
    m_timer.stop();
    if (m_reader)
        m_reader->interrupt();
}

} // namespace FaultDesk
