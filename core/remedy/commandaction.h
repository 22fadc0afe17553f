#pragma once

#include "action.h"
#include "config/secretref.h"

#include <QHash>
#include <QList>
#include <QPointer>
#include <QProcess>

namespace FaultDesk {

/// What a command action runs: an argument vector of templates, never a shell string.
struct CommandSpec
{
    QStringList argv; ///< argv[0] is the program (absolute path or found on PATH); each element one template
    QString workingDirectory;
    QHash<QString, QString> environment; ///< extra environment variables (literal values)
    QHash<QString, SecretRef> secretEnvironment; ///< variables whose values are read from a secret at run time
    QList<int> okExitCodes { 0 };

    /// A spec running @p argv with the defaults.
    static CommandSpec of(QStringList argv)
    {
        CommandSpec spec;
        spec.argv = std::move(argv);
        return spec;
    }
};

/**
 * Runs a program with QProcess from an argument vector: each element substituted and validated on its own
 * (control characters refused, a leading '-' refused where a value would become an option), stdout and stderr
 * captured (bounded), the program started in its own process group so the deadline or an abort kills it
 * together with every child it started.
 */
class CommandAction : public Action
{
    Q_OBJECT

public:
    CommandAction(CommandSpec spec, ActionContext context, QObject* parent = nullptr);
    ~CommandAction() override;

    QString kind() const override { return QStringLiteral("command"); }
    /// The substituted argv (or the templates, when substitution was refused), each element quoted if needed.
    QString description() const override;
    /// The argv that runs (valid after prepare()).
    QStringList resolvedArguments() const { return m_argv; }

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;

private:
    void killGroup();

    CommandSpec m_spec;
    QStringList m_argv;
    QString m_program;
    QProcessEnvironment m_env;
    QPointer<QProcess> m_process;
    qint64 m_pgid = 0;
};

} // namespace FaultDesk
