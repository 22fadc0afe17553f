#include "ui/chart/loadchart.h"

#include "ui/chart/charttheme.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace FaultDesk {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
// A line broken by more gaps than this inside the visible range joins the rest; a chart of a flapping target
// would otherwise create a Qt Charts series per gap.
constexpr int MaxSegments = 64;
// z values between Qt Charts' own layers: grid (2) < fault bands < axes (3) < series (4) < markers < legend (5).
constexpr qreal BandZ = 2.5;
constexpr qreal MarkerZ = 4.5;
constexpr qreal CrosshairZ = 4.6;
constexpr int MarkerLabelKey = 0;

QString timeText(qint64 ms, bool seconds = true)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
}

QString valueText(double value, const QString& unit)
{
    const double magnitude = std::abs(value);
    // Whole numbers stay whole ("80 %"); fractions get about three significant digits ("73.4 %", "0.125 s").
    int decimals = 3;
    if (value == std::round(value) || magnitude >= 100)
        decimals = 0;
    else if (magnitude >= 10)
        decimals = 1;
    else if (magnitude >= 1)
        decimals = 2;
    QString text = QLocale().toString(value, 'f', decimals);
    if (!unit.isEmpty())
        text += u' ' + unit;
    return text;
}

/// Data lines: 2 px, bevel joins. Round joins look the same at this width but make the raster engine build a curve
/// per vertex, which made the render of a 2,500-point line several times slower.
QPen linePen(const QColor& colour)
{
    QPen pen(colour, 1);
    pen.setCapStyle(Qt::FlatCap);
    pen.setJoinStyle(Qt::BevelJoin);
    return pen;
}

/// A fault period: translucent fill plus a light hatch, so it reads as "different" without colour too.
class BandItem : public QGraphicsRectItem
{
public:
    using QGraphicsRectItem::QGraphicsRectItem;
    QColor fill;
    QColor hatch;

    void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        painter->fillRect(rect(), fill);
        painter->fillRect(rect(), QBrush(hatch, Qt::BDiagPattern));
        painter->setPen(QPen(hatch, 0));
        painter->drawLine(rect().topLeft(), rect().bottomLeft());
        painter->drawLine(rect().topRight(), rect().bottomRight());
    }
};

/// A marker's label on a translucent plate of the chart's background, so it stays readable over lines and bands.
class LabelItem : public QGraphicsSimpleTextItem
{
public:
    using QGraphicsSimpleTextItem::QGraphicsSimpleTextItem;
    QColor plate;

    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override
    {
        painter->fillRect(boundingRect().adjusted(-2, 0, 2, 0), plate);
        QGraphicsSimpleTextItem::paint(painter, option, widget);
    }
};

/// The value in force at @p ms of a step-function threshold; NaN before its first point.
double thresholdAt(const QList<QPointF>& points, double ms)
{
    const auto it
        = std::upper_bound(points.cbegin(), points.cend(), ms, [](double x, const QPointF& p) { return x < p.x(); });
    return it == points.cbegin() ? NaN : std::prev(it)->y();
}

} // namespace

struct LoadChart::Line
{
    ChartSeries data;
    QColor color;
    int colorIndex = -1; ///< into ChartTheme's series colours; kept while the line stays
    QList<QLineSeries*> segments; ///< [0] carries the legend entry; the others continue the line after gaps
};

struct LoadChart::Threshold
{
    ChartThreshold data;
    QLineSeries* series = nullptr;
};

struct LoadChart::Overlay
{
    QList<BandItem*> bands;
    QList<QGraphicsSimpleTextItem*> bandLabels;
    QList<QGraphicsLineItem*> markers;
    QList<LabelItem*> markerLabels;
};

