#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * `faultdesk-fleetsim ctl --runtime-dir DIR …`: talks to a running fleet's control endpoint (control.json and
 * admin.token in the runtime directory). Exit codes: 0 ok, 1 failure, 2 bad input.
 */
class ControlClient
{
public:
    explicit ControlClient(QString runtimeDir);

    /// Runs one ctl command line (without the leading "ctl --runtime-dir DIR") and returns the exit code.
    int run(const QStringList& args);

private:
    int request(const QByteArray& method, const QString& path, const QJsonObject& body, QJsonObject* answer);
    int waitRunning(const QString& name, int timeoutMs);

    QString m_dir;
    QString m_url;
    QByteArray m_token;
};

} // namespace FaultDesk
