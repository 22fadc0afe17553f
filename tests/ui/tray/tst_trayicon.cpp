// The tray icon as a desktop with a system tray shows it: a real X display (Xvfb) with a real XEmbed tray host
// (trayer), the xcb platform, and the console following a live monitor of two loopback servers.
#include "trayhost.h"

#include "config/fleetconfigloader.h"
#include "monitor/monitor.h"
#include "ui/mainwindow.h"
#include "ui/stateappearance.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QTcpServer>
#include <QTest>

#include <cstdio>
#include <memory>

using namespace FaultDesk;

class TestTrayIcon : public QObject
{
    Q_OBJECT
private:
    static QImage image(const QIcon& icon) { return icon.pixmap(QSize(22, 22)).toImage(); }

private Q_SLOTS:
    void trayIsThere() { QVERIFY(QSystemTrayIcon::isSystemTrayAvailable()); }

    // The tray icon's colour and tooltip show the fleet's worst state; a click on it brings the window back.
    void showsTheWorstStateAndRestoresTheWindow()
    {
        QTcpServer web;
        QTcpServer db;
        QVERIFY(web.listen(QHostAddress::LocalHost));
        QVERIFY(db.listen(QHostAddress::LocalHost));
        const quint16 dbPort = db.serverPort();
        const QByteArray yaml = QStringLiteral("version: 1\n"
                                               "defaults: { interval: 250ms, timeout: 500ms, retry_interval: 100ms }\n"
                                               "targets:\n"
                                               "  - name: web-1\n"
                                               "    probes: [ { kind: tcp, address: '127.0.0.1:%1' } ]\n"
                                               "  - name: db-1\n"
                                               "    probes: [ { kind: tcp, address: '127.0.0.1:%2' } ]\n")
                                    .arg(web.serverPort())
                                    .arg(dbPort)
                                    .toUtf8();
        const ConfigLoadResult config = FleetConfigLoader::loadBytes(yaml, QStringLiteral("tray.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errors.isEmpty() ? QString() : config.errors.first().toString()));
        Monitor::Settings settings;
        settings.tickIntervalMs = 50;
        Monitor monitor(settings);
        monitor.setConfig(*config.config);

        MainWindow window;
        window.setRefreshInterval(100);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        monitor.start();
        window.setMonitor(&monitor);

        QSystemTrayIcon* tray = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((tray = window.findChild<QSystemTrayIcon*>(QStringLiteral("trayIcon"))), 5000);
        QVERIFY(tray->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(tray->toolTip(), QStringLiteral("FaultDesk — OK"), 10000);
        QCOMPARE(image(tray->icon()), image(StateAppearance::icon(Severity::Ok, false)));

        // The database stops answering: the tray turns critical.
        db.close();
        QTRY_COMPARE_WITH_TIMEOUT(tray->toolTip(), QStringLiteral("FaultDesk — CRITICAL"), 10000);
        QCOMPARE(image(tray->icon()), image(StateAppearance::icon(Severity::Critical, false)));
        QVERIFY(image(tray->icon()) != image(StateAppearance::icon(Severity::Ok, false)));

        // Hidden behind other work, the operator clicks the tray icon: the window is back.
        window.hide();
        QVERIFY(!window.isVisible());
        Q_EMIT tray->activated(QSystemTrayIcon::Trigger);
        QTRY_VERIFY(window.isVisible());

        // The database answers again: the tray calms down.
        QVERIFY(db.listen(QHostAddress::LocalHost, dbPort));
        QTRY_COMPARE_WITH_TIMEOUT(tray->toolTip(), QStringLiteral("FaultDesk — OK"), 15000);
        window.setMonitor(nullptr);
        monitor.stop();
    }
};

int main(int argc, char** argv)
{
    TrayHost host;
    QString error;
    if (!host.start(&error)) {
        std::fprintf(stderr, "FAIL: no tray host: %s\n", qPrintable(error));
        return 1;
    }
    qputenv("QT_QPA_PLATFORM", "xcb");
    qputenv("DISPLAY", host.display());
    QApplication app(argc, argv);
    // trayer takes a moment to claim the tray selection on its fresh display.
    for (int i = 0; i < 100 && !QSystemTrayIcon::isSystemTrayAvailable(); ++i)
        QTest::qWait(50);
    TestTrayIcon test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_trayicon.moc"
