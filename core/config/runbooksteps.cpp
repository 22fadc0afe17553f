// One reader per runbook step kind (command, run, http, haproxy, wait, sql) and the conditions steps wait for.

#include "config/configsections.h"
#include "config/fieldtable.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>

namespace FaultDesk::ConfigSections {

namespace {

const QStringList& runbookFields()
{
    static const QStringList fields { QStringLiteral("target"), QStringLiteral("address"), QStringLiteral("group"),
        QStringLiteral("cause"), QStringLiteral("incident"), QStringLiteral("backend"), QStringLiteral("server"),
        QStringLiteral("instance") };
    return fields;
}

bool isShell(const QString& program)
{
    static const QStringList shells { QStringLiteral("sh"), QStringLiteral("bash"), QStringLiteral("dash"),
        QStringLiteral("zsh"), QStringLiteral("ksh"), QStringLiteral("csh"), QStringLiteral("tcsh"),
        QStringLiteral("fish"), QStringLiteral("busybox") };
    return shells.contains(QFileInfo(program).fileName());
}

/// `-c`, `-lc`, `-ec` …: a shell told to run its next argument as a command line.
bool isShellCommandOption(const QString& arg)
{
    return arg.startsWith(u'-') && !arg.startsWith(QStringLiteral("--")) && arg.contains(u'c');
}

/// Splits a shell command line into words the way a POSIX shell would for plain words and quotes (no
/// expansions): only to suggest the argument vector a shell string should have been.
QStringList shellWords(const QString& line)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == u'\\' && quote == u'"' && i + 1 < line.size())
                word += line.at(++i);
            else
                word += c;
        } else if (c == u'\'' || c == u'"') {
            quote = c;
            inWord = true;
        } else if (c == u'\\' && i + 1 < line.size()) {
            word += line.at(++i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

/// A YAML flow list spelling of @p argv, for "write it as …" suggestions.
QString flowList(const QStringList& argv)
{
    QStringList parts;
    for (const QString& a : argv) {
        static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./=@%+-]+$"));
        parts << (plain.match(a).hasMatch() && !a.startsWith(u'-')
                ? a
                : u'\'' + QString(a).replace(u'\'', QStringLiteral("''")) + u'\'');
    }
    return u'[' + parts.join(QStringLiteral(", ")) + u']';
}

/// A YAML value as JSON (an http body given as a mapping): plain scalars that read as numbers or booleans become
/// those; quoted scalars stay strings.
QJsonValue toJson(const YNode& n, int depth = 0)
{
    if (depth > 32 || !n.IsDefined() || n.IsNull())
        return QJsonValue();
    if (n.IsMap()) {
        QJsonObject o;
        for (auto it = n.begin(); it != n.end(); ++it)
            if (it->first.IsScalar())
                o.insert(fromStd(it->first.Scalar()), toJson(it->second, depth + 1));
        return o;
    }
    if (n.IsSequence()) {
        QJsonArray a;
        for (const YNode& x : n)
            a.append(toJson(x, depth + 1));
        return a;
    }
    const QString text = fromStd(n.Scalar());
    if (n.Tag() == "!")
        return text;
    if (text == u"true" || text == u"false")
        return text == u"true";
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok && std::isfinite(v))
        return v;
    return text;
}

