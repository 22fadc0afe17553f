// RemediationGates through RemediationController: pool-shrinking steps fail closed on unknown or stale HAProxy
// state, and two crashes of one four-server backend (a batch Handle, or two consoles sharing a lock directory)
// never take more than one server out of rotation.
//
// The real HAProxy (its Runtime API) is used throughout; only the fail-closed cases talk to a stub Runtime API on
// a unix socket, because a real HAProxy cannot be made to fail or hang `show stat` on demand. The stub answers
// `show servers state` with what the real HAProxy answered, and `show stat` as the case needs.
#include "remedytest.h"
#include "shared/haproxyharness.h"

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>

using namespace FaultDesk;

namespace {

/// A Runtime API that answers `show servers state` properly and `show stat` as told: Ok, Error, Hang or
/// EmptyStatus (the status column blank); Hang makes every command hang.
class StubRuntimeApi : public QObject
{
public:
    enum class Mode {
        Ok,
        Error,
        Hang,
        HangAll,
        EmptyStatus
    };

    StubRuntimeApi(const QString& path, QByteArray state, QByteArray stat)
        : m_state(std::move(state))
        , m_stat(std::move(stat))
    {
        QLocalServer::removeServer(path);
        m_server.listen(path);
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket* s = m_server.nextPendingConnection()) {
                m_held.append(s);
                connect(s, &QLocalSocket::readyRead, s, [this, s] { answer(s); });
            }
        });
    }
    void setMode(Mode mode) { m_mode = mode; }

private:
    void answer(QLocalSocket* s)
    {
        if (!s->canReadLine())
            return;
        const QByteArray line = s->readLine().trimmed();
        if (m_mode == Mode::HangAll)
            return;
        QByteArray reply;
        if (line.startsWith("show servers state")) {
            reply = m_state;
        } else if (line == "show stat") {
            switch (m_mode) {
            case Mode::Hang:
                return; // never answers, never closes
            case Mode::Error:
                reply = "Unknown command. Please enter one of the following commands only :\n";
                break;
            case Mode::EmptyStatus: {
                QList<QByteArray> lines = m_stat.split('\n');
                const QList<QByteArray> header = lines.value(0).mid(2).split(',');
                const qsizetype status = header.indexOf("status");
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    QList<QByteArray> f = lines[i].split(',');
                    if (f.size() > status && f.value(0) == "web" && f.value(1) != "BACKEND") {
                        f[status] = QByteArray();
                        lines[i] = f.join(',');
                    }
                }
                reply = lines.join('\n');
                break;
            }
            default:
                reply = m_stat;
            }
        } else {
            reply = "Unknown command.\n";
        }
        s->write(reply + "\n");
        s->flush();
        s->disconnectFromServer();
    }

    QLocalServer m_server;
    QList<QPointer<QLocalSocket>> m_held;
    QByteArray m_state;
    QByteArray m_stat;
    Mode m_mode = Mode::Ok;
};

} // namespace

class TestRemediationGates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void poolStepsFailClosed_data();
    void poolStepsFailClosed();
    void freshReadFailingAtTheStepRefusesIt();
    void twoCrashesOneBackend_data();
    void twoCrashesOneBackend();

private:
    FleetConfig load(const QString& socket);
    /// Starts monitoring @p config until the crashed targets have located faults; their ids by target.
    QHash<QString, QString> crashedFaults(Monitor& monitor, const FleetConfig& config);
    int outOfRotation();

    Test::HaproxyHarness m_haproxy;
    QTemporaryDir m_dir;
    quint16 m_closed = 0;
    QByteArray m_state;
    QByteArray m_stat;
};

void TestRemediationGates::initTestCase()
{
    if (Test::HaproxyHarness::binary().isEmpty())
        QSKIP("haproxy is not installed");
    QString error;
    QVERIFY2(m_haproxy.start(4, &error), qPrintable(error));
    QTcpServer closed; // a port nobody listens on once this is gone: the crashed servers' probes are refused
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    m_closed = closed.serverPort();
    closed.close();
    m_state = m_haproxy.send(HaproxyCommand::showServersState()).text.toUtf8();
    m_stat = m_haproxy.send(HaproxyCommand::showStat()).text.toUtf8();
    QVERIFY(m_state.contains("# be_id"));
    QVERIFY(m_stat.startsWith("# pxname,"));
}

void TestRemediationGates::init()
{
    m_haproxy.reset();
    QTRY_COMPARE_WITH_TIMEOUT(outOfRotation(), 0, 5000);
}

int TestRemediationGates::outOfRotation()
{
    int out = 0;
    for (const HaproxyServerState& s : m_haproxy.readStates())
        out += s.adminState != u"ready" ? 1 : 0;
    return out;
}

