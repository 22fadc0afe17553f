#include "drill/groundtruthfault.h"

#include "config/fleetconfig.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

namespace FaultDesk {

namespace {

QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const QJsonValue& s : v.toArray())
        out << s.toString();
    return out;
}

} // namespace

GroundTruthFault GroundTruthFault::fromJson(const QJsonObject& o)
{
    GroundTruthFault f;
    f.kind = o.value(QStringLiteral("kind")).toString();
    f.target = o.value(QStringLiteral("target")).toString();
    f.rootCause = o.value(QStringLiteral("root_cause")).toString();
    f.cause = o.value(QStringLiteral("cause")).toString();
    f.targets = strings(o.value(QStringLiteral("targets")));
    f.sources = strings(o.value(QStringLiteral("sources")));
    f.dependency = o.value(QStringLiteral("dependency")).toString();
    const QDateTime since = QDateTime::fromString(o.value(QStringLiteral("since")).toString(), Qt::ISODateWithMs);
    f.sinceMs = since.isValid() ? since.toMSecsSinceEpoch() : 0;
    return f;
}

QList<GroundTruthFault> GroundTruthFault::listFromTruth(const QJsonObject& truth)
{
    QList<GroundTruthFault> out;
    for (const QJsonValue& v : truth.value(QStringLiteral("faults")).toArray())
        out << fromJson(v.toObject());
    return out;
}

QJsonObject GroundTruthFault::toJson() const
{
    QJsonObject o { { QStringLiteral("kind"), kind }, { QStringLiteral("target"), target },
        { QStringLiteral("root_cause"), rootCause }, { QStringLiteral("cause"), cause },
        { QStringLiteral("targets"), QJsonArray::fromStringList(targets) },
        { QStringLiteral("sources"), QJsonArray::fromStringList(sources) } };
    if (!dependency.isEmpty())
        o.insert(QStringLiteral("dependency"), dependency);
    return o;
}

QString GroundTruthFault::describe() const
{
    if (!dependency.isEmpty())
        return QStringLiteral("%1 %2 → %3").arg(kind, target, dependency);
    return QStringLiteral("%1 on %2").arg(kind, target);
}

bool GroundTruthFault::isRoot(const QString& name, const FleetConfig& config) const
{
    if (name == rootCause)
        return true;
    const TargetConfig* t = config.target(name);
    if (!t)
        return false;
    if ((t->haproxy && t->haproxy->backend == rootCause) || t->group == rootCause)
        return true;
    // A surge saturates a pool: the pool is the root, whichever member FaultDesk names for it.
    return kind == u"overload" && targets.contains(name);
}

bool GroundTruthFault::touches(const QString& name, const FleetConfig& config) const
{
    if (isRoot(name, config) || targets.contains(name))
        return true;
    // Dependents of what the fault hits show it as symptoms.
    QSet<QString> hit(targets.cbegin(), targets.cend());
    hit.insert(rootCause);
    QSet<QString> seen;
    QStringList pending { name };
    while (!pending.isEmpty()) {
        const TargetConfig* t = config.target(pending.takeFirst());
        if (!t)
            continue;
        for (const QString& d : t->dependencyNames()) {
            if (hit.contains(d))
                return true;
            if (!seen.contains(d)) {
                seen.insert(d);
                pending << d;
            }
        }
    }
    return false;
}

bool GroundTruthFault::oneEventWith(const GroundTruthFault& other, const FleetConfig& config) const
{
    if (cause != other.cause || cause == u"down" || cause == u"unreachable" || cause == u"network")
        return false;
    const TargetConfig* a = config.target(rootCause);
    const TargetConfig* b = config.target(other.rootCause);
    if (!a || !b || a == b)
        return false;
    const bool samePool = a->haproxy && b->haproxy && a->haproxy->backend == b->haproxy->backend;
    const bool sameGroup = !a->group.isEmpty() && a->group == b->group;
    return samePool || sameGroup;
}

} // namespace FaultDesk
