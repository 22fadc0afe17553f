#include "fuzz/selector/selector_harness.h"
#include "metrics/selector.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <map>
#include <string>

using namespace FaultDesk;

class TestSelector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("expected");
        QTest::addRow("bare name") << "http_requests_total"
                                   << "http_requests_total"
                                   << "200" << true;
        QTest::addRow("other name") << "http_requests_total"
                                    << "http_requests"
                                    << "200" << false;
        QTest::addRow("equal hit") << "http_requests_total{code=\"500\"}"
                                   << "http_requests_total"
                                   << "500" << true;
        QTest::addRow("equal miss") << "http_requests_total{code=\"500\"}"
                                    << "http_requests_total"
                                    << "200" << false;
        QTest::addRow("not equal") << "http_requests_total{code!=\"200\"}"
                                   << "http_requests_total"
                                   << "503" << true;
        QTest::addRow("regex 5xx") << "http_requests_total{code=~\"5..\"}"
                                   << "http_requests_total"
                                   << "502" << true;
        QTest::addRow("regex anchored") << "http_requests_total{code=~\"5.\"}"
                                        << "http_requests_total"
                                        << "502" << false;
        QTest::addRow("negative regex") << "http_requests_total{code!~\"5..\"}"
                                        << "http_requests_total"
                                        << "200" << true;
        QTest::addRow("absent label is empty") << "http_requests_total{method=\"\"}"
                                               << "http_requests_total"
                                               << "200" << true;
        QTest::addRow("spaces, single quotes") << " up { code = '200' } "
                                               << "up"
                                               << "200" << true;
    }

    void matches()
    {
        QFETCH(QString, selector);
        QFETCH(QString, metric);
        QFETCH(QString, code);
        QFETCH(bool, expected);
        QString error;
        const auto sel = Selector::parse(selector, &error);
        QVERIFY2(sel, qPrintable(error));
        const std::map<std::string, std::string> labels { { "code", code.toStdString() } };
        const std::string name = metric.toStdString();
        const bool hit = sel->matches(name, [&](std::string_view label) -> std::optional<std::string_view> {
            auto it = labels.find(std::string(label));
            if (it == labels.end())
                return std::nullopt;
            return std::string_view(it->second);
        });
        QCOMPARE(hit, expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::addRow("empty") << "" << 0 << "empty selector";
        QTest::addRow("digit first") << "9up" << 0 << "expected a metric name";
        QTest::addRow("unterminated braces") << "up{code=\"1\"" << 11 << "expected ',' or '}'";
        QTest::addRow("bad operator") << "up{code<\"1\"}" << 7 << "expected one of";
        QTest::addRow("unquoted") << "up{code=1}" << 8 << "quoted value";
        QTest::addRow("bad regex") << "up{code=~\"(\"}" << 11 << "invalid regular expression";
        QTest::addRow("function") << "rate(up[1m])" << 4 << "not supported";
        QTest::addRow("unterminated string") << "up{code=\"1}" << 11 << "unterminated string";
    }

    void errors()
    {
        QFETCH(QString, selector);
        QFETCH(int, column);
        QFETCH(QString, message);
        QString error;
        int errorColumn = -1;
        QVERIFY(!Selector::parse(selector, &error, &errorColumn));
        QVERIFY2(error.contains(message), qPrintable(error));
        QCOMPARE(errorColumn, column);
    }

    void roundTrip()
    {
        const auto sel = Selector::parse(u"x{a=\"1\", b=~\"q\\\"z\"}");
        QVERIFY(sel);
        QCOMPARE(sel->toString(), QStringLiteral("x{a=\"1\",b=~\"q\\\"z\"}"));
        QCOMPARE(sel->matchers().size(), 2);
    }

    void matchesLabelsAlone()
    {
        // For histogram quantiles the caller checks the `_bucket` name itself and asks only for the labels.
        const auto sel = Selector::parse(u"lat{path=~\"/api/.*\"}");
        QVERIFY(sel);
        QCOMPARE(sel->metricUtf8(), std::string_view("lat"));
        const auto api = [](std::string_view) { return std::optional<std::string_view>("/api/v1"); };
        const auto other = [](std::string_view) { return std::optional<std::string_view>("/health"); };
        QVERIFY(sel->matchesLabels(api));
        QVERIFY(!sel->matchesLabels(other));
        QVERIFY(!sel->matches("lat_bucket", api));
    }

    /// Every seed and crasher of the fuzz_selector fuzzer goes through the same checks (no clang needed).
    void fuzzCorpusReplays()
    {
        QDirIterator it(QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/fuzz/corpus/selector"), QDir::Files,
            QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray data = f.readAll();
            QVERIFY2(FaultDeskFuzz::runSelectorCase(std::string_view(data.constData(), std::size_t(data.size()))),
                qPrintable(path));
            ++files;
        }
        QVERIFY2(files > 0, "no fuzz corpus found");
    }
};

QTEST_GUILESS_MAIN(TestSelector)
#include "tst_selector.moc"
