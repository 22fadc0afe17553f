#include "probe/httpresponseparser.h"

#include <QTest>

using namespace FaultDesk;
using S = HttpResponseParser::Status;
using E = HttpResponseParser::Error;

class TestHttpResponseParser : public QObject
{
    Q_OBJECT

    // Feeds @p bytes in slices of @p slice bytes (every split point must give the same result).
    static S feedAll(HttpResponseParser& p, const QByteArray& bytes, qsizetype slice)
    {
        S st = S::NeedMore;
        for (qsizetype i = 0; i < bytes.size() && st == S::NeedMore; i += slice)
            st = p.feed(bytes.constData() + i, qMin(slice, bytes.size() - i));
        return st;
    }

private Q_SLOTS:
    void wellFormed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");
        QTest::addRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n") << 200
                                        << QByteArray("ok\n") << true;
        QTest::addRow("chunked with extension and trailer")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n8;ext=1\r\nchunked "
                          "\r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n")
            << 200 << QByteArray("hello chunked world") << true;
        QTest::addRow("upper-case hex chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n") << 200
            << QByteArray("0123456789") << true;
        QTest::addRow("1xx before the response")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 "
                          "Created\r\nContent-Length: 2\r\n\r\nhi")
            << 201 << QByteArray("hi") << true;
        QTest::addRow("204 has no body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << 204 << QByteArray()
                                         << true;
        QTest::addRow("HTTP/1.0 closes") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx") << 200
                                         << QByteArray("x") << false;
        QTest::addRow("Connection: close")
            << QByteArray("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n") << 503 << QByteArray()
            << false;
        QTest::addRow("bytes past the body desync the connection")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA") << 200 << QByteArray("x") << false;
    }
    void wellFormed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        for (const qsizetype slice : { qsizetype(1), qsizetype(2), qsizetype(7), bytes.size() }) {
            HttpResponseParser p(1024);
            QCOMPARE(feedAll(p, bytes, slice), S::Complete);
            QCOMPARE(p.status(), status);
            QCOMPARE(p.body(), body);
            // Bytes past the response are seen only when they arrive in the same read.
            if (slice == bytes.size())
                QCOMPARE(p.keepAlive(), keepAlive);
        }
    }

    void closeDelimitedBody()
    {
        HttpResponseParser p(1024);
        QCOMPARE(feedAll(p, "HTTP/1.0 200 OK\r\n\r\nclose-delimited body", 5), S::NeedMore);
        QCOMPARE(p.finishOnClose(), S::Complete);
        QCOMPARE(p.body(), "close-delimited body");
        QVERIFY(!p.keepAlive());
        HttpResponseParser cut(1024);
        QCOMPARE(cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41), S::NeedMore);
        QCOMPARE(cut.finishOnClose(), S::Error);
        QVERIFY2(cut.errorText().contains(u"before the end of the body"_qs), qPrintable(cut.errorText()));
    }

    // The reproduced defect: 7fffffffffffffff was added to the body size (signed overflow, undefined behaviour).
    // Every hostile size is now a clean error naming the limit, and nothing is allocated for it.
    void hostileSizes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("says");
        const QByteArray chunked("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        QTest::addRow("chunk 7fffffffffffffff")
            << chunked + "7fffffffffffffff\r\n"
            << int(E::BodyLimit) << u"a chunk of 9223372036854775807 bytes announced"_qs;
        QTest::addRow("chunk 7fffffffffffffff after data") << chunked + "3\r\nabc\r\n7fffffffffffffff\r\n"
                                                           << int(E::BodyLimit) << u"limit of 1024 bytes"_qs;
        QTest::addRow("chunk beyond 64 bits") << chunked + "ffffffffffffffff0\r\n"
                                              << int(E::Malformed) << u"bad chunk size"_qs;
        QTest::addRow("chunk 8000000000000000") << chunked + "8000000000000000\r\n"
                                                << int(E::Malformed) << u"bad chunk size"_qs;
        QTest::addRow("negative chunk") << chunked + "-1\r\n" << int(E::Malformed) << u"bad chunk size"_qs;
        QTest::addRow("chunk with sign") << chunked + "+5\r\nhello\r\n0\r\n\r\n"
                                         << int(E::Malformed) << u"bad chunk size"_qs;
        QTest::addRow("empty chunk size") << chunked + "\r\n" << int(E::Malformed) << u"bad chunk size"_qs;
        QTest::addRow("chunk-size line without end")
            << chunked + QByteArray(2000, '0') << int(E::Malformed) << u"line too long"_qs;
        QTest::addRow("Content-Length 2^63-1")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n") << int(E::BodyLimit)
            << u"body of 9223372036854775807 bytes (Content-Length) exceeds the limit of 1024 bytes"_qs;
        QTest::addRow("Content-Length 2^63")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n") << int(E::Malformed)
            << u"malformed Content-Length"_qs;
        QTest::addRow("negative Content-Length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
                                                 << int(E::Malformed) << u"malformed Content-Length"_qs;
        QTest::addRow("two Content-Lengths")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx") << int(E::Malformed)
            << u"malformed Content-Length"_qs;
        QTest::addRow("body past the limit") << QByteArray("HTTP/1.0 200 OK\r\n\r\n") + QByteArray(2000, 'b')
                                             << int(E::BodyLimit) << u"body exceeds the limit of 1024 bytes"_qs;
        QTest::addRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH\r\n") << int(E::Malformed)
                                  << u"malformed HTTP response"_qs;
        QTest::addRow("bad status") << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << int(E::Malformed)
                                    << u"malformed HTTP status line"_qs;
        QTest::addRow("endless head") << QByteArray("HTTP/1.1 200 OK\r\n") + QByteArray(70 * 1024, 'h')
                                      << int(E::HeadTooLarge) << u"exceed 64 KiB"_qs;
    }
    void hostileSizes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, error);
        QFETCH(QString, says);
        for (const qsizetype slice : { qsizetype(1), qsizetype(3), bytes.size() }) {
            HttpResponseParser p(1024);
            QCOMPARE(feedAll(p, bytes, slice), S::Error);
            QCOMPARE(int(p.error()), error);
            QVERIFY2(p.errorText().contains(says), qPrintable(p.errorText()));
            QVERIFY(p.body().size() <= 1024);
            QVERIFY(!p.keepAlive());
            QCOMPARE(p.feed("more", 4), S::Error); // stays failed until reset
        }
    }

    void numbers()
    {
        QCOMPARE(HttpResponseParser::parseHex("7fffffffffffffff"), std::optional<qint64>(0x7fffffffffffffffLL));
        QCOMPARE(HttpResponseParser::parseHex("8000000000000000"), std::nullopt);
        QCOMPARE(HttpResponseParser::parseHex("0x10"), std::nullopt);
        QCOMPARE(HttpResponseParser::parseDecimal("9223372036854775807"), std::optional<qint64>(9223372036854775807LL));
        QCOMPARE(HttpResponseParser::parseDecimal("9223372036854775808"), std::nullopt);
        QCOMPARE(HttpResponseParser::parseDecimal(" 1"), std::nullopt);
    }

    void resetServesTheNextResponse()
    {
        HttpResponseParser p(16);
        QCOMPARE(p.feed("HTTP/1.1 404 Nope\r\nContent-Length: 2\r\nLocation: /x\r\n\r\nno", 56), S::Complete);
        QCOMPARE(p.statusPhrase(), u"Nope"_qs);
        QCOMPARE(p.location(), "/x");
        p.reset(16);
        QCOMPARE(p.status(), 0);
        QVERIFY(p.location().isEmpty());
        QCOMPARE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38), S::Complete);
        QCOMPARE(p.status(), 200);
    }
};

QTEST_GUILESS_MAIN(TestHttpResponseParser)
#include "tst_httpresponseparser.moc"
