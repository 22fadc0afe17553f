// The bank case from the console, as an operator runs it: the real console (ConsoleSession: the window, its incident
// database, Handle/Recover) monitoring a real PostgreSQL primary (initdb -k) and streaming replica behind a real
// HAProxy in TCP mode (tests/shared/postgrespool.h). A page of a critical table is corrupted on disk and read; the
// fault panel shows the data-integrity root cause on the primary; the operator presses Handle, reads the preview
// (the fail-over's steps, the pool swap) and runs it; the panel says handled, the action log has every step, and a
// client's write through HAProxy lands on the promoted replica. Recover rebuilds the old primary and the dialog says
// the rebuilt node was verified (amcheck clean, the critical tables' md5 equal to the baseline); switching back is
// offered there, unchecked, and previewed when checked. File ▸ Export
// Report… writes the incident report, which lists every step. Prints the times to detect, to fail over and to recover.

#include "detect/detector.h"
#include "model/faultmodel.h"
#include "pg/pgconnection.h"
#include "remedy/remediationcontroller.h"
#include "shared/postgrespool.h"
#include "ui/consolesession.h"
#include "ui/faultproxymodel.h"
#include "ui/history/exportreportdialog.h"
#include "ui/remedy/remediationdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

using namespace FaultDesk;
using FaultDesk::Test::PostgresPool;

namespace {

/// The open root-cause row of @p target in the fault panel, or an invalid index.
QModelIndex rootFaultRow(const QAbstractItemModel& model, const QString& target)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex i = model.index(row, FaultModel::TargetColumn);
        if (i.data(FaultModel::TargetRole).toString() == target && i.data(FaultModel::RootCauseRole).toBool())
            return i;
    }
    return {};
}

/// The text of the fault panel's details, as shown (markup removed).
QString details(MainWindow& window)
{
    QTextDocument doc;
    doc.setHtml(window.findChild<QLabel*>(QStringLiteral("faultDetails"))->text());
    return doc.toPlainText();
}

QPushButton* dialogButton(QDialog* dialog, const QString& text)
{
    for (QPushButton* b : dialog->findChildren<QPushButton*>())
        if (b->text() == text)
            return b;
    return nullptr;
}

QString dialogText(QDialog* dialog, const char* name)
{
    if (auto* label = dialog->findChild<QLabel*>(QLatin1String(name)))
        return label->text();
    if (auto* edit = dialog->findChild<QPlainTextEdit*>(QLatin1String(name)))
        return edit->toPlainText();
    return {};
}

/// The action log's rows for step @p step ("data-integrity/postgres-failover/handle#3"): "intent", "result ok", …
QStringList logRows(MainWindow& window, const QString& step)
{
    auto* log = window.findChild<QTreeWidget*>(QStringLiteral("actionLog"));
    QStringList rows;
    for (int i = log->topLevelItemCount() - 1; i >= 0; --i) {
        const QTreeWidgetItem* item = log->topLevelItem(i);
        if (item->text(4) == step)
            rows << QString(item->text(1) + u' ' + item->text(5)).trimmed();
    }
    return rows;
}

} // namespace

