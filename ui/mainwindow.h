#pragma once

#include "chartdata.h"
#include "detect/targetstate.h"
#include "palette.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSet>

class QAction;
class QActionGroup;
class QChartView;
class QComboBox;
class QDockWidget;
class QFrame;
class QLabel;
class QLineEdit;
class QMenu;
class QStackedWidget;
class QSystemTrayIcon;
class QTimer;
class QTreeView;
class QTreeWidget;
class QVBoxLayout;

namespace FaultDesk {

class DemoFleetProcess;
class FaultModel;
class FaultProxyModel;
class FleetModel;
class FleetProxyModel;
class LoadChart;
class Monitor;
struct AuditRecord;
struct DetectionEvent;
struct Fault;

/**
 * The console's main window: fleet view and live load chart in the centre, the fault panel, incident timeline
 * and action log in docks, the monitor's state in the status bar. Follows a Monitor (setMonitor) and, for the
 * demo fleet, offers drills (setDemoFleet). Layout, docks, columns, filters, chart window and palette are
 * remembered across restarts. Remediation and incident history plug in through setFaultActions(),
 * addActionMarker(), appendAuditRecord() and addHistoryDock().
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Follows @p monitor (not owned; may be nullptr to detach): models, chart, timeline, status bar.
    void setMonitor(Monitor* monitor);
    Monitor* monitor() const;
    /// Enables the Drill menu for @p fleet (not owned; nullptr hides it).
    void setDemoFleet(DemoFleetProcess* fleet);

    /// The fleet table (empty until a fleet is loaded).
    QTreeView* fleetView() const { return m_fleetView; }
    /// The fault tree.
    QTreeView* faultView() const { return m_faultView; }
    /// The live chart of the selected targets' load.
    LoadChart* loadChart() const { return m_chart; }
    /// The chart's QChartView (inside loadChart()).
    QChartView* chartView() const;
    FleetModel* fleetModel() const { return m_fleetModel; }
    FleetProxyModel* fleetProxy() const { return m_fleetProxy; }
    FaultModel* faultModel() const { return m_faultModel; }
    FaultProxyModel* faultProxy() const { return m_faultProxy; }
    /// Targets the chart shows now.
    QStringList chartTargets() const { return m_chartTargets; }
    /// The fault selected in the fault panel, or empty.
    QString selectedFaultId() const;
    /// Every fault selected in the fault panel (several for batch actions), in view order.
    QStringList selectedFaultIds() const;
    /// The targets selected in the fleet view (a group row stands for its members).
    QStringList selectedTargets() const;
    /// The Tools menu (created on first use, before Help), for features that plug in (e.g. Maintenance…).
    QMenu* toolsMenu();
    /// Adds @p action to the fleet view's context menu (e.g. "Start maintenance…" for the selected targets).
    void addFleetContextAction(QAction* action);
    /// Selects @p faultId in the fault panel (and focuses the chart on it).
    void selectFault(const QString& faultId);

    Palette::Scheme scheme() const { return m_scheme; }
    void setScheme(Palette::Scheme scheme);

    /// Updates the status bar summary; @p tickMs < 0 means "no tick yet".
    void setStatusSummary(int up, int total, int activeFaults, bool monitorDegraded, double tickMs);

    /// Places @p widget (e.g. the Handle/Recover buttons) under the fault tree; replaces a previous one.
    void setFaultActions(QWidget* widget);
    /// Shows @p banner (e.g. the unfinished remediations after a restart) above the fleet view, under the
    /// notification bar; replaces a previous one; nullptr removes it. The window owns it.
    void setBanner(QWidget* banner);
    QWidget* banner() const { return m_banner; }
    /// Adds @p actions (e.g. Acknowledge…) to the Faults menu, created before Help on first use.
    void addFaultMenuActions(const QList<QAction*>& actions);
    /// Adds @p widget as a dock remembered with the layout (its @p objectName keys the saved state).
    QDockWidget* addDock(QWidget* widget, const QString& title, const QString& objectName,
        Qt::DockWidgetArea area = Qt::BottomDockWidgetArea);
    /// The incident history view's dock (tabbed with the timeline).
    QDockWidget* addHistoryDock(QWidget* widget);

    /// How often the chart and the status bar refresh (default 1000 ms).
    void setRefreshInterval(int ms);

    /// Points File ▸ Export Report… at the stored incident @p incidentId, described by @p label in its tooltip;
    /// an empty id disables the action and @p label says why.
    void setReportIncident(const QString& incidentId, const QString& label);
    /// The incident File ▸ Export Report… exports, or empty.
    QString reportIncident() const { return m_reportIncident; }
    /// File ▸ Export Report….
    QAction* exportReportAction() const { return m_exportAction; }

public Q_SLOTS:
    /// Marks an action on the chart at @p ms (ms since epoch), e.g. "drain web-2".
    void addActionMarker(qint64 ms, const QString& label);
    /// Adds one audit record to the action log.
    void appendAuditRecord(const FaultDesk::AuditRecord& record);
    /// Shows @p text in the window's notification bar (and the tray when there is one); @p critical tints it.
    void showNotification(const QString& text, bool critical);
    /// Shows @p text in the notification bar as good news (a check, not a warning); no tray message.
    void showNotice(const QString& text);
    /// Reloads the chart from the series store and the status bar from the monitor now.
    void refresh();
    /// Demo fleet drill without blocking: injects @p kind (overload, crash, corruption, attack, …) on @p target
    /// (empty: fleetsim's choice), or ends all drills for @p kind "clear". drillFinished() reports the outcome.
    void drill(const QString& kind, const QString& target = {});

Q_SIGNALS:
    /// The operator chose File ▸ Open Fleet… and picked @p path.
    void openFleetRequested(const QString& path);
    /// The operator selected a fault in the fault panel (empty when the selection was cleared).
    void faultSelected(const QString& faultId);
    /// The fault panel's selection changed: every selected fault id (for batch actions).
    void faultsSelected(const QStringList& faultIds);
    /// A drill's ctl call finished (@p ok false: @p message says why).
    void drillFinished(const QString& what, bool ok, const QString& message);
    /// The operator chose File ▸ Export Report… for the stored incident @p incidentId.
    void exportReportRequested(const QString& incidentId);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createCentralArea();
    void createDocks();
    void createStatusBar();
    void restoreSettings();
    void saveSettings() const;
    void showAbout();
    void applyModelAppearance();
    void onEvent(const DetectionEvent& event);
    void onFleetSelectionChanged();
    void onFaultSelectionChanged();
    void updateFaultDetails();
    void updateTray();
    void showBanner(const QString& text, Severity severity);
    void requestChartHistory();
    void rebuildDrillMenu();
    void runDrill(const QString& what, const QStringList& ctlArguments);
    void populateGroupFilter();
    void showHeaderMenu(const QPoint& pos);
    void restoreFleetHeader();
    void setGrouped(bool grouped);

    QPointer<Monitor> m_monitor;
    QPointer<DemoFleetProcess> m_demoFleet;
    FleetModel* m_fleetModel = nullptr;
    FleetProxyModel* m_fleetProxy = nullptr;
    FaultModel* m_faultModel = nullptr;
    FaultProxyModel* m_faultProxy = nullptr;

    QTreeView* m_fleetView = nullptr;
    QStackedWidget* m_fleetStack = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_groupFilter = nullptr;
    LoadChart* m_chart = nullptr;
    QTreeView* m_faultView = nullptr;
    QStackedWidget* m_faultStack = nullptr;
    QLabel* m_faultDetails = nullptr;
    QVBoxLayout* m_faultActionsLayout = nullptr;
    QPointer<QWidget> m_faultActions;
    QVBoxLayout* m_fleetLayout = nullptr;
    QPointer<QWidget> m_banner;
    QTreeWidget* m_timeline = nullptr;
    QTreeWidget* m_actionLog = nullptr;
    QDockWidget* m_timelineDock = nullptr;
    QFrame* m_notificationBar = nullptr;
    QLabel* m_notificationLabel = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
    QLabel* m_targetsLabel = nullptr;
    QLabel* m_faultsLabel = nullptr;
    QLabel* m_monitorLabel = nullptr;
    QLabel* m_tickLabel = nullptr;
    QTimer* m_refreshTimer = nullptr;

    QAction* m_openAction = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_softChecksAction = nullptr;
    QString m_reportIncident;
    QAction* m_quitAction = nullptr;
    QAction* m_aboutAction = nullptr;
    QAction* m_groupedAction = nullptr;
    QAction* m_focusFilterAction = nullptr;
    QActionGroup* m_schemeGroup = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_drillMenu = nullptr;
    QAction* m_drillMenuAction = nullptr;
    QAction* m_helpMenuAction = nullptr;
    QMenu* m_faultMenu = nullptr;
    QMenu* m_toolsMenu = nullptr;
    QList<QAction*> m_fleetContextActions;

    QStringList m_chartTargets;
    QString m_chartTitle;
    QString m_chartFaultId; ///< the fault the chart focuses on, if any
    QSet<QString> m_notified; ///< fault ids already announced
    QList<ChartMarker> m_markers;
    QByteArray m_fleetHeaderState;
    QString m_savedGroupFilter;
    int m_runningDrills = 0;

    QPalette m_desktopPalette;
    Palette::Scheme m_scheme = Palette::Scheme::System;
};

} // namespace FaultDesk
