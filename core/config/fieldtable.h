#pragma once

#include "config/yamlreader.h"

#include <QList>
#include <QStringList>

#include <functional>

// Field-binding tables: a section lists its keys once, each with the reader that fills its member, instead of an
// if-chain per mapping. A key's reader reports its own problems; readFields() says whether all of them were good.

namespace FaultDesk {

/// How one key of a mapping is read into a T: false when the value was wrong (the problem is already reported).
template <typename T> struct FieldBinding
{
    QString key;
    std::function<bool(YamlReader&, const Entry&, T&)> read;
};

template <typename T> using FieldTable = QList<FieldBinding<T>>;

/// The keys of @p table followed by @p extra (keys read elsewhere): what the section's mapping accepts.
template <typename T> QStringList fieldKeys(const FieldTable<T>& table, const QStringList& extra = {})
{
    QStringList keys;
    for (const FieldBinding<T>& b : table)
        keys << b.key;
    return keys + extra;
}

/**
 * Reads every entry of @p fields that @p table binds into @p into, in file order; entries without a binding are
 * left to the caller. Stops when the reader has stopped (error cap or budget). True when every read was good.
 */
template <typename T> bool readFields(YamlReader& yaml, const Fields& fields, const FieldTable<T>& table, T& into)
{
    bool ok = true;
    for (const Entry& e : fields.entries) {
        if (yaml.stopped())
            return false;
        for (const FieldBinding<T>& b : table) {
            if (b.key == e.key) {
                ok = b.read(yaml, e, into) && ok;
                break;
            }
        }
    }
    return ok;
}

/// Bindings for the common value kinds; each assigns the member only when the value is good.
namespace Bind {

/// @p key read by @p read (YamlReader&, const Entry&) → std::optional<V>, assigned to @p member.
template <typename T, typename M, typename Read> FieldBinding<T> value(const QString& key, M T::*member, Read read)
{
    return { key, [member, read](YamlReader& yaml, const Entry& e, T& into) {
                const auto v = read(yaml, e);
                if (!v)
                    return false;
                into.*member = *v;
                return true;
            } };
}

template <typename T, typename M> FieldBinding<T> duration(const QString& key, M T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.duration(e); });
}

template <typename T> FieldBinding<T> integer(const QString& key, int T::*member, int min, int max)
{
    return value(key, member, [min, max](YamlReader& yaml, const Entry& e) -> std::optional<int> {
        const auto v = yaml.integer(e, min, max);
        return v ? std::optional<int>(int(*v)) : std::nullopt;
    });
}

template <typename T> FieldBinding<T> boolean(const QString& key, bool T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.boolean(e); });
}

template <typename T> FieldBinding<T> string(const QString& key, QString T::*member, bool allowEmpty = false)
{
    return value(key, member, [allowEmpty](YamlReader& yaml, const Entry& e) { return yaml.string(e, allowEmpty); });
}

/// A name (letters, digits, '_', '.', '-'); @p what names it in messages ("group name").
template <typename T> FieldBinding<T> name(const QString& key, QString T::*member, const QString& what)
{
    return value(key, member, [what](YamlReader& yaml, const Entry& e) { return yaml.name(e, what); });
}

template <typename T> FieldBinding<T> url(const QString& key, QUrl T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.url(e); });
}

template <typename T> FieldBinding<T> path(const QString& key, QString T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.path(e); });
}

template <typename T> FieldBinding<T> host(const QString& key, QString T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.host(e); });
}

template <typename T> FieldBinding<T> hostPort(const QString& key, QString T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.hostPort(e); });
}

template <typename T> FieldBinding<T> labelName(const QString& key, QString T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.labelName(e); });
}

template <typename T> FieldBinding<T> causeClass(const QString& key, CauseClass T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.causeClass(e); });
}

template <typename T> FieldBinding<T> utcTime(const QString& key, QDateTime T::*member)
{
    return value(key, member, [](YamlReader& yaml, const Entry& e) { return yaml.utcTime(e); });
}

/// Anything else: @p read(YamlReader&, const Entry&, T&) → bool.
template <typename T, typename Read> FieldBinding<T> custom(const QString& key, Read read)
{
    return { key, read };
}

} // namespace Bind

} // namespace FaultDesk
