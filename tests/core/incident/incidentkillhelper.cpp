// Child process of tst_incidentkill: writes bursts of incidents into the database given as argv[1] and prints each
// incident id on its own line only after the store reported it committed. The test kills it with SIGKILL at random
// moments and checks that every printed id survived.
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
    options.clock = [] { return QDateTime(QDate(2026, 11, 1), QTime(0, 0), Qt::UTC); };
    IncidentStore store(options);
    QString error;
    if (!store.open(&error)) {
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