FleetConfig TestRemediationGates::load(const QString& socket)
{
    // web-1 and web-2 are down (nothing listens where they are probed); s3 and s4 serve on.
    const QByteArray probe = "    probes: [{ kind: tcp, address: '127.0.0.1:" + QByteArray::number(m_closed) + "' }]\n";
    const QByteArray yaml = "version: 1\n"
                            "defaults: { interval: 200ms, timeout: 150ms, attempts: 2, retry_interval: 100ms }\n"
                            "haproxy:\n"
                            "  - { name: lb, socket: '"
        + socket.toUtf8()
        + "' }\n"
          "targets:\n"
          "  - name: web-1\n"
        + probe
        + "    haproxy: { instance: lb, backend: web, server: s1 }\n"
          "  - name: web-2\n"
        + probe
        + "    haproxy: { instance: lb, backend: web, server: s2 }\n"
          "runbooks:\n"
          "  - name: swap\n"
          "    on: [down]\n"
          "    handle:\n"
          "      - { name: out of the pool, haproxy: { set_state: maint } }\n"
          "      - { name: replace, command: [sleep, '1'] }\n";
    ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, u"gates.yaml"_qs, QString());
    if (!r.ok())
        qWarning("%s", qPrintable(r.errors.value(0).toString()));
    return r.config.value_or(FleetConfig {});
}

QHash<QString, QString> TestRemediationGates::crashedFaults(Monitor& monitor, const FleetConfig& config)
{
    monitor.setConfig(config);
    monitor.start();
    QHash<QString, QString> ids;
    const bool located = QTest::qWaitFor(
        [&] {
            ids.clear();
            for (const Fault& f : monitor.detector()->openFaults())
                if (f.phase == Fault::Phase::Located && f.rootCause)
                    ids.insert(f.target, f.id);
            return ids.size() == 2;
        },
        20000);
    if (!located)
        qWarning("only %d of the crashed targets have located faults", int(ids.size()));
    return ids;
}

void TestRemediationGates::poolStepsFailClosed_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("thenHangAll");
    QTest::addColumn<QString>("reason");
    QTest::addRow("show stat errors") << int(StubRuntimeApi::Mode::Error) << false
                                      << u"HAProxy's state is unknown: show stat: Unknown command"_qs;
    QTest::addRow("show stat hangs") << int(StubRuntimeApi::Mode::Hang) << false
                                     << u"HAProxy's state is unknown: show stat:"_qs;
    QTest::addRow("empty status is not up")
        << int(StubRuntimeApi::Mode::EmptyStatus) << false << u"is the last healthy server of web"_qs;
    QTest::addRow("stale state") << int(StubRuntimeApi::Mode::Ok) << true
                                 << u"(older than two poll intervals of 0.3 s)"_qs;
}

void TestRemediationGates::poolStepsFailClosed()
{
    QFETCH(int, mode);
    QFETCH(bool, thenHangAll);
    QFETCH(QString, reason);
    const QString socket
        = m_dir.filePath(u"stub-%1.sock"_qs.arg(QString::fromUtf8(QTest::currentDataTag())).replace(u' ', u'-'));
    StubRuntimeApi stub(socket, m_state, m_stat);
    stub.setMode(StubRuntimeApi::Mode(mode));
    const FleetConfig config = load(socket);
    QVERIFY(!config.targets.isEmpty());
    Monitor monitor;
    const auto ids = crashedFaults(monitor, config);
    QCOMPARE(ids.size(), 2);
    JsonlAuditSink audit(m_dir.filePath(u"audit.jsonl"_qs));
    RemediationController controller(
        monitor.config(), monitor.detector(), &audit, m_dir.filePath(u"locks"_qs), u"alice"_qs);
    RemediationController::Settings settings;
    settings.pollInterval = std::chrono::milliseconds(300);
    controller.setSettings(settings);
    const QString id = ids.value(u"web-1"_qs);
    if (thenHangAll) {
        // Read once, then HAProxy stops answering: the last read ages past two intervals while the next one hangs.
        QTRY_VERIFY_WITH_TIMEOUT(controller.preview(id, SafetyRequest::Purpose::Handle).decision.allowed, 10000);
        stub.setMode(StubRuntimeApi::Mode::HangAll);
    }
    // The preview refuses the pool-shrinking step and says why; Handle is refused with the same reason.
    QTRY_VERIFY_WITH_TIMEOUT(
        controller.preview(id, SafetyRequest::Purpose::Handle).decision.reasons.join(u'\n').contains(reason), 10000);
    const RemediationPlan plan = controller.preview(id, SafetyRequest::Purpose::Handle);
    QVERIFY(!plan.decision.allowed);
    QVERIFY2(plan.toText().contains(u"NOT ALLOWED NOW: step 'out of the pool' refused: web/s1 would leave rotation"_qs)
            || plan.toText().contains(reason),
        qPrintable(plan.toText()));
    QString error;
    QVERIFY(!controller.handle(id, u"alice"_qs, &error));
    QVERIFY2(error.contains(u"out of the pool"_qs), qPrintable(error));
    QCOMPARE(outOfRotation(), 0);
    monitor.stop();
}

