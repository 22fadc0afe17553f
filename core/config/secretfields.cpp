// Secrets by reference (`token: { env | file }`) and the rule that a token never crosses plain http off loopback.

#include "configsections.h"

#include "net/httpclient.h"
#include <QRegularExpression>

namespace FaultDesk::ConfigSections {

std::optional<SecretRef> readSecret(YamlReader& yaml, const Entry& e)
{
    if (e.value.IsScalar()) {
        yaml.error(yaml.pos(e),
            QStringLiteral("inline secret '%1': secrets are never written in the configuration; reference it with "
                           "'%1: { env: VARIABLE }' or '%1: { file: /path/to/file }'")
                .arg(e.key));
        return std::nullopt;
    }
    const auto f = yaml.mapping(
        e.value, yaml.pos(e), QStringLiteral("'%1'").arg(e.key), { QStringLiteral("env"), QStringLiteral("file") });
    if (!f)
        return std::nullopt;
    const Entry* env = f->get(u"env");
    const Entry* file = f->get(u"file");
    if (env && file) {
        yaml.error(yaml.pos(file->keyNode), QStringLiteral("'%1' has both 'env' and 'file'; give one").arg(e.key));
        return std::nullopt;
    }
    if (env) {
        static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        const auto v = yaml.string(*env);
        if (!v)
            return std::nullopt;
        if (!envName.match(*v).hasMatch()) {
            yaml.error(
                yaml.pos(*env), QStringLiteral("'env' must name an environment variable, got %1").arg(quoted(*v)));
            return std::nullopt;
        }
        return SecretRef::env(*v);
    }
    if (file) {
        if (const auto p = yaml.path(*file))
            return SecretRef::file(*p);
        return std::nullopt;
    }
    yaml.error(f->position, QStringLiteral("'%1' needs 'env: VARIABLE' or 'file: /path/to/file'").arg(e.key));
    return std::nullopt;
}

bool tokenKey(
    YamlReader& yaml, const Entry& x, const QStringList& inlineSecrets, std::optional<SecretRef>& token, bool& ok)
{
    if (inlineSecrets.contains(x.key)) {
        yaml.error(yaml.pos(x.keyNode),
            QStringLiteral("inline secret '%1': secrets are never written in the configuration; reference it with "
                           "'token_env: VARIABLE' or 'token_file: /path/to/file'")
                .arg(x.key));
        ok = false;
        return true;
    }
    if (x.key == u"token_env") {
        static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        const auto v = yaml.string(x);
        if (v && envName.match(*v).hasMatch()) {
            token = SecretRef(SecretRef::Kind::Env, *v);
        } else {
            if (v)
                yaml.error(yaml.pos(x),
                    QStringLiteral("'token_env' must name an environment variable, got %1").arg(quoted(*v)));
            ok = false;
        }
        return true;
    }
    if (x.key == u"token_file") {
        if (const auto p = yaml.path(x))
            token = SecretRef(SecretRef::Kind::File, *p);
        else
            ok = false;
        return true;
    }
    return false;
}

void checkOneToken(YamlReader& yaml, const Fields& f, const QString& what, bool& ok)
{
    if (f.get(u"token_env") && f.get(u"token_file")) {
        yaml.error(yaml.pos(f.get(u"token_file")->keyNode),
            QStringLiteral("%1 has both 'token_env' and 'token_file'; give one").arg(what));
        ok = false;
    }
}

void checkTokenTransport(
    YamlReader& yaml, const Fields& f, const QUrl& url, bool hasToken, const QString& what, bool& ok)
{
    bool insecure = false;
    if (const Entry* e = f.get(u"insecure_token_over_http")) {
        const auto b = yaml.boolean(*e);
        if (!b) {
            ok = false;
            return;
        }
        insecure = *b;
    }
    if (!hasToken || insecure || url.scheme() != u"http" || url.host().isEmpty()
        || HttpClient::isLoopbackHost(url.host()))
        return;
    const Entry* u = f.get(u"url");
    yaml.error(u ? yaml.pos(*u) : f.position,
        QStringLiteral("%1 sends its bearer token over plain http to %2, readable by anyone on the path; use https, "
                       "or set insecure_token_over_http: true if that network is trusted")
            .arg(what, url.host()));
    ok = false;
}

} // namespace FaultDesk::ConfigSections
