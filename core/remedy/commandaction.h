#pragma once

#include "config/secretref.h"
#include "remedy/action.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPointer>
#include <QProcess>

namespace FaultDesk {

/// What a command action runs: an argument vector of templates, never a shell string.
struct CommandSpec
{
    QStringList argv; ///< argv[0] is the program (absolute path or found on PATH); each element one template
    QString workingDirectory;
    /// Variables the child gets besides PATH, HOME, LANG and LC_* (literal values; the target's and the step's
    /// `env:`). Nothing else of FaultDesk's own environment reaches a child: it holds the tokens.
    QHash<QString, QString> environment;
    QHash<QString, SecretRef> secretEnvironment; ///< variables whose values are read from a secret at run time
    QList<int> okExitCodes { 0 };

    /// The `env:` of a target with its step's `env:` on top (the step wins).
    static QHash<QString, QString> environmentOf(
        const QMap<QString, QString>& target, const QMap<QString, QString>& step)
    {
        QHash<QString, QString> env;
        for (auto it = target.cbegin(); it != target.cend(); ++it)
            env.insert(it.key(), it.value());
        for (auto it = step.cbegin(); it != step.cend(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    /// The environment every child starts from: PATH, HOME, LANG and LC_* of @p from (PATH defaults to the
    /// system's standard one when unset).
    static QProcessEnvironment minimalEnvironment(const QProcessEnvironment& from);

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
 * together with every child it started. The child's environment is minimal (see CommandSpec::environment).
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
