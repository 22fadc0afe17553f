#pragma once

#include "remedy/action.h"

#include "config/postgresdsn.h"

#include <QStringList>
#include <QVariant>

#include <memory>

class QThread;

namespace FaultDesk {

/// What an sql step runs: literal statements and the templates of their bound parameters, on a server.
struct SqlSpec
{
    struct Statement
    {
        QString sql; ///< literal SQL with $1, $2 … placeholders; never substituted
        QStringList params; ///< templates, one per placeholder; each substituted alone and bound, never spliced
    };

    PostgresDsn dsn; ///< the bound target's postgres probe connection (password by reference)
    /// Run in order on one session, each on its own (ALTER SYSTEM cannot share a transaction); the first failure
    /// ends the action. The rows of the last one are the output.
    QList<Statement> statements;
    int rowLimit = 20; ///< result rows kept in the output

    static SqlSpec of(const PostgresDsn& dsn, const QString& sql, const QStringList& params = {})
    {
        return SqlSpec { dsn, { Statement { sql, params } } };
    }
};

/**
 * Runs one SQL statement on a PostgreSQL server, on a connection of its own opened on a thread of its own (the
 * session blocks), so the event loop never waits on the server. Bounded twice: statement_timeout is the step's
 * deadline, and at the wall-clock deadline (or an abort) the session's socket is broken so the thread returns at
 * once. Template fields reach the server only as bound parameters. The output holds the first rows (columns
 * separated by " | ") or the server's error with its SQLSTATE; the password never appears anywhere.
 */
class SqlAction : public Action
{
    Q_OBJECT

public:
    SqlAction(SqlSpec spec, ActionContext context, QObject* parent = nullptr);
    ~SqlAction() override;

    QString kind() const override { return QStringLiteral("sql"); }
    QString description() const override;

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;

private:
    struct Run;
    void onDone();

    SqlSpec m_spec;
    QList<QVariantList> m_values; ///< the substituted parameters of each statement, in order
    std::shared_ptr<Run> m_run;
    QThread* m_thread = nullptr;
};

} // namespace FaultDesk
