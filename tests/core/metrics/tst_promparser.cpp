#include "metrics/promparser.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <cmath>
#include <limits>

using namespace FaultDesk;

namespace {

template <std::size_t N> QByteArray bytes(const char (&s)[N])
{
    return QByteArray(s, qsizetype(N - 1)); // keeps embedded NULs
}

std::string_view view(const QByteArray& b)
{
    return std::string_view(b.constData(), std::size_t(b.size()));
}

QString str(std::string_view v)
{
    return QString::fromUtf8(v.data(), qsizetype(v.size()));
}

/// The shared fixtures folder; FAULTDESK_SHARED_DIR in the environment overrides the build's (worktrees).
QString sharedDir()
{
    const QString env = qEnvironmentVariable("FAULTDESK_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral(FAULTDESK_SHARED_DIR) : env;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/// "name{a=b,c=d}" with unescaped values, for compact comparisons.
QString describeSample(const ParsedScrape& scrape, const PromSample& s)
{
    QString out = str(s.name());
    QStringList labels;
    for (const PromLabel& l : scrape.labels(s))
        labels << str(l.name) + u'=' + str(l.value);
    if (!labels.isEmpty())
        out += u'{' + labels.join(u',') + u'}';
    return out;
}

} // namespace

class TestPromParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void badInput_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("fragment");

        QTest::addRow("name only") << bytes("metric") << 1 << "missing value";
        QTest::addRow("name and blanks only") << bytes("metric   \n") << 1 << "missing value";
        QTest::addRow("labels without value") << bytes("metric{a=\"b\"}\n") << 1 << "missing value";
        QTest::addRow("unterminated label set") << bytes("metric{\n") << 1 << "unterminated label set";
        QTest::addRow("missing comma") << bytes("metric{a=\"b\" c=\"d\"} 1") << 1 << "expected ',' or '}'";
        QTest::addRow("unclosed before value") << bytes("metric{a=\"b\" 1") << 1 << "expected ',' or '}'";
        QTest::addRow("unquoted value") << bytes("metric{a=b} 1") << 1 << "to open the value of label 'a'";
        QTest::addRow("single quotes") << bytes("metric{a='b'} 1") << 1 << "to open the value of label 'a'";
        QTest::addRow("label without =") << bytes("metric{a} 1") << 1 << "expected '=' after label name 'a'";
        QTest::addRow("empty label name") << bytes("metric{=\"b\"} 1") << 1 << "expected a label name";
        QTest::addRow("label name with digit first") << bytes("metric{1a=\"b\"} 1") << 1 << "expected a label name";
        QTest::addRow("newline in label value")
            << bytes("metric{a=\"b\nc\"} 1") << 1 << "unterminated value of label 'a'";
        QTest::addRow("unknown escape") << bytes("metric{a=\"b\\qc\"} 1") << 1 << "invalid escape sequence";
        QTest::addRow("escape at end of line") << bytes("metric{a=\"b\\\n") << 1 << "unterminated escape";
        QTest::addRow("invalid UTF-8 value") << bytes("metric{a=\"\xff\xfe\"} 1") << 1 << "invalid UTF-8";
        QTest::addRow("overlong UTF-8 value") << bytes("metric{a=\"\xc0\xaf\"} 1") << 1 << "invalid UTF-8";
        QTest::addRow("NUL in label value") << bytes("metric{a=\"x\0y\"} 1") << 1 << "NUL byte";
        QTest::addRow("duplicate label") << bytes("metric{a=\"b\",a=\"c\"} 1") << 1 << "duplicate label 'a'";
        QTest::addRow("value true") << bytes("metric true") << 1 << "invalid value 'true'";
        QTest::addRow("value with underscore") << bytes("metric 1_2") << 1 << "invalid value '1_2'";
        QTest::addRow("hex float") << bytes("metric 0x1p3") << 1 << "invalid value '0x1p3'";
        QTest::addRow("lone minus") << bytes("metric -") << 1 << "invalid value '-'";
        QTest::addRow("nan with payload") << bytes("metric nan(1)") << 1 << "invalid value";
        QTest::addRow("value out of range") << bytes("metric 1e999") << 1 << "out of range";
        QTest::addRow("fractional timestamp") << bytes("metric 1 2.5") << 1 << "invalid timestamp '2.5'";
        QTest::addRow("timestamp overflow") << bytes("metric 1 99999999999999999999") << 1 << "invalid timestamp";
        QTest::addRow("text after timestamp") << bytes("metric 1 2 3") << 1 << "unexpected text after the timestamp";
        QTest::addRow("name starts with digit") << bytes("0metric 1") << 1 << "expected a metric name";
        QTest::addRow("dash in name") << bytes("metric-name 1") << 1 << "unexpected '-' after metric name";
        QTest::addRow("extra brace") << bytes("metric{a=\"b\"}} 1") << 1 << "invalid value '}'";
        QTest::addRow("TYPE without type") << bytes("# TYPE metric\n") << 1 << "without a type";
        QTest::addRow("unknown type") << bytes("# TYPE metric bogus\n") << 1 << "unknown metric type 'bogus'";
        QTest::addRow("text after type") << bytes("# TYPE metric counter extra\n") << 1
                                         << "unexpected text after the type";
        QTest::addRow("HELP without name") << bytes("# HELP\n") << 1 << "HELP line without a metric name";
        QTest::addRow("TYPE bad name") << bytes("# TYPE 0bad counter\n") << 1 << "invalid metric name in TYPE line";
        QTest::addRow("HELP bad name") << bytes("# HELP bad-name text\n") << 1 << "invalid metric name in HELP line";
        QTest::addRow("second TYPE") << bytes("# TYPE m counter\n# TYPE m gauge\nm 1\n") << 2
                                     << "second TYPE line for 'm'";
        QTest::addRow("second HELP") << bytes("# HELP m one\n# HELP m two\n") << 2 << "second HELP line for 'm'";
        QTest::addRow("TYPE after samples") << bytes("m 1\n# TYPE m counter\n") << 2 << "after its samples";
        QTest::addRow("NUL in HELP") << bytes("# HELP m a\0b\n") << 1 << "NUL byte in HELP";
        QTest::addRow("invalid UTF-8 in HELP") << bytes("# HELP m caf\xe9\n") << 1 << "invalid UTF-8 in HELP";
        QTest::addRow("bucket without le") << bytes("# TYPE h histogram\nh_bucket 1\n") << 2 << "without a 'le' label";
        QTest::addRow("bucket with bad le")
            << bytes("# TYPE h histogram\nh_bucket{le=\"abc\"} 1\n") << 2 << "invalid 'le' value 'abc'";
        QTest::addRow("bare histogram sample") << bytes("# TYPE h histogram\nh 1\n") << 2 << "must be one of _bucket";
        QTest::addRow("summary without quantile")
            << bytes("# TYPE s summary\ns 1\n") << 2 << "without a 'quantile' label";
        QTest::addRow("summary with NaN quantile")
            << bytes("# TYPE s summary\ns{quantile=\"NaN\"} 1\n") << 2 << "invalid 'quantile' value";
        QTest::addRow("error on a later line")
            << bytes("a 1\nb{x=\"y\"} 2\n\n# comment\nc{\n") << 5 << "unterminated label set of 'c'";
        QTest::addRow("CRLF, then bad value") << bytes("a 1\r\nb 2\r\nc x\r\n") << 3 << "invalid value 'x'";
    }

