#pragma once

#include "config/causeclass.h"
#include "config/configerror.h"
#include "config/sourceposition.h"
#include "metrics/selector.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>

// The YAML reading layer of the fleet configuration loader: mappings with known keys, lists, typed scalars, and the
// compiler-style problems (`file:line:col: message`, did-you-mean) every section reports through. Private to
// core/config; FleetConfigLoader is the public face.

namespace FaultDesk {

using YNode = YAML::Node;

/// A YAML string as a QString.
QString fromStd(const std::string& s);
/// @p s in single quotes, cut at 60 characters, newlines shown as \n — safe to put in a one-line message.
QString quoted(const QString& s);
/// " (did you mean 'x'?)" for the closest candidate within a few edits, else empty.
QString didYouMean(const QString& word, const QStringList& candidates);
/// "nothing", "a mapping", "a list" or the quoted scalar — what a message says it got.
QString describe(const YNode& n);
/// Names of targets, groups, instances …: letters, digits, '_', '.' and '-'.
const QRegularExpression& namePattern();
/// Prometheus label names (and environment variable names): [A-Za-z_][A-Za-z0-9_]*.
const QRegularExpression& labelNamePattern();

/// One key of a mapping: its text, the key node (for "this key is wrong") and the value node.
struct Entry
{
    QString key;
    YNode keyNode;
    YNode value;
};

/// The known keys of one mapping, in file order.
struct Fields
{
    QList<Entry> entries;
    SourcePosition position;

    const Entry* get(QStringView key) const
    {
        for (const Entry& e : entries) {
            if (e.key == key)
                return &e;
        }
        return nullptr;
    }
};

/**
 * Reads typed values out of YAML nodes and collects every problem with its position. A reader that returns
 * std::nullopt has already reported why; callers only decide what else the failure invalidates.
 */
class YamlReader
{
public:
    YamlReader(const QString& file, const QByteArray& source, const QString& baseDir);

    /// Bounds the work an adversarial document can cause: aliases let a small file reference one big node many times.
    static constexpr qint64 VisitBudget = 2'000'000;

    const QString& file() const { return m_file; }
    /// True once the error cap or the visit budget is reached: readers stop early.
    bool stopped() const;
    /// Counts @p n visited nodes; false (and one error) once the budget is spent.
    bool spend(qint64 n);

    static SourcePosition pos(const YNode& n);
    /// The value's position, or the key's when the value has none (an empty value).
    static SourcePosition pos(const Entry& e);

    /// The fleet file's folder: relative paths in it are taken from here.
    const QString& baseDir() const { return m_baseDir; }
    void error(SourcePosition p, const QString& message);
    /// A problem that does not invalidate the file (a deprecated spelling); `faultdesk check` prints it as a warning.
    void warning(SourcePosition p, const QString& message);
    /// "WHAT is missing required key 'KEY'" at the mapping.
    void missing(const Fields& f, const QString& what, const QString& key);

    /// Problems so far, in the order found (sorting is the loader's).
    const QList<ConfigError>& errors() const { return m_errors; }
    const QList<ConfigError>& warnings() const { return m_warnings; }
    /// The errors sorted by position, with a closing note when some were dropped at the cap.
    QList<ConfigError> sortedErrors() const;
    /// The warnings sorted by position.
    QList<ConfigError> sortedWarnings() const;
    /// The text being read.
    const QByteArray& source() const { return m_source; }

    /// A mapping whose keys must be in @p allowed (unknown keys are reported with a suggestion); nullopt if @p n is
    /// not a mapping. @p where is used when @p n has no position of its own.
    std::optional<Fields> mapping(
        const YNode& n, SourcePosition where, const QString& what, const QStringList& allowed);
    /// A list (an empty value is an empty list).
    std::optional<QList<YNode>> sequence(const Entry& e);
    std::optional<QString> string(const Entry& e, bool allowEmpty = false);
    std::optional<qint64> integer(const Entry& e, qint64 min, qint64 max);
    std::optional<double> number(const Entry& e);
    std::optional<bool> boolean(const Entry& e);
    /// `500ms`, `2s`, `1.5m`, `1h`: positive, at most a week.
    std::optional<std::chrono::milliseconds> duration(const Entry& e);
    std::optional<QString> name(const Entry& e, const QString& what);
    std::optional<QString> name(const YNode& n, const QString& what);
    /// An absolute http(s) URL without credentials.
    std::optional<QUrl> url(const Entry& e);
    /// `host:port` or `[v6]:port`.
    std::optional<QString> hostPort(const Entry& e);
    /// A host name or an IP address without port.
    std::optional<QString> host(const Entry& e);
    /// A path; relative paths are taken from the configuration file's folder.
    std::optional<QString> path(const Entry& e);
    std::optional<Selector> selector(const Entry& e, QString* text);
    std::optional<QString> labelName(const Entry& e);
    std::optional<CauseClass> causeClass(const Entry& e);
    /// An ISO-8601 time; without an offset it is UTC.
    std::optional<QDateTime> utcTime(const Entry& e);
    /// An `env:` mapping of variable names to literal values (what a command's child gets besides the minimum).
    std::optional<QMap<QString, QString>> env(const Entry& e);

    /// Reads each item of the list @p e with @p read (YNode → std::optional<T>) and appends the good ones to @p into,
    /// until the reader stops (error cap or budget).
    template <typename T, typename Read> void list(const Entry& e, QList<T>& into, Read read)
    {
        const auto items = sequence(e);
        if (!items)
            return;
        for (const YNode& n : *items) {
            if (stopped())
                return;
            if (auto item = read(n))
                into.append(std::move(*item));
        }
    }

    /// Where column @p column of the scalar @p text (the value of @p n) is in the file, when the file holds it
    /// verbatim; else the scalar's own position.
    SourcePosition positionInScalar(const YNode& n, const QString& text, int column) const;

private:
    void runbooksMisplaced(const Entry& e, const QString& what);

    QString m_file;
    QByteArray m_source;
    QString m_baseDir;
    QList<ConfigError> m_errors;
    QList<ConfigError> m_warnings;
    bool m_truncated = false;
    qint64 m_visits = 0;
    bool m_budgetExhausted = false;
};

} // namespace FaultDesk
