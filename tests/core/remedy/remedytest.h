#pragma once

#include "audit/jsonlauditsink.h"
#include "remedy/action.h"

#include <QSignalSpy>
#include <QTest>

namespace FaultDesk::RemedyTest {

/// Starts @p action and waits (event loop running) until it finishes; returns its result.
inline ActionResult run(Action& action, int timeoutMs = 20000)
{
    QSignalSpy spy(&action, &Action::finished);
    action.start();
    if (!spy.wait(timeoutMs) && spy.isEmpty())
        qWarning("action did not finish within %d ms", timeoutMs);
    return action.result();
}

/// A context writing to @p sink, for @p target, with a deadline.
inline ActionContext context(AuditSink* sink, const QString& target = QStringLiteral("web-1"), int deadlineMs = 10000)
{
    ActionContext c;
    c.audit = sink;
    c.operatorName = QStringLiteral("alice");
    c.target = target;
    c.incidentId = QStringLiteral("inc-1");
    c.runbook = QStringLiteral("test#1");
    c.deadline = std::chrono::milliseconds(deadlineMs);
    c.fields.set(QStringLiteral("target"), target);
    return c;
}

/// The raw text of the audit file, to check that a secret never reached it.
inline QByteArray auditText(const JsonlAuditSink& sink)
{
    QFile f(sink.path());
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace FaultDesk::RemedyTest
