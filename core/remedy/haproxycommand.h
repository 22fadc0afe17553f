#pragma once

#include <QString>

namespace FaultDesk {

/**
 * One HAProxy Runtime API command, built only from validated parts. Backend and server names may hold only
 * [A-Za-z0-9_.:-]; ACL files and patterns additionally '/' and '#'. Nothing with ';', a space, a backslash or a
 * newline can be built, so nothing of the kind reaches the socket. An invalid command carries the reason.
 */
class HaproxyCommand
{
public:
    enum class Kind {
        Invalid,
        ShowStat,
        ShowServersState,
        GetWeight,
        SetState,
        SetWeight,
        ShowAcl,
        AddAcl,
        DelAcl,
    };

    static HaproxyCommand showStat();
    static HaproxyCommand showServersState(const QString& backend = {});
    static HaproxyCommand getWeight(const QString& backend, const QString& server);
    /// @p state is ready, drain or maint.
    static HaproxyCommand setState(const QString& backend, const QString& server, const QString& state);
    /// @p weight 0–256.
    static HaproxyCommand setWeight(const QString& backend, const QString& server, int weight);
    static HaproxyCommand showAcl(const QString& aclFile);
    static HaproxyCommand addAcl(const QString& aclFile, const QString& pattern);
    static HaproxyCommand delAcl(const QString& aclFile, const QString& pattern);

    bool isValid() const { return m_kind != Kind::Invalid; }
    Kind kind() const { return m_kind; }
    /// Why the command could not be built ("server name 'a;b' refused: …").
    QString error() const { return m_error; }
    /// The command line without its newline.
    QString text() const { return m_text; }
    /// True for commands that change HAProxy's state (their success reply is empty).
    bool isChange() const;

    /// Checks a backend or server name; false with a reason naming the offending character.
    static bool validName(const QString& what, const QString& name, QString* error);
    /// Checks an ACL file reference ("/path/file.acl" or "#3") or pattern (an address or CIDR).
    static bool validAclToken(const QString& what, const QString& token, QString* error);

private:
    static HaproxyCommand invalid(const QString& error);
    static HaproxyCommand make(Kind kind, const QString& text);

    Kind m_kind = Kind::Invalid;
    QString m_text;
    QString m_error;
};

} // namespace FaultDesk
