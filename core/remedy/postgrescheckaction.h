#pragma once

#include "remedy/action.h"
#include "remedy/postgresbaselinereader.h"

#include <QMap>
#include <QTimer>

#include <memory>

namespace FaultDesk {

/// What a postgres verification compares: one server read now against the tables' expected fingerprints.
struct PostgresCheckSpec
{
    PostgresBaselineReader::Request server; ///< with each table's baseline sampling as reference
    QMap<QString, PostgresBaseline::Table> expected; ///< table name → fingerprint it must have
    QString expectedFrom; ///< "the baseline captured at detection (pg-replica)", for the messages
    QString wantedRole; ///< primary or replica; empty: either
    std::chrono::milliseconds interval { 1000 };
};

/**
 * Verifies a PostgreSQL server against the baseline: its role, amcheck clean (or says honestly that it was skipped)
 * and each critical table's fingerprint equal to the expected one. Reads again every interval until all of it holds
 * (a rebuilt replica may still be replaying) or the deadline passes; every read is in the output.
 */
class PostgresCheckAction : public Action
{
    Q_OBJECT

public:
    PostgresCheckAction(PostgresCheckSpec spec, ActionContext context, QObject* parent = nullptr);
    ~PostgresCheckAction() override;

    QString kind() const override { return QStringLiteral("postgres-check"); }
    QString description() const override;

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;
    QString timeoutDetail() const override { return m_lastProblem; }

private:
    void readOnce();
    void judge(const PostgresBaseline& now);

    PostgresCheckSpec m_spec;
    std::shared_ptr<PostgresBaselineReader> m_reader;
    QTimer m_timer;
    int m_reads = 0;
    QString m_lastProblem;
};

} // namespace FaultDesk
