#pragma once

#include <QByteArray>
#include <QString>

namespace FaultDesk {

/**
 * The process-wide set of secret values FaultDesk knows (every token and secret read through a SecretRef, and
 * every configured secret at load), and the one place that masks them: the log sink, the audit sinks, action
 * output and reports pass their text through apply(), whatever printed the secret (a child echoing its
 * environment, a server echoing a header). Thread-safe. Values shorter than MinimumLength are not registered:
 * masking them would garble ordinary text, and such a value is no secret.
 */
class SecretMask
{
public:
    static constexpr qsizetype MinimumLength = 4;
    /// What a masked value is replaced with.
    static constexpr QStringView Replacement = u"****";

    /// Registers @p secret (raw bytes, as UTF-8 text); ignored when empty or too short.
    static void add(const QByteArray& secret);
    /// @p text with every registered secret replaced by Replacement.
    static QString apply(QString text);
    /// apply() on bytes taken as UTF-8.
    static QByteArray apply(const QByteArray& bytes);
    /// Number of distinct secrets registered.
    static int count();
    /// Forgets every registered secret (tests).
    static void clear();
};

} // namespace FaultDesk