LoadChart::LoadChart(QWidget* parent)
    : QWidget(parent)
    , m_overlay(std::make_unique<Overlay>())
    , m_fixedMin(NaN)
    , m_fixedMax(NaN)
    , m_dragX(NaN)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(4, 4, 8, 4));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);

    m_timeAxis = new QCategoryAxis;
    m_timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_valueAxis = new QValueAxis;
    m_valueAxis->setMinorTickCount(0);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);

    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setMouseTracking(true);
    m_view->viewport()->setMouseTracking(true);
    m_view->viewport()->installEventFilter(this);
    m_view->installEventFilter(this);
    m_view->setFocusPolicy(Qt::StrongFocus);
    m_view->setToolTip(QString()); // the hover tooltip is shown by hand, with the values under the mouse
    m_view->setAccessibleName(tr("Load chart"));

    m_crosshair = new QGraphicsLineItem(m_chart);
    m_crosshair->setZValue(CrosshairZ);
    m_crosshair->hide();

    m_windowBox = new QComboBox(this);
    m_windowBox->setAccessibleName(tr("Chart time window"));
    m_windowBox->setToolTip(tr("How much history the chart shows"));
    for (const qint64 ms : windowChoices()) {
        m_windowBox->addItem(ms >= 3600 * 1000 ? tr("%1 h").arg(ms / (3600 * 1000)) : tr("%1 m").arg(ms / 60000),
            QVariant::fromValue(ms));
    }
    m_windowBox->setCurrentIndex(int(windowChoices().indexOf(m_windowMs)));
    connect(m_windowBox, &QComboBox::activated, this,
        [this](int index) { setWindow(m_windowBox->itemData(index).toLongLong()); });

    m_liveButton = new QToolButton(this);
    m_liveButton->setCheckable(true);
    m_liveButton->setChecked(true);
    m_liveButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_liveButton->setAccessibleName(tr("Follow live"));
    connect(m_liveButton, &QToolButton::clicked, this, [this](bool checked) { setFollowLive(checked); });

    m_pausedLabel = new QLabel(this);
    m_pausedLabel->setAccessibleName(tr("Paused range"));

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 0);
    controls->addWidget(m_windowBox);
    controls->addWidget(m_liveButton);
    controls->addWidget(m_pausedLabel);
    controls->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(controls);
    layout->addWidget(m_view, 1);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(0);
    connect(m_refreshTimer, &QTimer::timeout, this, &LoadChart::refreshNow);
    m_liveTimer = new QTimer(this);
    m_liveTimer->setInterval(1000);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_followLive && isVisible())
            refreshNow();
    });
    m_liveTimer->start();

    connect(m_chart, &QChart::plotAreaChanged, this, [this] { updateOverlay(); });

    applyTheme();
    updateControls();
    updateRange();
}

LoadChart::~LoadChart() = default;

QList<qint64> LoadChart::windowChoices()
{
    return { 60 * 1000, 5 * 60 * 1000, 15 * 60 * 1000, 60 * 60 * 1000 };
}

void LoadChart::setSeries(const QList<ChartSeries>& series)
{
    std::vector<std::unique_ptr<Line>> lines;
    lines.reserve(std::size_t(series.size()));
    for (const ChartSeries& s : series) {
        std::unique_ptr<Line> line;
        for (auto& old : m_lines) {
            if (old && old->data.target == s.target && old->data.signal == s.signal) {
                line = std::move(old);
                break;
            }
        }
        if (!line)
            line = std::make_unique<Line>();
        line->data = s;
        lines.push_back(std::move(line));
    }
    for (auto& old : m_lines) {
        if (!old)
            continue;
        for (QLineSeries* segment : std::as_const(old->segments)) {
            m_chart->removeSeries(segment);
            delete segment;
        }
    }
    m_lines = std::move(lines);
    for (auto& line : m_lines) {
        if (line->segments.isEmpty())
            addSegment(*line);
    }

    // A line keeps its colour while it stays selected; new lines take the first colour nobody uses.
    QList<int> used;
    for (const auto& line : m_lines) {
        if (line->colorIndex >= 0)
            used.append(line->colorIndex);
    }
    for (auto& line : m_lines) {
        if (line->colorIndex >= 0)
            continue;
        int index = 0;
        while (used.contains(index) && index < ChartTheme::seriesColorCount())
            ++index;
        line->colorIndex = index < ChartTheme::seriesColorCount() ? index : int(used.size());
        used.append(line->colorIndex);
    }
    const ChartTheme theme(palette());
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        Line& line = *m_lines[i];
        line.color = theme.seriesColor(line.colorIndex);
        const QString name = line.data.label.isEmpty() ? line.data.target : line.data.label;
        // Only real changes reach Qt Charts: a new name or pen relayouts the legend and restyles the series, which
        // cost more than the whole downsample + replace when done on every tick.
        const QPen pen = linePen(line.color);
        for (QLineSeries* segment : std::as_const(line.segments)) {
            if (segment->name() != name)
                segment->setName(name);
            if (segment->pen() != pen)
                segment->setPen(pen);
        }
    }
    scheduleRefresh();
}

void LoadChart::setThresholds(const QList<ChartThreshold>& thresholds)
{
    while (m_thresholds.size() > std::size_t(thresholds.size())) {
        m_chart->removeSeries(m_thresholds.back()->series);
        delete m_thresholds.back()->series;
        m_thresholds.pop_back();
    }
    const ChartTheme theme(palette());
    for (qsizetype i = 0; i < thresholds.size(); ++i) {
        if (std::size_t(i) >= m_thresholds.size()) {
            auto threshold = std::make_unique<Threshold>();
            threshold->series = new QLineSeries(this);
            m_chart->addSeries(threshold->series);
            threshold->series->attachAxis(m_timeAxis);
            threshold->series->attachAxis(m_valueAxis);
            m_thresholds.push_back(std::move(threshold));
        }
        Threshold& threshold = *m_thresholds[std::size_t(i)];
        threshold.data = thresholds.at(i);
        const bool clear = threshold.data.clear;
        const QString name = threshold.data.target.isEmpty()
            ? (clear ? tr("clear level") : tr("threshold"))
            : (clear ? tr("clear level %1") : tr("threshold %1")).arg(threshold.data.target);
        if (threshold.series->name() != name)
            threshold.series->setName(name);
        const QPen pen(theme.threshold(), clear ? 1.0 : 1.5, clear ? Qt::DotLine : Qt::DashLine);
        if (threshold.series->pen() != pen)
            threshold.series->setPen(pen);
        // One legend entry explains the dashed amber line (and one the dotted clear level); more would crowd out
        // the targets.
        const auto firstOfKind = std::find_if(
            thresholds.cbegin(), thresholds.cend(), [clear](const ChartThreshold& t) { return t.clear == clear; });
        for (QLegendMarker* marker : m_chart->legend()->markers(threshold.series))
            marker->setVisible(firstOfKind - thresholds.cbegin() == i);
    }
    scheduleRefresh();
}

