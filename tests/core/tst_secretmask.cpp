// Every secret FaultDesk has read is masked wherever text is written: the log file, whatever printed it.
#include "config/secretref.h"
#include "util/logging.h"
#include "util/secretmask.h"
#include "util/terminaltext.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestSecretMask : public QObject
{
    Q_OBJECT

    static QByteArray randomToken()
    {
        return "tok-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    }

private Q_SLOTS:
    void cleanup()
    {
        Logging::uninstall();
        SecretMask::clear();
    }

    void masksEveryRegisteredValue()
    {
        SecretMask::add("abcdefgh");
        SecretMask::add("abcdefgh-longer"); // the longer one is masked whole, not as "****-longer"
        SecretMask::add("abc"); // too short to be a secret: not registered, ordinary text stays readable
        QCOMPARE(SecretMask::count(), 2);
        QCOMPARE(SecretMask::apply(u"x abcdefgh-longer y abcdefgh abc"_qs), u"x **** y **** abc"_qs);
        QCOMPARE(SecretMask::apply(QByteArray("\xff abcdefgh \xfe")), QByteArray("\xff **** \xfe"));
    }

    // Reading a secret through its reference is enough: no caller has to remember to register it.
    void secretRefRegistersWhatItReads()
    {
        const QByteArray token = randomToken();
        qputenv("FD_TEST_MASK_TOKEN", token);
        QVERIFY(SecretRef::env(u"FD_TEST_MASK_TOKEN"_qs).resolve());
        QVERIFY(!SecretMask::apply(QString::fromLatin1("Authorization: Bearer " + token))
                     .contains(QString::fromLatin1(token)));
        qunsetenv("FD_TEST_MASK_TOKEN");
    }

    void logLinesAreMasked()
    {
        const QByteArray token = randomToken();
        SecretMask::add(token);
        QTemporaryDir dir;
        QVERIFY(Logging::install({ dir.path(), false }));
        qCWarning(lcRemedy) << "child printed" << token;
        Logging::uninstall();
        QFile file(dir.filePath(u"faultdesk.log"_qs));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray log = file.readAll();
        QVERIFY2(log.contains("child printed \"****\""), log.constData());
        QVERIFY(!log.contains(token));
    }

    void terminalLinesCarryNoControls_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        const QString r(QChar::ReplacementCharacter);
        QTest::addRow("window title escape")
            << u"alert \x1b]0;pwned\x07 fired"_qs << u"alert "_qs + r + u"]0;pwned"_qs + r + u" fired"_qs;
        QTest::addRow("colour and cursor") << u"\x1b[31mred\x1b[2K"_qs << r + u"[31mred"_qs + r + u"[2K"_qs;
        QTest::addRow("newline cannot fake a line") << u"a\nOK all good"_qs << u"a"_qs + r + u"OK all good"_qs;
        QTest::addRow("one-byte CSI") << u"x\u009b2Jy"_qs << u"x"_qs + r + u"2Jy"_qs;
        QTest::addRow("bidi override") << u"user\u202Egnp.exe"_qs << u"user"_qs + r + u"gnp.exe"_qs;
        QTest::addRow("plain text untouched")
            << u"web-1: HTTP 503 — ünïcödé ok"_qs << u"web-1: HTTP 503 — ünïcödé ok"_qs;
    }
    void terminalLinesCarryNoControls()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(TerminalText::safeLine(in), out);
    }

    // The JSON lines of `faultdesk monitor --json`: what QJsonDocument leaves raw is escaped, the value unchanged.
    void jsonLinesCarryNoControls()
    {
        const QString hostile = u"\x1b]0;pwned\x07 \u009b2J \u202Egnp.exe \x7f <b>ok</b> ünï"_qs;
        const QByteArray json
            = QJsonDocument(QJsonObject { { u"summary"_qs, hostile } }).toJson(QJsonDocument::Compact);
        const QByteArray safe = TerminalText::safeJsonLine(json);
        for (const QChar c : QString::fromUtf8(safe))
            QVERIFY2(c.unicode() >= 0x20 && c.unicode() != 0x7f && (c.unicode() < 0x80 || c.unicode() > 0x9f)
                    && c.unicode() != 0x202e,
                safe.constData());
        QVERIFY2(safe.contains("\\u009b") && safe.contains("\\u202e") && safe.contains("\\u007f"), safe.constData());
        QCOMPARE(QJsonDocument::fromJson(safe).object().value(u"summary"_qs).toString(), hostile);
    }
};

QTEST_GUILESS_MAIN(TestSecretMask)
#include "tst_secretmask.moc"
