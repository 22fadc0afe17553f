#pragma once

#include "config/causeclass.h"
#include "config/secretref.h"
#include "config/sourceposition.h"

#include <QMap>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

namespace FaultDesk {

/**
 * One Alertmanager whose firing alerts become faults (the `alertmanager:` list of fleet.yaml). An alert is put on
 * the target whose name equals the value of its `targetLabel` label, or else on the target one of whose probes
 * reaches that `host:port` (http/metrics URL with the scheme's default port, or a tcp probe address).
 */
struct AlertmanagerConfig
{
    QString name;
    QUrl url; ///< base URL; the API lives under /api/v2
    std::optional<SecretRef> token; ///< bearer token by reference (`token: { env | file }`)
    QString tlsCaFile; ///< absolute path; empty = system CAs (verification always on)
    bool insecureTokenOverHttp = false; ///< `insecure_token_over_http`: the token may cross plain http off loopback
    std::chrono::milliseconds pollInterval { 2000 };
    std::chrono::milliseconds timeout { 2000 }; ///< wall-clock deadline of one request
    QString targetLabel = QStringLiteral("instance"); ///< alert label naming the target (name or host:port)
    QString causeLabel; ///< optional alert label holding a cause class name (e.g. `cause: overload`)
    QMap<QString, CauseClass> causes; ///< alertname → cause class; checked before causeLabel
    CauseClass defaultCause = CauseClass::Unhealthy;
    std::chrono::milliseconds silenceDuration { std::chrono::hours(2) }; ///< length of an acknowledgement's silence
    SourcePosition position;
};

} // namespace FaultDesk
