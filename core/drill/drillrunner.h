#pragma once

#include "drill/drilloutcome.h"
#include "drill/drillscenario.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <functional>

namespace FaultDesk {

class DemoFleetProcess;
class FaultJournal;
class Monitor;
class RemediationController;

/**
 * The one drill engine: injects faults into the demo fleet, waits for FaultDesk to detect and locate them, runs
 * Handle, ends the cause the way the world would (the sale ends, the attacker leaves, the link heals), runs
 * Recover, verifies the baseline, and scores everything FaultDesk said against fleetsim's ground truth.
 *
 * It never blocks: every wait is a timer tick and every fleetsim call is asynchronous, so the console runs it on
 * its own event loop (Drill menu, `--drill-auto`) and the command line runs it under a local loop
 * (`faultdesk drill`, `faultdesk drill campaign`). In Observe mode it presses nothing: the operator runs Handle and
 * Recover with the buttons and the runner follows, ends the cause after Handle and scores the result.
 */
class DrillRunner : public QObject
{
    Q_OBJECT
public:
    enum class Phase {
        Idle,
        Baseline, ///< waiting for a healthy fleet (every target UP, no open fault) and the warm-up
        Injecting,
        Detecting, ///< waiting for a located root cause of each injected fault
        Handling,
        EndingCause, ///< the world ends what Handle contained
        Recovering,
        Verifying, ///< the detector sees the targets pass again; the read-back equals the baseline
        Done,
    };
    Q_ENUM(Phase)

    enum class Mode {
        Auto, ///< press Handle and Recover
        Confirm, ///< ask (Settings::confirm) before each
        Observe, ///< the operator presses them
    };

    struct Settings
    {
        Mode mode = Mode::Auto;
        std::chrono::milliseconds phaseTimeout { 60000 }; ///< how long each phase may take
        /// Healthy traffic before the injection, for the baselines the detector learns; negative: 12 s when an
        /// attack is injected (its rule needs ten samples of baseline), else 3 s.
        std::chrono::milliseconds warmup { -1 };
        QString operatorName = QStringLiteral("drill");
        std::function<bool(const QString& question)> confirm; ///< Mode::Confirm: true runs the step
    };

    DrillRunner(
        Monitor* monitor, RemediationController* controller, DemoFleetProcess* fleet, QObject* parent = nullptr);
    ~DrillRunner() override;

    void setSettings(const Settings& settings) { m_settings = settings; }
    Settings settings() const { return m_settings; }
    /// Scores against @p journal (one that spans a whole campaign) instead of a journal of its own.
    void setJournal(FaultJournal* journal);
    FaultJournal* journal() const { return m_journal; }

    /// Starts a drill of @p faults (one, or several at once). False (with *error) when a drill runs already or a
    /// fault's kind is unknown.
    bool start(const QList<DrillFault>& faults, QString* error = nullptr);
    /// Stops the drill where it is (a running Handle or Recover is aborted) and reports it as failed.
    void abort(const QString& reason);
    bool isRunning() const { return m_phase != Phase::Idle && m_phase != Phase::Done; }
    Phase phase() const { return m_phase; }
    DrillOutcome outcome() const { return m_outcome; }
    /// "baseline", "injecting", "detecting", "handling", "ending-cause", "recovering", "verifying", "done".
    static QString phaseName(Phase phase);

Q_SIGNALS:
    void phaseChanged(FaultDesk::DrillRunner::Phase phase);
    /// One line of what is happening, for a terminal or a status bar.
    void progress(const QString& line);
    void finished(const FaultDesk::DrillOutcome& outcome);

private:
    void tick();
    void enter(Phase phase);
    void fail(const QString& why);
    void finish();
    void score();
    bool fleetHealthy() const;
    void injectNext(qsizetype index);
    void readTruth();
    std::optional<JournalEntry> candidate(qsizetype index) const;
    void endCauses(qsizetype index);
    void stepHandling(SafetyRequest::Purpose purpose);
    void stepVerifying();
    void nextItem();
    void refreshThen(std::function<void()> then);
    void resetLeftovers();
    void clearTargets(QStringList targets);
    qint64 now() const;

    QPointer<Monitor> m_monitor;
    QPointer<RemediationController> m_controller;
    QPointer<DemoFleetProcess> m_fleet;
    FaultJournal* m_journal = nullptr;
    bool m_ownsJournal = false;
    Settings m_settings;
    QTimer m_timer;
    Phase m_phase = Phase::Idle;
    qint64 m_phaseSinceMs = 0;
    qint64 m_healthySinceMs = 0;
    bool m_busy = false; ///< an asynchronous call is in flight; ticks wait for it
    bool m_resetting = false; ///< clearing what is left before finishing
    QList<DrillScenario> m_scenarios;
    DrillOutcome m_outcome;
    qsizetype m_item = 0; ///< the fault being handled, recovered or verified
    int m_stage = 0; ///< where that item is
    qint64 m_itemSinceMs = 0;
    quint64 m_generation = 0; ///< guards asynchronous callbacks of an earlier drill
};

} // namespace FaultDesk
