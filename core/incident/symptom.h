#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/// A fault seen on a target that localization attributed to an incident's root cause (UNREACHABLE, errors, …).
struct Symptom
{
    QDateTime timeUtc;
    QString target;
    QString signal; ///< the signal or probe that failed ("error_rate", "http"), may be empty
    QString causeClass; ///< how the symptom looked on its own (errors, latency, down, …)
    QString detail; ///< readable explanation ("depends on db-primary, which is down")

    /// How it entered its incident, as a timeline event: "member joined" (a pool or group peer hit by the same
    /// event), "aftershock" (after the incident had recovered), "another root cause", or "symptom".
    QString timelineEvent() const
    {
        if (detail.startsWith(u"affected member: "))
            return QStringLiteral("member joined");
        if (detail.startsWith(u"aftershock: "))
            return QStringLiteral("aftershock");
        if (detail.startsWith(u"another root cause"))
            return QStringLiteral("another root cause");
        return QStringLiteral("symptom");
    }

    /// The heading of a list of them: "Symptoms", or what it holds ("Members and symptoms", "Aftershocks", …).
    static QString heading(const QList<Symptom>& all)
    {
        bool members = false, symptoms = false, aftershocks = false;
        for (const Symptom& s : all) {
            const QString kind = s.timelineEvent();
            members = members || kind == u"member joined";
            aftershocks = aftershocks || kind == u"aftershock";
            symptoms = symptoms || (kind != u"member joined" && kind != u"aftershock");
        }
        QStringList parts;
        if (members)
            parts << QStringLiteral("members");
        if (symptoms || (parts.isEmpty() && !aftershocks))
            parts << QStringLiteral("symptoms");
        if (aftershocks)
            parts << QStringLiteral("aftershocks");
        QString text = parts.size() > 1
            ? parts.mid(0, parts.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" and ") + parts.constLast()
            : parts.constFirst();
        text[0] = text[0].toUpper();
        return text;
    }
};

} // namespace FaultDesk
