#include "config/yamlreader.h"

#include "config/fleetconfigloader.h"

#include <QDir>
#include <QHash>
#include <QHostAddress>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <vector>

namespace FaultDesk {

using std::chrono::milliseconds;

namespace {

int editDistance(QStringView a, QStringView b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int up = row[size_t(j)];
            const int cost = a.at(i - 1).toLower() == b.at(j - 1).toLower() ? 0 : 1;
            row[size_t(j)] = std::min({ up + 1, row[size_t(j) - 1] + 1, diagonal + cost });
            diagonal = up;
        }
    }
    return row.back();
}

} // namespace

QString fromStd(const std::string& s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString quoted(const QString& s)
{
    constexpr qsizetype MaxShown = 60;
    QString shown = s.size() > MaxShown ? s.left(MaxShown) + u'…' : s;
    shown.replace(u'\n', QStringLiteral("\\n"));
    return u'\'' + shown + u'\'';
}

/// " (did you mean 'x'?)" for the closest candidate within a few edits, else empty.
QString didYouMean(const QString& word, const QStringList& candidates)
{
    // Suggestions are a courtesy; they must not turn a huge broken file into a quadratic wait.
    if (word.size() > 64 || candidates.size() > 5000)
        return {};
    QString best;
    int bestDistance = std::max<int>(1, std::min<int>(3, int(word.size()) / 3)) + 1;
    for (const QString& c : candidates) {
        const int d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best.isEmpty() ? QString() : QStringLiteral(" (did you mean '%1'?)").arg(best);
}

QString describe(const YNode& n)
{
    if (!n.IsDefined() || n.IsNull())
        return QStringLiteral("nothing");
    if (n.IsMap())
        return QStringLiteral("a mapping");
    if (n.IsSequence())
        return QStringLiteral("a list");
    return quoted(fromStd(n.Scalar()));
}

const QRegularExpression& namePattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.-]+$"));
    return re;
}

const QRegularExpression& labelNamePattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re;
}

YamlReader::YamlReader(const QString& file, const QByteArray& source, const QString& baseDir)
    : m_file(file)
    , m_source(source)
    , m_baseDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir)
{ }

bool YamlReader::stopped() const
{
    return m_budgetExhausted || m_errors.size() >= FleetConfigLoader::MaxErrors;
}

bool YamlReader::spend(qint64 n)
{
    m_visits += n;
    if (m_visits > VisitBudget && !m_budgetExhausted) {
        m_budgetExhausted = true;
        m_errors.append({ m_file, {},
            QStringLiteral("the document is too large or repeats aliases too often to be a fleet description") });
    }
    return !m_budgetExhausted;
}

SourcePosition YamlReader::pos(const YNode& n)
{
    const YAML::Mark m = n.Mark();
    if (m.is_null() || m.line < 0 || m.column < 0)
        return {};
    return { m.line + 1, m.column + 1 };
}

SourcePosition YamlReader::pos(const Entry& e)
{
    const SourcePosition p = pos(e.value);
    return p.isValid() ? p : pos(e.keyNode);
}

void YamlReader::error(SourcePosition p, const QString& message)
{
    if (m_errors.size() >= FleetConfigLoader::MaxErrors) {
        m_truncated = true;
        return;
    }
    m_errors.append({ m_file, p, message });
}

void YamlReader::warning(SourcePosition p, const QString& message)
{
    if (m_warnings.size() < FleetConfigLoader::MaxErrors)
        m_warnings.append({ m_file, p, message });
}

QList<ConfigError> YamlReader::sortedErrors() const
{
    QList<ConfigError> sorted = m_errors;
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const ConfigError& a, const ConfigError& b) { return a.position < b.position; });
    if (m_truncated || sorted.size() >= FleetConfigLoader::MaxErrors)
        sorted.append({ m_file, {},
            QStringLiteral("too many problems; stopped after the first %1").arg(FleetConfigLoader::MaxErrors) });
    return sorted;
}

QList<ConfigError> YamlReader::sortedWarnings() const
{
    QList<ConfigError> sorted = m_warnings;
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const ConfigError& a, const ConfigError& b) { return a.position < b.position; });
    return sorted;
}

void YamlReader::missing(const Fields& f, const QString& what, const QString& key)
{
    error(f.position, QStringLiteral("%1 is missing required key '%2'").arg(what, key));
}

void YamlReader::runbooksMisplaced(const Entry& e, const QString& what)
{
    error(pos(e.keyNode),
        QStringLiteral("'runbooks' is not allowed in %1: runbooks are listed at the top level and bound to "
                       "targets there (runbooks: [{name: …, on: [down], targets: [name], handle: […]}])")
            .arg(what));
}

