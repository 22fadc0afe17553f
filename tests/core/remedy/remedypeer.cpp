// A real child process for the remedy tests. Its mode comes from REMEDY_PEER_MODE so that argv stays exactly
// what the action passed:
//   argv (default)  print {"argv": [...], "env": {"REMEDY_SECRET": ...}} as JSON and exit REMEDY_PEER_EXIT (0)
//   hang            fork a grandchild (its pid written to REMEDY_PEER_PIDFILE), then both sleep
//   flood           write 1 MiB to stdout and exit 0
//   lock            take TargetLock(REMEDY_PEER_LOCKDIR, argv[1]) as "peer", print "locked", wait for stdin EOF
#include "remedy/targetlock.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <string>
#include <unistd.h>

int main(int argc, char** argv)
{
    const QByteArray mode = qgetenv("REMEDY_PEER_MODE");
    if (mode == "hang") {
        const pid_t child = ::fork();
        if (child == 0) {
            for (;;)
                ::pause();
        }
        QFile pidFile(qEnvironmentVariable("REMEDY_PEER_PIDFILE"));
        if (pidFile.open(QIODevice::WriteOnly))
            pidFile.write(QByteArray::number(qint64(child)));
        pidFile.close();
        std::printf("started grandchild %d\n", int(child));
        std::fflush(stdout);
        for (;;)
            ::pause();
    }
    if (mode == "flood") {
        const std::string line(1023, 'x');
        for (int i = 0; i < 1024; ++i)
            std::printf("%s\n", line.c_str());
        return 0;
    }
    if (mode == "lock") {
        QCoreApplication app(argc, argv);
        FaultDesk::TargetLock::Holder holder;
        QString error;
        FaultDesk::TargetLock lock = FaultDesk::TargetLock::tryAcquire(qEnvironmentVariable("REMEDY_PEER_LOCKDIR"),
            QString::fromLocal8Bit(argv[1]), QStringLiteral("peer"), QStringLiteral("peer/test"), &holder, &error);
        std::printf("%s\n", lock.isLocked() ? "locked" : "busy");
        std::fflush(stdout);
        char c;
        while (::read(0, &c, 1) > 0) { }
        return 0;
    }
    QJsonArray args;
    for (int i = 0; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));
    QJsonObject env;
    if (qEnvironmentVariableIsSet("REMEDY_SECRET"))
        env.insert(QStringLiteral("REMEDY_SECRET"), qEnvironmentVariable("REMEDY_SECRET"));
    const QByteArray out
        = QJsonDocument(QJsonObject { { QStringLiteral("argv"), args }, { QStringLiteral("env"), env } })
              .toJson(QJsonDocument::Compact);
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fputc('\n', stdout);
    return qEnvironmentVariableIntValue("REMEDY_PEER_EXIT");
}