void LoadChart::setFaultPeriods(const QList<ChartBand>& bands)
{
    m_bands = bands;
    scheduleRefresh();
}

void LoadChart::setMarkers(const QList<ChartMarker>& markers)
{
    m_markers = markers;
    scheduleRefresh();
}

void LoadChart::setTitle(const QString& title)
{
    m_chart->setTitle(title);
}

void LoadChart::setValueTitle(const QString& title)
{
    m_valueTitle = title;
    scheduleRefresh();
}

void LoadChart::setValueRange(double min, double max)
{
    m_fixedMin = min;
    m_fixedMax = max;
    scheduleRefresh();
}

void LoadChart::setWindow(qint64 ms)
{
    ms = std::max<qint64>(ms, 1000);
    if (ms == m_windowMs)
        return;
    m_windowMs = ms;
    updateControls();
    updateRange();
    scheduleRefresh();
    Q_EMIT windowChanged(ms);
}

void LoadChart::setFollowLive(bool follow)
{
    if (follow == m_followLive)
        return;
    m_followLive = follow;
    if (!follow)
        m_pausedEnd = m_rangeEnd > 0 ? m_rangeEnd : m_clock();
    updateControls();
    updateRange();
    scheduleRefresh();
    Q_EMIT followLiveChanged(follow);
}

void LoadChart::pauseAt(qint64 startMs, qint64 endMs)
{
    if (endMs <= startMs)
        return;
    const bool wasFollowing = m_followLive;
    const bool windowChanges = endMs - startMs != m_windowMs;
    m_followLive = false;
    m_pausedEnd = endMs;
    m_windowMs = endMs - startMs;
    updateControls();
    updateRange();
    scheduleRefresh();
    if (windowChanges)
        Q_EMIT windowChanged(m_windowMs);
    if (wasFollowing)
        Q_EMIT followLiveChanged(false);
}

void LoadChart::setClock(std::function<qint64()> clock)
{
    m_clock = clock ? std::move(clock) : std::function<qint64()>([] { return QDateTime::currentMSecsSinceEpoch(); });
    updateRange();
    scheduleRefresh();
}

void LoadChart::setMaxGap(qint64 ms)
{
    m_maxGapMs = std::max<qint64>(0, ms);
    scheduleRefresh();
}

void LoadChart::setDownsampling(Downsampler::Method method)
{
    m_method = method;
    scheduleRefresh();
}

void LoadChart::setLiveInterval(int ms)
{
    if (ms <= 0) {
        m_liveTimer->stop();
        return;
    }
    m_liveTimer->start(ms);
}

void LoadChart::scheduleRefresh()
{
    m_refreshTimer->start();
}

void LoadChart::updateRange()
{
    m_rangeEnd = m_followLive ? m_clock() : m_pausedEnd;
    m_rangeStart = m_rangeEnd - m_windowMs;
}

