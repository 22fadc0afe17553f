#include "config/secretref.h"

#include "util/secretmask.h"

#include <QFile>

namespace FaultDesk {

namespace {

// A token file is small; anything bigger is a mistake (a wrong path), not a secret.
constexpr qint64 MaxSecretFileBytes = 64 * 1024;

} // namespace

std::optional<QByteArray> SecretRef::resolve(QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<QByteArray> {
        if (error)
            *error = toString() + u": " + why;
        return std::nullopt;
    };
    if (m_ref.isEmpty())
        return fail(QStringLiteral("empty reference"));
    if (m_kind == Kind::Env) {
        const QByteArray value = qgetenv(m_ref.toLocal8Bit().constData());
        if (value.isEmpty())
            return fail(QStringLiteral("environment variable is not set or empty"));
        SecretMask::add(value); // whatever prints it later, the logs, audit and reports show ****
        return value;
    }
    QFile file(m_ref);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the file: ") + file.errorString());
    if (file.size() > MaxSecretFileBytes)
        return fail(QStringLiteral("file is larger than %1 bytes; is it really a secret?").arg(MaxSecretFileBytes));
    QByteArray value = file.read(MaxSecretFileBytes + 1);
    while (value.endsWith('\n') || value.endsWith('\r'))
        value.chop(1);
    if (value.isEmpty())
        return fail(QStringLiteral("the file is empty"));
    SecretMask::add(value);
    return value;
}

QString SecretRef::toString() const
{
    return (m_kind == Kind::Env ? QStringLiteral("env:") : QStringLiteral("file:")) + m_ref;
}

QDebug operator<<(QDebug debug, const SecretRef& secret)
{
    const QDebugStateSaver saver(debug);
    debug.nospace() << "SecretRef(" << secret.toString() << ')';
    return debug;
}

} // namespace FaultDesk
