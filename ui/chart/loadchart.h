#pragma once

#include "metrics/downsampler.h"
#include "ui/chart/chartdata.h"

#include <QImage>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QGraphicsItem;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QLabel;
class QToolButton;
class QTimer;

QT_BEGIN_NAMESPACE
class QCategoryAxis;
class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace FaultDesk {

/// A live chart of one signal (load, latency, …) for the selected targets over a chosen time window, in the
/// manner of a Grafana time-series panel: the detection threshold dashed in amber, fault periods shaded, actions
/// marked, a tooltip with exact values, follow-live or paused.
///
/// It takes plain value data (chartdata.h) and draws nothing until asked: each refresh downsamples every series
/// to the plot's pixel width and hands each QLineSeries one replace() — never per-point appends — so 100 k points
/// per series redraw in a few ms. Animations and OpenGL stay off so the same widget renders offscreen for reports
/// (renderToImage()).
class LoadChart : public QWidget
{
    Q_OBJECT
public:
    explicit LoadChart(QWidget* parent = nullptr);
    ~LoadChart() override;

    /// The time windows offered by the selector, in ms: 1 m, 5 m, 15 m, 1 h.
    static QList<qint64> windowChoices();

    /// Replaces the lines. Series are matched by target and signal, so a line keeps its colour from one call to
    /// the next; the order of the list decides colours and legend order. Schedules a refresh.
    void setSeries(const QList<ChartSeries>& series);
    /// Replaces the thresholds (chart-wide and/or per series). Schedules a refresh.
    void setThresholds(const QList<ChartThreshold>& thresholds);
    /// Replaces the shaded fault periods. Schedules a refresh.
    void setFaultPeriods(const QList<ChartBand>& bands);
    /// Replaces the action markers. Schedules a refresh.
    void setMarkers(const QList<ChartMarker>& markers);
    /// The chart's title ("Load — web group"); also drawn in renderToImage().
    void setTitle(const QString& title);
    /// The value axis' title; the unit of the first series is appended.
    void setValueTitle(const QString& title);
    /// Keeps the value axis from zero up to at least @p max (e.g. 100 for a percentage); NaN = fit the data.
    void setValueRange(double min, double max);

    /// The time window in ms; values other than windowChoices() are accepted too.
    qint64 window() const { return m_windowMs; }
    void setWindow(qint64 ms);

    /// Follow-live: the right edge tracks now. Off = paused: the visible range stays frozen while data arrives.
    bool followLive() const { return m_followLive; }
    void setFollowLive(bool follow);
    /// Paused on [@p startMs, @p endMs] (the window follows the range's length).
    void pauseAt(qint64 startMs, qint64 endMs);

    /// The source of "now" (ms since epoch) for follow-live; tests inject their own. Defaults to the wall clock.
    void setClock(std::function<qint64()> clock);
    /// Lines break where consecutive samples are further apart than @p ms (a target that stopped reporting); 0 = off.
    void setMaxGap(qint64 ms);
    void setDownsampling(Downsampler::Method method);
    /// While following live, redraw every @p ms even without new data so the window scrolls; 0 = only on data.
    void setLiveInterval(int ms);

    /// The visible time range [start, end] in ms, as of the last refresh.
    qint64 rangeStart() const { return m_rangeStart; }
    qint64 rangeEnd() const { return m_rangeEnd; }

    /// Downsamples and redraws now instead of at the next event-loop turn (benchmarks, tests, reports).
    void refreshNow();
    /// The chart alone (no selector row) rendered at @p size, for PDF/HTML reports; works offscreen and while the
    /// widget is hidden or never shown. Downsampled to the image's width.
    QImage renderToImage(QSize size, qreal devicePixelRatio = 1.0);
    /// The tooltip text for time @p ms: per series the nearest sample with its unit ("no data" in a gap), the
    /// threshold in force, the fault and actions at that time. Rich text.
    QString toolTipText(qint64 ms) const;

    /// Shows a crosshair at @p ms (or hides it for a negative time), e.g. to link the charts of a dashboard.
    void setCrosshair(qint64 ms);

    /// For tests and the report renderer: the chart, the first line of a target/signal (the one in the legend; a
    /// line broken by gaps continues in further series of the same colour), all lines of it, the threshold line.
    QChart* chart() const;
    QLineSeries* lineSeries(const QString& target, const QString& signal = {}) const;
    QList<QLineSeries*> lineSegments(const QString& target, const QString& signal = {}) const;
    QLineSeries* thresholdSeries(const QString& target = {}, const QString& signal = {}) const;
    /// The dotted clear level of a threshold with hysteresis.
    QLineSeries* clearLevelSeries(const QString& target = {}, const QString& signal = {}) const;
    /// The shaded bands and marker lines as drawn (scene items; hidden ones are outside the visible range).
    QList<QGraphicsRectItem*> faultBandItems() const;
    QList<QGraphicsLineItem*> markerItems() const;

Q_SIGNALS:
    void windowChanged(qint64 ms);
    void followLiveChanged(bool follow);
    /// The mouse hovers time @p ms in the plot (negative when it leaves), for linked crosshairs.
    void hovered(qint64 ms);

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Line;
    struct Threshold;
    struct Overlay;

    void scheduleRefresh();
    void applyTheme();
    void updateRange();
    void updateLines(int pixels, double& yMin, double& yMax);
    void addSegment(Line& line);
    void updateThresholds(double& yMin, double& yMax);
    void updateTimeAxis(int pixels);
    void updateOverlay();
    void updateControls();
    Line* findLine(const QString& target, const QString& signal) const;
    double xToPixel(double ms) const;
    qint64 pixelToTime(double x) const;

    QChartView* m_view = nullptr;
    QChart* m_chart = nullptr;
    QCategoryAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    QComboBox* m_windowBox = nullptr;
    QToolButton* m_liveButton = nullptr;
    QLabel* m_pausedLabel = nullptr;
    QTimer* m_refreshTimer = nullptr;
    QTimer* m_liveTimer = nullptr;
    QGraphicsLineItem* m_crosshair = nullptr;

    std::vector<std::unique_ptr<Line>> m_lines;
    std::vector<std::unique_ptr<Threshold>> m_thresholds;
    std::unique_ptr<Overlay> m_overlay;
    QList<ChartBand> m_bands;
    QList<ChartMarker> m_markers;
    QString m_valueTitle;
    double m_fixedMin;
    double m_fixedMax;
    double m_dragX; ///< where a pan started (chart coordinates); NaN when not dragging

    std::function<qint64()> m_clock;
    Downsampler::Method m_method = Downsampler::Method::MinMax;
    qint64 m_windowMs = 5 * 60 * 1000;
    qint64 m_maxGapMs = 0;
    qint64 m_rangeStart = 0;
    qint64 m_rangeEnd = 0;
    qint64 m_pausedEnd = 0;
    bool m_followLive = true;
    QList<qint64> m_tickTimes;
};

} // namespace FaultDesk