void LoadChart::refreshNow()
{
    m_refreshTimer->stop();
    // The live slide is due a second after the last refresh of any kind: a chart fed every second (the console's)
    // was otherwise drawn twice a second, and every chart's slide fell into the same pass of the event loop.
    if (m_liveTimer->isActive())
        m_liveTimer->start();
    updateRange();
    const QRectF plot = m_chart->plotArea();
    int pixels = int(std::lround(plot.width()));
    if (pixels < 16)
        pixels = m_chart->size().width() > 100 ? int(m_chart->size().width()) - 60 : 1280;

    double yMin = std::numeric_limits<double>::infinity();
    double yMax = -std::numeric_limits<double>::infinity();
    updateLines(pixels, yMin, yMax);
    updateThresholds(yMin, yMax);

    if (!std::isfinite(yMin) || !std::isfinite(yMax)) {
        yMin = 0;
        yMax = 1;
    }
    // Loads, latencies and rates are never negative: anchoring at zero keeps bar-height intuition honest.
    if (yMin > 0)
        yMin = 0;
    if (yMax <= yMin)
        yMax = yMin + 1;
    // Headroom so a peak does not touch the frame, unless a fixed range (0–100 %) already holds the data.
    if (std::isnan(m_fixedMax) || yMax > m_fixedMax)
        yMax += (yMax - yMin) * 0.05;
    if (!std::isnan(m_fixedMin))
        yMin = std::min(yMin, m_fixedMin);
    if (!std::isnan(m_fixedMax))
        yMax = std::max(yMax, m_fixedMax);
    // About five steps, fewer on a short plot: labels that would overlap are elided to "…" by Qt Charts.
    const int steps = plot.height() >= 16 ? std::clamp(int(plot.height() / 28), 2, 5) : 5;
    const double rawStep = (yMax - yMin) / steps;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rawStep)));
    double step = magnitude * 10;
    for (const double m : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        if (magnitude * m >= rawStep) {
            step = magnitude * m;
            break;
        }
    }
    const double niceMin = std::floor(yMin / step) * step;
    const double niceMax = std::ceil(yMax / step) * step;
    // Unchanged axis properties are not set again: each setter relayouts the axis.
    if (m_valueAxis->min() != niceMin || m_valueAxis->max() != niceMax)
        m_valueAxis->setRange(niceMin, niceMax);
    const int ticks = int(std::lround((niceMax - niceMin) / step)) + 1;
    if (m_valueAxis->tickCount() != ticks)
        m_valueAxis->setTickCount(ticks);
    // As many decimals as the step needs, so every label is its tick's value (0.25, not "0.3").
    int decimals = 0;
    while (
        decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    const QString format = QStringLiteral("%.") + QString::number(decimals) + u'f';
    if (m_valueAxis->labelFormat() != format)
        m_valueAxis->setLabelFormat(format);
    const QString unit = m_lines.empty() ? QString() : m_lines.front()->data.unit;
    const QString signal = m_valueTitle.isEmpty() && !m_lines.empty() ? m_lines.front()->data.signal : m_valueTitle;
    QString title = signal;
    if (!unit.isEmpty())
        title = signal.isEmpty() ? unit : signal + QStringLiteral(" (") + unit + u')';
    if (m_valueAxis->titleText() != title)
        m_valueAxis->setTitleText(title);

    updateTimeAxis(pixels);
    // The axes' labels and titles decide the plot's width; when they changed it, reduce again for the final width
    // so the lines keep about two points per pixel.
    m_chart->layout()->activate();
    const int finalPixels = int(std::lround(m_chart->plotArea().width()));
    if (finalPixels >= 16 && std::abs(finalPixels - pixels) > 2) {
        double unusedMin = yMin;
        double unusedMax = yMax;
        updateLines(finalPixels, unusedMin, unusedMax);
    }
    updateOverlay();
    updateControls();
}

void LoadChart::updateLines(int pixels, double& yMin, double& yMax)
{
    const double x0 = double(m_rangeStart);
    const double x1 = double(m_rangeEnd);
    QList<QList<QPointF>> runs;
    for (auto& linePtr : m_lines) {
        Line& line = *linePtr;
        const QList<QPointF>& all = line.data.points;
        const auto slice
            = Downsampler::visibleSlice(std::span<const QPointF>(all.constData(), std::size_t(all.size())), x0, x1);
        const QList<QPointF> reduced = Downsampler::forPlot(m_method, slice, x0, x1, pixels);

        runs.clear();
        runs.emplace_back();
        for (const QPointF& p : reduced) {
            if (std::isnan(p.y())) {
                if (!runs.back().isEmpty() && runs.size() < MaxSegments)
                    runs.emplace_back();
                continue;
            }
            if (m_maxGapMs > 0 && !runs.back().isEmpty() && p.x() - runs.back().constLast().x() > double(m_maxGapMs)
                && runs.size() < MaxSegments)
                runs.emplace_back();
            runs.back().append(p);
            if (p.x() >= x0 && p.x() <= x1) {
                yMin = std::min(yMin, p.y());
                yMax = std::max(yMax, p.y());
            }
        }
        if (runs.size() > 1 && runs.back().isEmpty())
            runs.removeLast();

        while (line.segments.size() < runs.size())
            addSegment(line);
        for (qsizetype i = 0; i < line.segments.size(); ++i) {
            QLineSeries* segment = line.segments.at(i);
            if (i < runs.size()) {
                // A sample between two gaps is a line of one point: show it as a dot rather than not at all.
                if (segment->pointsVisible() != (runs.at(i).size() == 1))
                    segment->setPointsVisible(runs.at(i).size() == 1);
                segment->replace(runs.at(i));
            } else if (segment->count() > 0) {
                segment->clear();
            }
        }
    }
}

void LoadChart::addSegment(Line& line)
{
    auto* segment = new QLineSeries(this);
    m_chart->addSeries(segment);
    segment->attachAxis(m_timeAxis);
    segment->attachAxis(m_valueAxis);
    segment->setName(line.data.label.isEmpty() ? line.data.target : line.data.label);
    segment->setPen(linePen(line.color));
    segment->setMarkerSize(5);
    if (!line.segments.isEmpty()) {
        for (QLegendMarker* marker : m_chart->legend()->markers(segment))
            marker->setVisible(false);
    }
    line.segments.append(segment);
}

