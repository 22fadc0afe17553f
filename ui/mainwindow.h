#pragma once

#include "palette.h"

#include <QMainWindow>

class QAction;
class QActionGroup;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTreeView;

namespace FaultDesk {

/**
 * The console's main window: fleet view and live chart in the centre, the fault panel in a dock,
 * the monitor's state in the status bar. Layout, docks and palette are remembered across restarts.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The fleet table (empty until a fleet is loaded).
    QTreeView* fleetView() const { return m_fleetView; }
    /// The chart area showing the load of the selected targets.
    QChartView* chartView() const { return m_chartView; }

    Palette::Scheme scheme() const { return m_scheme; }
    void setScheme(Palette::Scheme scheme);

    /// Updates the status bar summary; @p tickMs < 0 means "no tick yet".
    void setStatusSummary(int up, int total, int activeFaults, bool monitorDegraded, double tickMs);

Q_SIGNALS:
    /// The operator chose File ▸ Open Fleet… and picked @p path.
    void openFleetRequested(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createCentralArea();
    void createDocks();
    void createStatusBar();
    void restoreSettings();
    void saveSettings() const;
    void showAbout();

    QTreeView* m_fleetView = nullptr;
    QStackedWidget* m_fleetStack = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_groupFilter = nullptr;
    QChartView* m_chartView = nullptr;
    QTreeView* m_faultView = nullptr;
    QLabel* m_targetsLabel = nullptr;
    QLabel* m_faultsLabel = nullptr;
    QLabel* m_monitorLabel = nullptr;
    QLabel* m_tickLabel = nullptr;

    QAction* m_openAction = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_aboutAction = nullptr;
    QActionGroup* m_schemeGroup = nullptr;

    QPalette m_desktopPalette;
    Palette::Scheme m_scheme = Palette::Scheme::System;
};

} // namespace FaultDesk
