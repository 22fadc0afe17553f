// What the console charts for an incident: the signals that breached, of the right targets, with their levels.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"
#include "ui/chartfeed.h"

#include <QDateTime>
#include <QTest>

#include <cmath>
#include <memory>

using namespace FaultDesk;

namespace {

// Two web servers behind a pool with a request rate and a per-source breakdown, an api server whose path to the
// database is a `link:` signal, and the database's integrity check.
const char FleetYaml[] = R"(version: 1
defaults: { interval: 1s, timeout: 900ms }
targets:
  - name: web-1
    group: web
    probes: [ { kind: metrics, url: 'http://127.0.0.1:9/metrics' } ]
    signals:
      - { name: load, gauge: fleetsim_utilisation, threshold: { above: 0.85, clear: 0.70 } }
      - { name: rps, rate: http_requests_total }
      - { name: sources, rate: http_requests_by_source_total, by: source }
  - name: web-2
    group: web
    probes: [ { kind: metrics, url: 'http://127.0.0.1:9/metrics' } ]
    signals:
      - { name: load, gauge: fleetsim_utilisation, threshold: { above: 0.85, clear: 0.70 } }
      - { name: rps, rate: http_requests_total }
  - name: api-1
    group: api
    probes: [ { kind: metrics, url: 'http://127.0.0.1:9/metrics' } ]
    depends_on: [ db-primary ]
    signals:
      - { name: load, gauge: fleetsim_utilisation, threshold: { above: 0.85, clear: 0.70 } }
      - { name: link_db, gauge: fleetsim_dependency_up, threshold: { below: 1, clear: 1 }, link: db-primary }
  - name: db-primary
    group: db
    probes: [ { kind: metrics, url: 'http://127.0.0.1:9/metrics' } ]
    signals:
      - { name: load, gauge: fleetsim_utilisation, threshold: { above: 0.85, clear: 0.70 } }
      - { name: integrity, gauge: db_integrity_ok, threshold: { below: 1, clear: 1 }, cause: data-integrity }
)";

Fault fault(const QString& id, const QString& target, const QString& group, CauseClass cause, bool root = true)
{
    Fault f;
    f.id = id;
    f.incidentId = QStringLiteral("I1");
    f.target = target;
    f.group = group;
    f.cause = cause;
    f.phase = Fault::Phase::Located;
    f.rootCause = root;
    f.detectedMs = QDateTime::currentMSecsSinceEpoch() - 20000;
    return f;
}

} // namespace

class TestChartFeed : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Monitor> m_monitor;
    qint64 m_now = 0;

