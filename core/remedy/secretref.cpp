#include "secretref.h"

#include <QFile>

namespace FaultDesk {

std::optional<QString> SecretRef::resolve(QString* error) const
{
    auto fail = [&](const QString& why) -> std::optional<QString> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (name.isEmpty())
        return fail(QStringLiteral("secret reference has no name"));
    if (kind == Kind::Env) {
        const QByteArray key = name.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(key.constData()))
            return fail(QStringLiteral("secret %1: environment variable is not set").arg(toString()));
        const QString value = qEnvironmentVariable(key.constData());
        if (value.isEmpty())
            return fail(QStringLiteral("secret %1: environment variable is empty").arg(toString()));
        return value;
    }
    QFile file(name);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("secret %1: %2").arg(toString(), file.errorString()));
    const QByteArray bytes = file.read(64 * 1024);
    QString value = QString::fromUtf8(bytes);
    while (value.endsWith(u'\n') || value.endsWith(u'\r'))
        value.chop(1);
    if (value.isEmpty())
        return fail(QStringLiteral("secret %1: file is empty").arg(toString()));
    return value;
}

QString SecretRef::toString() const
{
    return (kind == Kind::Env ? u"env:" : u"file:") + name;
}

} // namespace FaultDesk
