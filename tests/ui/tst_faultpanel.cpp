// The fault panel's details quote text that came from the network (an alert's summary and labels in the evidence,
// scraped label values as attack sources, a maintenance reason from an Alertmanager silence): whatever markup or
// control characters it holds, the label shows those characters — no image is fetched, no link appears, no text
// turns bold.
#include "model/faultmodel.h"
#include "ui/faultpanel.h"
#include "ui/faultproxymodel.h"

#include <QApplication>
#include <QLabel>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>

using namespace FaultDesk;

namespace {

// What a label shows: its text as is, or what the text renders to when the label takes it as rich text.
QString shownText(const QLabel* label, QStringList* markup)
{
    const bool rich = label->textFormat() == Qt::RichText
        || (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(label->text()));
    if (!rich)
        return label->text();
    QTextDocument doc;
    doc.setHtml(label->text());
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextCharFormat f = it.fragment().charFormat();
            if (f.isImageFormat())
                *markup << QStringLiteral("image %1").arg(f.toImageFormat().name());
            if (f.isAnchor())
                *markup << QStringLiteral("link %1").arg(f.anchorHref());
        }
    return doc.toPlainText();
}

} // namespace

class TestFaultPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void detailsShowNetworkTextAsText_data()
    {
        QTest::addColumn<QString>("hostile");
        QTest::addRow("image") << QStringLiteral("<img src=\"http://127.0.0.1:1/x\">");
        QTest::addRow("link") << QStringLiteral("<a href=\"http://127.0.0.1:1/\">click</a>");
        QTest::addRow("bold and table") << QStringLiteral("<b>pwned</b><table><tr><td>x</td></tr></table>");
        QTest::addRow("entities stay literal") << QStringLiteral("&lt;b&gt; &amp; &#60;");
        QTest::addRow("control characters") << QStringLiteral("\x1b[2J\x1b]0;owned\x07 <i>x</i>");
    }
    void detailsShowNetworkTextAsText()
    {
        QFETCH(QString, hostile);
        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        FaultPanel panel(&model, &proxy);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));

        Fault root;
        root.id = QStringLiteral("F1");
        root.incidentId = QStringLiteral("I1 ") + hostile;
        root.target = QStringLiteral("web-1");
        root.evidence = QStringLiteral("Alertmanager: summary ") + hostile;
        root.localization = QStringLiteral("located by ") + hostile;
        root.sources = { QStringLiteral("10.0.0.1"), hostile };
        root.maintenance = QStringLiteral("silenced: ") + hostile;
        Fault symptom = root;
        symptom.id = QStringLiteral("F2");
        symptom.target = QStringLiteral("api-") + hostile;
        symptom.rootCause = false;
        symptom.rootTarget = QStringLiteral("web-1 ") + hostile;
        for (const Fault* shown : { &root, &symptom }) {
            panel.showDetails(shown, { root, symptom });
            auto* details = panel.findChild<QLabel*>(QStringLiteral("faultDetails"));
            QVERIFY(details);
            QVERIFY(details->isVisible());
            QStringList markup;
            const QString text = shownText(details, &markup);
            QVERIFY2(markup.isEmpty(), qPrintable(markup.join(u", ")));
            // Every field shows the hostile text character for character (rich text would swallow the tags).
            QCOMPARE(text.count(hostile), shown == &root ? 6 : 7);
        }
    }

    // A pool-wide root cause is the pool's: the details say so (and quote the pool as text).
    void poolWideRootNamesThePool()
    {
        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        FaultPanel panel(&model, &proxy);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Fault root;
        root.id = QStringLiteral("F1");
        root.incidentId = QStringLiteral("I1");
        root.target = QStringLiteral("web-2");
        root.cause = CauseClass::Overload;
        root.rootCause = true;
        root.pool = QStringLiteral("lb/<b>web</b>");
        panel.showDetails(&root, { root });
        QStringList markup;
        const QString text = shownText(panel.findChild<QLabel*>(QStringLiteral("faultDetails")), &markup);
        QVERIFY2(text.startsWith(
                     QStringLiteral("lb/<b>web</b> pool — Root cause (pool-wide, began at web-2) · cause overload")),
            qPrintable(text));
        root.pool.clear();
        panel.showDetails(&root, { root });
        QVERIFY(shownText(panel.findChild<QLabel*>(QStringLiteral("faultDetails")), &markup)
                    .startsWith(QStringLiteral("web-2 — Root cause · cause overload")));
    }

    // A target that fired again in its incident: the details of its latest firing do not name it as another target
    // of the incident, nor promise other targets an incident does not have.
    void refiredFaultIsNotItsOwnNeighbour()
    {
        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        FaultPanel panel(&model, &proxy);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const auto fault = [](const QString& id, const QString& target, bool rootCause, qint64 at) {
            Fault f;
            f.id = id;
            f.incidentId = QStringLiteral("I1");
            f.target = target;
            f.cause = CauseClass::Down;
            f.phase = Fault::Phase::Located;
            f.rootCause = rootCause;
            f.rootFaultId = rootCause ? QString() : QStringLiteral("F1");
            f.rootTarget = rootCause ? QString() : QStringLiteral("db-primary");
            f.detectedMs = at;
            return f;
        };
        Fault first = fault(QStringLiteral("F2"), QStringLiteral("api-1"), false, 1700000001000);
        first.phase = Fault::Phase::Recovered;
        first.clearedMs = 1700000005000;
        model.resetFaults({ fault(QStringLiteral("F1"), QStringLiteral("db-primary"), true, 1700000000000), first,
            fault(QStringLiteral("F5"), QStringLiteral("api-1"), false, 1700000009000) });
        QCOMPARE(model.rowCount(model.index(0, 0)), 1);
        const QList<Fault> incident = model.incidentFaults(QStringLiteral("F5"));
        QCOMPARE(incident.size(), 3);
        QStringList markup;
        auto* details = panel.findChild<QLabel*>(QStringLiteral("faultDetails"));
        panel.showDetails(&incident.at(1), incident);
        QCOMPARE(incident.at(1).id, QStringLiteral("F5"));
        QString text = shownText(details, &markup);
        QVERIFY2(text.contains(QStringLiteral("Incident I1 also involves db-primary\n")), qPrintable(text));

        // The root cause failing again, alone in its incident.
        Fault root = fault(QStringLiteral("F7"), QStringLiteral("web-1"), true, 1700000000000);
        root.incidentId = QStringLiteral("I2");
        root.phase = Fault::Phase::Recovered;
        root.clearedMs = 1700000005000;
        Fault again = fault(QStringLiteral("F8"), QStringLiteral("web-1"), true, 1700000009000);
        again.incidentId = QStringLiteral("I2");
        model.updateFault(root);
        model.updateFault(again);
        const QList<Fault> second = model.incidentFaults(QStringLiteral("F8"));
        QCOMPARE(second.size(), 2);
        QCOMPARE(second.constFirst().id, QStringLiteral("F8"));
        panel.showDetails(&second.constFirst(), second);
        text = shownText(details, &markup);
        QVERIFY2(text.startsWith(QStringLiteral("web-1 — Root cause · cause down · located since ")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("also involves")), qPrintable(text));
        QVERIFY(markup.isEmpty());
    }
};

QTEST_MAIN(TestFaultPanel)
#include "tst_faultpanel.moc"