std::optional<Fields> YamlReader::mapping(
    const YNode& n, SourcePosition where, const QString& what, const QStringList& allowed)
{
    if (stopped())
        return std::nullopt;
    if (!n.IsMap()) {
        error(pos(n).isValid() ? pos(n) : where, QStringLiteral("%1 must be a mapping, got %2").arg(what, describe(n)));
        return std::nullopt;
    }
    if (!spend(qint64(n.size()) + 1))
        return std::nullopt;
    Fields f;
    f.position = pos(n).isValid() ? pos(n) : where;
    QHash<QString, int> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
        const YNode keyNode = it->first;
        if (!keyNode.IsScalar()) {
            error(pos(keyNode), QStringLiteral("keys of %1 must be plain words, got %2").arg(what, describe(keyNode)));
            continue;
        }
        const QString key = fromStd(keyNode.Scalar());
        if (const auto s = seen.constFind(key); s != seen.constEnd()) {
            error(pos(keyNode), QStringLiteral("duplicate key '%1' (first given at line %2)").arg(key).arg(*s));
            continue;
        }
        seen.insert(key, pos(keyNode).line);
        if (key == u"runbooks" && !allowed.contains(key)) {
            runbooksMisplaced({ key, keyNode, it->second }, what);
            continue;
        }
        if (!allowed.contains(key)) {
            error(pos(keyNode),
                QStringLiteral("unknown key %1 in %2%3").arg(quoted(key), what, didYouMean(key, allowed)));
            continue;
        }
        f.entries.append({ key, keyNode, it->second });
    }
    return f;
}

std::optional<QList<YNode>> YamlReader::sequence(const Entry& e)
{
    if (stopped())
        return std::nullopt;
    if (e.value.IsNull())
        return QList<YNode>();
    if (!e.value.IsSequence()) {
        error(pos(e), QStringLiteral("'%1' must be a list, got %2").arg(e.key, describe(e.value)));
        return std::nullopt;
    }
    if (!spend(qint64(e.value.size()) + 1))
        return std::nullopt;
    QList<YNode> items;
    items.reserve(qsizetype(e.value.size()));
    for (const YNode& item : e.value)
        items.append(item);
    return items;
}

std::optional<QString> YamlReader::string(const Entry& e, bool allowEmpty)
{
    if (!e.value.IsScalar()) {
        error(pos(e), QStringLiteral("'%1' must be a string, got %2").arg(e.key, describe(e.value)));
        return std::nullopt;
    }
    const QString s = fromStd(e.value.Scalar());
    if (s.isEmpty() && !allowEmpty) {
        error(pos(e), QStringLiteral("'%1' must not be empty").arg(e.key));
        return std::nullopt;
    }
    return s;
}

std::optional<qint64> YamlReader::integer(const Entry& e, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 v = e.value.IsScalar() ? fromStd(e.value.Scalar()).toLongLong(&ok) : 0;
    if (!ok) {
        error(pos(e), QStringLiteral("'%1' must be an integer, got %2").arg(e.key, describe(e.value)));
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(pos(e), QStringLiteral("'%1' must be between %2 and %3, got %4").arg(e.key).arg(min).arg(max).arg(v));
        return std::nullopt;
    }
    return v;
}

std::optional<double> YamlReader::number(const Entry& e)
{
    bool ok = false;
    const double v = e.value.IsScalar() ? fromStd(e.value.Scalar()).toDouble(&ok) : 0;
    if (!ok || !std::isfinite(v)) {
        error(pos(e), QStringLiteral("'%1' must be a finite number, got %2").arg(e.key, describe(e.value)));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> YamlReader::boolean(const Entry& e)
{
    const QString s = e.value.IsScalar() ? fromStd(e.value.Scalar()).toLower() : QString();
    if (s == u"true")
        return true;
    if (s == u"false")
        return false;
    error(pos(e), QStringLiteral("'%1' must be true or false, got %2").arg(e.key, describe(e.value)));
    return std::nullopt;
}

std::optional<milliseconds> YamlReader::duration(const Entry& e)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$"));
    if (!e.value.IsScalar()) {
        error(pos(e),
            QStringLiteral("'%1' must be a duration such as 500ms or 2s, got %2").arg(e.key, describe(e.value)));
        return std::nullopt;
    }
    const QString text = fromStd(e.value.Scalar()).trimmed();
    if (text.startsWith(u'-')) {
        error(pos(e), QStringLiteral("'%1' must not be negative, got %2").arg(e.key, quoted(text)));
        return std::nullopt;
    }
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) {
        error(pos(e),
            QStringLiteral("'%1': bad duration %2 (expected a number and a unit ms, s, m or h, e.g. 250ms or 1.5s)")
                .arg(e.key, quoted(text)));
        return std::nullopt;
    }
    const double value = m.capturedView(1).toDouble();
    const QStringView unit = m.capturedView(2);
    const double scale = unit == u"ms" ? 1 : unit == u"s" ? 1e3 : unit == u"m" ? 60e3 : 3600e3;
    const double ms = value * scale;
    // A week is far beyond any probing interval; the bound keeps the conversion exact.
    if (ms > 7 * 24 * 3600e3) {
        error(pos(e), QStringLiteral("'%1' is too long: %2 (at most a week)").arg(e.key, quoted(text)));
        return std::nullopt;
    }
    if (ms < 1) {
        error(pos(e), QStringLiteral("'%1' must be positive (at least 1ms), got %2").arg(e.key, quoted(text)));
        return std::nullopt;
    }
    return milliseconds(qint64(std::llround(ms)));
}

