// ConfigCheck (`faultdesk check`): problems print like a compiler's, a deprecated spelling is a warning with its
// position that does not fail the check, and an invalid file exits 2.

#include "config/configcheck.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {

struct Checked
{
    int exitCode = 0;
    QString out;
    QString err;
};

Checked check(const QString& path)
{
    Checked c;
    QTextStream out(&c.out);
    QTextStream err(&c.err);
    c.exitCode = ConfigCheck::run({ path }, out, err);
    return c;
}

const QByteArray fleet = "version: 1\n"
                         "targets:\n"
                         "  - name: solo\n"
                         "    probes: [{ kind: http, url: 'http://127.0.0.1:8080/healthz' }]\n"
                         "    admin:\n"
                         "      url: http://127.0.0.1:8081/admin\n";

} // namespace

class TestConfigCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deprecatedSpellingIsAWarning()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fleet + "      token_env: ADMIN_TOKEN\n");
        f.close();
        const Checked c = check(path);
        QCOMPARE(c.exitCode, ConfigCheck::ExitOk);
        QCOMPARE(c.err,
            path
                + QStringLiteral(
                    ":7:7: warning: 'token_env' is deprecated; write 'token: { env: ADMIN_TOKEN }' instead\n"));
        QVERIFY2(c.out.startsWith(path + QStringLiteral(": ok (1 target")), qPrintable(c.out));
    }

    void currentSpellingIsQuiet()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fleet + "      token: { env: ADMIN_TOKEN }\n");
        f.close();
        const Checked c = check(path);
        QCOMPARE(c.exitCode, ConfigCheck::ExitOk);
        QCOMPARE(c.err, QString());
    }

    // Errors and warnings come in file order; any error fails the check.
    void errorsAndWarningsInFileOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fleet
            + "      token_file: /run/admin.token\n  - name: other\n    priority: 11\n"
              "    probes: [{ kind: tcp, address: '127.0.0.1:1' }]\n");
        f.close();
        const Checked c = check(path);
        QCOMPARE(c.exitCode, ConfigCheck::ExitInvalid);
        const QStringList lines = c.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0),
            path
                + QStringLiteral(":7:7: warning: 'token_file' is deprecated; write 'token: { file: /run/admin.token }' "
                                 "instead"));
        QCOMPARE(lines.at(1), path + QStringLiteral(":9:15: 'priority' must be between 1 and 10, got 11"));
        QCOMPARE(c.out, QString());
    }
};

QTEST_GUILESS_MAIN(TestConfigCheck)
#include "tst_configcheck.moc"
