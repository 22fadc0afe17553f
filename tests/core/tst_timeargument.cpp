// Times as operators type them for `faultdesk report --since/--until`: ISO dates and times (UTC unless a zone is
// given) and spans back from now.
#include "util/timeargument.h"

#include <QTest>
#include <QTimeZone>

using namespace FaultDesk;

class TestTimeArgument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QDateTime>("expected"); // invalid: refused
        const QTimeZone utc = QTimeZone::utc();
        QTest::addRow("a day is its midnight UTC") << u"2026-11-27"_qs << QDateTime({ 2026, 11, 27 }, {}, utc);
        QTest::addRow("no zone is UTC") << u"2026-11-27T10:00"_qs << QDateTime({ 2026, 11, 27 }, { 10, 0 }, utc);
        QTest::addRow("a space for the T") << u"2026-11-27 10:00:00Z"_qs << QDateTime({ 2026, 11, 27 }, { 10, 0 }, utc);
        QTest::addRow("an offset is honoured")
            << u"2026-11-27T12:00:00+02:00"_qs << QDateTime({ 2026, 11, 27 }, { 10, 0 }, utc);
        QTest::addRow("30 minutes back") << u"30m"_qs << QDateTime({ 2026, 12, 6 }, { 11, 30 }, utc);
        QTest::addRow("24 hours back") << u"24h"_qs << QDateTime({ 2026, 12, 5 }, { 12, 0 }, utc);
        QTest::addRow("7 days back") << u" 7d "_qs << QDateTime({ 2026, 11, 29 }, { 12, 0 }, utc);
        QTest::addRow("2 weeks back") << u"2w"_qs << QDateTime({ 2026, 11, 22 }, { 12, 0 }, utc);
        QTest::addRow("words are refused") << u"yesterday"_qs << QDateTime();
        QTest::addRow("an unknown unit is refused") << u"3y"_qs << QDateTime();
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QDateTime, expected);
        const QDateTime now({ 2026, 12, 6 }, { 12, 0 }, Qt::UTC); // as QDateTime::currentDateTimeUtc()
        const std::optional<QDateTime> t = TimeArgument::parse(text, now);
        if (!expected.isValid()) {
            QVERIFY(!t);
            return;
        }
        QVERIFY(t);
        QCOMPARE(*t, expected);
        QCOMPARE(t->offsetFromUtc(), 0);
    }

    // `--since T [--until T]`: the span, or which argument is wrong and how (the words `faultdesk report` prints).
    void range_data()
    {
        QTest::addColumn<QString>("since");
        QTest::addColumn<QString>("until"); // null: not given
        QTest::addColumn<QDateTime>("from"); // invalid: refused
        QTest::addColumn<QDateTime>("to");
        QTest::addColumn<QString>("error");
        const QTimeZone utc = QTimeZone::utc();
        const QDateTime now({ 2026, 12, 6 }, { 12, 0 }, utc);
        QTest::addRow("until now by default") << u"24h"_qs << QString() << now.addDays(-1) << now << QString();
        QTest::addRow("both given") << u"2026-12-01"_qs << u"2026-12-02T06:00"_qs << QDateTime({ 2026, 12, 1 }, {}, utc)
                                    << QDateTime({ 2026, 12, 2 }, { 6, 0 }, utc) << QString();
        QTest::addRow("since is no time")
            << u"yesterday"_qs << QString() << QDateTime() << QDateTime()
            << u"--since: 'yesterday' is not a date (use ISO 8601 such as 2026-11-27T09:00:00Z, or 24h, 7d)"_qs;
        QTest::addRow("until is no time")
            << u"24h"_qs << u"soon"_qs << QDateTime() << QDateTime() << u"--until: 'soon' is not a date"_qs;
        QTest::addRow("an empty until is no time")
            << u"24h"_qs << u""_qs << QDateTime() << QDateTime() << u"--until: '' is not a date"_qs;
        QTest::addRow("the span is empty") << u"1h"_qs << u"2h"_qs << QDateTime() << QDateTime()
                                           << u"--since 2026-12-06T11:00:00Z is not before 2026-12-06T10:00:00Z"_qs;
    }

    void range()
    {
        QFETCH(QString, since);
        QFETCH(QString, until);
        QFETCH(QDateTime, from);
        QFETCH(QDateTime, to);
        QFETCH(QString, error);
        const QDateTime now({ 2026, 12, 6 }, { 12, 0 }, Qt::UTC);
        QString why;
        const auto span
            = TimeArgument::range(since, until.isNull() ? std::nullopt : std::optional<QString>(until), now, &why);
        QCOMPARE(why, error);
        QCOMPARE(bool(span), from.isValid());
        if (span) {
            QCOMPARE(span->first, from);
            QCOMPARE(span->second, to);
        }
    }
};

QTEST_GUILESS_MAIN(TestTimeArgument)
#include "tst_timeargument.moc"
