#include "remedy/haproxycommand.h"

namespace FaultDesk {

static QString describeChar(QChar c)
{
    if (c == u'\n')
        return QStringLiteral("a newline");
    if (c == u'\r')
        return QStringLiteral("a carriage return");
    if (c == u' ')
        return QStringLiteral("a space");
    if (c == u'\t')
        return QStringLiteral("a tab");
    if (c.unicode() < 0x20)
        return QStringLiteral("control character 0x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
    return u'\'' + QString(c) + u'\'';
}

static bool checkChars(const QString& what, const QString& token, QStringView extra, QString* error)
{
    if (token.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1 is empty").arg(what);
        return false;
    }
    for (QChar c : token) {
        const bool ok = (c.unicode() < 0x80 && c.isLetterOrNumber()) || c == u'_' || c == u'.' || c == u':' || c == u'-'
            || extra.contains(c);
        if (!ok) {
            if (error) {
                QString shown = token;
                shown.replace(u'\n', QStringLiteral("\\n")).replace(u'\r', QStringLiteral("\\r"));
                *error = QStringLiteral("%1 '%2' refused: %3 is not allowed (only A-Z a-z 0-9 _ . : -%4)")
                             .arg(what, shown, describeChar(c), extra.isEmpty() ? QString() : u" " + extra.toString());
            }
            return false;
        }
    }
    return true;
}

bool HaproxyCommand::validName(const QString& what, const QString& name, QString* error)
{
    return checkChars(what, name, {}, error);
}

bool HaproxyCommand::validAclToken(const QString& what, const QString& token, QString* error)
{
    if (token.startsWith(u'@')) {
        if (error)
            *error = QStringLiteral("%1 '%2' refused: version prefixes are not allowed").arg(what, token);
        return false;
    }
    return checkChars(what, token, u"/#", error);
}

HaproxyCommand HaproxyCommand::invalid(const QString& error)
{
    HaproxyCommand c;
    c.m_error = error;
    return c;
}

HaproxyCommand HaproxyCommand::make(Kind kind, const QString& text)
{
    HaproxyCommand c;
    c.m_kind = kind;
    c.m_text = text;
    return c;
}

bool HaproxyCommand::isChange() const
{
    return m_kind == Kind::SetState || m_kind == Kind::SetWeight || m_kind == Kind::AddAcl || m_kind == Kind::DelAcl;
}

HaproxyCommand HaproxyCommand::showStat()
{
    return make(Kind::ShowStat, QStringLiteral("show stat"));
}

HaproxyCommand HaproxyCommand::showServersState(const QString& backend)
{
    if (backend.isEmpty())
        return make(Kind::ShowServersState, QStringLiteral("show servers state"));
    QString error;
    if (!validName(QStringLiteral("backend name"), backend, &error))
        return invalid(error);
    return make(Kind::ShowServersState, u"show servers state " + backend);
}

static bool validPair(const QString& backend, const QString& server, QString* error)
{
    return HaproxyCommand::validName(QStringLiteral("backend name"), backend, error)
        && HaproxyCommand::validName(QStringLiteral("server name"), server, error);
}

HaproxyCommand HaproxyCommand::getWeight(const QString& backend, const QString& server)
{
    QString error;
    if (!validPair(backend, server, &error))
        return invalid(error);
    return make(Kind::GetWeight, QStringLiteral("get weight %1/%2").arg(backend, server));
}

HaproxyCommand HaproxyCommand::setState(const QString& backend, const QString& server, const QString& state)
{
    QString error;
    if (!validPair(backend, server, &error))
        return invalid(error);
    if (state != u"ready" && state != u"drain" && state != u"maint")
        return invalid(QStringLiteral("server state '%1' refused: use ready, drain or maint").arg(state));
    return make(Kind::SetState, QStringLiteral("set server %1/%2 state %3").arg(backend, server, state));
}

HaproxyCommand HaproxyCommand::setWeight(const QString& backend, const QString& server, int weight)
{
    QString error;
    if (!validPair(backend, server, &error))
        return invalid(error);
    if (weight < 0 || weight > 256)
        return invalid(QStringLiteral("weight %1 refused: HAProxy weights are 0–256").arg(weight));
    return make(Kind::SetWeight, QStringLiteral("set weight %1/%2 %3").arg(backend, server).arg(weight));
}

HaproxyCommand HaproxyCommand::showAcl(const QString& aclFile)
{
    QString error;
    if (!validAclToken(QStringLiteral("ACL file"), aclFile, &error))
        return invalid(error);
    return make(Kind::ShowAcl, u"show acl " + aclFile);
}

HaproxyCommand HaproxyCommand::addAcl(const QString& aclFile, const QString& pattern)
{
    QString error;
    if (!validAclToken(QStringLiteral("ACL file"), aclFile, &error)
        || !validAclToken(QStringLiteral("ACL pattern"), pattern, &error))
        return invalid(error);
    return make(Kind::AddAcl, QStringLiteral("add acl %1 %2").arg(aclFile, pattern));
}

HaproxyCommand HaproxyCommand::delAcl(const QString& aclFile, const QString& pattern)
{
    QString error;
    if (!validAclToken(QStringLiteral("ACL file"), aclFile, &error)
        || !validAclToken(QStringLiteral("ACL pattern"), pattern, &error))
        return invalid(error);
    return make(Kind::DelAcl, QStringLiteral("del acl %1 %2").arg(aclFile, pattern));
}

} // namespace FaultDesk
