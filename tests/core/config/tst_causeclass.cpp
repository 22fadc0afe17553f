// Cause classes: their spelling in the configuration and the class a signal gets when none is configured.

#include "config/causeclass.h"

#include <QTest>

using namespace FaultDesk;

class TestCauseClass : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        const QStringList names = CauseClasses::names();
        QCOMPARE(names,
            QStringList({ u"down"_qs, u"unreachable"_qs, u"unhealthy"_qs, u"overload"_qs, u"latency"_qs, u"errors"_qs,
                u"attack"_qs, u"data-integrity"_qs, u"network"_qs }));
        for (const QString& n : names)
            QCOMPARE(CauseClasses::toString(CauseClasses::fromString(n).value()), n);
        QVERIFY(!CauseClasses::fromString(u"Overload"));
        QVERIFY(!CauseClasses::fromString(u""));
    }

    void defaultFromSignalName_data()
    {
        QTest::addColumn<QString>("signal");
        QTest::addColumn<QString>("cause");
        QTest::addRow("load") << QStringLiteral("load") << QStringLiteral("overload");
        QTest::addRow("cpu_load") << QStringLiteral("cpu_load") << QStringLiteral("overload");
        QTest::addRow("p95_latency") << QStringLiteral("p95_latency") << QStringLiteral("latency");
        QTest::addRow("error_rate") << QStringLiteral("error_rate") << QStringLiteral("errors");
        QTest::addRow("http_errors") << QStringLiteral("http_errors") << QStringLiteral("errors");
        QTest::addRow("integrity") << QStringLiteral("integrity") << QStringLiteral("data-integrity");
        QTest::addRow("checksum") << QStringLiteral("checksum") << QStringLiteral("data-integrity");
        QTest::addRow("download_errors is errors, not load")
            << QStringLiteral("download_errors") << QStringLiteral("errors");
        QTest::addRow("rps") << QStringLiteral("rps") << QStringLiteral("unhealthy");
    }
    void defaultFromSignalName()
    {
        QFETCH(QString, signal);
        QFETCH(QString, cause);
        QCOMPARE(CauseClasses::toString(CauseClasses::defaultForSignal(signal)), cause);
    }
};

QTEST_GUILESS_MAIN(TestCauseClass)
#include "tst_causeclass.moc"
