#include "util/timeargument.h"

#include <QRegularExpression>
#include <QTimeZone>

namespace FaultDesk::TimeArgument {

std::optional<QDateTime> parse(const QString& text, const QDateTime& nowUtc)
{
    const QString t = text.trimmed();
    static const QRegularExpression span(QStringLiteral("^(\\d+)\\s*([smhdw])$"));
    if (const auto m = span.match(t); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = unit == u's' ? 1
            : unit == u'm'                  ? 60
            : unit == u'h'                  ? 3600
            : unit == u'd'                  ? 86400
                                            : 604800;
        return nowUtc.addSecs(-n * seconds);
    }
    QString iso = t;
    iso.replace(u' ', u'T');
    QDateTime d = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!d.isValid())
        d = QDateTime::fromString(iso, Qt::ISODate);
    if (!d.isValid()) {
        const QDate day = QDate::fromString(t, Qt::ISODate);
        if (day.isValid())
            d = QDateTime(day, QTime(0, 0), QTimeZone::utc());
    }
    if (!d.isValid())
        return std::nullopt;
    if (d.timeSpec() == Qt::LocalTime)
        d.setTimeZone(QTimeZone::utc()); // a time without a zone is UTC, like every time in the reports
    return d.toUTC();
}

std::optional<std::pair<QDateTime, QDateTime>> range(
    const QString& since, const std::optional<QString>& until, const QDateTime& nowUtc, QString* error)
{
    const std::optional<QDateTime> from = parse(since, nowUtc);
    if (!from) {
        *error = QStringLiteral("--since: '%1' is not a date (use ISO 8601 such as 2026-11-27T09:00:00Z, or 24h, 7d)")
                     .arg(since);
        return std::nullopt;
    }
    const std::optional<QDateTime> to = until ? parse(*until, nowUtc) : nowUtc;
    if (!to) {
        *error = QStringLiteral("--until: '%1' is not a date").arg(*until);
        return std::nullopt;
    }
    if (*from >= *to) {
        *error
            = QStringLiteral("--since %1 is not before %2").arg(from->toString(Qt::ISODate), to->toString(Qt::ISODate));
        return std::nullopt;
    }
    return std::make_pair(*from, *to);
}

} // namespace FaultDesk::TimeArgument
