// `store:` — the incident database: a file path (SQLite) or a PostgreSQL server with its password by reference.

#include "config/configsections.h"
#include "config/fieldtable.h"
#include "config/postgresdsn.h"

#include <QUrlQuery>

namespace FaultDesk {

QString StoreConfig::location() const
{
    if (url.isEmpty())
        return path;
    QUrlQuery query;
    if (password)
        query.addQueryItem(
            password->kind() == SecretRef::Kind::Env ? QStringLiteral("password_env") : QStringLiteral("password_file"),
            password->ref());
    if (!sslMode.isEmpty())
        query.addQueryItem(QStringLiteral("sslmode"), sslMode);
    if (!sslRootCert.isEmpty())
        query.addQueryItem(QStringLiteral("sslrootcert"), sslRootCert);
    QUrl u(url);
    u.setQuery(query);
    return u.toString(QUrl::FullyEncoded);
}

namespace ConfigSections {

namespace {

const QStringList kSslModes = { QStringLiteral("disable"), QStringLiteral("allow"), QStringLiteral("prefer"),
    QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full") };

const FieldTable<StoreConfig>& storeFields()
{
    static const FieldTable<StoreConfig> fields {
        Bind::custom<StoreConfig>(QStringLiteral("path"),
            [](YamlReader& yaml, const Entry& x, StoreConfig& s) {
                const auto p = yaml.path(x);
                if (p)
                    s.path = *p;
                return p.has_value();
            }),
        Bind::custom<StoreConfig>(QStringLiteral("url"),
            [](YamlReader& yaml, const Entry& x, StoreConfig& s) {
                const auto text = yaml.string(x);
                if (!text)
                    return false;
                // Parameters go in keys of their own, where the password can only be a reference.
                if (text->contains(u'?')) {
                    yaml.error(yaml.pos(x),
                        QStringLiteral("'url' takes postgresql://user@host:port/database only; give the password, "
                                       "sslmode and sslrootcert as keys of 'store:'"));
                    return false;
                }
                QString why;
                const auto dsn = PostgresDsn::parse(*text, &why);
                if (!dsn) {
                    // The error never repeats the text: it may hold a password.
                    yaml.error(yaml.pos(x), QStringLiteral("store 'url': %1").arg(why));
                    return false;
                }
                s.url = *text;
                return true;
            }),
        Bind::custom<StoreConfig>(QStringLiteral("password"),
            [](YamlReader& yaml, const Entry& x, StoreConfig& s) {
                if (!x.value.IsMap()) {
                    yaml.error(yaml.pos(x),
                        QStringLiteral("inline secret 'password': the store's password is never written in the "
                                       "configuration; reference it with 'password: { env: VARIABLE }' or "
                                       "'password: { file: /path/to/file }' (or leave it out for ~/.pgpass)"));
                    return false;
                }
                s.password = readSecret(yaml, x);
                return s.password.has_value();
            }),
        Bind::custom<StoreConfig>(QStringLiteral("sslmode"),
            [](YamlReader& yaml, const Entry& x, StoreConfig& s) {
                const auto mode = yaml.string(x);
                if (mode && !kSslModes.contains(*mode)) {
                    yaml.error(yaml.pos(x),
                        QStringLiteral("'sslmode' must be one of %1, got %2")
                            .arg(kSslModes.join(QStringLiteral(", ")), describe(x.value)));
                    return false;
                }
                if (mode)
                    s.sslMode = *mode;
                return mode.has_value();
            }),
        Bind::custom<StoreConfig>(QStringLiteral("sslrootcert"),
            [](YamlReader& yaml, const Entry& x, StoreConfig& s) {
                const auto p = yaml.path(x);
                if (p)
                    s.sslRootCert = *p;
                return p.has_value();
            }),
    };
    return fields;
}

} // namespace

void readStore(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    StoreConfig& s = draft.config.store;
    s.position = yaml.pos(e);
    if (e.value.IsScalar()) {
        if (const auto p = yaml.path(e))
            s.path = *p;
        return;
    }
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("store"), fieldKeys(storeFields()));
    if (!f)
        return;
    s.position = f->position;
    if (!readFields(yaml, *f, storeFields(), s))
        return;
    if (s.path.isEmpty() == s.url.isEmpty()) {
        yaml.error(f->position,
            QStringLiteral("'store' needs one of 'path' (a SQLite file) or 'url' (postgresql://user@host:port/db)"));
        return;
    }
    if (!s.path.isEmpty() && (s.password || !s.sslMode.isEmpty() || !s.sslRootCert.isEmpty()))
        yaml.error(f->position, QStringLiteral("'password', 'sslmode' and 'sslrootcert' belong to a 'url' store"));
}

} // namespace ConfigSections

} // namespace FaultDesk
