#include "demofleet.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace FaultDesk {

namespace {

struct Reader
{
    QString file;
    QString error;

    bool fail(const QString& where, const QString& problem)
    {
        if (error.isEmpty())
            error = file + u": " + where + u": " + problem;
        return false;
    }

    bool checkKeys(const QJsonObject& o, const QString& where, const QStringList& allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!allowed.contains(it.key()))
                return fail(where, u"unknown key '" + it.key() + u'\'');
        return true;
    }

    bool number(const QJsonObject& o, const QString& where, const QString& key, double* out, double min, double max)
    {
        if (!o.contains(key))
            return true;
        if (!o.value(key).isDouble())
            return fail(where + u'.' + key, QStringLiteral("must be a number"));
        const double v = o.value(key).toDouble();
        if (v < min || v > max)
            return fail(where + u'.' + key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        *out = v;
        return true;
    }

    bool duration(const QJsonObject& o, const QString& where, const QString& key, qint64* out)
    {
        if (!o.contains(key))
            return true;
        const qint64 ms = DemoFleet::parseDuration(o.value(key).toString());
        if (ms <= 0)
            return fail(where + u'.' + key, QStringLiteral("must be a duration such as 500ms, 1s or 2m"));
        *out = ms;
        return true;
    }

    bool string(const QJsonObject& o, const QString& where, const QString& key, QString* out)
    {
        if (!o.contains(key))
            return true;
        if (!o.value(key).isString())
            return fail(where + u'.' + key, QStringLiteral("must be a string"));
        *out = o.value(key).toString();
        return true;
    }
};

} // namespace

qint64 DemoFleet::parseDuration(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return -1;
    const double v = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double factor = unit == u"ms" ? 1 : unit == u"s" ? 1000 : unit == u"m" ? 60000 : 3600000;
    return qint64(v * factor);
}