void LoadChart::updateThresholds(double& yMin, double& yMax)
{
    const double x0 = double(m_rangeStart);
    const double x1 = double(m_rangeEnd);
    for (auto& thresholdPtr : m_thresholds) {
        const QList<QPointF>& steps = thresholdPtr->data.points;
        QList<QPointF> out;
        double value = thresholdAt(steps, x0);
        double from = x0;
        auto it
            = std::upper_bound(steps.cbegin(), steps.cend(), x0, [](double x, const QPointF& p) { return x < p.x(); });
        if (std::isnan(value) && it != steps.cend() && it->x() <= x1) {
            from = it->x();
            value = it->y();
            ++it;
        }
        if (!std::isnan(value)) {
            out.append(QPointF(from, value));
            for (; it != steps.cend() && it->x() <= x1; ++it) {
                out.append(QPointF(it->x(), value));
                value = it->y();
                out.append(QPointF(it->x(), value));
            }
            out.append(QPointF(x1, value));
            for (const QPointF& p : std::as_const(out)) {
                if (std::isfinite(p.y())) {
                    yMin = std::min(yMin, p.y());
                    yMax = std::max(yMax, p.y());
                }
            }
        }
        thresholdPtr->series->replace(out);
    }
}

void LoadChart::updateTimeAxis(int pixels)
{
    static constexpr qint64 Steps[] = { 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000,
        1800000, 3600000, 7200000, 21600000, 86400000 };
    const qint64 span = std::max<qint64>(1, m_rangeEnd - m_rangeStart);
    const qint64 wanted = std::max(2, pixels / 110);
    qint64 step = Steps[std::size(Steps) - 1];
    for (const qint64 s : Steps) {
        if (span / s <= wanted) {
            step = s;
            break;
        }
    }
    // Labels on round times ("14:05:00", "14:05:30") read at a glance; QDateTimeAxis spaces ticks evenly from
    // whatever the range's start is, so the category axis places them instead.
    QList<qint64> ticks;
    for (qint64 t = (m_rangeStart / step + 1) * step; t <= m_rangeEnd; t += step)
        ticks.append(t);
    m_timeAxis->setRange(double(m_rangeStart), double(m_rangeEnd));
    if (ticks != m_tickTimes) {
        for (const QString& label : m_timeAxis->categoriesLabels())
            m_timeAxis->remove(label);
        m_timeAxis->setStartValue(double(m_rangeStart));
        const bool seconds = step < 60000;
        for (const qint64 t : std::as_const(ticks))
            m_timeAxis->append(timeText(t, seconds), double(t));
        m_tickTimes = ticks;
    }
}

double LoadChart::xToPixel(double ms) const
{
    const QRectF plot = m_chart->plotArea();
    const double span = double(std::max<qint64>(1, m_rangeEnd - m_rangeStart));
    return plot.left() + (ms - double(m_rangeStart)) / span * plot.width();
}

qint64 LoadChart::pixelToTime(double x) const
{
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0)
        return m_rangeStart;
    return m_rangeStart + qint64(std::llround((x - plot.left()) / plot.width() * double(m_rangeEnd - m_rangeStart)));
}