bool checkTemplate(YamlReader& yaml, const YNode& n, const QString& text, const QString& what, bool allowAdmin = false)
{
    // The same placeholder rule as TemplateFields: only {identifier}; other braces (a JSON body's) are literal.
    static const QRegularExpression placeholder(QStringLiteral("\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    bool ok = true;
    auto matches = placeholder.globalMatch(text);
    while (matches.hasNext()) {
        const QRegularExpressionMatch m = matches.next();
        const QString field = m.captured(1);
        if (field == u"admin" && allowAdmin && m.capturedStart() == 0)
            continue;
        if (field == u"admin") {
            yaml.error(yaml.positionInScalar(n, text, int(m.capturedStart())),
                QStringLiteral("%1: {admin} (the target's admin URL) may only start an http step's url").arg(what));
            ok = false;
        } else if (!runbookFields().contains(field)) {
            yaml.error(yaml.positionInScalar(n, text, int(m.capturedStart())),
                QStringLiteral("%1: unknown template field {%2} (known: %3)%4")
                    .arg(what, field, runbookFields().join(QStringLiteral(", ")), didYouMean(field, runbookFields())));
            ok = false;
        }
    }
    return ok;
}

} // namespace

std::optional<RunbookCondition> readRunbookCondition(
    YamlReader& yaml, const Entry& e, bool precondition, RunbookNeeds& needs)
{
    QStringList keys { QStringLiteral("healthy_for"), QStringLiteral("load_below"), QStringLiteral("load_above"),
        QStringLiteral("equals"), QStringLiteral("signal") };
    if (precondition)
        keys << QStringLiteral("otherwise");
    const QString what = precondition ? QStringLiteral("a precondition") : QStringLiteral("'%1'").arg(e.key);
    const auto f = yaml.mapping(e.value, yaml.pos(e), what, keys);
    if (!f)
        return std::nullopt;
    RunbookCondition c;
    c.position = f->position;
    const Entry* kind = nullptr;
    bool ok = true;
    for (const Entry& x : f->entries) {
        if (x.key == u"signal") {
            if (const auto v = yaml.name(x, QStringLiteral("signal name")))
                c.signal = *v;
            else
                ok = false;
            continue;
        }
        if (x.key == u"otherwise") {
            const auto v = yaml.string(x);
            if (v == u"skip" || v == u"fail") {
                c.skipWhenUnmet = *v == u"skip";
            } else {
                if (v)
                    yaml.error(yaml.pos(x), QStringLiteral("'otherwise' must be skip or fail, got %1").arg(quoted(*v)));
                ok = false;
            }
            continue;
        }
        if (kind) {
            yaml.error(yaml.pos(x.keyNode),
                QStringLiteral("%1 has both '%2' and '%3'; give one of healthy_for, load_below, load_above, equals")
                    .arg(what, kind->key, x.key));
            ok = false;
            continue;
        }
        kind = &x;
        if (x.key == u"healthy_for") {
            c.kind = RunbookCondition::Kind::Healthy;
            // `healthy_for: 3` or `healthy_for: 3 checks`.
            QString text = x.value.IsScalar() ? fromStd(x.value.Scalar()).trimmed() : QString();
            if (text.endsWith(QStringLiteral(" checks")) || text.endsWith(QStringLiteral(" check")))
                text = text.section(u' ', 0, 0);
            bool isInt = false;
            const int k = text.toInt(&isInt);
            if (!isInt || k < 1 || k > 100) {
                yaml.error(yaml.pos(x),
                    QStringLiteral("'healthy_for' must be a number of checks 1–100 (e.g. 3 or '3 checks'), got %1")
                        .arg(describe(x.value)));
                ok = false;
            }
            c.checks = k;
        } else if (x.key == u"equals") {
            // A number, or a word the signal defines: pg_role is 1 on a primary and 0 on a replica. Which signal it
            // is comes after all keys are read.
            c.kind = RunbookCondition::Kind::Equals;
            c.equalsText = x.value.IsScalar() ? fromStd(x.value.Scalar()).trimmed() : QString();
            if (!x.value.IsScalar() || c.equalsText.isEmpty()) {
                yaml.error(yaml.pos(x), QStringLiteral("'equals' must be a value, got %1").arg(describe(x.value)));
                ok = false;
            }
        } else {
            c.kind = x.key == u"load_below" ? RunbookCondition::Kind::Below : RunbookCondition::Kind::Above;
            if (const auto v = yaml.number(x))
                c.level = *v;
            else
                ok = false;
        }
    }
    if (!kind) {
        yaml.error(f->position,
            QStringLiteral("%1 needs one of healthy_for: K, load_below: X, load_above: X or equals: V").arg(what));
        return std::nullopt;
    }
    if (c.kind == RunbookCondition::Kind::Equals && ok) {
        bool isNumber = false;
        c.level = c.equalsText.toDouble(&isNumber);
        if (!isNumber && c.signal == u"pg_role" && (c.equalsText == u"primary" || c.equalsText == u"replica")) {
            c.level = c.equalsText == u"primary" ? 1 : 0;
        } else if (!isNumber) {
            yaml.error(yaml.pos(*kind),
                c.signal == u"pg_role"
                    ? QStringLiteral("'equals' on pg_role must be primary or replica (or 1 / 0), got %1%2")
                          .arg(quoted(c.equalsText),
                              didYouMean(c.equalsText, { QStringLiteral("primary"), QStringLiteral("replica") }))
                    : QStringLiteral("'equals' on signal '%1' must be a number (only pg_role has names: primary, "
                                     "replica), got %2")
                          .arg(c.signal, quoted(c.equalsText)));
            ok = false;
        }
    }
    if (c.kind != RunbookCondition::Kind::Healthy)
        needs.signalNames.append({ c.signal, f->position });
    else if (f->get(u"signal"))
        yaml.error(yaml.pos(f->get(u"signal")->keyNode),
            QStringLiteral("'signal' applies to load_below/load_above, not to healthy_for"));
    if (!ok)
        return std::nullopt;
    return c;
}

namespace {

/// `run: NAME` — the bound target's own command NAME.
std::optional<RunbookActionConfig> readRunStep(
    YamlReader& yaml, const FleetConfig&, const Entry& e, RunbookNeeds& needs)
{
    RunbookActionConfig a;
    // The bound target's own `commands:` entry, so one runbook serves targets started differently.
    a.kind = RunbookActionConfig::Kind::Command;
    const auto v = yaml.name(e, QStringLiteral("command name"));
    if (!v)
        return std::nullopt;
    a.commandName = *v;
    needs.commands.append({ *v, yaml.pos(e) });
    return a;
}

/// `command: [program, arg, …]` — an argument vector with template fields, never a shell string.
std::optional<RunbookActionConfig> readCommandStep(YamlReader& yaml, const FleetConfig&, const Entry& e, RunbookNeeds&)
{
    RunbookActionConfig a;
    a.kind = RunbookActionConfig::Kind::Command;
    if (e.value.IsScalar()) {
        // A single string would need a shell to split it: refused, with the list it should be.
        const QString text = fromStd(e.value.Scalar());
        QStringList words = shellWords(text);
        if (words.size() >= 3 && isShell(words.at(0)) && isShellCommandOption(words.at(1)))
            words = shellWords(words.at(2));
        yaml.error(yaml.pos(e),
            QStringLiteral("'command' must be an argument vector, not a shell string %1: commands never go "
                           "through a shell; write it as a list, e.g. command: %2")
                .arg(quoted(text), words.isEmpty() ? QStringLiteral("[program, arg, …]") : flowList(words)));
        return std::nullopt;
    }
    if (!e.value.IsSequence()) {
        yaml.error(yaml.pos(e),
            QStringLiteral("'command' must be an argument vector [program, arg, …], got %1").arg(describe(e.value)));
        return std::nullopt;
    }
    if (e.value.size() == 0 || !yaml.spend(qint64(e.value.size()))) {
        yaml.error(yaml.pos(e), QStringLiteral("'command' is empty"));
        return std::nullopt;
    }
    bool ok = true;
    for (const YNode& arg : e.value) {
        if (!arg.IsScalar()) {
            yaml.error(
                yaml.pos(arg), QStringLiteral("arguments of 'command' must be strings, got %1").arg(describe(arg)));
            ok = false;
            continue;
        }
        const QString text = fromStd(arg.Scalar());
        ok = checkTemplate(yaml, arg, text, QStringLiteral("command")) && ok;
        a.argv << text;
    }
    if (!ok)
        return std::nullopt;
    if (a.argv.constFirst().isEmpty()) {
        yaml.error(yaml.pos(e), QStringLiteral("'command' has an empty program name"));
        return std::nullopt;
    }
    if (a.argv.size() >= 2 && isShell(a.argv.at(0)) && isShellCommandOption(a.argv.at(1))) {
        const QStringList inner = a.argv.size() >= 3 ? shellWords(a.argv.at(2)) : QStringList();
        yaml.error(yaml.pos(e),
            QStringLiteral("'command' runs a shell with %1: a shell string in disguise; give the program and its "
                           "arguments directly%2")
                .arg(quoted(a.argv.at(1)),
                    inner.isEmpty() ? QString() : QStringLiteral(", e.g. command: %1").arg(flowList(inner))));
        return std::nullopt;
    }
    return a;
}

bool readMethod(YamlReader& yaml, const Entry& x, RunbookActionConfig& a)
{
    static const QStringList methods { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
        QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD") };
    const auto m = yaml.string(x);
    if (m && methods.contains(m->toUpper())) {
        a.method = m->toUpper();
        return true;
    }
    if (m)
        yaml.error(yaml.pos(x),
            QStringLiteral("'method' must be one of %1, got %2").arg(methods.join(QStringLiteral(", ")), quoted(*m)));
    return false;
}

bool readStepUrl(YamlReader& yaml, const Entry& x, RunbookActionConfig& a)
{
    const auto text = yaml.string(x);
    if (!text || !checkTemplate(yaml, x.value, *text, QStringLiteral("url"), true))
        return false;
    a.url = *text;
    if (text->startsWith(QStringLiteral("{admin}"))) {
        const QString rest = text->mid(7);
        if (!rest.isEmpty() && !rest.startsWith(u'/')) {
            yaml.error(yaml.pos(x), QStringLiteral("'url': after {admin} comes a path such as /restart"));
            return false;
        }
        return true;
    }
    static const QRegularExpression placeholder(QStringLiteral("\\{[A-Za-z_][A-Za-z0-9_]*\\}"));
    const QUrl u(QString(*text).replace(placeholder, QStringLiteral("x")), QUrl::StrictMode);
    QString why;
    if (!u.isValid() || u.isRelative())
        why = QStringLiteral("not an absolute URL; use http(s)://… or {admin}/path");
    else if (u.scheme() != u"http" && u.scheme() != u"https")
        why = QStringLiteral("scheme must be http or https");
    else if (u.host().isEmpty())
        why = QStringLiteral("no host");
    else if (!u.userInfo().isEmpty())
        why = QStringLiteral("credentials in the URL; use token: {env: …} or {file: …}");
    if (why.isEmpty())
        return true;
    yaml.error(yaml.pos(x), QStringLiteral("'url': bad URL %1 (%2)").arg(quoted(*text), why));
    return false;
}

bool readHeaders(YamlReader& yaml, const Entry& x, RunbookActionConfig& a)
{
    if (!x.value.IsMap()) {
        yaml.error(
            yaml.pos(x), QStringLiteral("'headers' must be a mapping of name → value, got %1").arg(describe(x.value)));
        return false;
    }
    static const QRegularExpression headerName(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"));
    bool ok = true;
    for (auto it = x.value.begin(); it != x.value.end(); ++it) {
        const QString hn = it->first.IsScalar() ? fromStd(it->first.Scalar()) : QString();
        if (!headerName.match(hn).hasMatch()) {
            yaml.error(yaml.pos(it->first), QStringLiteral("bad header name %1").arg(describe(it->first)));
            ok = false;
            continue;
        }
        if (hn.compare(u"Authorization", Qt::CaseInsensitive) == 0) {
            yaml.error(yaml.pos(it->first),
                QStringLiteral("an Authorization header would put a secret in the configuration; use "
                               "token: {env: VARIABLE} or token: {file: /path}"));
            ok = false;
            continue;
        }
        if (!it->second.IsScalar()) {
            yaml.error(yaml.pos(it->second),
                QStringLiteral("header '%1' must be a string, got %2").arg(hn, describe(it->second)));
            ok = false;
            continue;
        }
        const QString value = fromStd(it->second.Scalar());
        ok = checkTemplate(yaml, it->second, value, QStringLiteral("header %1").arg(hn)) && ok;
        a.headers.append({ hn, value });
    }
    return ok;
}

bool readBody(YamlReader& yaml, const Entry& x, RunbookActionConfig& a)
{
    if (x.value.IsMap() || x.value.IsSequence()) {
        a.body = QString::fromUtf8(x.value.IsMap()
                ? QJsonDocument(toJson(x.value).toObject()).toJson(QJsonDocument::Compact)
                : QJsonDocument(toJson(x.value).toArray()).toJson(QJsonDocument::Compact));
        return checkTemplate(yaml, x.value, a.body, QStringLiteral("body"));
    }
    const auto text = yaml.string(x, true);
    if (!text)
        return false;
    a.body = *text;
    return checkTemplate(yaml, x.value, *text, QStringLiteral("body"));
}

/// `http: {method, url, headers, body, token}` — a call to the target's admin API or any URL.
std::optional<RunbookActionConfig> readHttpStep(
    YamlReader& yaml, const FleetConfig&, const Entry& e, RunbookNeeds& needs)
{
    static const FieldTable<RunbookActionConfig> fields {
        Bind::custom<RunbookActionConfig>(QStringLiteral("method"), readMethod),
        Bind::custom<RunbookActionConfig>(QStringLiteral("url"), readStepUrl),
        Bind::custom<RunbookActionConfig>(QStringLiteral("headers"), readHeaders),
        Bind::custom<RunbookActionConfig>(QStringLiteral("body"), readBody),
    };
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("an http step"), fieldKeys(fields, tokenKeys()));
    if (!f)
        return std::nullopt;
    RunbookActionConfig a;
    a.kind = RunbookActionConfig::Kind::Http;
    bool ok = readFields(yaml, *f, fields, a);
    if (a.url.startsWith(QStringLiteral("{admin}")))
        needs.admin.append(yaml.pos(*f->get(u"url")));
    ok = readToken(yaml, *f, QStringLiteral("http step"), a.token, a.insecureTokenOverHttp) && ok;
    if (!f->get(u"url")) {
        yaml.missing(*f, QStringLiteral("http step"), QStringLiteral("url"));
        ok = false;
    }
    // A literal host can be judged now; {admin} is judged at the admin section, a templated host at run time.
    if (!a.url.startsWith(QStringLiteral("{admin}")) && !QUrl(a.url).host().contains(u'{'))
        ok = checkTokenTransport(
                 yaml, *f, QUrl(a.url), a.token.has_value(), a.insecureTokenOverHttp, QStringLiteral("http step"))
            && ok;
    if (!ok)
        return std::nullopt;
    return a;
}

/// `haproxy: {set_state | set_weight | block_sources | unblock_sources, …}` — through the Runtime API.
std::optional<RunbookActionConfig> readHaproxyStep(
    YamlReader& yaml, const FleetConfig& fleet, const Entry& e, RunbookNeeds& needs)
{
    RunbookActionConfig a;
    a.kind = RunbookActionConfig::Kind::Haproxy;
    const QStringList ops { QStringLiteral("set_state"), QStringLiteral("set_weight"), QStringLiteral("block_sources"),
        QStringLiteral("unblock_sources") };
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("a haproxy step"),
        ops + QStringList { QStringLiteral("instance"), QStringLiteral("backend"), QStringLiteral("server") });
    if (!f)
        return std::nullopt;
    bool ok = true;
    const Entry* op = nullptr;
    for (const Entry& x : f->entries) {
        if (!ops.contains(x.key))
            continue;
        if (op) {
            yaml.error(yaml.pos(x.keyNode),
                QStringLiteral("haproxy step has both '%1' and '%2'; give one of %3")
                    .arg(op->key, x.key, ops.join(QStringLiteral(", "))));
            ok = false;
            continue;
        }
        op = &x;
    }
    if (!op) {
        yaml.error(f->position, QStringLiteral("haproxy step needs one of %1").arg(ops.join(QStringLiteral(", "))));
        return std::nullopt;
    }
    if (op->key == u"set_state") {
        a.haproxyOp = RunbookActionConfig::HaproxyOp::SetState;
        const QStringList states { QStringLiteral("ready"), QStringLiteral("drain"), QStringLiteral("maint") };
        const QString v = op->value.IsScalar() ? fromStd(op->value.Scalar()) : QString();
        if (!states.contains(v)) {
            yaml.error(yaml.pos(*op),
                QStringLiteral("'set_state' must be ready, drain or maint, got %1%2")
                    .arg(describe(op->value), didYouMean(v, states)));
            ok = false;
        }
        a.state = v;
    } else if (op->key == u"set_weight") {
        const QString v = op->value.IsScalar() ? fromStd(op->value.Scalar()) : QString();
        if (v == u"model") {
            a.haproxyOp = RunbookActionConfig::HaproxyOp::SetWeightModel;
        } else if (v == u"baseline") {
            a.haproxyOp = RunbookActionConfig::HaproxyOp::SetWeightBaseline;
        } else {
            a.haproxyOp = RunbookActionConfig::HaproxyOp::SetWeight;
            bool isInt = false;
            a.weight = v.toInt(&isInt);
            if (!isInt || a.weight < 0 || a.weight > 256) {
                yaml.error(yaml.pos(*op),
                    QStringLiteral("'set_weight' must be a weight 0–256, 'model' (the load-balancing model) or "
                                   "'baseline', got %1")
                        .arg(describe(op->value)));
                ok = false;
            }
        }
    } else {
        a.haproxyOp = op->key == u"block_sources" ? RunbookActionConfig::HaproxyOp::BlockSources
                                                  : RunbookActionConfig::HaproxyOp::UnblockSources;
        const auto v = yaml.boolean(*op);
        if (v == false) {
            yaml.error(yaml.pos(*op), QStringLiteral("'%1: false' does nothing; remove the step").arg(op->key));
            ok = false;
        } else if (!v) {
            ok = false;
        }
    }
    for (const Entry& x : f->entries) {
        if (x.key == u"instance") {
            const auto v = yaml.name(x, QStringLiteral("haproxy instance"));
            if (!v) {
                ok = false;
            } else if (!fleet.haproxyInstance(*v)) {
                QStringList instances;
                for (const HaproxyInstance& h : std::as_const(fleet.haproxy))
                    instances << h.name;
                yaml.error(yaml.pos(x),
                    QStringLiteral("haproxy: unknown instance '%1'%2; instances are defined in the top-level "
                                   "'haproxy' list")
                        .arg(*v, didYouMean(*v, instances)));
                ok = false;
            } else {
                a.instance = *v;
            }
        } else if (x.key == u"backend" || x.key == u"server") {
            const auto v = yaml.string(x);
            if (!v || !checkTemplate(yaml, x.value, *v, QStringLiteral("haproxy %1").arg(x.key))) {
                ok = false;
                continue;
            }
            if (!v->contains(u'{') && !namePattern().match(*v).hasMatch()) {
                yaml.error(yaml.pos(x),
                    QStringLiteral("invalid haproxy %1 %2 (use letters, digits, '_', '.' and '-')")
                        .arg(x.key, quoted(*v)));
                ok = false;
                continue;
            }
            (x.key == u"backend" ? a.backend : a.server) = *v;
        }
    }
    if (fleet.haproxy.isEmpty()) {
        yaml.error(yaml.pos(e.keyNode),
            QStringLiteral("haproxy step: no haproxy instance is configured (top-level 'haproxy')"));
        ok = false;
    }
    const bool sources = a.haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
        || a.haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources;
    if (sources) {
        const HaproxyInstance* h = a.instance.isEmpty()
            ? (fleet.haproxy.isEmpty() ? nullptr : &fleet.haproxy.constFirst())
            : fleet.haproxyInstance(a.instance);
        if (h && h->blockAcl.isEmpty()) {
            yaml.error(
                yaml.pos(*op), QStringLiteral("'%1' needs a block_acl on haproxy instance '%2'").arg(op->key, h->name));
            ok = false;
        }
        if (f->get(u"backend") || f->get(u"server")) {
            yaml.error(yaml.pos(*op),
                QStringLiteral("'%1' acts on the instance's block ACL: backend/server do not apply").arg(op->key));
            ok = false;
        }
    } else if (a.backend.isEmpty()) {
        needs.membership.append(yaml.pos(e.keyNode));
    }
    if (!ok)
        return std::nullopt;
    return a;
}

/// `wait: {healthy_for | load_below | load_above}` — a condition the step waits for.
std::optional<RunbookActionConfig> readWaitStep(
    YamlReader& yaml, const FleetConfig&, const Entry& e, RunbookNeeds& needs)
{
    RunbookActionConfig a;
    a.kind = RunbookActionConfig::Kind::Wait;
    const auto c = readRunbookCondition(yaml, e, false, needs);
    if (!c)
        return std::nullopt;
    a.wait = *c;
    return a;
}

/// `sql: {statement, params}` — one statement on the bound target's postgres connection. The statement is literal
/// SQL: template fields may only appear in params, which are bound to $1, $2 … and never spliced into its text.
std::optional<RunbookActionConfig> readSqlStep(
    YamlReader& yaml, const FleetConfig&, const Entry& e, RunbookNeeds& needs)
{
    RunbookActionConfig a;
    a.kind = RunbookActionConfig::Kind::Sql;
    const auto f = yaml.mapping(
        e.value, yaml.pos(e), QStringLiteral("an sql step"), { QStringLiteral("statement"), QStringLiteral("params") });
    if (!f)
        return std::nullopt;
    bool ok = true;
    const Entry* statement = f->get(u"statement");
    if (!statement) {
        yaml.missing(*f, QStringLiteral("sql step"), QStringLiteral("statement"));
        return std::nullopt;
    }
    const auto text = yaml.string(*statement);
    if (!text)
        return std::nullopt;
    a.statement = *text;
    if (a.statement.trimmed().isEmpty()) {
        yaml.error(yaml.pos(*statement), QStringLiteral("'statement' is empty"));
        ok = false;
    }
    // Any {field} in the statement would be text spliced into SQL: refused wherever it stands, even in a string.
    static const QRegularExpression placeholder(QStringLiteral("\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    auto matches = placeholder.globalMatch(a.statement);
    while (matches.hasNext()) {
        const QRegularExpressionMatch m = matches.next();
        yaml.error(yaml.positionInScalar(statement->value, a.statement, int(m.capturedStart())),
            QStringLiteral("sql statement: template field {%1} in the SQL text; SQL takes values only as bound "
                           "parameters: write $N there and put '{%1}' in params")
                .arg(m.captured(1)));
        ok = false;
    }
    if (const Entry* params = f->get(u"params")) {
        if (!params->value.IsSequence()) {
            yaml.error(yaml.pos(*params),
                QStringLiteral("'params' must be a list of values for $1, $2 …, got %1").arg(describe(params->value)));
            ok = false;
        } else if (!yaml.spend(qint64(params->value.size()))) {
            ok = false;
        } else {
            for (const YNode& p : params->value) {
                if (!p.IsScalar()) {
                    yaml.error(
                        yaml.pos(p), QStringLiteral("sql params must be strings or numbers, got %1").arg(describe(p)));
                    ok = false;
                    continue;
                }
                const QString value = fromStd(p.Scalar());
                ok = checkTemplate(yaml, p, value, QStringLiteral("sql params")) && ok;
                a.params << value;
            }
        }
    }
    // Every $N the statement uses needs its value, and every value a $N: a miscount is a mistake, not a default.
    static const QRegularExpression positional(QStringLiteral("\\$([0-9]+)"));
    int highest = 0;
    auto numbers = positional.globalMatch(a.statement);
    while (numbers.hasNext())
        highest = qMax(highest, numbers.next().captured(1).toInt());
    if (ok && highest != a.params.size()) {
        yaml.error(f->get(u"params") ? yaml.pos(*f->get(u"params")) : yaml.pos(*statement),
            QStringLiteral("the statement uses %1 parameter%2 ($1 … $N) but params gives %3 value%4")
                .arg(highest)
                .arg(highest == 1 ? QString() : QStringLiteral("s"))
                .arg(a.params.size())
                .arg(a.params.size() == 1 ? QString() : QStringLiteral("s")));
        ok = false;
    }
    needs.postgres.append(yaml.pos(e.keyNode));
    if (!ok)
        return std::nullopt;
    return a;
}

/// A runbook step kind: its key and its reader.
struct StepKind
{
    QStringView key;
    std::optional<RunbookActionConfig> (*read)(YamlReader&, const FleetConfig&, const Entry&, RunbookNeeds&);
};

constexpr StepKind stepKinds[] = {
    { u"command", readCommandStep },
    { u"run", readRunStep },
    { u"http", readHttpStep },
    { u"haproxy", readHaproxyStep },
    { u"wait", readWaitStep },
    { u"sql", readSqlStep },
};

} // namespace

const QStringList& stepKindNames()
{
    static const QStringList names = [] {
        QStringList n;
        for (const StepKind& k : stepKinds)
            n << k.key.toString();
        return n;
    }();
    return names;
}

std::optional<RunbookActionConfig> readRunbookAction(
    YamlReader& yaml, const ConfigDraft& draft, const Entry& e, RunbookNeeds& needs)
{
    for (const StepKind& kind : stepKinds) {
        if (kind.key != e.key)
            continue;
        auto a = kind.read(yaml, draft.config, e, needs);
        if (a)
            a->position = yaml.pos(e.keyNode);
        return a;
    }
    return std::nullopt; // the step's mapping admits only the keys above
}

} // namespace FaultDesk::ConfigSections
