#include "remedy/templatefields.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace FaultDesk;

class TestTemplateFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void substitute_data();
    void substitute();
    void jsonBodyStaysValid();
};

void TestTemplateFields::substitute_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("escape");
    QTest::addColumn<bool>("guard");
    QTest::addColumn<QString>("expected"); // empty: refused
    QTest::addColumn<QString>("errorPart");

    using E = TemplateFields::Escape;
    QTest::addRow("plain") << u"{target}"_qs << u"web-1"_qs << int(E::None) << true << u"web-1"_qs << QString();
    QTest::addRow("embedded") << u"--host={target}"_qs << u"-x"_qs << int(E::None) << true << u"--host=-x"_qs
                              << QString();
    QTest::addRow("leading dash refused")
        << u"{target}"_qs << u"-rf"_qs << int(E::None) << true << QString() << u"starts with '-'"_qs;
    QTest::addRow("leading dash without guard")
        << u"{target}"_qs << u"-rf"_qs << int(E::None) << false << u"-rf"_qs << QString();
    QTest::addRow("newline refused") << u"{target}"_qs << u"a\nb"_qs << int(E::None) << false << QString()
                                     << u"control character"_qs;
    QTest::addRow("carriage return refused")
        << u"x{target}"_qs << u"a\rb"_qs << int(E::None) << false << QString() << u"control character"_qs;
    QTest::addRow("shell payload inert") << u"{target}"_qs << u"; rm -rf / | $(id) `id` \\"_qs << int(E::None) << true
                                         << u"; rm -rf / | $(id) `id` \\"_qs << QString();
    QTest::addRow("url encoded") << u"http://h/x?t={target}"_qs << u"a b&c=d/e"_qs << int(E::Url) << false
                                 << u"http://h/x?t=a%20b%26c%3Dd%2Fe"_qs << QString();
    QTest::addRow("json braces literal") << u"{\"t\":\"{target}\"}"_qs << u"x"_qs << int(E::Json) << false
                                         << u"{\"t\":\"x\"}"_qs << QString();
    QTest::addRow("json quote escaped") << u"\"{target}\""_qs << u"a\"b"_qs << int(E::Json) << false << u"\"a\\\"b\""_qs
                                        << QString();
    QTest::addRow("unknown field") << u"{nosuch}"_qs << u"v"_qs << int(E::None) << false << QString()
                                   << u"unknown field {nosuch}"_qs;
    QTest::addRow("unclosed brace literal")
        << u"{target"_qs << u"v"_qs << int(E::None) << false << u"{target"_qs << QString();
}

void TestTemplateFields::substitute()
{
    QFETCH(QString, text);
    QFETCH(QString, value);
    QFETCH(int, escape);
    QFETCH(bool, guard);
    QFETCH(QString, expected);
    QFETCH(QString, errorPart);
    TemplateFields fields { { u"target"_qs, value } };
    QString error;
    const auto out = fields.substitute(text, TemplateFields::Escape(escape), guard, &error);
    if (expected.isEmpty()) {
        QVERIFY2(!out, qPrintable(out.value_or(QString())));
        QVERIFY2(error.contains(errorPart), qPrintable(error));
    } else {
        QVERIFY2(out, qPrintable(error));
        QCOMPARE(*out, expected);
    }
}

void TestTemplateFields::jsonBodyStaysValid()
{
    TemplateFields fields { { u"target"_qs, u"evil\", \"admin\": true, \"x\": \""_qs } };
    const auto body = fields.substitute(u"{\"target\": \"{target}\"}"_qs, TemplateFields::Escape::Json);
    QVERIFY(body);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body->toUtf8(), &err);
    QCOMPARE(err.error, QJsonParseError::NoError);
    QCOMPARE(doc.object().size(), 1);
    QCOMPARE(doc.object().value(u"target"_qs).toString(), fields.value(u"target"_qs));
}

QTEST_GUILESS_MAIN(TestTemplateFields)
#include "tst_templatefields.moc"
