#pragma once

#include <QByteArray>
#include <QDebug>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * A reference to a secret (an environment variable or a file), never the secret itself. The value is read only
 * when resolve() is called and is never stored in the configuration; printing a SecretRef shows `env:NAME` or
 * `file:/path`.
 */
class SecretRef
{
public:
    enum class Kind {
        Env,
        File,
    };

    SecretRef() = default;
    SecretRef(Kind kind, const QString& ref)
        : m_kind(kind)
        , m_ref(ref)
    { }

    static SecretRef env(const QString& variable) { return { Kind::Env, variable }; }
    static SecretRef file(const QString& path) { return { Kind::File, path }; }

    Kind kind() const { return m_kind; }
    /// The variable name (Env) or the absolute file path (File).
    const QString& ref() const { return m_ref; }

    /**
     * Reads the secret now. Trailing newlines of a file are dropped. Returns std::nullopt and sets @p error (which
     * names the reference, never a value) when the variable is unset or empty, or the file is unreadable or empty.
     */
    std::optional<QByteArray> resolve(QString* error = nullptr) const;
    /// resolve() as UTF-8 text (header values, environment variables).
    std::optional<QString> resolveText(QString* error = nullptr) const
    {
        const auto bytes = resolve(error);
        return bytes ? std::optional<QString>(QString::fromUtf8(*bytes)) : std::nullopt;
    }

    /// `env:NAME` or `file:/path` — safe to log.
    QString toString() const;

    friend bool operator==(const SecretRef&, const SecretRef&) = default;

private:
    Kind m_kind = Kind::Env;
    QString m_ref;
};

QDebug operator<<(QDebug debug, const SecretRef& secret);

} // namespace FaultDesk
