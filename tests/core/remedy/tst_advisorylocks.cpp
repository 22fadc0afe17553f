// AdvisoryLocks against a real PostgreSQL (started by the test): two lock sessions exclude each other and name the
// holder, a session's own second run is refused, a lock lost with its session fails the next check closed and frees
// the target for others, an unreachable store refuses every lock, and a holder shows in another session within 2 s
// through the store's notifications. A store that accepts connections and never answers costs one connect timeout,
// not one per call, and the locks work again once it answers, without a restart.
#include "incident/incidentstore.h"
#include "incident/storenotifier.h"
#include "remedy/advisorylocks.h"
#include "shared/postgresharness.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QtEndian>

using namespace FaultDesk;

namespace {

/// The store as a console reaches it: a loopback port that either forwards to the real server or accepts connections
/// and never answers (a hung server, a firewall swallowing the replies), and counts every connection it accepted. It
/// runs on a thread of its own: a lock session connects on the caller's thread, which cannot forward meanwhile.
class StoreFront
{
public:
    explicit StoreFront(quint16 server)
        : m_front(new Front(server))
    {
        m_front->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_front, &QObject::deleteLater);
        m_thread.start();
        QMetaObject::invokeMethod(
            m_front, [this] { m_port = m_front->listen(); }, Qt::BlockingQueuedConnection);
    }
    ~StoreFront()
    {
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }
    /// Connections accepted so far, those the kernel completed meanwhile included.
    int accepted()
    {
        int n = 0;
        QMetaObject::invokeMethod(
            m_front, [this, &n] { n = m_front->accepted(); }, Qt::BlockingQueuedConnection);
        return n;
    }
    void forward(bool on)
    {
        QMetaObject::invokeMethod(
            m_front, [this, on] { m_front->forward(on); }, Qt::BlockingQueuedConnection);
    }

private:
    class Front : public QObject
    {
    public:
        explicit Front(quint16 server)
            : m_server(new QTcpServer(this))
            , m_target(server)
        {
            connect(m_server, &QTcpServer::newConnection, this, &Front::take);
        }
        quint16 listen() { return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0; }
        int accepted()
        {
            while (m_server->waitForNewConnection(0))
                take();
            return m_accepted;
        }
        void forward(bool on)
        {
            m_forward = on;
            if (on) {
                qDeleteAll(m_silent);
                m_silent.clear();
            }
        }

    private:
        void take()
        {
            while (QTcpSocket* s = m_server->nextPendingConnection()) {
                ++m_accepted;
                if (!m_forward) {
                    m_silent.append(s);
                    continue;
                }
                auto* up = new QTcpSocket(s);
                connect(up, &QTcpSocket::connected, s, [s, up] {
                    up->write(s->readAll());
                    connect(s, &QTcpSocket::readyRead, up, [s, up] { up->write(s->readAll()); });
                });
                connect(up, &QTcpSocket::readyRead, s, [s, up] { s->write(up->readAll()); });
                connect(up, &QTcpSocket::disconnected, s, &QTcpSocket::disconnectFromHost);
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                up->connectToHost(QHostAddress::LocalHost, m_target);
            }
        }

        QTcpServer* m_server;
        quint16 m_target;
        bool m_forward = false;
        int m_accepted = 0;
        QList<QTcpSocket*> m_silent;
    };

    QThread m_thread;
    Front* m_front;
    quint16 m_port = 0;
};

} // namespace