class TestPostgresConsole : public QObject
{
    Q_OBJECT

private:
    PostgresPool m_pool;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FaultDeskTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_postgresconsole"));
        QSettings().clear();
        if (!PgConnection::driverAvailable())
            QFAIL("Qt's PostgreSQL driver (libqt6sql6-psql) is missing: scripts/install-deps installs it");
        if (const QString missing = PostgresPool::missing(); !missing.isEmpty())
            QFAIL(qPrintable(missing));
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_pool.start(&error), qPrintable(error));
    }

    void operatorFailsOverRecoversAndExportsTheReport()
    {
        Test::PostgresPair& pair = m_pool.pair();
        const QString accountsMd5 = pair.accountsMd5();
        QCOMPARE(accountsMd5.size(), 32);
        QString error;
        QVERIFY2(pair.corruptAccountsPage(&error), qPrintable(error));
        QVERIFY2(m_pool.waitFor(PostgresPool::healthy(), &error), qPrintable(error));
        const QString fleetPath = m_dir.filePath(QStringLiteral("bank.yaml"));
        {
            QFile fleet(fleetPath);
            QVERIFY(fleet.open(QIODevice::WriteOnly));
            // Both servers rebuildable from the other: Recover offers to switch back.
            Test::PostgresPair::ReplicaOptions rebuildable;
            rebuildable.rebuildCommands = true;
            fleet.write(m_pool.fleetYaml({}, rebuildable).toUtf8());
        }

        // The console as `faultdesk bank.yaml --db incidents.db` opens it.
        ConsoleSession session(m_dir.filePath(QStringLiteral("incidents.db")));
        MainWindow& window = session.window();
        QVERIFY(session.openFleet(fleetPath));
        session.show(false);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* targets = window.findChild<QLabel*>(QStringLiteral("targetsLabel"));
        QTRY_COMPARE_WITH_TIMEOUT(targets->text(), QStringLiteral("Targets up: 2/2"), 20000);
        auto* handle = window.findChild<QPushButton*>(QStringLiteral("handle"));
        auto* recover = window.findChild<QPushButton*>(QStringLiteral("recover"));
        QVERIFY(handle && recover);
        QVERIFY(!handle->isEnabled()); // no fault yet

        // An application reads the damaged page; the fault panel shows the root cause on the primary.
        QVERIFY2(!pair.readAccountsOnPrimary(), "reading the damaged page fails");
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(rootFaultRow(*window.faultProxy(), QStringLiteral("pg-primary")).isValid(), 10000);
        const qint64 detectMs = clock.elapsed();
        const QModelIndex row = rootFaultRow(*window.faultProxy(), QStringLiteral("pg-primary"));
        QVERIFY2(row.data().toString().contains(QStringLiteral("root cause")), qPrintable(row.data().toString()));
        QCOMPARE(row.siblingAtColumn(FaultModel::CauseColumn).data().toString(), QStringLiteral("data-integrity"));
        const QString faultId = row.data(FaultModel::FaultIdRole).toString();
        // Nothing else selected: the new root cause is selected for the operator, its details below the tree.
        QTRY_COMPARE(window.selectedFaultId(), faultId);
        QTRY_VERIFY2(details(window).contains(QStringLiteral("pg-primary — Root cause · cause data-integrity")),
            qPrintable(details(window)));
        QVERIFY2(details(window).contains(QStringLiteral("checksum")), qPrintable(details(window)));
        // Handle is offered once the baseline is read (the replica's tables, with SQL).
        QTRY_VERIFY2_WITH_TIMEOUT(handle->isEnabled(), qPrintable(handle->toolTip()), 15000);

        // Handle: the preview first, then Run.
        QTest::mouseClick(handle, Qt::LeftButton);
        QTRY_VERIFY(window.findChild<RemediationDialog*>());
        RemediationDialog* dialog = window.findChild<RemediationDialog*>();
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        const QStringList planned = dialog->stepLines();
        QVERIFY2(planned.size() == 6, qPrintable(planned.join(u'\n')));
        for (const QString& step : { QStringLiteral("fence pg-primary"), QStringLiteral("terminate the client writers"),
                 QStringLiteral("promote pg-replica (pg_promote)"), QStringLiteral("pool bank-db: pg-replica ready"),
                 QStringLiteral("pool bank-db: pg-primary out (maint)"),
                 QStringLiteral("verify a write succeeds on pg-replica") })
            QVERIFY2(planned.join(u'\n').contains(step), qPrintable(step + u" not in\n" + planned.join(u'\n')));
        const QString facts = dialogText(dialog, "facts");
        QVERIFY2(facts.contains(QStringLiteral("pool bank-db moves from pg-primary to pg-replica")), qPrintable(facts));
        QVERIFY2(facts.contains(QStringLiteral("pg-primary stays fenced read-only until Recover rebuilds it")),
            qPrintable(facts));
        QVERIFY(!dialogText(dialog, "runbookReason").isEmpty());
        QPushButton* run = dialogButton(dialog, QStringLiteral("Run Handle"));
        QVERIFY(run && run->isEnabled());
        clock.restart();
        QTest::mouseClick(run, Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(dialogText(dialog, "status").startsWith(QStringLiteral("succeeded")),
            qPrintable(dialogText(dialog, "status") + u'\n' + dialogText(dialog, "output")), 60000);
        const qint64 failoverMs = clock.elapsed();
        for (const QString& line : dialog->stepLines())
            QVERIFY2(line.endsWith(QStringLiteral("— ok")), qPrintable(dialog->stepLines().join(u'\n')));
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Close)->click();

        // The panel says handled; the action log has each step's intent and its result; Recover is offered now.
        QTRY_VERIFY2(details(window).contains(QStringLiteral("handled · detected at")), qPrintable(details(window)));
        for (int step = 1; step <= 6; ++step) {
            const QString name = QStringLiteral("data-integrity/postgres-failover/handle#%1").arg(step);
            QTRY_VERIFY2(logRows(window, name).contains(QStringLiteral("result ok")),
                qPrintable(name + u": " + logRows(window, name).join(u", ")));
            QVERIFY(logRows(window, name).contains(QStringLiteral("intent")));
        }
        QTRY_VERIFY2_WITH_TIMEOUT(recover->isEnabled(), qPrintable(recover->toolTip()), 15000);
        QVERIFY(!handle->isEnabled());
        // Clients follow the pool: a write through HAProxy lands on the promoted replica.
        QCOMPARE(m_pool.state(), PostgresPool::failedOver());
        bool ok = false;
        QCOMPARE(m_pool.writeThroughPool(7, &ok), QString::number(m_pool.replica().port()));
        QVERIFY(ok);

        // Recover: preview, run, and the dialog says the rebuilt node was verified against the baseline.
        QTest::mouseClick(recover, Qt::LeftButton);
        QTRY_VERIFY(window.findChild<RemediationDialog*>()
            && window.findChild<RemediationDialog*>()->plan().runbook.endsWith(QStringLiteral("/recover")));
        dialog = window.findChild<RemediationDialog*>();
        QVERIFY2(dialog->stepLines().join(u'\n').contains(QStringLiteral("rebuild pg-primary from pg-replica")),
            qPrintable(dialog->stepLines().join(u'\n')));
        // Switching back is offered, unchecked; checking it previews its steps, unchecking takes them away again.
        auto* switchBack = dialog->findChild<QCheckBox*>(QStringLiteral("switchBack"));
        QVERIFY(switchBack && switchBack->isEnabled() && !switchBack->isChecked());
        QCOMPARE(switchBack->text(),
            QStringLiteral(
                "Then switch back: promote pg-primary again, move the pool back to it and rebuild pg-replica "
                "as its replica"));
        const int recoverOnly = int(dialog->stepLines().size());
        QVERIFY(!dialog->stepLines().join(u'\n').contains(QStringLiteral("switch back")));
        switchBack->click();
        QVERIFY2(
            dialog->stepLines().join(u'\n').contains(QStringLiteral("switch back: promote pg-primary (pg_promote)")),
            qPrintable(dialog->stepLines().join(u'\n')));
        QVERIFY(dialogText(dialog, "facts").contains(QStringLiteral("pool bank-db moves back to pg-primary")));
        switchBack->click();
        QCOMPARE(dialog->stepLines().size(), recoverOnly);
        run = dialogButton(dialog, QStringLiteral("Run Recover"));
        QVERIFY(run && run->isEnabled());
        // Every state the fault's row shows while Recover runs: the server answers again long before amcheck and the
        // checksums are done, and the row must not say "recovered" until they are.
        QStringList shownWhileRunning;
        const auto watchRow = connect(window.faultModel(), &QAbstractItemModel::dataChanged, this, [&] {
            const QString state = window.faultModel()->indexOf(faultId, FaultModel::StateColumn).data().toString();
            if (!dialogText(dialog, "status").startsWith(QStringLiteral("Running")))
                return;
            if (shownWhileRunning.isEmpty() || shownWhileRunning.constLast() != state)
                shownWhileRunning << state;
        });
        clock.restart();
        QTest::mouseClick(run, Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(!dialogText(dialog, "status").isEmpty()
                && !dialogText(dialog, "status").startsWith(QStringLiteral("Running")),
            qPrintable(dialogText(dialog, "output")), 120000);
        const qint64 recoverMs = clock.elapsed();
        disconnect(watchRow);
        QVERIFY2(std::any_of(shownWhileRunning.cbegin(), shownWhileRunning.cend(),
                     [](const QString& s) {
                         return s.startsWith(QStringLiteral("recovering — step "))
                             && s.contains(QStringLiteral("verify pg-primary: amcheck"));
                     }),
            qPrintable(shownWhileRunning.join(u'\n')));
        // "recovered" comes last, with the run's end: the verification steps (amcheck, checksums) said recovering.
        QVERIFY2(std::none_of(shownWhileRunning.cbegin(), shownWhileRunning.cend() - 1,
                     [](const QString& s) { return s.contains(QStringLiteral("recovered")); }),
            qPrintable(shownWhileRunning.join(u'\n')));
        const QString status = dialogText(dialog, "status");
        QVERIFY2(status.startsWith(QStringLiteral("succeeded")), qPrintable(status));
        QVERIFY2(status.contains(
                     QStringLiteral("Verified: the read-back state equals the baseline and the target is healthy")),
            qPrintable(status));
        const QString output = dialogText(dialog, "output");
        QVERIFY2(output.contains(QStringLiteral("amcheck clean: accounts")), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("table accounts md5 %1 equals the baseline").arg(accountsMd5)),
            qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("table ledger md5")), qPrintable(output));
        const int recoverSteps = int(dialog->stepLines().size());
        for (const QString& line : dialog->stepLines())
            QVERIFY2(line.endsWith(QStringLiteral("— ok")), qPrintable(dialog->stepLines().join(u'\n')));
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Close)->click();
        // Recovered once Recover verified it (amcheck, the checksums), not when the server answered again.
        QTRY_VERIFY2(details(window).contains(QStringLiteral("recovered — verified · detected at")),
            qPrintable(details(window)));
        for (int step = 1; step <= recoverSteps; ++step) {
            const QString name = QStringLiteral("data-integrity/postgres-rebuild/recover#%1").arg(step);
            QTRY_VERIFY2(logRows(window, name).contains(QStringLiteral("result ok")),
                qPrintable(name + u": " + logRows(window, name).join(u", ")));
        }
        QTRY_VERIFY(!recover->isEnabled());
        QVERIFY(!handle->isEnabled());
        // Not asked to switch back: the rebuilt node is a replica, the pool stays on the promoted one.
        QCOMPARE(m_pool.primary().psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("t"));
        QCOMPARE(m_pool.state(), PostgresPool::failedOver());

        // File ▸ Export Report… for the selected fault's incident, as Markdown: every step is in it.
        window.faultView()->clearSelection();
        window.selectFault(faultId);
        QAction* exportAction = window.exportReportAction();
        QTRY_VERIFY2_WITH_TIMEOUT(exportAction->isEnabled(), qPrintable(exportAction->toolTip()), 10000);
        const QString reportPath = m_dir.filePath(QStringLiteral("bank-incident.md"));
        bool exported = false;
        QTimer fill;
        fill.setInterval(50);
        connect(&fill, &QTimer::timeout, &fill, [&] {
            auto* export_ = qobject_cast<ExportReportDialog*>(QApplication::activeModalWidget());
            if (!export_)
                return;
            fill.stop();
            auto* format = export_->findChild<QComboBox*>();
            format->setCurrentIndex(format->findText(QStringLiteral("Markdown")));
            export_->findChild<QLineEdit*>()->setText(reportPath);
            export_->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
            exported = export_->writtenPath() == reportPath;
            if (!exported)
                export_->reject();
        });
        fill.start();
        exportAction->trigger(); // modal until the Export button above is clicked
        QVERIFY2(exported, "the export dialog did not write the report");
        QFile report(reportPath);
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(report.readAll());
        QVERIFY2(text.contains(QStringLiteral("pg-primary")) && text.contains(QStringLiteral("data-integrity")),
            qPrintable(text.left(2000)));
        for (int step = 1; step <= 6; ++step)
            QVERIFY2(text.contains(QStringLiteral("data-integrity/postgres-failover/handle#%1").arg(step)),
                qPrintable(text));
        for (int step = 1; step <= recoverSteps; ++step)
            QVERIFY2(text.contains(QStringLiteral("data-integrity/postgres-rebuild/recover#%1").arg(step)),
                qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("amcheck clean")), qPrintable(text));
        QVERIFY(!text.contains(Test::PostgresPair::password()));

        qInfo("FIGURES console: detect_ms=%lld (failing read to the fault panel) failover_ms=%lld (Run Handle to "
              "succeeded) recover_ms=%lld (Run Recover to verified)",
            detectMs, failoverMs, recoverMs);
        session.stop();
    }

    void cleanupTestCase() { m_pool.stop(); }
};

QTEST_MAIN(TestPostgresConsole)
#include "tst_postgresconsole.moc"
