// The fault panel's details quote text that came from the network (an alert's summary and labels in the evidence,
// scraped label values as attack sources, a maintenance reason from an Alertmanager silence): whatever markup or
// control characters it holds, the label shows those characters — no image is fetched, no link appears, no text
// turns bold.
#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "model/faultmodel.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"
#include "ui/faultpanel.h"
#include "ui/faultproxymodel.h"
#include "ui/remedy/faultactions.h"
#include "ui/remedy/remediationdialog.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
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

/**
 * One database whose runbook Recovers in two steps: a restore command (a real child process) and a verification
 * that waits until the database reports its table checksums equal the baseline (signal "verified" = 1), as the
 * PostgreSQL Recover's amcheck and checksum comparison keep it busy for seconds after the server answers again.
 * The detector is fed by hand (the monitor is not started), so the test decides when checks pass and when the
 * verification is met.
 */
class RecoverRig
{
public:
    bool start(QString* error)
    {
        const QByteArray yaml = "version: 1\n"
                                "targets:\n"
                                "  - name: db-1\n"
                                "    group: data\n"
                                "    probes: [{ kind: metrics, url: 'http://127.0.0.1:1/metrics' }]\n"
                                "    signals: [{ name: verified, gauge: checksums_equal }]\n"
                                "  - name: db-2\n"
                                "    group: data\n"
                                "    probes: [{ kind: metrics, url: 'http://127.0.0.1:2/metrics' }]\n"
                                "    signals: [{ name: verified, gauge: checksums_equal }]\n"
                                "runbooks:\n"
                                "  - name: db-restore\n"
                                "    on: [down]\n"
                                "    groups: [data]\n"
                                "    handle:\n"
                                "      - name: fence writes\n"
                                "        command: [/bin/true]\n"
                                "    recover:\n"
                                "      - name: restore from backup\n"
                                "        command: [/bin/true]\n"
                                "      - name: verify table checksums\n"
                                "        wait: { equals: 1, signal: verified }\n"
                                "        deadline: 4s\n";
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        if (!loaded.ok()) {
            *error = loaded.errors.value(0).toString();
            return false;
        }
        monitor.setConfig(*loaded.config);
        audit = std::make_unique<JsonlAuditSink>(dir.filePath(QStringLiteral("audit.jsonl")));
        controller = std::make_unique<RemediationController>(monitor.config(), monitor.detector(), audit.get(),
            dir.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
        RemediationController::Settings settings;
        settings.waitInterval = std::chrono::milliseconds(100);
        controller->setSettings(settings);
        model.setDetector(monitor.detector());
        model.setRemediation(controller.get());
        proxy.setSourceModel(&model);
        return true;
    }

    /// One check of @p target: refused, or answering with "verified" = @p verified.
    void check(const QString& target, bool passes, double verified = 0)
    {
        t += 1000;
        Observation o;
        o.target = target;
        o.timeMs = t;
        if (passes) {
            o.values.insert(QStringLiteral("verified"), verified);
        } else {
            o.probe = Observation::Probe::Down;
            o.failureKind = Observation::FailureKind::Refused;
            o.reason = QStringLiteral("connection refused");
        }
        monitor.detector()->observe(o);
        monitor.detector()->tick(t + 10);
    }

    /// Fails @p target until its fault is located; its id.
    QString located(const QString& target)
    {
        for (int i = 0; i < 10; ++i) {
            check(target, false);
            for (const Fault& f : monitor.detector()->openFaults())
                if (f.target == target && f.rootCause && f.phase == Fault::Phase::Located)
                    return f.id;
        }
        return {};
    }

    QModelIndex row(const QString& faultId, int column = FaultModel::TargetColumn) const
    {
        return model.indexOf(faultId, column);
    }
    QString state(const QString& faultId) const { return row(faultId, FaultModel::StateColumn).data().toString(); }
    FaultModel::Recovery recovery(const QString& faultId) const
    {
        return FaultModel::Recovery(row(faultId).data(FaultModel::RecoveryRole).toInt());
    }
    /// The incident's line in the panel, as the proxy words it.
    QString head(const QString& faultId) const { return proxy.mapFromSource(row(faultId)).data().toString(); }

    QTemporaryDir dir;
    Monitor monitor;
    std::unique_ptr<JsonlAuditSink> audit;
    std::unique_ptr<RemediationController> controller;
    FaultModel model;
    FaultProxyModel proxy;
    qint64 t = 1700000000000;
};

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