    void badInput()
    {
        QFETCH(QByteArray, payload);
        QFETCH(int, line);
        QFETCH(QString, fragment);
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY(!PromParser::parse(view(payload), scrape, &error));
        QCOMPARE(int(error.line), line);
        QVERIFY2(QString::fromStdString(error.message).contains(fragment), error.toString().c_str());
        QVERIFY(error.column >= 1);
        QVERIFY(scrape.samples().empty());
        QVERIFY(scrape.families().empty());
    }

    void value_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<double>("expected");
        const double inf = std::numeric_limits<double>::infinity();
        QTest::addRow("integer") << QByteArray("42") << 42.0;
        QTest::addRow("negative decimal") << QByteArray("-3.25") << -3.25;
        QTest::addRow("plus sign") << QByteArray("+7") << 7.0;
        QTest::addRow("leading dot") << QByteArray(".5") << 0.5;
        QTest::addRow("trailing dot") << QByteArray("5.") << 5.0;
        QTest::addRow("exponent") << QByteArray("1.458255915e9") << 1.458255915e9;
        QTest::addRow("negative exponent") << QByteArray("4.2301e-05") << 4.2301e-05;
        QTest::addRow("capital E, plus") << QByteArray("1.669725184E+09") << 1.669725184e9;
        QTest::addRow("0.1 correctly rounded") << QByteArray("0.1") << 0.1;
        QTest::addRow("many digits") << QByteArray("123456789012345678901234") << 123456789012345678901234.0;
        QTest::addRow("many fraction digits") << QByteArray("0.12345678901234567890123") << 0.12345678901234567890123;
        QTest::addRow("big exponent") << QByteArray("1.5e300") << 1.5e300;
        QTest::addRow("underflow reads as zero") << QByteArray("1e-400") << 0.0;
        QTest::addRow("+Inf") << QByteArray("+Inf") << inf;
        QTest::addRow("-Inf") << QByteArray("-Inf") << -inf;
        QTest::addRow("Inf") << QByteArray("Inf") << inf;
        QTest::addRow("infinity any case") << QByteArray("-infinity") << -inf;
        QTest::addRow("max int64 as double") << QByteArray("9223372036854775807") << 9223372036854775807.0;
    }

    void value()
    {
        QFETCH(QByteArray, text);
        QFETCH(double, expected);
        const QByteArray payload = "m " + text + '\n';
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        QCOMPARE(scrape.samples().size(), 1u);
        QCOMPARE(scrape.samples()[0].value, expected);
    }

    void nanValue()
    {
        for (const char* text : { "NaN", "nan", "NAN" }) {
            const QByteArray payload = QByteArray("m ") + text;
            ParsedScrape scrape;
            QVERIFY(PromParser::parse(view(payload), scrape));
            QVERIFY(std::isnan(scrape.samples()[0].value));
        }
    }

    void timestamps()
    {
        const QByteArray payload = "a 1 1395066363000\nb 2 -3982045\nc 3\nd 4 +5\n";
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        const auto s = scrape.samples();
        QCOMPARE(s.size(), 4u);
        QVERIFY(s[0].hasTimestamp);
        QCOMPARE(s[0].timestampMs, qint64(1395066363000));
        QCOMPARE(s[1].timestampMs, qint64(-3982045));
        QVERIFY(!s[2].hasTimestamp);
        QCOMPARE(s[3].timestampMs, qint64(5));
    }

    void expositionExample()
    {
        const QByteArray payload
            = readFile(QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/core/metrics/data/exposition_example.prom"));
        QVERIFY(!payload.isEmpty());
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        const auto samples = scrape.samples();
        QCOMPARE(samples.size(), 20u);

        QCOMPARE(describeSample(scrape, samples[0]), QStringLiteral("http_requests_total{method=post,code=200}"));
        QCOMPARE(samples[0].value, 1027.0);
        QCOMPARE(samples[0].timestampMs, qint64(1395066363000));
        QCOMPARE(samples[0].line, 3u);
        QCOMPARE(samples[1].value, 3.0);
        QCOMPARE(describeSample(scrape, samples[1]), QStringLiteral("http_requests_total{method=post,code=400}"));

        const PromSample& msdos = samples[2];
        QCOMPARE(str(msdos.name()), QStringLiteral("msdos_file_access_time_seconds"));
        QCOMPARE(str(*scrape.label(msdos, "path")), QStringLiteral("C:\\DIR\\FILE.TXT"));
        QCOMPARE(str(*scrape.label(msdos, "error")), QStringLiteral("Cannot find file:\n\"FILE.TXT\""));
        QCOMPARE(msdos.value, 1.458255915e9);
        QVERIFY(!msdos.hasTimestamp);

        QCOMPARE(describeSample(scrape, samples[3]), QStringLiteral("metric_without_timestamp_and_labels"));
        QCOMPARE(samples[3].value, 12.47);

        QCOMPARE(describeSample(scrape, samples[4]), QStringLiteral("something_weird{problem=division by zero}"));
        QCOMPARE(samples[4].value, std::numeric_limits<double>::infinity());
        QCOMPARE(samples[4].timestampMs, qint64(-3982045));

        const double les[] = { 0.05, 0.1, 0.2, 0.5, 1, std::numeric_limits<double>::infinity() };
        const double counts[] = { 24054, 33444, 100392, 129389, 133988, 144320 };
        for (int i = 0; i < 6; ++i) {
            const PromSample& b = samples[std::size_t(5 + i)];
            QCOMPARE(str(b.name()), QStringLiteral("http_request_duration_seconds_bucket"));
            QCOMPARE(b.bound, les[i]);
            QCOMPARE(b.value, counts[i]);
        }
        QCOMPARE(samples[11].value, 53423.0);
        QCOMPARE(samples[12].value, 144320.0);
        QCOMPARE(str(samples[13].name()), QStringLiteral("rpc_duration_seconds"));
        QCOMPARE(samples[13].bound, 0.01);
        QCOMPARE(samples[17].bound, 0.99);
        QCOMPARE(samples[17].value, 76656.0);
        QCOMPARE(samples[18].value, 1.7560473e+07);
        QCOMPARE(samples[19].value, 2693.0);

        // Families: types and HELP as declared; histogram/summary parts belong to their family.
        const auto families = scrape.families();
        QCOMPARE(families.size(), 6u);
        const int hist = scrape.findFamily("http_request_duration_seconds");
        QVERIFY(hist >= 0);
        QCOMPARE(families[std::size_t(hist)].type, MetricType::Histogram);
        QCOMPARE(families[std::size_t(hist)].sampleCount, 8u);
        QCOMPARE(str(families[std::size_t(hist)].help), QStringLiteral("A histogram of the request duration."));
        for (int i = 5; i < 13; ++i)
            QCOMPARE(int(samples[std::size_t(i)].family), hist);
        const int summary = scrape.findFamily("rpc_duration_seconds");
        QCOMPARE(families[std::size_t(summary)].type, MetricType::Summary);
        QCOMPARE(families[std::size_t(summary)].sampleCount, 7u);
        QCOMPARE(families[std::size_t(scrape.findFamily("http_requests_total"))].type, MetricType::Counter);
        QCOMPARE(families[std::size_t(scrape.findFamily("something_weird"))].type, MetricType::Untyped);
        QCOMPARE(scrape.findFamily("http_request_duration_seconds_bucket"), -1);
    }

    void labelSyntaxVariants()
    {
        const QByteArray payload
            = bytes("m{ a = \"1\" , b=\"\",} 1\nm{} 2\n  m\t3\t\n# just a comment\n#\n\nm{c=\"\xc3\xa9\"} 4\n");
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        const auto s = scrape.samples();
        QCOMPARE(s.size(), 4u);
        QCOMPARE(describeSample(scrape, s[0]), QStringLiteral("m{a=1,b=}"));
        QCOMPARE(s[1].labelCount, 0u);
        QCOMPARE(s[2].value, 3.0);
        QCOMPARE(str(*scrape.label(s[3], "c")), QStringLiteral("\u00e9"));
        QCOMPARE(s[3].line, 7u);
        QVERIFY(!scrape.label(s[3], "a"));
        QCOMPARE(scrape.families().size(), 1u);
    }

    void helpEscapes()
    {
        const QByteArray payload = bytes("# HELP m a\\\\b\\nc \\q\n# TYPE m gauge\nm 1\n");
        ParsedScrape scrape;
        QVERIFY(PromParser::parse(view(payload), scrape));
        QCOMPARE(str(scrape.families()[0].help), QStringLiteral("a\\b\nc \\q"));
        QCOMPARE(scrape.families()[0].type, MetricType::Gauge);
    }

    void crlfLineEnds()
    {
        const QByteArray payload = "# HELP m text\r\n# TYPE m counter\r\nm{a=\"b\"} 1 5\r\n";
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        QCOMPARE(str(scrape.families()[0].help), QStringLiteral("text"));
        QCOMPARE(scrape.samples()[0].timestampMs, qint64(5));
    }

    void emptyPayload()
    {
        ParsedScrape scrape;
        QVERIFY(PromParser::parse({}, scrape));
        QVERIFY(scrape.samples().empty());
        QVERIFY(PromParser::parse("\n\n# only comments\n", scrape));
        QVERIFY(scrape.samples().empty());
    }

    void interleavedFamilies()
    {
        // Not what the format asks for, but Prometheus accepts it: the family is found again by name.
        const QByteArray payload = "# TYPE a counter\na{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n";
        ParsedScrape scrape;
        QVERIFY(PromParser::parse(view(payload), scrape));
        const auto families = scrape.families();
        QCOMPARE(families.size(), 2u);
        QCOMPARE(families[0].sampleCount, 2u);
        QVERIFY(!families[0].contiguous);
        QVERIFY(families[1].contiguous);
        QCOMPARE(scrape.samples()[2].family, 0u);
    }

    void limits()
    {
        ParsedScrape scrape;
        PromParseError error;
        PromParseLimits limits;
        limits.maxSamples = 2;
        QVERIFY(PromParser::parse("a 1\nb 2\n", scrape, &error, limits));
        QVERIFY(!PromParser::parse("a 1\nb 2\nc 3\n", scrape, &error, limits));
        QCOMPARE(error.line, 3u);
        QVERIFY(error.message.find("sample limit") != std::string::npos);
        limits = {};
        limits.maxLabelsPerSample = 2;
        QVERIFY(!PromParser::parse("a{x=\"1\",y=\"2\",z=\"3\"} 1\n", scrape, &error, limits));
        QVERIFY(error.message.find("more than 2 labels") != std::string::npos);
    }

    void fixture()
    {
        const QByteArray payload = readFile(sharedDir() + QStringLiteral("/fixtures/node_exporter.prom"));
        if (payload.isEmpty())
            QSKIP("fixture not available");
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        QCOMPARE(scrape.samples().size(), 505u);
        QCOMPARE(scrape.families().size(), 282u);
        int counts[5] = {};
        for (const PromFamily& f : scrape.families()) {
            QVERIFY(f.hasHelp);
            QVERIFY(f.hasType);
            QVERIFY(f.contiguous);
            ++counts[int(f.type)];
        }
        QCOMPARE(counts[int(MetricType::Counter)], 60);
        QCOMPARE(counts[int(MetricType::Gauge)], 174);
        QCOMPARE(counts[int(MetricType::Summary)], 1);
        QCOMPARE(counts[int(MetricType::Untyped)], 47);

        // Independent oracle: each sample's value is the last blank-separated token of its line.
        const QList<QByteArray> lines = payload.split('\n');
        for (const PromSample& s : scrape.samples()) {
            const QByteArray line = lines.at(qsizetype(s.line) - 1);
            QVERIFY(line.startsWith(QByteArray(s.series.data(), qsizetype(s.series.size()))));
            const QByteArray token = line.mid(line.lastIndexOf(' ') + 1);
            bool ok = false;
            double expected = token.toDouble(&ok);
            if (token == "NaN")
                QVERIFY(std::isnan(s.value));
            else if (token == "+Inf")
                QCOMPARE(s.value, std::numeric_limits<double>::infinity());
            else {
                QVERIFY2(ok, token.constData());
                QCOMPARE(s.value, expected);
            }
        }

        // Reusing the same output gives the same result (nothing left over from the previous parse).
        QVERIFY(PromParser::parse(view(payload), scrape));
        QCOMPARE(scrape.samples().size(), 505u);
        QCOMPARE(scrape.families().size(), 282u);
    }

    void allOrNothing()
    {
        const QByteArray good
            = readFile(QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/core/metrics/data/exposition_example.prom"));
        ParsedScrape scrape;
        QVERIFY(PromParser::parse(view(good), scrape));
        QCOMPARE(scrape.samples().size(), 20u);
        // The same payload with one broken line at the very end: nothing of it may be ingested.
        const QByteArray bad = good + "broken{ 1\n";
        PromParseError error;
        QVERIFY(!PromParser::parse(view(bad), scrape, &error));
        QCOMPARE(int(error.line), good.count('\n') + 1);
        QVERIFY(scrape.samples().empty());
        QVERIFY(scrape.families().empty());
        QCOMPARE(scrape.findFamily("http_requests_total"), -1);
    }

    void hugeLabelSets()
    {
        // Thousands of labels on one sample (a hostile target): accepted when distinct, duplicates still found,
        // without a quadratic scan.
        QByteArray payload = "m{";
        for (int i = 0; i < 5000; ++i)
            payload += "l" + QByteArray::number(i) + "=\"v\",";
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload + "} 1\n"), scrape, &error), error.toString().c_str());
        QCOMPARE(scrape.samples()[0].labelCount, 5000u);
        QVERIFY(!PromParser::parse(view("ok 1\n" + payload + "l777=\"again\"} 1\n"), scrape, &error));
        QCOMPARE(error.line, 2u);
        QVERIFY2(error.message.find("duplicate label 'l777'") != std::string::npos, error.message.c_str());
    }

    void manyFamiliesGrowIndex()
    {
        QByteArray payload;
        for (int i = 0; i < 3000; ++i)
            payload += "# TYPE fam_" + QByteArray::number(i) + " gauge\nfam_" + QByteArray::number(i) + "{i=\"x\"} "
                + QByteArray::number(i) + '\n';
        ParsedScrape scrape;
        PromParseError error;
        QVERIFY2(PromParser::parse(view(payload), scrape, &error), error.toString().c_str());
        QCOMPARE(scrape.families().size(), 3000u);
        for (int i = 0; i < 3000; i += 97) {
            const int f = scrape.findFamily("fam_" + std::to_string(i));
            QCOMPARE(f, i);
            QCOMPARE(scrape.samples()[std::size_t(i)].value, double(i));
        }
    }

    /// Every seed and every crasher the fuzzer ever found goes through the parser again (no clang needed).
    void fuzzCorpusReplays()
    {
        const QString root = QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/fuzz/corpus/promparser");
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QByteArray payload = readFile(it.next());
            ParsedScrape scrape;
            PromParseError error;
            const bool ok = PromParser::parse(view(payload), scrape, &error);
            if (!ok) {
                QVERIFY(scrape.samples().empty());
                QVERIFY(error.line >= 1 && error.line <= std::uint32_t(payload.count('\n') + 1));
                QVERIFY(!error.message.empty());
            }
            ++files;
        }
        QVERIFY2(files > 0, "no fuzz corpus found");
    }
};

QTEST_GUILESS_MAIN(TestPromParser)
#include "tst_promparser.moc"