void LoadChart::updateOverlay()
{
    const ChartTheme theme(palette());
    const QRectF plot = m_chart->plotArea();
    const qint64 now = std::max(m_rangeEnd, m_clock());
    Overlay& o = *m_overlay;

    while (o.bands.size() > m_bands.size()) {
        delete o.bands.takeLast();
        o.bandLabels.removeLast(); // owned by the band item
    }
    while (o.bands.size() < m_bands.size()) {
        auto* band = new BandItem(m_chart);
        band->setZValue(BandZ);
        band->setPen(Qt::NoPen);
        band->setAcceptedMouseButtons(Qt::NoButton);
        auto* label = new QGraphicsSimpleTextItem(band);
        o.bands.append(band);
        o.bandLabels.append(label);
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetricsF metrics(small);
    for (qsizetype i = 0; i < m_bands.size(); ++i) {
        const ChartBand& b = m_bands.at(i);
        BandItem* band = o.bands.at(i);
        QGraphicsSimpleTextItem* label = o.bandLabels.at(i);
        const qint64 end = b.endMs < 0 ? now : b.endMs;
        if (plot.isEmpty() || end < m_rangeStart || b.startMs > m_rangeEnd || end < b.startMs) {
            band->hide();
            continue;
        }
        double left = std::max(plot.left(), xToPixel(double(b.startMs)));
        double right = std::min(plot.right(), xToPixel(double(end)));
        if (right - left < 2) {
            // A fault shorter than a pixel still has to be visible.
            left = std::max(plot.left(), left - 1);
            right = std::min(plot.right(), left + 2);
        }
        band->fill = theme.faultFill();
        band->hatch = theme.faultHatch();
        band->setRect(QRectF(left, plot.top(), right - left, plot.height()));
        band->setData(0, b.label);
        band->show();
        const QString text = metrics.elidedText(b.label, Qt::ElideRight, right - left - 6);
        label->setText(text);
        label->setFont(small);
        label->setBrush(theme.faultText());
        label->setPos(left + 3, plot.bottom() - metrics.height() - 2);
        label->setVisible(!text.isEmpty() && right - left > 30);
        band->update();
    }

    while (o.markers.size() > m_markers.size()) {
        delete o.markers.takeLast();
        delete o.markerLabels.takeLast();
    }
    while (o.markers.size() < m_markers.size()) {
        auto* line = new QGraphicsLineItem(m_chart);
        line->setZValue(MarkerZ);
        auto* label = new LabelItem(m_chart);
        label->setZValue(MarkerZ);
        o.markers.append(line);
        o.markerLabels.append(label);
    }
    // Labels of nearby markers stack in rows instead of overprinting each other.
    QList<double> rowEnds;
    QList<int> order(m_markers.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(
        order.begin(), order.end(), [this](int a, int b) { return m_markers.at(a).timeMs < m_markers.at(b).timeMs; });
    for (const int i : std::as_const(order)) {
        const ChartMarker& m = m_markers.at(i);
        QGraphicsLineItem* line = o.markers.at(i);
        LabelItem* label = o.markerLabels.at(i);
        if (plot.isEmpty() || m.timeMs < m_rangeStart || m.timeMs > m_rangeEnd) {
            line->hide();
            label->hide();
            continue;
        }
        const double x = xToPixel(double(m.timeMs));
        QPen pen(theme.marker(), 1.5, Qt::DashDotLine);
        line->setPen(pen);
        line->setLine(QLineF(x, plot.top(), x, plot.bottom()));
        line->setData(MarkerLabelKey, m.label);
        line->show();
        label->setText(m.label);
        label->setFont(small);
        label->setBrush(theme.text());
        QColor plate = theme.background();
        plate.setAlpha(200);
        label->plate = plate;
        const double width = metrics.horizontalAdvance(m.label);
        const double labelX = std::min(x + 3, plot.right() - width);
        int row = 0;
        while (row < rowEnds.size() && rowEnds.at(row) > labelX)
            ++row;
        if (row == rowEnds.size())
            rowEnds.append(0);
        rowEnds[row] = labelX + width + 6;
        label->setPos(labelX, plot.top() + 2 + row * metrics.height());
        label->show();
    }

    if (m_crosshair->isVisible()) {
        const QLineF l = m_crosshair->line();
        m_crosshair->setLine(QLineF(l.x1(), plot.top(), l.x1(), plot.bottom()));
    }
}

void LoadChart::updateControls()
{
    const qsizetype index = windowChoices().indexOf(m_windowMs);
    if (index >= 0) {
        m_windowBox->setCurrentIndex(int(index));
    } else {
        const QString text = m_windowMs % 3'600'000 == 0 ? tr("%1 h").arg(m_windowMs / 3'600'000)
            : m_windowMs % 60'000 == 0                   ? tr("%1 m").arg(m_windowMs / 60'000)
                                                         : tr("%1 s").arg(m_windowMs / 1000);
        if (m_windowBox->count() == windowChoices().size())
            m_windowBox->addItem(text, QVariant::fromValue(m_windowMs));
        else
            m_windowBox->setItemText(m_windowBox->count() - 1, text);
        m_windowBox->setItemData(m_windowBox->count() - 1, QVariant::fromValue(m_windowMs));
        m_windowBox->setCurrentIndex(m_windowBox->count() - 1);
    }
    if (index >= 0 && m_windowBox->count() > windowChoices().size())
        m_windowBox->removeItem(m_windowBox->count() - 1);

    const QString liveText = m_followLive ? tr("Live") : tr("Paused");
    if (m_liveButton->text() != liveText) {
        m_liveButton->setChecked(m_followLive);
        m_liveButton->setText(liveText);
        m_liveButton->setIcon(style()->standardIcon(m_followLive ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
        m_liveButton->setToolTip(m_followLive
                ? tr("Following live data. Click or press Space on the chart to pause; drag the chart or press ← to "
                     "look back")
                : tr("Paused. Click, press End or double-click the chart to follow live data again"));
    }
    m_pausedLabel->setText(m_followLive ? QString() : tr("%1 – %2").arg(timeText(m_rangeStart), timeText(m_rangeEnd)));
    m_pausedLabel->setVisible(!m_followLive);
}

void LoadChart::applyTheme()
{
    const ChartTheme theme(palette());
    m_chart->setBackgroundBrush(theme.background());
    m_chart->setBackgroundPen(Qt::NoPen);
    m_chart->setTitleBrush(theme.text());
    m_chart->legend()->setLabelColor(theme.text());
    for (QAbstractAxis* axis : { static_cast<QAbstractAxis*>(m_timeAxis), static_cast<QAbstractAxis*>(m_valueAxis) }) {
        axis->setLabelsBrush(theme.text());
        axis->setTitleBrush(theme.mutedText());
        axis->setGridLinePen(QPen(theme.grid(), 1));
        axis->setLinePen(QPen(theme.axisLine(), 1));
    }
    for (auto& linePtr : m_lines) {
        Line& line = *linePtr;
        line.color = theme.seriesColor(line.colorIndex);
        for (QLineSeries* segment : std::as_const(line.segments)) {
            segment->setPen(linePen(line.color));
        }
    }
    for (auto& threshold : m_thresholds)
        threshold->series->setPen(QPen(
            theme.threshold(), threshold->data.clear ? 1.0 : 1.5, threshold->data.clear ? Qt::DotLine : Qt::DashLine));
    m_crosshair->setPen(QPen(theme.mutedText(), 1, Qt::DotLine));
    m_view->setBackgroundBrush(theme.background());
    updateOverlay();
}

void LoadChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void LoadChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Downsampling depends on the plot's width.
    scheduleRefresh();
}

void LoadChart::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    scheduleRefresh();
}

bool LoadChart::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        // Keyboard equivalents of the mouse: Space pauses/resumes, arrows look back and forth by a tenth of the
        // window, End returns to live.
        const int key = static_cast<QKeyEvent*>(event)->key();
        const qint64 step = std::max<qint64>(1000, m_windowMs / 10);
        switch (key) {
        case Qt::Key_Space:
            setFollowLive(!m_followLive);
            return true;
        case Qt::Key_Left:
            pauseAt(m_rangeStart - step, m_rangeEnd - step);
            return true;
        case Qt::Key_Right:
            if (!m_followLive) {
                if (m_rangeEnd + step >= m_clock())
                    setFollowLive(true);
                else
                    pauseAt(m_rangeStart + step, m_rangeEnd + step);
            }
            return true;
        case Qt::Key_End:
            setFollowLive(true);
            return true;
        default:
            return false;
        }
    }
    if (watched != m_view->viewport())
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::MouseMove:
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        const QPointF pos = m_chart->mapFromScene(m_view->mapToScene(mouse->position().toPoint()));
        const QRectF plot = m_chart->plotArea();
        if (event->type() == QEvent::MouseButtonDblClick && plot.contains(pos)) {
            setFollowLive(true);
            return true;
        }
        if (event->type() == QEvent::MouseButtonPress && mouse->button() == Qt::LeftButton && plot.contains(pos)) {
            m_dragX = pos.x();
            return true;
        }
        if (event->type() == QEvent::MouseMove && (mouse->buttons() & Qt::LeftButton) && !std::isnan(m_dragX)
            && plot.width() > 0) {
            // Dragging looks back in time: it pauses and pans the frozen range.
            const double dx = pos.x() - m_dragX;
            const auto shift = qint64(std::llround(dx / plot.width() * double(m_windowMs)));
            if (shift != 0) {
                pauseAt(m_rangeStart - shift, m_rangeEnd - shift);
                refreshNow();
                m_dragX = pos.x();
            }
            return true;
        }
        if (!plot.contains(pos)) {
            setCrosshair(-1);
            QToolTip::hideText();
            Q_EMIT hovered(-1);
            return false;
        }
        const qint64 t = pixelToTime(pos.x());
        setCrosshair(t);
        QToolTip::showText(mouse->globalPosition().toPoint(), toolTipText(t), m_view->viewport());
        Q_EMIT hovered(t);
        return false;
    }
    case QEvent::MouseButtonRelease:
        m_dragX = NaN;
        return false;
    case QEvent::Leave:
        setCrosshair(-1);
        Q_EMIT hovered(-1);
        return false;
    default:
        return false;
    }
}

