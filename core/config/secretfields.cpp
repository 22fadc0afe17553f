// Secrets by reference: `token: { env: VARIABLE }` or `token: { file: /path }` in every section that sends a bearer
// token (the older `token_env:`/`token_file:` still read, with a deprecation warning), and the rule that a token never
// crosses plain http off loopback.

#include "config/configsections.h"

#include "net/httpclient.h"

namespace FaultDesk::ConfigSections {

namespace {

QString inlineSecret(const QString& key)
{
    return QStringLiteral("inline secret '%1': secrets are never written in the configuration; reference it with "
                          "'token: { env: VARIABLE }' or 'token: { file: /path/to/file }'")
        .arg(key);
}

std::optional<QString> envName(YamlReader& yaml, const Entry& e)
{
    const auto v = yaml.string(e);
    if (v && !labelNamePattern().match(*v).hasMatch()) {
        yaml.error(
            yaml.pos(e), QStringLiteral("'%1' must name an environment variable, got %2").arg(e.key, quoted(*v)));
        return std::nullopt;
    }
    return v;
}

/// `token_env: X` / `token_file: Y`, the spelling before `token: {…}`: still read, with a warning naming the new one.
std::optional<SecretRef> readLegacySecret(YamlReader& yaml, const Entry& e)
{
    const bool env = e.key == u"token_env";
    const auto v = env ? envName(yaml, e) : yaml.string(e);
    if (!v)
        return std::nullopt;
    yaml.warning(yaml.pos(e.keyNode),
        QStringLiteral("'%1' is deprecated; write 'token: { %2: %3 }' instead")
            .arg(e.key, env ? QStringLiteral("env") : QStringLiteral("file"), *v));
    if (env)
        return SecretRef::env(*v);
    const auto p = yaml.path(e);
    return p ? std::optional<SecretRef>(SecretRef::file(*p)) : std::nullopt;
}

} // namespace

std::optional<SecretRef> readSecret(YamlReader& yaml, const Entry& e)
{
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
        const auto v = envName(yaml, *env);
        return v ? std::optional<SecretRef>(SecretRef::env(*v)) : std::nullopt;
    }
    if (file) {
        const auto p = yaml.path(*file);
        return p ? std::optional<SecretRef>(SecretRef::file(*p)) : std::nullopt;
    }
    yaml.error(f->position, QStringLiteral("'%1' needs 'env: VARIABLE' or 'file: /path/to/file'").arg(e.key));
    return std::nullopt;
}

const QStringList& tokenKeys()
{
    static const QStringList keys { QStringLiteral("token"), QStringLiteral("token_env"), QStringLiteral("token_file"),
        QStringLiteral("insecure_token_over_http"), QStringLiteral("password"), QStringLiteral("secret") };
    return keys;
}

bool readToken(
    YamlReader& yaml, const Fields& f, const QString& what, std::optional<SecretRef>& token, bool& insecureOverHttp)
{
    bool ok = true;
    for (const auto key : { u"password", u"secret" }) {
        if (const Entry* e = f.get(key)) {
            yaml.error(yaml.pos(e->keyNode), inlineSecret(e->key));
            ok = false;
        }
    }
    const Entry* current = f.get(u"token");
    if (current && current->value.IsScalar()) {
        yaml.error(yaml.pos(current->keyNode), inlineSecret(current->key));
        ok = false;
    } else if (current) {
        token = readSecret(yaml, *current);
        ok = token.has_value() && ok;
    }
    const Entry* legacyEnv = f.get(u"token_env");
    const Entry* legacyFile = f.get(u"token_file");
    for (const Entry* legacy : { legacyEnv, legacyFile }) {
        if (!legacy)
            continue;
        if (current) {
            yaml.error(yaml.pos(legacy->keyNode),
                QStringLiteral("%1 has both 'token' and '%2'; give one").arg(what, legacy->key));
            ok = false;
            continue;
        }
        const auto ref = readLegacySecret(yaml, *legacy);
        if (ref)
            token = ref;
        ok = ref.has_value() && ok;
    }
    if (legacyEnv && legacyFile && !current) {
        yaml.error(yaml.pos(legacyFile->keyNode),
            QStringLiteral("%1 has both 'token_env' and 'token_file'; give one").arg(what));
        ok = false;
    }
    if (const Entry* e = f.get(u"insecure_token_over_http")) {
        const auto b = yaml.boolean(*e);
        insecureOverHttp = b.value_or(false);
        ok = b.has_value() && ok;
    }
    return ok;
}

bool checkTokenTransport(
    YamlReader& yaml, const Fields& f, const QUrl& url, bool hasToken, bool insecureOverHttp, const QString& what)
{
    if (!hasToken || insecureOverHttp || url.scheme() != u"http" || url.host().isEmpty()
        || HttpClient::isLoopbackHost(url.host()))
        return true;
    const Entry* u = f.get(u"url");
    yaml.error(u ? yaml.pos(*u) : f.position,
        QStringLiteral("%1 sends its bearer token over plain http to %2, readable by anyone on the path; use https, "
                       "or set insecure_token_over_http: true if that network is trusted")
            .arg(what, url.host()));
    return false;
}

} // namespace FaultDesk::ConfigSections
