#include "incident/storewrite.h"

#include <QJsonArray>

namespace FaultDesk {

namespace {
// Times as UTC milliseconds (exact in a JSON number up to 2^53); an invalid time is left out.
void putTime(QJsonObject& o, const QString& key, const QDateTime& t)
{
    if (t.isValid())
        o.insert(key, double(t.toMSecsSinceEpoch()));
}

QDateTime time(const QJsonObject& o, const QString& key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? QDateTime::fromMSecsSinceEpoch(qint64(v.toDouble()), Qt::UTC) : QDateTime();
}

QJsonObject symptomJson(const Symptom& s)
{
    QJsonObject o { { QStringLiteral("target"), s.target }, { QStringLiteral("signal"), s.signal },
        { QStringLiteral("cause"), s.causeClass }, { QStringLiteral("detail"), s.detail } };
    putTime(o, QStringLiteral("time"), s.timeUtc);
    return o;
}

Symptom symptomFrom(const QJsonObject& o)
{
    return { time(o, QStringLiteral("time")), o.value(QStringLiteral("target")).toString(),
        o.value(QStringLiteral("signal")).toString(), o.value(QStringLiteral("cause")).toString(),
        o.value(QStringLiteral("detail")).toString() };
}

QJsonObject evidenceJson(const Evidence& e)
{
    QJsonObject o { { QStringLiteral("target"), e.target }, { QStringLiteral("rule"), e.rule },
        { QStringLiteral("detail"), e.detail } };
    putTime(o, QStringLiteral("time"), e.timeUtc);
    return o;
}

Evidence evidenceFrom(const QJsonObject& o)
{
    return { time(o, QStringLiteral("time")), o.value(QStringLiteral("target")).toString(),
        o.value(QStringLiteral("rule")).toString(), o.value(QStringLiteral("detail")).toObject() };
}

QJsonObject incidentJson(const Incident& i)
{
    QJsonObject o { { QStringLiteral("id"), i.id }, { QStringLiteral("root"), i.rootTarget },
        { QStringLiteral("cause"), i.causeClass }, { QStringLiteral("title"), i.title },
        { QStringLiteral("drill"), i.drill }, { QStringLiteral("baseline"), i.baseline } };
    putTime(o, QStringLiteral("first_failure"), i.firstFailureUtc);
    putTime(o, QStringLiteral("detected"), i.detectedUtc);
    QJsonArray symptoms;
    for (const Symptom& s : i.symptoms)
        symptoms.append(symptomJson(s));
    QJsonArray evidence;
    for (const Evidence& e : i.evidence)
        evidence.append(evidenceJson(e));
    o.insert(QStringLiteral("symptoms"), symptoms);
    o.insert(QStringLiteral("evidence"), evidence);
    return o;
}

Incident incidentFrom(const QJsonObject& o)
{
    Incident i;
    i.id = o.value(QStringLiteral("id")).toString();
    i.rootTarget = o.value(QStringLiteral("root")).toString();
    i.causeClass = o.value(QStringLiteral("cause")).toString();
    i.title = o.value(QStringLiteral("title")).toString();
    i.drill = o.value(QStringLiteral("drill")).toBool();
    i.baseline = o.value(QStringLiteral("baseline")).toObject();
    i.firstFailureUtc = time(o, QStringLiteral("first_failure"));
    i.detectedUtc = time(o, QStringLiteral("detected"));
    for (const QJsonValue& v : o.value(QStringLiteral("symptoms")).toArray())
        i.symptoms.append(symptomFrom(v.toObject()));
    for (const QJsonValue& v : o.value(QStringLiteral("evidence")).toArray())
        i.evidence.append(evidenceFrom(v.toObject()));
    return i;
}

// A bound value with its type, so a replayed statement binds what the original did (64-bit integers as text:
// a JSON number holds 53 bits exactly).
QJsonObject bindJson(const QVariant& v)
{
    if (v.isNull())
        return { { QStringLiteral("t"), QStringLiteral("null") } };
    switch (v.typeId()) {
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        return { { QStringLiteral("t"), QStringLiteral("int") },
            { QStringLiteral("v"), QString::number(v.toLongLong()) } };
    case QMetaType::Double:
    case QMetaType::Float:
        return { { QStringLiteral("t"), QStringLiteral("real") }, { QStringLiteral("v"), v.toDouble() } };
    case QMetaType::QByteArray:
        return { { QStringLiteral("t"), QStringLiteral("bytes") },
            { QStringLiteral("v"), QString::fromLatin1(v.toByteArray().toBase64()) } };
    default:
        return { { QStringLiteral("t"), QStringLiteral("text") }, { QStringLiteral("v"), v.toString() } };
    }
}

QVariant bindFrom(const QJsonObject& o)
{
    const QString type = o.value(QStringLiteral("t")).toString();
    const QJsonValue v = o.value(QStringLiteral("v"));
    if (type == u"int")
        return v.toString().toLongLong();
    if (type == u"real")
        return v.toDouble();
    if (type == u"bytes")
        return QByteArray::fromBase64(v.toString().toLatin1());
    if (type == u"text")
        return v.toString();
    return QVariant();
}

const QList<std::pair<StoreWrite::Kind, QString>>& kindNames()
{
    static const QList<std::pair<StoreWrite::Kind, QString>> names = {
        { StoreWrite::Kind::CreateIncidents, QStringLiteral("create-incidents") },
        { StoreWrite::Kind::Transition, QStringLiteral("transition") },
        { StoreWrite::Kind::AddSymptom, QStringLiteral("add-symptom") },
        { StoreWrite::Kind::AddEvidence, QStringLiteral("add-evidence") },
        { StoreWrite::Kind::SetBaseline, QStringLiteral("set-baseline") },
        { StoreWrite::Kind::SaveSeries, QStringLiteral("save-series") },
        { StoreWrite::Kind::Execute, QStringLiteral("execute") },
        { StoreWrite::Kind::AppendAudit, QStringLiteral("append-audit") },
    };
    return names;
}

StoreWrite make(StoreWrite::Kind kind, const QString& incidentId, QJsonObject args)
{
    StoreWrite w;
    w.kind = kind;
    w.incidentId = incidentId;
    w.args = std::move(args);
    return w;
}
} // namespace

StoreWrite StoreWrite::createIncidents(const QList<Incident>& incidents, const QString& incidentId)
{
    QJsonArray all;
    for (const Incident& i : incidents)
        all.append(incidentJson(i));
    return make(Kind::CreateIncidents, incidentId, { { QStringLiteral("incidents"), all } });
}

StoreWrite StoreWrite::transition(const QString& incidentId, const IncidentEvent& event)
{
    QJsonObject e { { QStringLiteral("state"), IncidentLifecycle::name(event.state) },
        { QStringLiteral("actor"), event.actor }, { QStringLiteral("note"), event.note } };
    putTime(e, QStringLiteral("time"), event.timeUtc);
    return make(Kind::Transition, incidentId, { { QStringLiteral("event"), e } });
}

StoreWrite StoreWrite::addSymptom(const QString& incidentId, const Symptom& symptom)
{
    return make(Kind::AddSymptom, incidentId, { { QStringLiteral("symptom"), symptomJson(symptom) } });
}

StoreWrite StoreWrite::addEvidence(const QString& incidentId, const Evidence& evidence)
{
    return make(Kind::AddEvidence, incidentId, { { QStringLiteral("evidence"), evidenceJson(evidence) } });
}

StoreWrite StoreWrite::setBaseline(const QString& incidentId, const QJsonObject& baseline)
{
    return make(Kind::SetBaseline, incidentId, { { QStringLiteral("baseline"), baseline } });
}

StoreWrite StoreWrite::saveSeries(const QString& incidentId, const QList<SeriesBlob>& series)
{
    QJsonArray all;
    for (const SeriesBlob& s : series)
        all.append(QJsonObject { { QStringLiteral("target"), s.target }, { QStringLiteral("signal"), s.signal },
            { QStringLiteral("raw"), double(s.rawPoints) },
            { QStringLiteral("points"), QString::fromLatin1(s.points.toBase64()) } });
    return make(Kind::SaveSeries, incidentId, { { QStringLiteral("series"), all } });
}

StoreWrite StoreWrite::execute(const QString& statement, const QVariantList& binds)
{
    QJsonArray values;
    for (const QVariant& v : binds)
        values.append(bindJson(v));
    return make(
        Kind::Execute, QString(), { { QStringLiteral("sql"), statement }, { QStringLiteral("binds"), values } });
}

StoreWrite StoreWrite::appendAudit(const AuditRecord& record)
{
    return make(Kind::AppendAudit, record.incidentId, { { QStringLiteral("record"), record.toJson() } });
}

QList<Incident> StoreWrite::incidents() const
{
    QList<Incident> out;
    for (const QJsonValue& v : args.value(QStringLiteral("incidents")).toArray())
        out.append(incidentFrom(v.toObject()));
    return out;
}

IncidentEvent StoreWrite::event() const
{
    const QJsonObject o = args.value(QStringLiteral("event")).toObject();
    IncidentEvent e;
    e.timeUtc = time(o, QStringLiteral("time"));
    e.state
        = IncidentLifecycle::fromName(o.value(QStringLiteral("state")).toString()).value_or(IncidentState::Detected);
    e.actor = o.value(QStringLiteral("actor")).toString();
    e.note = o.value(QStringLiteral("note")).toString();
    return e;
}

Symptom StoreWrite::symptom() const
{
    return symptomFrom(args.value(QStringLiteral("symptom")).toObject());
}

Evidence StoreWrite::evidence() const
{
    return evidenceFrom(args.value(QStringLiteral("evidence")).toObject());
}

QJsonObject StoreWrite::baseline() const
{
    return args.value(QStringLiteral("baseline")).toObject();
}

QList<StoreWrite::SeriesBlob> StoreWrite::series() const
{
    QList<SeriesBlob> out;
    for (const QJsonValue& v : args.value(QStringLiteral("series")).toArray()) {
        const QJsonObject o = v.toObject();
        out.append({ o.value(QStringLiteral("target")).toString(), o.value(QStringLiteral("signal")).toString(),
            qint64(o.value(QStringLiteral("raw")).toDouble()),
            QByteArray::fromBase64(o.value(QStringLiteral("points")).toString().toLatin1()) });
    }
    return out;
}

QString StoreWrite::statement() const
{
    return args.value(QStringLiteral("sql")).toString();
}

QVariantList StoreWrite::binds() const
{
    QVariantList out;
    for (const QJsonValue& v : args.value(QStringLiteral("binds")).toArray())
        out.append(bindFrom(v.toObject()));
    return out;
}

std::optional<AuditRecord> StoreWrite::auditRecord() const
{
    return AuditRecord::fromJson(args.value(QStringLiteral("record")).toObject());
}

QString StoreWrite::kindName(Kind kind)
{
    for (const auto& [k, name] : kindNames())
        if (k == kind)
            return name;
    return QString();
}

QJsonObject StoreWrite::toJson() const
{
    return { { QStringLiteral("kind"), kindName(kind) }, { QStringLiteral("incident"), incidentId },
        { QStringLiteral("args"), args } };
}

std::optional<StoreWrite> StoreWrite::fromJson(const QJsonObject& o, QString* error)
{
    const QString name = o.value(QStringLiteral("kind")).toString();
    for (const auto& [k, n] : kindNames()) {
        if (n == name && o.value(QStringLiteral("args")).isObject())
            return make(k, o.value(QStringLiteral("incident")).toString(), o.value(QStringLiteral("args")).toObject());
    }
    if (error)
        *error = QStringLiteral("not a store write (kind '%1')").arg(name.left(40));
    return std::nullopt;
}

} // namespace FaultDesk
