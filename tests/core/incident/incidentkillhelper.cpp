// Child process of tst_incidentkill: writes bursts of incidents into the database given as argv[1] and prints each
// incident id on its own line only after the store reported it committed (or, for a PostgreSQL store that is away,
// synced to the local journal kept in argv[2]). The tests kill it with SIGKILL and check that every printed id
// survived.
#include "incident/incidentstore.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <unistd.h>

using namespace FaultDesk;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2)
        return 2;
    IncidentStore::Options options;
    options.path = QString::fromLocal8Bit(argv[1]);
    if (argc > 2)
        options.journalDirectory = QString::fromLocal8Bit(argv[2]);
    options.retryIntervalMs = 200;
    options.clock = [] { return QDateTime(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC); };
    IncidentStore store(options);
    QString error;
    // A server that is away is not fatal when a journal takes the writes.
    if (!store.open(&error) && store.journalPath().isEmpty()) {
        const QByteArray msg = error.toLocal8Bit() + '\n';
        (void)!::write(2, msg.constData(), size_t(msg.size()));
        return 1;
    }
    const QDateTime base(QDate(2026, 10, 30), QTime(12, 0), Qt::UTC);
    for (qint64 n = 0;; ++n) {
        // A burst: several incidents and their events queued at once, so kills land inside batched transactions.
        const int burst = 1 + int(QRandomGenerator::global()->bounded(20));
        QList<QPair<QString, QFuture<WriteResult>>> pending;
        for (int i = 0; i < burst; ++i) {
            Incident inc;
            inc.id = IncidentStore::newId();
            inc.rootTarget = QStringLiteral("web-%1").arg(i % 4);
            inc.causeClass = QStringLiteral("down");
            inc.title = QStringLiteral("burst %1 incident %2").arg(n).arg(i);
            inc.detectedUtc = base.addSecs(n);
            inc.symptoms.append({ inc.detectedUtc, QStringLiteral("api-1"), QStringLiteral("http"),
                QStringLiteral("errors"), QStringLiteral("symptom of %1").arg(inc.rootTarget) });
            store.createIncident(inc);
            IncidentEvent e;
            e.state = IncidentState::Located;
            e.timeUtc = inc.detectedUtc.addMSecs(300);
            e.actor = QStringLiteral("auto");
            store.transition(inc.id, e);
            pending.append({ inc.id, store.acknowledge(inc.id, QStringLiteral("kill-test"), e.timeUtc.addSecs(1)) });
        }
        for (auto& [id, future] : pending) {
            future.waitForFinished();
            if (!future.result().ok) {
                const QByteArray msg = future.result().error.toLocal8Bit() + '\n';
                (void)!::write(2, msg.constData(), size_t(msg.size()));
                return 1;
            }
            const QByteArray line = id.toLatin1() + '\n';
            (void)!::write(1, line.constData(), size_t(line.size()));
        }
    }
}
