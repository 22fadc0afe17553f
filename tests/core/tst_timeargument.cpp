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
};

QTEST_GUILESS_MAIN(TestTimeArgument)
#include "tst_timeargument.moc"