void TestRemediationGates::freshReadFailingAtTheStepRefusesIt()
{
    const QString socket = m_dir.filePath(u"stub-fresh.sock"_qs);
    StubRuntimeApi stub(socket, m_state, m_stat);
    const FleetConfig config = load(socket);
    Monitor monitor;
    const auto ids = crashedFaults(monitor, config);
    QCOMPARE(ids.size(), 2);
    JsonlAuditSink audit(m_dir.filePath(u"audit.jsonl"_qs));
    RemediationController controller(
        monitor.config(), monitor.detector(), &audit, m_dir.filePath(u"locks"_qs), u"alice"_qs);
    const QString id = ids.value(u"web-1"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(controller.canHandle(id).allowed && controller.current().haproxyKnown, 10000);
    QSignalSpy finished(&controller, &RemediationController::runFinished);
    QString error;
    QVERIFY2(controller.handle(id, u"alice"_qs, &error), qPrintable(error));
    // The polled state was fine; the pool read right before the step hangs: the step is refused, not guessed.
    stub.setMode(StubRuntimeApi::Mode::Hang);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
    const auto outcome = finished.first().at(2).value<RunbookOutcome>();
    QCOMPARE(outcome.result, RunbookOutcome::Result::Escalated);
    QVERIFY2(outcome.message.contains(u"the pool state of web could not be read now: show stat"_qs),
        qPrintable(outcome.message));
    QVERIFY(!outcome.steps.first().action.has_value()); // never sent
    monitor.stop();
}

void TestRemediationGates::twoCrashesOneBackend_data()
{
    QTest::addColumn<bool>("twoConsoles");
    QTest::addRow("batch Handle in one console") << false;
    QTest::addRow("two consoles, one lock directory") << true;
}

void TestRemediationGates::twoCrashesOneBackend()
{
    QFETCH(bool, twoConsoles);
    const FleetConfig config = load(m_haproxy.adminSocket());
    Monitor monitor;
    const auto ids = crashedFaults(monitor, config);
    QCOMPARE(ids.size(), 2);
    JsonlAuditSink audit(m_dir.filePath(u"audit-race.jsonl"_qs));
    const QString locks = m_dir.filePath(u"race-locks"_qs);
    RemediationController first(monitor.config(), monitor.detector(), &audit, locks, u"alice"_qs);
    RemediationController second(monitor.config(), monitor.detector(), &audit, locks, u"bob"_qs);
    RemediationController& other = twoConsoles ? second : first;
    QTRY_VERIFY_WITH_TIMEOUT(first.current().haproxyKnown && second.current().haproxyKnown, 10000);
    // Both pass the gates as the pool looked a moment ago: nobody is out of rotation yet.
    QVERIFY(first.canHandle(ids.value(u"web-1"_qs)).allowed);
    QVERIFY(other.canHandle(ids.value(u"web-2"_qs)).allowed);
    QSignalSpy done1(&first, &RemediationController::runFinished);
    QSignalSpy done2(&second, &RemediationController::runFinished);
    QString error;
    QVERIFY2(first.handle(ids.value(u"web-1"_qs), u"alice"_qs, &error), qPrintable(error));
    QVERIFY2(other.handle(ids.value(u"web-2"_qs), twoConsoles ? u"bob"_qs : u"alice"_qs, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(done1.size() + done2.size(), 2, 30000);
    QList<RunbookOutcome> outcomes;
    for (const auto& args : std::as_const(done1))
        outcomes << args.at(2).value<RunbookOutcome>();
    for (const auto& args : std::as_const(done2))
        outcomes << args.at(2).value<RunbookOutcome>();
    const auto succeeded = std::count_if(outcomes.cbegin(), outcomes.cend(),
        [](const RunbookOutcome& o) { return o.result == RunbookOutcome::Result::Succeeded; });
    QCOMPARE(succeeded, 1);
    const auto refused = std::find_if(outcomes.cbegin(), outcomes.cend(),
        [](const RunbookOutcome& o) { return o.result != RunbookOutcome::Result::Succeeded; });
    QVERIFY2(refused->message.contains(u"refused by the safety gates"_qs)
            && refused->message.contains(u"out of rotation; at most 1 (25%) may be"_qs),
        qPrintable(refused->message));
    // HAProxy itself: exactly one of the four out of rotation.
    QCOMPARE(outOfRotation(), 1);
    monitor.stop();
}

QTEST_GUILESS_MAIN(TestRemediationGates)
#include "tst_remediationgates.moc"