class TestAdvisoryLocks : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    StoreUrl m_url;

    int advisoryLocks() { return m_pg.psql(u"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"_qs).toInt(); }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(u"faultdesk"_qs, u"lock-secret-5e1"_qs));
        QVERIFY(m_pg.createDatabase(u"team"_qs, u"faultdesk"_qs));
        qputenv("FD_TEAM_PW", "lock-secret-5e1");
        const auto url
            = StoreUrl::parse(m_pg.dsn(u"faultdesk"_qs, u"team"_qs) + u"?sslmode=disable&password_env=FD_TEAM_PW"_qs);
        QVERIFY(url);
        m_url = *url;
        IncidentStore::Options o;
        o.path = m_pg.dsn(u"faultdesk"_qs, u"team"_qs) + u"?sslmode=disable&password_env=FD_TEAM_PW"_qs;
        o.pruneIntervalMs = 0;
        IncidentStore store(o); // creates the schema, remediation_locks included
        QVERIFY2(store.open(&error), qPrintable(error));
    }

    void keyIsTheDocumentedDigest()
    {
        const QByteArray digest
            = QCryptographicHash::hash(QByteArrayLiteral("faultdesk/remedy-lock/web-2"), QCryptographicHash::Sha256);
        QCOMPARE(AdvisoryLocks::keyOf(u"web-2"_qs), qFromBigEndian<qint64>(digest.constData()));
        QVERIFY(AdvisoryLocks::keyOf(u"web-2"_qs) != AdvisoryLocks::keyOf(u"web-3"_qs));
        QVERIFY(AdvisoryLocks::keyOf(u"backend@lb/web"_qs) != AdvisoryLocks::keyOf(u"web-2"_qs));
    }

    void twoSessionsExcludeEachOtherAndNameTheHolder()
    {
        AdvisoryLocks a(m_url);
        AdvisoryLocks b(m_url);
        QString error;
        QVERIFY2(a.open(&error), qPrintable(error));
        QVERIFY2(b.open(&error), qPrintable(error));
        TargetLock mine = a.tryAcquire(u"web-2"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY2(mine.isLocked(), qPrintable(error));
        QVERIFY(mine.stillHeld());
        QCOMPARE(advisoryLocks(), 1);

        TargetLock::Holder holder;
        TargetLock theirs = b.tryAcquire(u"web-2"_qs, u"bob"_qs, u"crash/handle"_qs, &holder, &error);
        QVERIFY(!theirs.isLocked());
        QCOMPARE(holder.operatorName, u"alice"_qs);
        QCOMPARE(holder.purpose, u"crash/handle"_qs);
        QCOMPARE(holder.instance, AdvisoryLocks::instanceName());
        QVERIFY2(holder.sentence(u"web-2"_qs).startsWith(u"alice ("_qs), qPrintable(holder.sentence(u"web-2"_qs)));
        QVERIFY2(holder.sentence(u"web-2"_qs).contains(u" is handling web-2 since "_qs),
            qPrintable(holder.sentence(u"web-2"_qs)));
        b.refresh();
        QVERIFY(b.holder(u"web-2"_qs));
        QVERIFY(!b.holders().value(0).mine);
        QVERIFY(a.holders().value(0).mine);

        // The session's own second run: refused, although PostgreSQL would nest the lock.
        TargetLock again = a.tryAcquire(u"web-2"_qs, u"alice"_qs, u"crash/recover"_qs, &holder, &error);
        QVERIFY(!again.isLocked());

        mine.release();
        QCOMPARE(advisoryLocks(), 0);
        b.refresh();
        QVERIFY(!b.holder(u"web-2"_qs));
        bool active = true;
        const auto latest = b.latestHolder(u"web-2"_qs, &active);
        QVERIFY(latest);
        QVERIFY(!active);
        QCOMPARE(latest->holder.operatorName, u"alice"_qs); // who acted last stays readable
        theirs = b.tryAcquire(u"web-2"_qs, u"bob"_qs, u"crash/handle"_qs, &holder, &error);
        QVERIFY2(theirs.isLocked(), qPrintable(error));
    }

    void aLockWhoseHolderIsNotRecordedYetIsStillHeldElsewhere()
    {
        // A console takes the lock, then records itself: in between, others see only the lock.
        AdvisoryLocks a(m_url);
        AdvisoryLocks b(m_url);
        QString error;
        QVERIFY2(a.open(&error), qPrintable(error));
        QVERIFY2(b.open(&error), qPrintable(error));
        TargetLock mine = a.tryAcquire(u"web-9"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY2(mine.isLocked(), qPrintable(error));
        m_pg.psql(u"DELETE FROM remediation_locks"_qs, u"team"_qs);
        QVERIFY(b.heldElsewhere(u"web-9"_qs));
        QVERIFY(!a.heldElsewhere(u"web-9"_qs)); // its own lock is not "elsewhere"
        QVERIFY(!b.heldElsewhere(u"web-8"_qs));
        TargetLock::Holder holder;
        QVERIFY(!b.tryAcquire(u"web-9"_qs, u"bob"_qs, u"crash/handle"_qs, &holder, &error).isLocked());
        // Only what is known, no empty fields: "another console (remediation)".
        QCOMPARE(holder.toString(), u"another console (remediation)"_qs);
        mine.release();
        QVERIFY(!b.heldElsewhere(u"web-9"_qs));
    }

    void aLostSessionFailsClosedAndFreesTheTarget()
    {
        AdvisoryLocks a(m_url);
        AdvisoryLocks b(m_url);
        QString error;
        QVERIFY2(a.open(&error), qPrintable(error));
        QVERIFY2(b.open(&error), qPrintable(error));
        TargetLock lock = a.tryAcquire(u"db-1"_qs, u"alice"_qs, u"corruption/handle"_qs, nullptr, &error);
        QVERIFY2(lock.isLocked(), qPrintable(error));
        // The server ends a's session (as a restart or a network cut would).
        m_pg.psql(u"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"_qs);
        QTRY_COMPARE_WITH_TIMEOUT(advisoryLocks(), 0, 5000);
        QString why;
        QVERIFY(!lock.stillHeld(&why));
        QVERIFY2(why.contains(u"lost"_qs), qPrintable(why));
        QVERIFY(!a.isConnected());
        TargetLock other = b.tryAcquire(u"db-1"_qs, u"bob"_qs, u"corruption/handle"_qs, nullptr, &error);
        QVERIFY2(other.isLocked(), qPrintable(error));
        // a's next run opens a new session and sees bob.
        TargetLock::Holder holder;
        QVERIFY(!a.tryAcquire(u"db-1"_qs, u"alice"_qs, u"corruption/handle"_qs, &holder, &error).isLocked());
        QCOMPARE(holder.operatorName, u"bob"_qs);
    }

    void anUnreachableStoreRefusesEveryLock()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        const auto url = StoreUrl::parse(
            u"postgresql://faultdesk@127.0.0.1:%1/team?sslmode=disable&password_env=FD_TEAM_PW&connect_timeout=2"_qs
                .arg(port));
        QVERIFY(url);
        AdvisoryLocks locks(*url);
        QString error;
        QVERIFY(!locks.open(&error));
        QVERIFY(!locks.problem().isEmpty());
        TargetLock lock = locks.tryAcquire(u"web-1"_qs, u"auto"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY(!lock.isLocked());
        QVERIFY2(error.contains(u"fail closed"_qs), qPrintable(error));
        QVERIFY2(!error.contains(u"lock-secret"_qs), qPrintable(error));
    }

    void anotherSessionSeesTheHolderWithinTwoSeconds()
    {
        AdvisoryLocks a(m_url);
        AdvisoryLocks b(m_url);
        StoreNotifier notifier(m_url);
        QString error;
        QVERIFY2(notifier.start(&error), qPrintable(error));
        QVERIFY2(a.open(&error), qPrintable(error));
        QVERIFY2(b.open(&error), qPrintable(error));
        b.follow(&notifier);
        QVERIFY(!b.holder(u"web-7"_qs));
        TargetLock lock = a.tryAcquire(u"web-7"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY2(lock.isLocked(), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(b.holder(u"web-7"_qs).has_value(), 2000);
        QCOMPARE(b.holder(u"web-7"_qs)->operatorName, u"alice"_qs);
        lock.release();
        QTRY_VERIFY_WITH_TIMEOUT(!b.holder(u"web-7"_qs).has_value(), 2000);
    }

    void aStoreThatNeverAnswersCostsOneConnectTimeoutThenReconnects()
    {
        StoreFront front(m_pg.port());
        QVERIFY(front.port() != 0);
        const auto url = StoreUrl::parse(
            u"postgresql://faultdesk@127.0.0.1:%1/team?sslmode=disable&password_env=FD_TEAM_PW&connect_timeout=2"_qs
                .arg(front.port()));
        QVERIFY(url);
        AdvisoryLocks locks(*url);
        QSignalSpy connection(&locks, &AdvisoryLocks::connectionChanged);
        QString error;
        QVERIFY(!locks.open(&error)); // the one attempt: it waits for connect_timeout
        QCOMPARE(front.accepted(), 1);

        // Handle pressed again and again, automation asking on every probe tick: refused at once, nothing sent
        // anywhere (the event loop does not run here, so only these calls could have connected).
        const QRegularExpression since(u"unavailable since \\d\\d:\\d\\d:\\d\\d: "_qs);
        for (int i = 0; i < 25; ++i) {
            QVERIFY(!locks.tryAcquire(u"web-1"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error).isLocked());
            QVERIFY(!locks.latestHolder(u"web-1"_qs));
            QVERIFY(!locks.heldElsewhere(u"web-1"_qs));
            locks.refresh();
        }
        QCOMPARE(front.accepted(), 1);
        QVERIFY2(error.contains(since), qPrintable(error));
        QVERIFY2(error.contains(url->displayName()), qPrintable(error));
        QVERIFY2(error.contains(u"next reconnect attempt in "_qs), qPrintable(error));
        QVERIFY2(error.contains(u"fail closed"_qs), qPrintable(error));
        QVERIFY2(!error.contains(u"lock-secret"_qs), qPrintable(error));
        QVERIFY(!locks.isConnected());

        // The store answers again: the locks come back by themselves.
        front.forward(true);
        QTRY_VERIFY_WITH_TIMEOUT(locks.isConnected(), 20000);
        QVERIFY(locks.problem().isEmpty());
        QCOMPARE(connection.last().at(0).toBool(), true);
        TargetLock lock = locks.tryAcquire(u"web-5"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY2(lock.isLocked(), qPrintable(error));
        QVERIFY(lock.stillHeld());

        // The store hangs again and the server ends the session: the run's next check fails closed, the next call
        // tries one reconnect, the calls after it wait for nothing.
        front.forward(false);
        m_pg.psql(u"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"_qs);
        QString why;
        QVERIFY(!lock.stillHeld(&why));
        QVERIFY2(why.contains(u" was lost at "_qs), qPrintable(why));
        const int before = front.accepted();
        for (int i = 0; i < 25; ++i)
            QVERIFY(!locks.tryAcquire(u"web-5"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error).isLocked());
        QCOMPARE(front.accepted(), before + 1);
        QVERIFY2(error.contains(u" was lost at "_qs) && error.contains(u"fail closed"_qs), qPrintable(error));

        front.forward(true);
        QTRY_VERIFY_WITH_TIMEOUT(locks.isConnected(), 20000);
        lock = locks.tryAcquire(u"web-5"_qs, u"alice"_qs, u"crash/handle"_qs, nullptr, &error);
        QVERIFY2(lock.isLocked(), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAdvisoryLocks)
#include "tst_advisorylocks.moc"