void LoadChart::setCrosshair(qint64 ms)
{
    const QRectF plot = m_chart->plotArea();
    if (ms < 0 || ms < m_rangeStart || ms > m_rangeEnd || plot.isEmpty()) {
        m_crosshair->hide();
        return;
    }
    const double x = xToPixel(double(ms));
    m_crosshair->setLine(QLineF(x, plot.top(), x, plot.bottom()));
    m_crosshair->show();
}

QString LoadChart::toolTipText(qint64 ms) const
{
    // Nearest sample within a tolerance: further away than that, the honest answer is "no data".
    const double tolerance = m_maxGapMs > 0 ? double(m_maxGapMs) : double(m_windowMs) / 20.0;
    QString html = u"<b>" + timeText(ms) + u"</b><table cellspacing=\"0\" cellpadding=\"1\">";
    for (const auto& linePtr : m_lines) {
        const Line& line = *linePtr;
        const QList<QPointF>& points = line.data.points;
        const auto it = std::lower_bound(
            points.cbegin(), points.cend(), double(ms), [](const QPointF& p, double x) { return p.x() < x; });
        const QPointF* nearest = nullptr;
        if (it != points.cend())
            nearest = &*it;
        if (it != points.cbegin() && (!nearest || double(ms) - std::prev(it)->x() < nearest->x() - double(ms)))
            nearest = &*std::prev(it);
        QString value = tr("no data");
        if (nearest && !std::isnan(nearest->y()) && std::abs(nearest->x() - double(ms)) <= tolerance)
            value = u"<b>" + valueText(nearest->y(), line.data.unit).toHtmlEscaped() + u"</b>";
        const QString name = line.data.label.isEmpty() ? line.data.target : line.data.label;
        html += u"<tr><td><span style=\"color:" + line.color.name() + u"\">&#9632;</span> " + name.toHtmlEscaped()
            + u"</td><td align=\"right\">&nbsp;" + value + u"</td></tr>";
    }
    for (const auto& threshold : m_thresholds) {
        const double value = thresholdAt(threshold->data.points, double(ms));
        if (std::isnan(value))
            continue;
        const Line* owner
            = threshold->data.target.isEmpty() ? nullptr : findLine(threshold->data.target, threshold->data.signal);
        const QString unit = owner ? owner->data.unit : m_lines.empty() ? QString() : m_lines.front()->data.unit;
        html += u"<tr><td>&#8212; " + threshold->series->name().toHtmlEscaped() + u"</td><td align=\"right\">&nbsp;"
            + valueText(value, unit).toHtmlEscaped() + u"</td></tr>";
    }
    html += u"</table>";
    const qint64 now = std::max(m_rangeEnd, m_clock());
    for (const ChartBand& band : m_bands) {
        const qint64 end = band.endMs < 0 ? now : band.endMs;
        if (ms >= band.startMs && ms <= end) {
            html += u"<br/>"
                + tr("Fault: %1 (%2 – %3)")
                      .arg(band.label.toHtmlEscaped(), timeText(band.startMs),
                          band.endMs < 0 ? tr("ongoing") : timeText(band.endMs));
        }
    }
    const QRectF plot = m_chart->plotArea();
    const double msPerPixel = plot.width() > 0 ? double(m_rangeEnd - m_rangeStart) / plot.width() : 0;
    for (const ChartMarker& marker : m_markers) {
        if (std::abs(double(marker.timeMs - ms)) <= 4 * msPerPixel)
            html += u"<br/>" + tr("Action: %1 at %2").arg(marker.label.toHtmlEscaped(), timeText(marker.timeMs));
    }
    return html;
}