std::optional<QString> YamlReader::name(const YNode& n, const QString& what)
{
    if (!n.IsScalar() || n.Scalar().empty()) {
        error(pos(n), QStringLiteral("%1 must be a name, got %2").arg(what, describe(n)));
        return std::nullopt;
    }
    const QString s = fromStd(n.Scalar());
    if (!namePattern().match(s).hasMatch()) {
        error(pos(n), QStringLiteral("invalid %1 %2 (use letters, digits, '_', '.' and '-')").arg(what, quoted(s)));
        return std::nullopt;
    }
    return s;
}

std::optional<QString> YamlReader::name(const Entry& e, const QString& what)
{
    if (!e.value.IsDefined() || e.value.IsNull()) {
        error(pos(e), QStringLiteral("%1 must be a name, got nothing").arg(what));
        return std::nullopt;
    }
    return name(e.value, what);
}

std::optional<QUrl> YamlReader::url(const Entry& e)
{
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    const QUrl u(*text, QUrl::StrictMode);
    QString why;
    if (!u.isValid() || u.isRelative())
        why = QStringLiteral("not an absolute URL");
    else if (u.scheme() != u"http" && u.scheme() != u"https")
        why = QStringLiteral("scheme must be http or https");
    else if (u.host().isEmpty())
        why = QStringLiteral("no host");
    else if (!u.userInfo().isEmpty())
        why = QStringLiteral("credentials in the URL; reference secrets with token: { env | file } instead");
    if (!why.isEmpty()) {
        error(pos(e), QStringLiteral("'%1': bad URL %2 (%3)").arg(e.key, quoted(*text), why));
        return std::nullopt;
    }
    return u;
}

std::optional<QString> YamlReader::host(const Entry& e)
{
    static const QRegularExpression hostname(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_-]*)(\\.[A-Za-z0-9_-]+)*\\.?$"));
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    QString h = *text;
    if (h.startsWith(u'[') && h.endsWith(u']'))
        h = h.mid(1, h.size() - 2);
    const bool isIp = QHostAddress(h).protocol() != QAbstractSocket::UnknownNetworkLayerProtocol;
    if (!isIp && !hostname.match(*text).hasMatch()) {
        error(pos(e),
            QStringLiteral("'%1': bad host %2 (expected a host name or an IP address, without port)")
                .arg(e.key, quoted(*text)));
        return std::nullopt;
    }
    return *text;
}

std::optional<QString> YamlReader::hostPort(const Entry& e)
{
    static const QRegularExpression hostname(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_-]*)(\\.[A-Za-z0-9_-]+)*\\.?$"));
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    QString h;
    QString port;
    QString why;
    if (text->startsWith(u'[')) {
        const qsizetype close = text->indexOf(QStringLiteral("]:"));
        if (close < 0) {
            why = QStringLiteral("expected [IPv6]:port");
        } else {
            h = text->mid(1, close - 1);
            port = text->mid(close + 2);
            if (QHostAddress(h).protocol() != QAbstractSocket::IPv6Protocol)
                why = QStringLiteral("%1 is not an IPv6 address").arg(quoted(h));
        }
    } else {
        const qsizetype colon = text->lastIndexOf(u':');
        if (colon < 0) {
            why = QStringLiteral("no port; expected host:port, e.g. 127.0.0.1:9100");
        } else {
            h = text->left(colon);
            port = text->mid(colon + 1);
            if (h.contains(u':'))
                why = QStringLiteral("write IPv6 addresses in brackets: [::1]:9100");
            else if (QHostAddress(h).protocol() == QAbstractSocket::UnknownNetworkLayerProtocol
                && !hostname.match(h).hasMatch())
                why = QStringLiteral("bad host %1").arg(quoted(h));
        }
    }
    if (why.isEmpty()) {
        bool ok = false;
        const int p = port.toInt(&ok);
        if (!ok || p < 1 || p > 65535 || port.startsWith(u'+'))
            why = QStringLiteral("port must be 1–65535");
    }
    if (!why.isEmpty()) {
        error(pos(e), QStringLiteral("'%1': bad address %2 (%3)").arg(e.key, quoted(*text), why));
        return std::nullopt;
    }
    return *text;
}

