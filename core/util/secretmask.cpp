#include "util/secretmask.h"

#include <QList>
#include <QReadLocker>
#include <QReadWriteLock>
#include <QWriteLocker>

#include <atomic>

namespace FaultDesk {

namespace {

struct Registry
{
    QReadWriteLock lock;
    QList<QString> secrets; ///< longest first, so a secret containing another is masked whole
    QList<QByteArray> raw; ///< the same, as bytes
    std::atomic<int> size { 0 };
};

Registry& registry()
{
    static Registry r;
    return r;
}

} // namespace

void SecretMask::add(const QByteArray& secret)
{
    const QString text = QString::fromUtf8(secret);
    if (text.size() < MinimumLength)
        return;
    Registry& r = registry();
    QWriteLocker lock(&r.lock);
    if (r.secrets.contains(text))
        return;
    const auto at = std::find_if(
        r.secrets.begin(), r.secrets.end(), [&text](const QString& s) { return s.size() < text.size(); });
    r.raw.insert(at - r.secrets.begin(), secret);
    r.secrets.insert(at, text);
    r.size.store(int(r.secrets.size()), std::memory_order_release);
}

QString SecretMask::apply(QString text)
{
    Registry& r = registry();
    if (r.size.load(std::memory_order_acquire) == 0 || text.isEmpty())
        return text;
    QReadLocker lock(&r.lock);
    for (const QString& s : std::as_const(r.secrets))
        text.replace(s, Replacement.toString());
    return text;
}

QByteArray SecretMask::apply(const QByteArray& bytes)
{
    Registry& r = registry();
    if (r.size.load(std::memory_order_acquire) == 0 || bytes.isEmpty())
        return bytes;
    // Byte-wise, so output that is not UTF-8 passes through unchanged around the masked values.
    QByteArray out = bytes;
    QReadLocker lock(&r.lock);
    for (const QByteArray& s : std::as_const(r.raw))
        out.replace(s, "****");
    return out;
}

int SecretMask::count()
{
    return registry().size.load(std::memory_order_acquire);
}

void SecretMask::clear()
{
    Registry& r = registry();
    QWriteLocker lock(&r.lock);
    r.secrets.clear();
    r.raw.clear();
    r.size.store(0, std::memory_order_release);
}

} // namespace FaultDesk