QImage LoadChart::renderToImage(QSize size, qreal devicePixelRatio)
{
    const QSizeF previous = m_chart->size();
    const bool crosshair = m_crosshair->isVisible();
    m_crosshair->hide();
    m_chart->resize(QSizeF(size));
    m_chart->layout()->activate();
    refreshNow();

    QImage image(size * devicePixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatio);
    image.fill(ChartTheme(palette()).background());
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        m_chart->scene()->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), QRectF(m_chart->pos(), QSizeF(size)));
    }

    m_chart->resize(previous);
    m_chart->layout()->activate();
    m_crosshair->setVisible(crosshair);
    refreshNow();
    return image;
}

QChart* LoadChart::chart() const
{
    return m_chart;
}

LoadChart::Line* LoadChart::findLine(const QString& target, const QString& signal) const
{
    for (const auto& line : m_lines) {
        if (line->data.target == target && (signal.isEmpty() || line->data.signal == signal))
            return line.get();
    }
    return nullptr;
}

QLineSeries* LoadChart::lineSeries(const QString& target, const QString& signal) const
{
    const Line* line = findLine(target, signal);
    return line && !line->segments.isEmpty() ? line->segments.constFirst() : nullptr;
}

QList<QLineSeries*> LoadChart::lineSegments(const QString& target, const QString& signal) const
{
    const Line* line = findLine(target, signal);
    return line ? line->segments : QList<QLineSeries*>();
}

QLineSeries* LoadChart::thresholdSeries(const QString& target, const QString& signal) const
{
    for (const auto& threshold : m_thresholds) {
        if (!threshold->data.clear && threshold->data.target == target
            && (signal.isEmpty() || threshold->data.signal == signal))
            return threshold->series;
    }
    return nullptr;
}

QLineSeries* LoadChart::clearLevelSeries(const QString& target, const QString& signal) const
{
    for (const auto& threshold : m_thresholds) {
        if (threshold->data.clear && threshold->data.target == target
            && (signal.isEmpty() || threshold->data.signal == signal))
            return threshold->series;
    }
    return nullptr;
}

QList<QGraphicsRectItem*> LoadChart::faultBandItems() const
{
    QList<QGraphicsRectItem*> items;
    for (BandItem* band : m_overlay->bands)
        items.append(band);
    return items;
}

QList<QGraphicsLineItem*> LoadChart::markerItems() const
{
    return m_overlay->markers;
}

} // namespace FaultDesk