std::optional<DemoFleet> DemoFleet::load(const QString& path, QString* error)
{
    Reader r { path, {} };
    auto failed = [&]() -> std::optional<DemoFleet> {
        if (error)
            *error = r.error;
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        r.fail(QStringLiteral("open"), file.errorString());
        return failed();
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (doc.isNull() || !doc.isObject()) {
        r.fail(QStringLiteral("offset %1").arg(parseError.offset),
            doc.isNull() ? parseError.errorString() : QStringLiteral("the top level must be an object"));
        return failed();
    }
    const QJsonObject root = doc.object();
    DemoFleet fleet;
    if (!r.checkKeys(root, QStringLiteral("top level"),
            { QStringLiteral("version"), QStringLiteral("comment"), QStringLiteral("haproxy"),
                QStringLiteral("traffic"), QStringLiteral("faults"), QStringLiteral("targets") }))
        return failed();
    if (root.value(QStringLiteral("version")).toInt() != 1) {
        r.fail(QStringLiteral("version"), QStringLiteral("must be 1"));
        return failed();
    }

    const QJsonObject ha = root.value(QStringLiteral("haproxy")).toObject();
    double rise = fleet.checkRise, fall = fleet.checkFall;
    if (!r.checkKeys(ha, QStringLiteral("haproxy"),
            { QStringLiteral("check_inter"), QStringLiteral("rise"), QStringLiteral("fall"),
                QStringLiteral("timeout_server") })
        || !r.duration(ha, QStringLiteral("haproxy"), QStringLiteral("check_inter"), &fleet.checkInterMs)
        || !r.duration(ha, QStringLiteral("haproxy"), QStringLiteral("timeout_server"), &fleet.timeoutServerMs)
        || !r.number(ha, QStringLiteral("haproxy"), QStringLiteral("rise"), &rise, 1, 100)
        || !r.number(ha, QStringLiteral("haproxy"), QStringLiteral("fall"), &fall, 1, 100))
        return failed();
    fleet.checkRise = int(rise);
    fleet.checkFall = int(fall);

    const QJsonObject traffic = root.value(QStringLiteral("traffic")).toObject();
    double sources = fleet.sources;
    QString firstSource = fleet.firstSource.toString();
    if (!r.checkKeys(traffic, QStringLiteral("traffic"),
            { QStringLiteral("utilisation"), QStringLiteral("wave_amplitude"), QStringLiteral("wave_period"),
                QStringLiteral("sources"), QStringLiteral("first_source"), QStringLiteral("write_share") })
        || !r.number(traffic, QStringLiteral("traffic"), QStringLiteral("utilisation"), &fleet.utilisation, 0, 10)
        || !r.number(traffic, QStringLiteral("traffic"), QStringLiteral("wave_amplitude"), &fleet.waveAmplitude, 0, 1)
        || !r.duration(traffic, QStringLiteral("traffic"), QStringLiteral("wave_period"), &fleet.wavePeriodMs)
        || !r.number(traffic, QStringLiteral("traffic"), QStringLiteral("sources"), &sources, 1, 200)
        || !r.string(traffic, QStringLiteral("traffic"), QStringLiteral("first_source"), &firstSource)
        || !r.number(traffic, QStringLiteral("traffic"), QStringLiteral("write_share"), &fleet.writeShare, 0, 1))
        return failed();
    fleet.sources = int(sources);
    fleet.firstSource = QHostAddress(firstSource);
    if (fleet.firstSource.protocol() != QAbstractSocket::IPv4Protocol
        || (fleet.firstSource.toIPv4Address() >> 24) != 127) {
        r.fail(QStringLiteral("traffic.first_source"), QStringLiteral("must be an address in 127.0.0.0/8"));
        return failed();
    }

    const QJsonObject faults = root.value(QStringLiteral("faults")).toObject();
    const QJsonObject overload = faults.value(QStringLiteral("overload")).toObject();
    const QJsonObject attack = faults.value(QStringLiteral("attack")).toObject();
    const QJsonObject corruption = faults.value(QStringLiteral("corruption")).toObject();
    const QJsonObject slow = faults.value(QStringLiteral("slow")).toObject();
    const QJsonObject partition = faults.value(QStringLiteral("partition")).toObject();
    if (!r.checkKeys(faults, QStringLiteral("faults"),
            { QStringLiteral("overload"), QStringLiteral("attack"), QStringLiteral("corruption"),
                QStringLiteral("slow"), QStringLiteral("partition") })
        || !r.checkKeys(partition, QStringLiteral("faults.partition"), { QStringLiteral("default_target") })
        || !r.string(
            partition, QStringLiteral("faults.partition"), QStringLiteral("default_target"), &fleet.partitionDefault)
        || !r.checkKeys(overload, QStringLiteral("faults.overload"),
            { QStringLiteral("traffic_factor"), QStringLiteral("slow_factor"), QStringLiteral("default_target") })
        || !r.number(overload, QStringLiteral("faults.overload"), QStringLiteral("traffic_factor"),
            &fleet.overloadFactor, 1, 100)
        || !r.number(overload, QStringLiteral("faults.overload"), QStringLiteral("slow_factor"),
            &fleet.overloadSlowFactor, 0.01, 1)
        || !r.string(
            overload, QStringLiteral("faults.overload"), QStringLiteral("default_target"), &fleet.overloadDefault)
        || !r.checkKeys(attack, QStringLiteral("faults.attack"),
            { QStringLiteral("sources"), QStringLiteral("rps_per_source"), QStringLiteral("default_target") })
        || !r.number(attack, QStringLiteral("faults.attack"), QStringLiteral("rps_per_source"),
            &fleet.attackRpsPerSource, 0.1, 10000)
        || !r.string(attack, QStringLiteral("faults.attack"), QStringLiteral("default_target"), &fleet.attackDefault)
        || !r.checkKeys(corruption, QStringLiteral("faults.corruption"), { QStringLiteral("default_target") })
        || !r.string(
            corruption, QStringLiteral("faults.corruption"), QStringLiteral("default_target"), &fleet.corruptionDefault)
        || !r.checkKeys(slow, QStringLiteral("faults.slow"), { QStringLiteral("byte_interval") })
        || !r.duration(slow, QStringLiteral("faults.slow"), QStringLiteral("byte_interval"), &fleet.slowByteIntervalMs))
        return failed();
    const QJsonArray attackSources = attack.value(QStringLiteral("sources")).toArray();
    for (const QJsonValue& v : attackSources) {
        const QHostAddress a(v.toString());
        if (a.protocol() != QAbstractSocket::IPv4Protocol || (a.toIPv4Address() >> 24) != 127) {
            r.fail(
                QStringLiteral("faults.attack.sources"), u"'" + v.toString() + u"' is not an address in 127.0.0.0/8");
            return failed();
        }
        fleet.attackSources << a.toString();
    }
    if (fleet.attackSources.isEmpty())
        fleet.attackSources
            = { QStringLiteral("127.0.1.201"), QStringLiteral("127.0.1.202"), QStringLiteral("127.0.1.203") };

    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z0-9_.-]+$"));
    const QJsonArray targets = root.value(QStringLiteral("targets")).toArray();
    QSet<QString> seen;
    for (qsizetype i = 0; i < targets.size(); ++i) {
        const QString where = QStringLiteral("targets[%1]").arg(i);
        const QJsonObject o = targets.at(i).toObject();
        DemoTarget t;
        double priority = t.priority;
        if (!r.checkKeys(o, where,
                { QStringLiteral("name"), QStringLiteral("kind"), QStringLiteral("group"), QStringLiteral("role"),
                    QStringLiteral("priority"), QStringLiteral("capacity_rps"), QStringLiteral("backend"),
                    QStringLiteral("depends_on"), QStringLiteral("labels") })
            || !r.string(o, where, QStringLiteral("name"), &t.name)
            || !r.string(o, where, QStringLiteral("kind"), &t.kind)
            || !r.string(o, where, QStringLiteral("group"), &t.group)
            || !r.string(o, where, QStringLiteral("role"), &t.role)
            || !r.string(o, where, QStringLiteral("backend"), &t.backend)
            || !r.number(o, where, QStringLiteral("priority"), &priority, 1, 10)
            || !r.number(o, where, QStringLiteral("capacity_rps"), &t.capacityRps, 0.1, 100000))
            return failed();
        t.priority = int(priority);
        if (!nameRe.match(t.name).hasMatch()) {
            r.fail(where + u".name", QStringLiteral("must match [A-Za-z0-9_.-]+"));
            return failed();
        }
        if (seen.contains(t.name)) {
            r.fail(where + u".name", u"duplicate target '" + t.name + u'\'');
            return failed();
        }
        seen.insert(t.name);
        if (t.kind != u"web" && t.kind != u"api" && t.kind != u"db") {
            r.fail(where + u".kind", QStringLiteral("must be web, api or db"));
            return failed();
        }
        if (t.kind == u"db" && t.role != u"primary" && t.role != u"replica") {
            r.fail(where + u".role", QStringLiteral("a database's role must be primary or replica"));
            return failed();
        }
        if (!t.backend.isEmpty() && !nameRe.match(t.backend).hasMatch()) {
            r.fail(where + u".backend", QStringLiteral("must match [A-Za-z0-9_.-]+"));
            return failed();
        }
        if (t.group.isEmpty())
            t.group = t.kind;
        for (const QJsonValue& d : o.value(QStringLiteral("depends_on")).toArray())
            t.dependsOn << d.toString();
        const QJsonObject labels = o.value(QStringLiteral("labels")).toObject();
        for (auto it = labels.begin(); it != labels.end(); ++it)
            t.labels.insert(it.key(), it.value().toString());
        fleet.targets << t;
    }
    if (fleet.targets.isEmpty()) {
        r.fail(QStringLiteral("targets"), QStringLiteral("at least one target is required"));
        return failed();
    }
    for (const DemoTarget& t : std::as_const(fleet.targets))
        for (const QString& d : t.dependsOn)
            if (!seen.contains(d)) {
                r.fail(t.name + u".depends_on", u"unknown target '" + d + u'\'');
                return failed();
            }
    return fleet;
}

const DemoTarget* DemoFleet::target(const QString& name) const
{
    for (const DemoTarget& t : targets)
        if (t.name == name)
            return &t;
    return nullptr;
}

QStringList DemoFleet::names() const
{
    QStringList out;
    for (const DemoTarget& t : targets)
        out << t.name;
    return out;
}

QStringList DemoFleet::backends() const
{
    QStringList out;
    for (const DemoTarget& t : targets)
        if (!t.backend.isEmpty() && !out.contains(t.backend))
            out << t.backend;
    return out;
}

} // namespace FaultDesk
