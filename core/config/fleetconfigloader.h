#pragma once

#include "config/configerror.h"
#include "config/fleetconfig.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace FaultDesk {

/// What a load or reload produced: a complete configuration, or none plus every problem found.
struct ConfigLoadResult
{
    /// The configuration to use. After load*(): set only when errors is empty. After reload(): always set (the new
    /// configuration, or the current one when the new file is bad).
    std::optional<FleetConfig> config;
    /// Every problem, sorted by position.
    QList<ConfigError> errors;
    /// What is read but should be written differently (a deprecated spelling), sorted by position; warnings never
    /// make a load fail. `faultdesk check` prints them as `file:line:col: warning: message`.
    QList<ConfigError> warnings;

    bool ok() const { return config.has_value() && errors.isEmpty(); }
};

/**
 * Reads and validates a fleet description (resources/examples/README.md is the contract). Validation is all or
 * nothing: either a complete FleetConfig or the full error list, never a half-read configuration.
 */
class FleetConfigLoader
{
public:
    /// Loads @p path; relative paths inside the file (token: {file: …}, tls_ca_file, …) are taken from the file's
    /// folder.
    static ConfigLoadResult loadFile(const QString& path);

    /**
     * Loads a description held in memory; errors name @p displayName. Relative paths inside it are resolved against
     * @p baseDir (the current directory when empty).
     */
    static ConfigLoadResult loadBytes(const QByteArray& yaml, const QString& displayName, const QString& baseDir = {});

    /**
     * Loads @p path to replace @p current. When the new file has any problem, the result holds @p current
     * unchanged together with the errors, so the caller keeps running on the old configuration.
     */
    static ConfigLoadResult reload(const QString& path, const FleetConfig& current);

    /**
     * Binds the runbooks of a separate file (top-level `runbooks:` only, optional `version: 1`) to @p fleet: the
     * result is @p fleet with those runbooks added, validated against its targets, groups and HAProxy instances
     * exactly as if they were written in the fleet file, or the errors (naming @p path).
     */
    static ConfigLoadResult loadRunbooks(const QString& path, const FleetConfig& fleet);

    /// Largest file accepted; a fleet description is text written by people.
    static constexpr qsizetype MaxFileBytes = 16 * 1024 * 1024;
    /// After this many problems the rest are summarised in one last error.
    static constexpr int MaxErrors = 200;
};

} // namespace FaultDesk
