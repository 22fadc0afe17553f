#pragma once

#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * A secret given by reference: the name of an environment variable or the path of a file, read only at the
 * moment an action runs. The value is never stored in configs, records or logs.
 */
struct SecretRef
{
    enum class Kind {
        Env,
        File,
    };

    Kind kind = Kind::Env;
    QString name; ///< variable name or file path

    static SecretRef env(const QString& variable) { return { Kind::Env, variable }; }
    static SecretRef file(const QString& path) { return { Kind::File, path }; }

    /// Reads the secret now (a file's trailing newline is dropped). On failure returns std::nullopt and sets
    /// @p error to a message that names the reference, never the value.
    std::optional<QString> resolve(QString* error = nullptr) const;
    /// "env:NAME" or "file:/path", for descriptions.
    QString toString() const;
};

} // namespace FaultDesk
