#pragma once

#include "detect/fault.h"
#include "ui/chart/chartdata.h"

#include <QCoreApplication>
#include <QList>
#include <QStringList>

namespace FaultDesk {

class Detector;
class SeriesStore;
struct FleetConfig;

/**
 * What the console's charts show, read from core in one place: a signal of chosen targets, or the signals that
 * breached in an incident — integrity for a data-integrity fault, load and requests of the pool for an overload,
 * the flooding sources' rates and the total over all sources for an attack, the dependency (`link:`) signals for a
 * network fault — each with its threshold and clear level and the incident's fault periods. Points come gap-marked from
 * the series store (SeriesStore::rangeWithGaps()), so a target that stopped reporting shows a broken line.
 */
class ChartFeed
{
    Q_DECLARE_TR_FUNCTIONS(FaultDesk::ChartFeed)
public:
    /// One chart's content.
    struct Panel
    {
        QString signal; ///< e.g. "load"
        QString valueTitle; ///< the value axis' title, e.g. "Load (utilisation)"
        QString title;
        QList<ChartSeries> series;
        QList<ChartThreshold> thresholds;
        QList<ChartBand> bands;
    };
    /// Which signals of which targets an incident's charts show, primary signal first.
    struct Selection
    {
        QStringList signalNames;
        QStringList targets;
    };

    ChartFeed(const FleetConfig& config, const Detector& detector, const SeriesStore& store);

    /// @p signal of @p targets over [@p t0Ms, @p t1Ms], with each target's threshold and clear level and the
    /// periods of the targets' faults.
    Panel targets(const QStringList& targets, const QString& signal, qint64 t0Ms, qint64 t1Ms) const;
    /// The charts of the incident made of @p faults (root cause first), one per signal, at most @p maxPanels.
    QList<Panel> incident(const QList<Fault>& faults, qint64 t0Ms, qint64 t1Ms, int maxPanels = 2) const;
    Selection select(const QList<Fault>& faults) const;
    /**
     * The load chart when no incident is selected: of @p chosen (titled @p chosenTitle) if any, else of the root
     * causes of the open faults, else of the first MaxTargets targets.
     */
    Panel overview(const QStringList& chosen, const QString& chosenTitle, qint64 t0Ms, qint64 t1Ms) const;

    /// The value axis' title for @p signal ("Load (utilisation)", "Requests/s", …; else the name itself).
    static QString valueTitle(const QString& signal);
    static constexpr int MaxTargets = 8;
    static constexpr int MaxSources = 6; ///< flooding sources charted one by one, beside the total

private:
    Panel panel(const QStringList& targets, const QString& signal, qint64 t0Ms, qint64 t1Ms) const;
    /// An attack's sources: each named source's rate summed over @p targets, and the total over all sources.
    Panel sourcesPanel(const QList<Fault>& faults, const QStringList& targets, qint64 t0Ms, qint64 t1Ms) const;

    const FleetConfig& m_config;
    const Detector& m_detector;
    const SeriesStore& m_store;
};

} // namespace FaultDesk
