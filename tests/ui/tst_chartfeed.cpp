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
        QTest::addRow("attack: the pool's requests") << QList<Fault> {
            fault(QStringLiteral("F1"), QStringLiteral("web-1"), QStringLiteral("web"), CauseClass::Attack)
        } << QStringList { QStringLiteral("rps") } << QStringList { QStringLiteral("web-1"), QStringLiteral("web-2") };
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
        QCOMPARE(panels.constFirst().bands.size(), faults.size());
        QVERIFY2(panels.constFirst().title.contains(causeClassName(faults.constFirst().cause)),
            qPrintable(panels.constFirst().title));
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
