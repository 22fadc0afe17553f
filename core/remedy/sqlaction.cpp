#include "remedy/sqlaction.h"

#include "pg/pgconnection.h"

#include <QMutex>
#include <QRegularExpression>
#include <QThread>

namespace FaultDesk {

/// What the session's thread and the action share: the connection to break, and what the statement returned.
struct SqlAction::Run
{
    QMutex lock;
    PgConnection* connection = nullptr; ///< while the thread has one open
    bool cancelled = false;
    std::optional<PgConnection::Rows> rows;
    PgConnection::Error error;
};

SqlAction::SqlAction(SqlSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
    , m_run(std::make_shared<Run>())
{ }

SqlAction::~SqlAction()
{
    // The thread outlives us only while its call returns from the broken socket (or libpq's connect timeout); it
    // deletes itself when done and touches nothing of ours but the shared Run.
    cancel();
}

QString SqlAction::description() const
{
    QStringList parts;
    for (qsizetype s = 0; s < m_spec.statements.size(); ++s) {
        const SqlSpec::Statement& st = m_spec.statements.at(s);
        QString statement = st.sql.simplified();
        if (statement.size() > 240)
            statement = statement.left(240) + u'…';
        QStringList shown;
        const bool substituted = s < m_values.size();
        for (qsizetype i = 0; i < st.params.size(); ++i) {
            QString v = substituted ? m_values.at(s).value(i).toString() : st.params.at(i);
            if (v.size() > 80)
                v = v.left(80) + u'…';
            shown << QStringLiteral("$%1 = '%2'").arg(i + 1).arg(v);
        }
        parts << statement
                + (shown.isEmpty() ? QString() : QStringLiteral(" (bound: %1)").arg(shown.join(QStringLiteral(", "))));
    }
    return QStringLiteral("sql on %1: %2").arg(m_spec.dsn.toString(), parts.join(QStringLiteral("; then ")));
}

bool SqlAction::prepare(QString* error)
{
    if (m_spec.statements.isEmpty()) {
        *error = QStringLiteral("sql step has no statement");
        return false;
    }
    // The loader refuses these; a runbook built in code gets the same rule.
    static const QRegularExpression placeholder(QStringLiteral("\\{[A-Za-z_][A-Za-z0-9_]*\\}"));
    m_values.clear();
    for (const SqlSpec::Statement& st : std::as_const(m_spec.statements)) {
        if (st.sql.trimmed().isEmpty()) {
            *error = QStringLiteral("sql step has an empty statement");
            return false;
        }
        if (const auto m = placeholder.match(st.sql); m.hasMatch()) {
            *error = QStringLiteral("template field %1 in the SQL text: values go in params, bound as $N")
                         .arg(m.captured(0));
            m_values.clear();
            return false;
        }
        QVariantList values;
        for (const QString& p : st.params) {
            QString why;
            const auto v = context().fields.substitute(p, TemplateFields::Escape::None, false, &why);
            if (!v) {
                m_values.clear();
                *error = QStringLiteral("sql parameter %1: %2").arg(p, why);
                return false;
            }
            values << *v;
        }
        m_values << values;
    }
    return true;
}

void SqlAction::run()
{
    const int timeoutMs = int(qMax<qint64>(1, context().deadline.count()));
    auto shared = m_run;
    const PostgresDsn dsn = m_spec.dsn;
    QStringList statements;
    for (const SqlSpec::Statement& st : std::as_const(m_spec.statements))
        statements << st.sql;
    const QList<QVariantList> values = m_values;
    m_thread = QThread::create([shared, dsn, statements, values, timeoutMs] {
        PgConnection connection(dsn, QStringLiteral("faultdesk-runbook"));
        {
            QMutexLocker lock(&shared->lock);
            if (shared->cancelled)
                return;
            shared->connection = &connection;
        }
        PgConnection::Error error;
        std::optional<PgConnection::Rows> rows;
        if (connection.open(timeoutMs, &error)) {
            for (qsizetype i = 0; i < statements.size(); ++i) {
                {
                    QMutexLocker lock(&shared->lock);
                    if (shared->cancelled)
                        break;
                }
                rows = connection.query(statements.at(i), values.value(i), timeoutMs, &error);
                if (!rows) {
                    if (statements.size() > 1)
                        error.message = QStringLiteral("statement %1 of %2: %3")
                                            .arg(i + 1)
                                            .arg(statements.size())
                                            .arg(error.message);
                    break;
                }
            }
        }
        QMutexLocker lock(&shared->lock);
        shared->connection = nullptr;
        shared->rows = std::move(rows);
        shared->error = error;
    });
    m_thread->setObjectName(QStringLiteral("faultdesk-sql"));
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, this, &SqlAction::onDone);
    m_thread->start();
}

void SqlAction::cancel()
{
    QMutexLocker lock(&m_run->lock);
    m_run->cancelled = true;
    if (m_run->connection)
        m_run->connection->interrupt();
}

void SqlAction::onDone()
{
    m_thread = nullptr;
    if (!isActive())
        return;
    std::optional<PgConnection::Rows> rows;
    PgConnection::Error error;
    {
        QMutexLocker lock(&m_run->lock);
        rows = m_run->rows;
        error = m_run->error;
    }
    if (!rows) {
        data().insert(QStringLiteral("error_kind"), PgConnection::kindName(error.kind));
        if (!error.sqlState.isEmpty())
            data().insert(QStringLiteral("sqlstate"), error.sqlState);
        const QString message
            = (error.sqlState.isEmpty() ? QString() : QStringLiteral("SQLSTATE %1: ").arg(error.sqlState))
            + (error.message.isEmpty() ? QStringLiteral("the statement did not run") : error.message);
        if (error.kind == PgConnection::Error::Kind::Timeout)
            finish(ActionResult::Status::Timeout,
                QStringLiteral("%1 (deadline %2 ms)").arg(message).arg(qint64(context().deadline.count())));
        else
            finish(ActionResult::Status::Failed,
                error.kind == PgConnection::Error::Kind::Config ? QStringLiteral("configuration: ") + message
                                                                : message);
        return;
    }
    data().insert(QStringLiteral("rows"), qint64(rows->size()));
    qsizetype shown = 0;
    for (const QVariantList& row : std::as_const(*rows)) {
        if (shown++ >= m_spec.rowLimit)
            break;
        QStringList cells;
        for (const QVariant& v : row)
            cells << (v.isNull() ? QStringLiteral("NULL") : v.toString());
        appendOutput(cells.join(QStringLiteral(" | ")) + u'\n');
    }
    if (rows->size() > m_spec.rowLimit)
        appendOutput(QStringLiteral("[… %1 more rows]\n").arg(rows->size() - m_spec.rowLimit));
    if (rows->isEmpty())
        appendOutput(QStringLiteral("statement ran; no rows returned\n"));
    if (rows->size() == 1 && rows->constFirst().size() == 1)
        data().insert(QStringLiteral("value"), rows->constFirst().constFirst().toString());
    finish(ActionResult::Status::Ok);
}

} // namespace FaultDesk