    // The database passes its checks again while Recover still verifies its tables: the row says recovering and which
    // step, never "recovered"; "recovered — verified" once the verification passed, and only then does it settle.
    void recoveredOnlyOnceRecoverVerified()
    {
        RecoverRig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        QAbstractItemModelTester tester(&rig.model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FaultPanel panel(&rig.model, &rig.proxy);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QString id = rig.located(QStringLiteral("db-1"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(rig.state(id), QStringLiteral("located"));

        QSignalSpy finished(rig.controller.get(), &RemediationController::runFinished);
        QVERIFY2(rig.controller->handle(id, QString(), &error), qPrintable(error));
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(rig.state(id), QStringLiteral("handled"));

        // The cause ended: db-1 answers, its tables not verified yet. Passing is not recovered: Handle's fence stays.
        rig.check(QStringLiteral("db-1"), true, 0);
        QVERIFY(!rig.monitor.detector()->fault(id)->isOpen());
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::NotRecovered);
        QCOMPARE(rig.state(id), QStringLiteral("passes its checks — not recovered: Recover has not run since Handle"));
        QVERIFY(!rig.row(id).data(FaultModel::SettledRole).toBool());
        QCOMPARE(rig.row(id).data(FaultModel::OpenCountRole).toInt(), 1);
        QCOMPARE(rig.head(id), QStringLiteral("db-1 — root cause, passes its checks, not recovered"));

        // Recover: the restore runs, then the verification waits for the checksums.
        QVERIFY2(rig.controller->recover(id, QString(), &error), qPrintable(error));
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::Running);
        QTRY_COMPARE(rig.state(id), QStringLiteral("recovering — step 2 of 3: verify table checksums"));
        rig.check(QStringLiteral("db-1"), true, 0);
        QTest::qWait(400); // a few of the verification's polls, none met
        QCOMPARE(rig.state(id), QStringLiteral("recovering — step 2 of 3: verify table checksums"));
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::Running);
        QVERIFY(!rig.row(id).data(FaultModel::SettledRole).toBool());
        QCOMPARE(rig.row(id).data(FaultModel::OpenCountRole).toInt(), 1);
        QCOMPARE(rig.row(id).data(FaultModel::SeverityRole).toInt(), int(Severity::Warning));
        QCOMPARE(rig.head(id), QStringLiteral("db-1 — root cause, recovering"));
        Fault shown = *rig.monitor.detector()->fault(id);
        panel.showDetails(&shown, { shown });
        QStringList markup;
        QString details = shownText(panel.findChild<QLabel*>(QStringLiteral("faultDetails")), &markup);
        QVERIFY2(details.contains(QStringLiteral("· recovering — step 2 of 3: verify table checksums ·")),
            qPrintable(details));
        QVERIFY2(!details.contains(QStringLiteral("recovered")), qPrintable(details));

        // The checksums equal the baseline: verified, recovered, settled.
        for (int i = 0; i < 4 && finished.size() < 2; ++i) {
            rig.check(QStringLiteral("db-1"), true, 1);
            QTest::qWait(150);
        }
        QTRY_COMPARE(finished.size(), 2);
        QVERIFY(finished.at(1).at(3).toBool());
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::Verified);
        QCOMPARE(rig.state(id), QStringLiteral("recovered — verified"));
        QVERIFY(rig.row(id).data(FaultModel::SettledRole).toBool());
        QCOMPARE(rig.row(id).data(FaultModel::OpenCountRole).toInt(), 0);
        QCOMPARE(rig.row(id).data(FaultModel::SeverityRole).toInt(), int(Severity::Ok));
        QCOMPARE(rig.head(id), QStringLiteral("db-1 — root cause, recovered (verified)"));
        panel.showDetails(&shown, { shown });
        details = shownText(panel.findChild<QLabel*>(QStringLiteral("faultDetails")), &markup);
        QVERIFY2(details.contains(QStringLiteral("· recovered — verified ·")), qPrintable(details));
    }

    // The verification never passes: the row says so, and the incident does not settle.
    void failedVerificationIsNotRecovered()
    {
        RecoverRig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        QAbstractItemModelTester tester(&rig.model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString id = rig.located(QStringLiteral("db-2"));
        QVERIFY(!id.isEmpty());
        QSignalSpy finished(rig.controller.get(), &RemediationController::runFinished);
        QVERIFY2(rig.controller->handle(id, QString(), &error), qPrintable(error));
        QTRY_COMPARE(finished.size(), 1);
        rig.check(QStringLiteral("db-2"), true, 0);
        QVERIFY2(rig.controller->recover(id, QString(), &error), qPrintable(error));
        QTRY_COMPARE(rig.state(id), QStringLiteral("recovering — step 2 of 3: verify table checksums"));
        // The checksums stay different until the step's deadline.
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 15000);
        QVERIFY(!finished.at(1).at(3).toBool());
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::Failed);
        QCOMPARE(rig.state(id), QStringLiteral("recovery failed — not recovered"));
        QVERIFY(!rig.row(id).data(FaultModel::SettledRole).toBool());
        QCOMPARE(rig.row(id).data(FaultModel::OpenCountRole).toInt(), 1);
        QCOMPARE(rig.row(id).data(FaultModel::SeverityRole).toInt(), int(Severity::Critical));
        QCOMPARE(rig.head(id), QStringLiteral("db-2 — root cause, recovery failed"));
    }

    // A fault nobody handled that cleared on its own says so; Recover has nothing to return and is refused by its gate,
    // the reason in the button's tooltip and in the audit trail. (Where the state read back differs from the baseline
    // Recover is allowed: tst_remediationcontroller, against a real HAProxy.)
    void recoverBeforeHandle()
    {
        RecoverRig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        FaultActions actions(rig.controller.get());
        const QString id = rig.located(QStringLiteral("db-1"));
        QVERIFY(!id.isEmpty());
        actions.setFaultId(id);
        // Open and never handled: nothing differs from the baseline, Handle first.
        QVERIFY(actions.handleButton()->isEnabled());
        QVERIFY(!actions.recoverButton()->isEnabled());
        QVERIFY2(actions.recoverButton()->toolTip().contains(QStringLiteral(
                     "nothing was handled on db-1 from this console and its state equals the baseline: Recover has "
                     "nothing to return to it (Handle it first)")),
            qPrintable(actions.recoverButton()->toolTip()));

        rig.check(QStringLiteral("db-1"), true, 1);
        QCOMPARE(rig.recovery(id), FaultModel::Recovery::ClearedOnItsOwn);
        QCOMPARE(rig.state(id), QStringLiteral("cleared on its own"));
        QVERIFY(rig.row(id).data(FaultModel::SettledRole).toBool());
        QCOMPARE(rig.head(id), QStringLiteral("db-1 — root cause, cleared on its own"));
        QVERIFY(!actions.recoverButton()->isEnabled());
        const QString tip = actions.recoverButton()->toolTip();
        QVERIFY2(tip.contains(QStringLiteral(
                     "nothing was handled on db-1 from this console and its state equals the baseline: Recover "
                     "has nothing to return to it")),
            qPrintable(tip));
        QVERIFY2(!tip.contains(QStringLiteral("Handle it first")), qPrintable(tip));
        // The dialog says why and offers no Run.
        RemediationDialog* dialog = actions.openDialog(false);
        QVERIFY(dialog);
        const QString facts = dialog->findChild<QLabel*>(QStringLiteral("facts"))->text();
        QVERIFY2(facts.contains(QStringLiteral(
                     "Not allowed now: nothing was handled on db-1 from this console and its state equals the "
                     "baseline")),
            qPrintable(facts));
        QVERIFY(!dialog->run());
        dialog->close();
        // Asked anyway (a script, a stale dialog): refused, and the refusal is audited like a refused step.
        QVERIFY(!rig.controller->recover(id, QStringLiteral("bob"), &error));
        QVERIFY2(error.contains(QStringLiteral("nothing was handled on db-1")), qPrintable(error));
        const QList<AuditRecord> records = rig.audit->records();
        QVERIFY(std::any_of(records.cbegin(), records.cend(), [&](const AuditRecord& r) {
            return r.status == u"refused" && r.operatorName == u"bob" && r.target == u"db-1"
                && r.actionKind == u"recover" && r.description.contains(QStringLiteral("nothing was handled"));
        }));
        QVERIFY(rig.audit->unfinished().isEmpty());
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
        QVERIFY2(text.startsWith(QStringLiteral("web-1 — Root cause · cause down · located · detected at ")),
            qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("also involves")), qPrintable(text));
        QVERIFY(markup.isEmpty());
    }
};

QTEST_MAIN(TestFaultPanel)
#include "tst_faultpanel.moc"