private Q_SLOTS:
    void initTestCase()
    {
        const ConfigLoadResult config = FleetConfigLoader::loadBytes(FleetYaml, QStringLiteral("chartfeed.yaml"));
        QVERIFY2(config.ok(), qPrintable(config.errors.isEmpty() ? QString() : config.errors.first().toString()));
        m_monitor = std::make_unique<Monitor>();
        m_monitor->setConfig(*config.config);
        // One minute of history for every series, with three missed scrapes on web-1's load.
        SeriesStore* store = m_monitor->store();
        m_now = QDateTime::currentMSecsSinceEpoch();
        for (const TargetConfig& t : m_monitor->config().targets) {
            for (const SignalConfig& s : t.signalConfigs) {
                const SeriesStore::SeriesId id = store->addSeries(t.name, s.name);
                for (int i = 60; i >= 0; --i) {
                    if (t.name == u"web-1" && s.name == u"load" && i >= 30 && i < 33)
                        continue;
                    store->append(id, m_now - i * 1000, 0.5);
                }
            }
        }
    }

    void signalsThatBreached_data()
    {
        QTest::addColumn<QList<Fault>>("faults");
        QTest::addColumn<QStringList>("signalNames");
        QTest::addColumn<QStringList>("targets");
        QTest::addRow("overload: the pool's load, then its requests")
            << QList<Fault> { fault(
                   QStringLiteral("F1"), QStringLiteral("web-2"), QStringLiteral("web"), CauseClass::Overload) }
            << QStringList { QStringLiteral("load"), QStringLiteral("rps") }
            << QStringList { QStringLiteral("web-2"), QStringLiteral("web-1") };
        QTest::addRow("attack: the requests over all sources, then the pool's requests")
            << QList<Fault> { fault(
                   QStringLiteral("F1"), QStringLiteral("web-1"), QStringLiteral("web"), CauseClass::Attack) }
            << QStringList { QStringLiteral("sources"), QStringLiteral("rps") }
            << QStringList { QStringLiteral("web-1"), QStringLiteral("web-2") };
        QTest::addRow("data integrity: the integrity check, not load")
            << QList<Fault> { fault(QStringLiteral("F1"), QStringLiteral("db-primary"), QStringLiteral("db"),
                                  CauseClass::DataIntegrity),
                   fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("api"), CauseClass::Errors,
                       false) }
            << QStringList { QStringLiteral("integrity") }
            << QStringList { QStringLiteral("db-primary"), QStringLiteral("api-1") };
        QTest::addRow("network: the dependency's link signal") << QList<Fault> {
            fault(QStringLiteral("F1"), QStringLiteral("api-1"), QStringLiteral("api"), CauseClass::Network)
        } << QStringList { QStringLiteral("link_db") } << QStringList { QStringLiteral("api-1") };
        QTest::addRow("down: nothing breached, the last load") << QList<Fault> {
            fault(QStringLiteral("F1"), QStringLiteral("web-2"), QStringLiteral("web"), CauseClass::Down)
        } << QStringList { QStringLiteral("load") } << QStringList { QStringLiteral("web-2") };
    }
    void signalsThatBreached()
    {
        QFETCH(QList<Fault>, faults);
        QFETCH(QStringList, signalNames);
        QFETCH(QStringList, targets);
        const ChartFeed feed(m_monitor->config(), *m_monitor->detector(), *m_monitor->store());
        const ChartFeed::Selection selection = feed.select(faults);
        QCOMPARE(selection.signalNames, signalNames);
        QCOMPARE(selection.targets, targets);
        const QList<ChartFeed::Panel> panels = feed.incident(faults, m_now - 60000, m_now);
        QCOMPARE(panels.size(), std::min<qsizetype>(2, signalNames.size()));
        QCOMPARE(panels.constFirst().signal, signalNames.constFirst());
        QVERIFY(!panels.constFirst().series.isEmpty());
        QCOMPARE(panels.constFirst().bands.size(), 1); // one event, one band, however many faults it holds
        QVERIFY2(panels.constFirst().title.contains(causeClassName(faults.constFirst().cause)),
            qPrintable(panels.constFirst().title));
    }

    // An attack: first each flooding source's rate (as the monitor records it: "sources/ADDRESS") beside the
    // total over all sources; then the total over all sources with the attack rule's level (its rate factor times the
    // baseline it learnt) and clear level.
    void attackChartsTheFloodingSources()
    {
        Detector* detector = m_monitor->detector();
        // Twelve quiet checks of 48 clients at 1 req/s teach web-1's attack rule a baseline of 48 req/s.
        for (int i = 12; i >= 1; --i) {
            Observation o;
            o.target = QStringLiteral("web-1");
            o.timeMs = m_now - i * 1000;
            for (int c = 0; c < 48; ++c)
                o.sourceRates.insert(QStringLiteral("127.0.2.%1").arg(c + 1), 1.0);
            detector->observe(o);
            detector->tick(o.timeMs);
        }
        const std::optional<TargetStatus> status = detector->status(QStringLiteral("web-1"));
        QVERIFY(status && status->attackLevel);
        QCOMPARE(status->attackLevel->enter, 48 * 3.0);
        QCOMPARE(status->attackLevel->clear, 48 * 2.0);

        SeriesStore* store = m_monitor->store();
        const QStringList flooders { QStringLiteral("127.0.1.201"), QStringLiteral("127.0.1.202") };
        const SeriesStore::SeriesId total = store->find(QStringLiteral("web-1"), QStringLiteral("sources"));
        QVERIFY(total >= 0);
        for (const QString& source : flooders) {
            const SeriesStore::SeriesId id = store->addSeries(QStringLiteral("web-1"), u"sources/" + source);
            for (int i = 10; i >= 0; --i)
                store->append(id, m_now - i * 1000, 40);
        }
        for (int i = 10; i >= 0; --i)
            store->append(total, m_now - i * 1000, 130); // 80 from the two, 50 from everyone else

        Fault attack = fault(QStringLiteral("F1"), QStringLiteral("web-1"), QStringLiteral("web"), CauseClass::Attack);
        attack.sources = flooders;
        const ChartFeed feed(m_monitor->config(), *detector, *store);
        const QList<ChartFeed::Panel> panels = feed.incident({ attack }, m_now - 60000, m_now);
        QCOMPARE(panels.size(), 2);

        const ChartFeed::Panel& bySource = panels.at(0);
        QStringList labels;
        for (const ChartSeries& line : bySource.series)
            labels << line.label;
        QCOMPARE(labels, flooders + QStringList { QStringLiteral("all sources") });
        QCOMPARE(bySource.series.at(0).points.constLast().y(), 40.0);
        QCOMPARE(bySource.series.at(2).points.constLast().y(), 130.0);
        QVERIFY2(bySource.title.contains(QStringLiteral("2 flooding sources")), qPrintable(bySource.title));
        QCOMPARE(bySource.bands.size(), 1);

        const ChartFeed::Panel& all = panels.at(1);
        QCOMPARE(all.signal, QStringLiteral("sources"));
        QCOMPARE(all.series.size(), 1); // web-2 counts no sources
        QList<double> levels;
        for (const ChartThreshold& t : all.thresholds)
            levels << t.points.constFirst().y();
        QCOMPARE(levels, (QList<double> { 48 * 3.0, 48 * 2.0 }));
        QVERIFY(all.thresholds.at(1).clear);
    }

    // With no incident selected: the chosen targets, else (nothing open) the first few; the title says which, and
    // says "all" only when it is all of them.
    void overviewSaysWhatItShows()
    {
        const ChartFeed feed(m_monitor->config(), *m_monitor->detector(), *m_monitor->store());
        ChartFeed::Panel p = feed.overview({}, {}, m_now - 60000, m_now);
        QCOMPARE(p.title, QStringLiteral("Load — web-1, web-2, api-1, db-primary"));
        QCOMPARE(p.series.size(), 4);
        p = feed.overview({ QStringLiteral("web-2") }, QStringLiteral("Load — web-2"), m_now - 60000, m_now);
        QCOMPARE(p.title, QStringLiteral("Load — web-2"));
        QCOMPARE(p.series.size(), 1);

        QByteArray yaml = "version: 1\ntargets:\n";
        for (int i = 1; i <= 12; ++i)
            yaml += QByteArrayLiteral("  - name: n") + QByteArray::number(i)
                + "\n    probes: [ { kind: tcp, address: '127.0.0.1:9' } ]\n";
        const ConfigLoadResult big = FleetConfigLoader::loadBytes(yaml, QStringLiteral("big.yaml"));
        QVERIFY2(big.ok(), qPrintable(big.errors.isEmpty() ? QString() : big.errors.first().toString()));
        Monitor monitor;
        monitor.setConfig(*big.config);
        const ChartFeed bigFeed(monitor.config(), *monitor.detector(), *monitor.store());
        p = bigFeed.overview({}, {}, m_now - 60000, m_now);
        QCOMPARE(p.title, QStringLiteral("Load — 8 of 12 targets"));
    }

    // The chart gets the store's gap marks: web-1's missed scrapes break its line.
    void gapsBreakTheLine()
    {
        const ChartFeed feed(m_monitor->config(), *m_monitor->detector(), *m_monitor->store());
        const ChartFeed::Panel panel = feed.targets(
            { QStringLiteral("web-1"), QStringLiteral("web-2") }, QStringLiteral("load"), m_now - 60000, m_now);
        QCOMPARE(panel.series.size(), 2);
        const auto nans = [](const ChartSeries& s) {
            return std::count_if(
                s.points.cbegin(), s.points.cend(), [](const QPointF& p) { return std::isnan(p.y()); });
        };
        QCOMPARE(nans(panel.series.at(0)), 1);
        QCOMPARE(nans(panel.series.at(1)), 0);
    }
};

QTEST_MAIN(TestChartFeed)
#include "tst_chartfeed.moc"
