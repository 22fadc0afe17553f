#pragma once

#include "detect/targetstate.h"
#include "ui/chart/chartdata.h"
#include "ui/palette.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSet>

class QAction;
class QActionGroup;
class QChartView;
class QDockWidget;
class QMenu;
class QTimer;
class QTreeView;
class QVBoxLayout;

namespace FaultDesk {

class ActionLog;
class DemoFleetProcess;
class DrillMenu;
class FaultModel;
class FaultPanel;
class FaultProxyModel;
class FleetModel;
class FleetPane;
class FleetProxyModel;
class LoadChart;
class Monitor;
class NotificationBar;
class RemediationController;
class StatusSummary;
class TimelineModel;
class TimelineProxyModel;
class TrayNotifier;
struct AuditRecord;
struct DetectionEvent;
struct Fault;

/**
 * The console's main window: fleet view and live charts in the centre, the fault panel (one row per incident),
 * incident timeline and action log in docks, the monitor's state in the status bar. Follows a Monitor (setMonitor) and,
 * for the demo fleet, offers drills (setDemoFleet). Layout, docks, columns, filters, chart window and palette are
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
    /// The Handle/Recover controller of the fleet now monitored (not owned; nullptr before it is replaced): the
    /// Drill menu's engine follows it.
    void setRemediation(RemediationController* controller);
    /// The Drill menu (its engine, its "Handle and Recover Automatically" switch).
    DrillMenu* drillMenu() const { return m_drillMenu; }

    /// The fleet table (empty until a fleet is loaded).
    QTreeView* fleetView() const;
    /// The fault tree: one row per incident.
    QTreeView* faultView() const;
    /// The live chart: the selected targets' load, or the selected incident's primary breached signal.
    LoadChart* loadChart() const { return m_chart; }
    /// The second chart of an incident (requests beside load for an overload), hidden when there is none.
    LoadChart* contextChart() const { return m_contextChart; }
    /// The chart's QChartView (inside loadChart()).
    QChartView* chartView() const;
    FleetModel* fleetModel() const { return m_fleetModel; }
    FleetProxyModel* fleetProxy() const { return m_fleetProxy; }
    FaultModel* faultModel() const { return m_faultModel; }
    FaultProxyModel* faultProxy() const { return m_faultProxy; }
    TimelineModel* timelineModel() const { return m_timelineModel; }
    TimelineProxyModel* timelineProxy() const { return m_timelineProxy; }
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

    /// Updates the status bar summary; @p up counts targets that answer, @p degraded of them fail a rule;
    /// @p tickMs < 0 means "no tick yet".
    /// @p activeIncidents: the incidents the open faults belong to (-1: one per fault).
    void setStatusSummary(int up, int total, int activeFaults, bool monitorDegraded, double tickMs, int degraded = 0,
        int activeIncidents = -1);

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
    /// Demo fleet drill without blocking, as the Drill menu runs it: @p kind (overload, crash, corruption, attack,
    /// network, …) on @p target (empty: the drill's default), or "clear" to stop the drill and end every injected
    /// fault. drillInjected() says when the fault is in, drillFinished() how the drill went.
    void drill(const QString& kind, const QString& target = {});

Q_SIGNALS:
    /// The operator chose File ▸ Open Fleet… and picked @p path.
    void openFleetRequested(const QString& path);
    /// The operator selected a fault in the fault panel (empty when the selection was cleared).
    void faultSelected(const QString& faultId);
    /// The fault panel's selection changed: every selected fault id (for batch actions).
    void faultsSelected(const QStringList& faultIds);
    /// A drill's fault was injected into the demo fleet.
    void drillInjected(const QString& what);
    /// A drill ended (@p ok: passed; @p message: how it went), or Clear All did (@p what "clear").
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
    void applyModelAppearance();
    void onEvent(const DetectionEvent& event);
    void onFaultSelectionChanged();
    void updateFaultDetails();
    void refreshCharts();
    void requestChartHistory();

    QPointer<Monitor> m_monitor;
    QPointer<DemoFleetProcess> m_demoFleet;
    FleetModel* m_fleetModel = nullptr;
    FleetProxyModel* m_fleetProxy = nullptr;
    FaultModel* m_faultModel = nullptr;
    FaultProxyModel* m_faultProxy = nullptr;
    TimelineModel* m_timelineModel = nullptr;
    TimelineProxyModel* m_timelineProxy = nullptr;

    FleetPane* m_fleetPane = nullptr;
    LoadChart* m_chart = nullptr;
    LoadChart* m_contextChart = nullptr;
    FaultPanel* m_faultPanel = nullptr;
    QVBoxLayout* m_fleetLayout = nullptr;
    QPointer<QWidget> m_banner;
    QTreeView* m_timeline = nullptr;
    ActionLog* m_actionLog = nullptr;
    QDockWidget* m_timelineDock = nullptr;
    NotificationBar* m_notificationBar = nullptr;
    TrayNotifier* m_tray = nullptr;
    DrillMenu* m_drillMenu = nullptr;
    StatusSummary* m_statusSummary = nullptr;
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
    QAction* m_helpMenuAction = nullptr;
    QMenu* m_faultMenu = nullptr;
    QMenu* m_toolsMenu = nullptr;

    QStringList m_chartTargets;
    QString m_chartTitle;
    QString m_chartFaultId; ///< the fault whose incident the charts follow, if any
    QSet<QString> m_notified; ///< incidents already announced
    QSet<QString> m_poolNotified; ///< incidents announced again as pool-wide
    QList<ChartMarker> m_markers;

    QPalette m_desktopPalette;
    Palette::Scheme m_scheme = Palette::Scheme::System;
};

} // namespace FaultDesk
