// faultdesk-fleetsim's benchmark mode: N metrics endpoints in one process on a contiguous port range.
#include "fleetsimharness.h"

#include <QTest>

using namespace FaultDesk::Test;

class TestFleetsimBench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void servesThePayloadOnEveryPort_data();
    void servesThePayloadOnEveryPort();
    void keepAliveServesManyRequests();
    void explicitPortBase();
    void rejectsBadArguments_data();
    void rejectsBadArguments();

private:
    static bool startBench(QProcess& process, const QStringList& args, int* count, quint16* first);
};

static QString fixture()
{
    return QStringLiteral(FLEETSIM_PAYLOAD_FILE);
}

bool TestFleetsimBench::startBench(QProcess& process, const QStringList& args, int* count, quint16* first)
{
    process.start(fleetsimBinary(), args);
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (!out.contains('\n') && clock.elapsed() < 20000 && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
    }
    const QList<QByteArray> words = out.trimmed().split(' ');
    if (words.size() != 3 || words.at(0) != "READY")
        return false;
    *count = words.at(1).toInt();
    *first = quint16(words.at(2).toUInt());
    return true;
}

void TestFleetsimBench::servesThePayloadOnEveryPort_data()
{
    QTest::addColumn<bool>("explicitPayload");
    QTest::addRow("--payload") << true;
    QTest::addRow("default payload") << false;
}

void TestFleetsimBench::servesThePayloadOnEveryPort()
{
    QFETCH(bool, explicitPayload);
    QFile file(fixture());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray payload = file.readAll();
    QStringList args = { QStringLiteral("--targets"), QStringLiteral("40") };
    if (explicitPayload)
        args << QStringLiteral("--payload") << fixture();
    QProcess bench;
    int count = 0;
    quint16 first = 0;
    QVERIFY(startBench(bench, args, &count, &first));
    QCOMPARE(count, 40);
    for (const int offset : { 0, 1, 20, 39 }) {
        const HttpResult r = httpGet(quint16(first + offset), "/metrics");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body.size(), payload.size());
        QVERIFY(r.body == payload);
    }
    QVERIFY(!httpGet(quint16(first + 40), "/metrics", 500).complete || first + 40 > 65535);
    bench.terminate();
    QVERIFY(bench.waitForFinished(5000));
    QCOMPARE(bench.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!httpGet(first, "/metrics", 300).connected, 3000);
}

void TestFleetsimBench::keepAliveServesManyRequests()
{
    QProcess bench;
    int count = 0;
    quint16 first = 0;
    QVERIFY(startBench(bench,
        { QStringLiteral("--targets"), QStringLiteral("3"), QStringLiteral("--payload"), fixture() }, &count, &first));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, first + 2);
    QVERIFY(socket.waitForConnected(3000));
    const QByteArray request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int i = 0; i < 5; ++i) {
        socket.write(request);
        QByteArray got;
        QElapsedTimer clock;
        clock.start();
        qsizetype want = -1;
        while (clock.elapsed() < 3000) {
            if (!socket.waitForReadyRead(3000))
                break;
            got += socket.readAll();
            const qsizetype end = got.indexOf("\r\n\r\n");
            if (end > 0 && want < 0) {
                const qsizetype at = got.toLower().indexOf("content-length: ");
                want = end + 4 + got.mid(at + 16, got.indexOf('\r', at) - at - 16).toLongLong();
            }
            if (want > 0 && got.size() >= want)
                break;
        }
        QVERIFY(got.startsWith("HTTP/1.1 200"));
        QCOMPARE(got.size(), want);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }
    bench.terminate();
    QVERIFY(bench.waitForFinished(5000));
}

void TestFleetsimBench::explicitPortBase()
{
    quint16 base = 0;
    {
        QProcess probe;
        int count = 0;
        QVERIFY(startBench(probe,
            { QStringLiteral("--targets"), QStringLiteral("5"), QStringLiteral("--payload"), fixture() }, &count,
            &base));
        probe.terminate();
        QVERIFY(probe.waitForFinished(5000));
    }
    QProcess bench;
    int count = 0;
    quint16 first = 0;
    QVERIFY(startBench(bench,
        { QStringLiteral("--targets"), QStringLiteral("5"), QStringLiteral("--payload"), fixture(),
            QStringLiteral("--port-base"), QString::number(base) },
        &count, &first));
    QCOMPARE(first, base);
    QCOMPARE(httpGet(quint16(base + 4), "/metrics").status, 200);
    bench.terminate();
    QVERIFY(bench.waitForFinished(5000));
}

void TestFleetsimBench::rejectsBadArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addRow("zero targets") << QStringList { QStringLiteral("--targets"), QStringLiteral("0") };
    QTest::addRow("too many targets") << QStringList { QStringLiteral("--targets"), QStringLiteral("2001") };
    QTest::addRow("not a number") << QStringList { QStringLiteral("--targets"), QStringLiteral("many") };
    QTest::addRow("missing payload") << QStringList { QStringLiteral("--targets"), QStringLiteral("2"),
        QStringLiteral("--payload"), QStringLiteral("/nonexistent/metrics.prom") };
    QTest::addRow("bad port base") << QStringList { QStringLiteral("--targets"), QStringLiteral("2"),
        QStringLiteral("--port-base"), QStringLiteral("70000") };
}

void TestFleetsimBench::rejectsBadArguments()
{
    QFETCH(QStringList, args);
    QProcess bench;
    bench.start(fleetsimBinary(), args);
    QVERIFY(bench.waitForFinished(10000));
    QCOMPARE(bench.exitCode(), 2);
    QVERIFY(!bench.readAllStandardError().trimmed().isEmpty());
}

QTEST_GUILESS_MAIN(TestFleetsimBench)
#include "tst_fleetsimbench.moc"
