#pragma once

// A throwaway self-signed certificate and its key, made with the openssl tool, for the tests' TLS servers: the
// certificate is also the CA the client under test trusts.

#include <QHostAddress>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace FaultDesk::Test {

/// Writes a certificate for @p host (a name or an IP address, as CN and subjectAltName) to @p certPath and its RSA key
/// to @p keyPath; false with openssl's output in @p error when it fails.
inline bool makeSelfSignedCertificate(
    const QString& keyPath, const QString& certPath, const QString& host, QString* error)
{
    const QString altName = (QHostAddress(host).isNull() ? QStringLiteral("DNS:") : QStringLiteral("IP:")) + host;
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
            QStringLiteral("-nodes"), QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath,
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + host,
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=") + altName });
    if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("openssl failed: ") + QString::fromLocal8Bit(openssl.readAll());
        return false;
    }
    return true;
}

} // namespace FaultDesk::Test