std::optional<QString> YamlReader::path(const Entry& e)
{
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    if (text->contains(QChar(0))) {
        error(pos(e), QStringLiteral("'%1': bad path").arg(e.key));
        return std::nullopt;
    }
    return QDir::cleanPath(QDir(m_baseDir).absoluteFilePath(*text));
}

SourcePosition YamlReader::positionInScalar(const YNode& n, const QString& text, int column) const
{
    const SourcePosition base = pos(n);
    const YAML::Mark m = n.Mark();
    if (!base.isValid() || text.contains(u'\n'))
        return base;
    // Find the scalar's first byte: walk to its line, then its column.
    qsizetype at = 0;
    for (int line = 0; line < m.line; ++line) {
        at = m_source.indexOf('\n', at);
        if (at < 0)
            return base;
        ++at;
    }
    at += m.column;
    int quote = 0;
    if (at < m_source.size() && (m_source.at(at) == '\'' || m_source.at(at) == '"')) {
        ++at;
        quote = 1;
    }
    // Only when the file holds the value verbatim (no escapes, no folding) do string columns map to file columns.
    const QByteArray raw = text.toUtf8();
    if (m_source.mid(at, raw.size()) != raw)
        return base;
    return { base.line, base.column + quote + int(text.left(column).toUtf8().size()) };
}

std::optional<Selector> YamlReader::selector(const Entry& e, QString* text)
{
    const auto s = string(e);
    if (!s)
        return std::nullopt;
    QString why;
    int column = 0;
    auto parsed = Selector::parse(*s, &why, &column);
    if (!parsed) {
        error(positionInScalar(e.value, *s, column), QStringLiteral("'%1': bad selector: %2").arg(e.key, why));
        return std::nullopt;
    }
    *text = *s;
    return parsed;
}

std::optional<QString> YamlReader::labelName(const Entry& e)
{
    const auto v = string(e);
    if (!v)
        return std::nullopt;
    if (!labelNamePattern().match(*v).hasMatch()) {
        error(pos(e),
            QStringLiteral("'%1' must be a label name ([A-Za-z_][A-Za-z0-9_]*), got %2").arg(e.key, quoted(*v)));
        return std::nullopt;
    }
    return v;
}

std::optional<CauseClass> YamlReader::causeClass(const Entry& e)
{
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    const auto cause = CauseClasses::fromString(*text);
    if (!cause)
        error(pos(e),
            QStringLiteral("unknown cause class %1 (one of: %2)%3")
                .arg(quoted(*text), CauseClasses::names().join(QStringLiteral(", ")),
                    didYouMean(*text, CauseClasses::names())));
    return cause;
}

std::optional<QDateTime> YamlReader::utcTime(const Entry& e)
{
    const auto text = string(e);
    if (!text)
        return std::nullopt;
    // ISO-8601 with Z or an offset; without one the time is UTC. "2026-11-28 02:00" is accepted as well.
    QString s = text->trimmed();
    if (s.size() > 10 && s.at(10) == u' ')
        s[10] = u'T';
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc());
    if (!t.isValid()) {
        error(pos(e),
            QStringLiteral("'%1': %2 is not a time; write ISO-8601 such as 2026-11-28T02:00:00Z (UTC) or "
                           "2026-11-28T03:00:00+01:00")
                .arg(e.key, quoted(*text)));
        return std::nullopt;
    }
    return t.toUTC();
}

std::optional<QMap<QString, QString>> YamlReader::env(const Entry& e)
{
    if (!e.value.IsMap()) {
        error(pos(e),
            QStringLiteral("'env' must be a mapping of variable name → value (e.g. env: { REGION: eu-1 }), got %1")
                .arg(describe(e.value)));
        return std::nullopt;
    }
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    QMap<QString, QString> env;
    bool ok = true;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const QString name = it->first.IsScalar() ? fromStd(it->first.Scalar()) : QString();
        if (!envName.match(name).hasMatch()) {
            error(pos(it->first),
                QStringLiteral("'env': %1 is not an environment variable name").arg(describe(it->first)));
            ok = false;
            continue;
        }
        if (env.contains(name)) {
            error(pos(it->first), QStringLiteral("'env': %1 is given twice").arg(name));
            ok = false;
            continue;
        }
        if (!it->second.IsScalar()) {
            error(pos(it->second),
                QStringLiteral("'env': %1 must be a string; a secret is never written here (a command reads its own "
                               "token file)")
                    .arg(name));
            ok = false;
            continue;
        }
        env.insert(name, fromStd(it->second.Scalar()));
    }
    if (!ok)
        return std::nullopt;
    return env;
}

} // namespace FaultDesk
