#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * A planned period in which some targets (by name or by group) are expected to fail: no faults are raised for
 * them and no automatic action touches them. Times are UTC; the UI shows them local.
 */
struct MaintenanceWindow
{
    enum class Origin {
        Config, ///< from the fleet description's `maintenance:` list; read-only in the console
        Runtime, ///< created in the console and kept in the incident database
    };

    QString id; ///< "cfg-N" for configured windows, "mw-…" for runtime ones
    QStringList targets;
    QStringList groups;
    QDateTime startUtc;
    QDateTime endUtc; ///< exclusive; ending a window early moves it to the moment it was ended
    QString comment;
    QString createdBy; ///< the operator, or "config"
    QDateTime createdUtc;
    QString endedBy; ///< set when ended early from the console
    Origin origin = Origin::Runtime;

    /// Whether the window names @p target or its @p group.
    bool covers(const QString& target, const QString& group) const;
    /// startUtc <= @p at < endUtc.
    bool activeAt(const QDateTime& at) const { return startUtc <= at && at < endUtc; }
    /// "web-1, group web" — what the window applies to, for lists and messages.
    QString scope() const;
    /// "maintenance of web-1 (kernel upgrade)", for reminders and the audit trail.
    QString label() const;
    /// A readable problem with the window as given (empty scope, end before start, too long), or empty.
    /// @p maxLengthMs bounds the duration unless @p confirmedLong.
    QString problem(qint64 maxLengthMs, bool confirmedLong) const;
    /// "14:30" today, "2026-11-28 14:30" on another day, in local time relative to @p now.
    static QString localTime(const QDateTime& utc, const QDateTime& now);

    QJsonObject toJson() const;
    static MaintenanceWindow fromJson(const QJsonObject& object);
    friend bool operator==(const MaintenanceWindow&, const MaintenanceWindow&) = default;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::MaintenanceWindow)
