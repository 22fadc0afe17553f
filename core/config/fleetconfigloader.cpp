#include "fleetconfigloader.h"

#include "yamlreader.h"

#include "net/httpclient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace FaultDesk {

namespace {

// Every configured secret that can be read now is registered with SecretMask (resolve() does that), so it is
// masked wherever text is written, whoever printed it. A secret that cannot be read yet is registered when it is.
void maskConfiguredSecrets(const FleetConfig& config)
{
    auto read = [](const std::optional<SecretRef>& ref) {
        if (ref)
            ref->resolve();
    };
    for (const auto& p : config.prometheus)
        read(p.token);
    for (const auto& a : config.alertmanager)
        read(a.token);
    for (const auto& t : config.targets)
        if (t.admin)
            read(t.admin->token);
    for (const auto& rb : config.runbooks) {
        for (const auto* steps : { &rb.handle, &rb.recover }) {
            for (const auto& step : *steps) {
                read(step.action.token);
                if (step.rollback)
                    read(step.rollback->token);
            }
        }
    }
}

using std::chrono::milliseconds;
using YNode = YAML::Node;

// Bounds the work an adversarial document can cause: aliases let a small file reference one big node many times.

/**
 * Counts parse events and gives up past a bound. yaml-cpp 0.7 can loop forever on some malformed flow
 * collections, emitting events without end (found by fuzz_fleetconfig); a real document yields fewer events
 * than it has bytes, so a dry run with this handler rejects such input before YAML::LoadAll builds nodes.
 */
class EventBudget : public YAML::EventHandler
{
public:
    explicit EventBudget(qint64 limit)
        : m_limit(limit)
    { }

    struct Exceeded : std::runtime_error
    {
        Exceeded()
            : std::runtime_error("event budget exceeded")
        { }
    };

    void OnDocumentStart(const YAML::Mark&) override { spend(); }
    void OnDocumentEnd() override { spend(); }
    void OnNull(const YAML::Mark&, YAML::anchor_t) override { spend(); }
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { spend(); }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { spend(); }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        spend();
    }
    void OnSequenceEnd() override { spend(); }
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
    {
        spend();
    }
    void OnMapEnd() override { spend(); }

private:
    void spend()
    {
        if (++m_events > m_limit)
            throw Exceeded();
    }

    qint64 m_limit;
    qint64 m_events = 0;
};

class Validator : public YamlReader
{
public:
    Validator(const QString& file, const QByteArray& source, const QString& baseDir)
        : YamlReader(file, source, baseDir)
        , m_file(file)
    { }

    /// Reads a runbooks-only document (top-level `runbooks:`) and binds it against @p base.
    void setBase(const FleetConfig* base) { m_base = base; }
    ConfigLoadResult run();

private:
    std::optional<QMap<QString, QString>> readEnv(const Entry& e) { return env(e); }

    void readDefaults(const Entry& e);
    void readHaproxyInstances(const Entry& e);
    void readAlertmanagers(const Entry& e);
    std::optional<AlertmanagerConfig> readAlertmanager(const YNode& n);
    void readPrometheusSources(const Entry& e);
    std::optional<PrometheusSourceConfig> readPrometheusSource(const YNode& n);
    std::optional<PrometheusDiscoveryConfig> readDiscovery(const Entry& e);
    void readPrometheusSignals(const Entry& e, PrometheusSourceConfig& source);
    std::optional<SecretRef> readSecret(const Entry& e);
    void readTargets(const Entry& e, bool mayBeEmpty = false);
    std::optional<TargetConfig> readTarget(const YNode& n, int index);
    std::optional<ProbeConfig> readProbe(const YNode& n);
    std::optional<SignalConfig> readSignal(const YNode& n);
    std::optional<SignalThreshold> readThreshold(const Entry& e);
    void readDependsOn(const Entry& e, TargetConfig& target, int index);
    std::optional<HaproxyMembership> readMembership(const Entry& e, const QString& targetName);
    /// The token keys sections share (`token_env`, `token_file`; @p inlineSecrets refused): whether @p x was one of
    /// them, with @p ok set false when it was wrong.
    bool tokenKey(const Entry& x, const QStringList& inlineSecrets, std::optional<SecretRef>& token, bool& ok);
    /// Refuses a section @p what that gives both token_env and token_file.
    void checkOneToken(const Fields& f, const QString& what, bool& ok);
    /// Refuses a token sent over plain http to a host that is not loopback, unless `insecure_token_over_http: true`.
    void checkTokenTransport(const Fields& f, const QUrl& url, bool hasToken, const QString& what, bool& ok);
    std::optional<AdminConfig> readAdmin(const Entry& e);
    void readCommands(const Entry& e, TargetConfig& target);
    void readLabels(const Entry& e, TargetConfig& target);

    // Runbooks (the top-level `runbooks:` list), read after the targets they refer to.
    /// What a runbook's steps need from the targets it is bound to, checked once the binding is known.
    struct RunbookNeeds
    {
        QList<QPair<QString, SourcePosition>> signalNames; ///< conditions' signals
        QList<SourcePosition> admin; ///< http steps with {admin}
        QList<SourcePosition> membership; ///< haproxy steps without a backend
        QList<QPair<QString, SourcePosition>> commands; ///< `run: NAME` steps: the targets' own commands
    };
    void readRunbooks(const Entry& e);
    std::optional<RunbookConfig> readRunbook(const YNode& n);
    QList<RunbookStepConfig> readRunbookSteps(const Entry& e, RunbookNeeds& needs);
    std::optional<RunbookStepConfig> readRunbookStep(const YNode& n, RunbookNeeds& needs);
    std::optional<RunbookActionConfig> readRunbookAction(const Entry& e, RunbookNeeds& needs);
    std::optional<RunbookCondition> readRunbookCondition(const Entry& e, bool precondition, RunbookNeeds& needs);
    bool checkTemplate(const YNode& n, const QString& text, const QString& what, bool allowAdmin = false);
    void checkRunbookNeeds(const RunbookConfig& r, const RunbookNeeds& needs);
    void checkRunbookAmbiguity();
    void checkReferences();
    void checkCycles();
    void readMaintenance(const Entry& e);
    void readNeverBlock(const Entry& e);
    void checkMaintenanceReferences();
    void readCorrelation(const Entry& e);
    /// A signal's `link:` names another target, one the signal's target depends on.
    void checkLinkReferences();

    struct Reference
    {
        int from; ///< target index
        QString name;
        SourcePosition position;
    };

    QString m_file;

    FleetConfig m_config;
    QList<SourcePosition> m_targetNamePositions;
    QList<SourcePosition> m_haproxyNamePositions;
    QList<SourcePosition> m_alertmanagerNamePositions;
    QList<Reference> m_dependencyRefs;
    QList<Reference> m_instanceRefs;
    QList<Reference> m_sourceRefs; ///< targets' `source:` names
    QHash<QString, int> m_targetIndex;
    const FleetConfig* m_base = nullptr; ///< set: a runbooks-only file bound against this fleet
    QList<Reference> m_maintenanceTargetRefs;
    QList<Reference> m_maintenanceGroupRefs;
};

void Validator::readDefaults(const Entry& e)
{
    if (e.value.IsNull())
        return;
    const auto f = mapping(e.value, pos(e), QStringLiteral("defaults"),
        { QStringLiteral("interval"), QStringLiteral("timeout"), QStringLiteral("attempts"),
            QStringLiteral("retry_interval"), QStringLiteral("stale_after"), QStringLiteral("flapping") });
    if (!f)
        return;
    FleetDefaults& d = m_config.defaults;
    for (const Entry& x : f->entries) {
        if (x.key == u"interval") {
            d.interval = duration(x).value_or(d.interval);
        } else if (x.key == u"timeout") {
            d.timeout = duration(x).value_or(d.timeout);
        } else if (x.key == u"retry_interval") {
            d.retryInterval = duration(x).value_or(d.retryInterval);
        } else if (x.key == u"stale_after") {
            d.staleAfter = duration(x).value_or(d.staleAfter);
        } else if (x.key == u"attempts") {
            d.attempts = int(integer(x, 1, 100).value_or(d.attempts));
        } else if (x.key == u"flapping") {
            const auto fl = mapping(
                x.value, pos(x), QStringLiteral("flapping"), { QStringLiteral("high"), QStringLiteral("low") });
            if (!fl)
                continue;
            bool ok = true;
            for (const Entry& y : fl->entries) {
                const auto v = number(y);
                if (v && (*v < 0 || *v > 100)) {
                    error(pos(y), QStringLiteral("'%1' is a percentage: 0–100, got %2").arg(y.key).arg(*v));
                    ok = false;
                } else if (!v) {
                    ok = false;
                } else {
                    (y.key == u"high" ? d.flappingHigh : d.flappingLow) = *v;
                }
            }
            if (ok && d.flappingLow > d.flappingHigh)
                error(fl->position,
                    QStringLiteral("flapping: low (%1) must not be above high (%2)")
                        .arg(d.flappingLow)
                        .arg(d.flappingHigh));
        }
    }
}

void Validator::readNeverBlock(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        const QString text = n.IsScalar() ? fromStd(n.Scalar()).trimmed() : QString();
        // A single address is its own /32 (/128); anything else must be a network in CIDR notation.
        const auto net
            = QHostAddress::parseSubnet(text.contains(u'/') ? text : text + (text.contains(u':') ? u"/128" : u"/32"));
        if (text.isEmpty() || net.first.isNull())
            error(pos(n),
                QStringLiteral("'never_block': %1 is not an address or a network in CIDR notation (10.0.0.0/8, "
                               "2001:db8::/32)")
                    .arg(quoted(text)));
        else
            m_config.neverBlock.append(text);
    }
}

void Validator::readHaproxyInstances(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    QHash<QString, int> lines;
    for (const YNode& n : *items) {
        const auto f = mapping(n, pos(e), QStringLiteral("an haproxy instance"),
            { QStringLiteral("name"), QStringLiteral("socket"), QStringLiteral("address"),
                QStringLiteral("block_acl") });
        if (!f)
            continue;
        HaproxyInstance h;
        h.position = f->position;
        SourcePosition namePos = f->position;
        for (const Entry& x : f->entries) {
            if (x.key == u"name") {
                h.name = name(x, QStringLiteral("haproxy instance name")).value_or(QString());
                namePos = pos(x);
            } else if (x.key == u"socket") {
                h.socket = path(x).value_or(QString());
            } else if (x.key == u"address") {
                h.address = hostPort(x).value_or(QString());
            } else if (x.key == u"block_acl") {
                h.blockAcl = path(x).value_or(QString());
            }
        }
        if (!f->get(u"name"))
            missing(*f, QStringLiteral("haproxy instance"), QStringLiteral("name"));
        if (f->get(u"socket") && f->get(u"address"))
            error(
                pos(*f->get(u"address")), QStringLiteral("haproxy instance has both 'socket' and 'address'; give one"));
        else if (!f->get(u"socket") && !f->get(u"address"))
            error(f->position,
                QStringLiteral("haproxy instance needs 'socket' (unix socket path) or 'address' (host:port)"));
        if (!h.name.isEmpty()) {
            if (const auto it = lines.constFind(h.name); it != lines.constEnd())
                error(namePos,
                    QStringLiteral("duplicate haproxy instance name '%1' (first defined at line %2)")
                        .arg(h.name)
                        .arg(*it));
            else
                lines.insert(h.name, namePos.line);
        }
        m_config.haproxy.append(h);
    }
}

void Validator::readAlertmanagers(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        if (stopped())
            return;
        if (auto a = readAlertmanager(n))
            m_config.alertmanager.append(*a);
    }
}

std::optional<AlertmanagerConfig> Validator::readAlertmanager(const YNode& n)
{
    const QStringList inlineSecrets { QStringLiteral("token"), QStringLiteral("password"), QStringLiteral("secret") };
    const auto f = mapping(n, pos(n), QStringLiteral("an alertmanager source"),
        QStringList { QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("token_env"),
            QStringLiteral("token_file"), QStringLiteral("tls_ca_file"), QStringLiteral("poll_interval"),
            QStringLiteral("timeout"), QStringLiteral("target_label"), QStringLiteral("cause_label"),
            QStringLiteral("causes"), QStringLiteral("default_cause"), QStringLiteral("silence_duration"),
            QStringLiteral("insecure_token_over_http") }
            + inlineSecrets);
    if (!f)
        return std::nullopt;
    AlertmanagerConfig a;
    a.position = f->position;
    bool ok = true;
    auto check = [&ok](bool good) { ok = ok && good; };
    for (const Entry& x : f->entries) {
        if (x.key == u"name") {
            const auto v = name(x, QStringLiteral("alertmanager name"));
            check(v.has_value());
            if (v) {
                a.name = *v;
                for (int i = 0; i < m_config.alertmanager.size(); ++i) {
                    if (m_config.alertmanager[i].name == a.name) {
                        error(pos(x),
                            QStringLiteral("duplicate alertmanager name '%1' (first defined at line %2)")
                                .arg(a.name)
                                .arg(m_alertmanagerNamePositions.value(i).line));
                        ok = false;
                    }
                }
            }
        } else if (x.key == u"url") {
            const auto u = url(x);
            check(u.has_value());
            if (u)
                a.url = *u;
        } else if (tokenKey(x, inlineSecrets, a.token, ok)) {
            continue;
        } else if (x.key == u"tls_ca_file") {
            const auto p = path(x);
            check(p.has_value());
            if (p)
                a.tlsCaFile = *p;
        } else if (x.key == u"poll_interval" || x.key == u"timeout" || x.key == u"silence_duration") {
            const auto d = duration(x);
            check(d.has_value());
            if (d)
                (x.key == u"poll_interval" ? a.pollInterval : x.key == u"timeout" ? a.timeout : a.silenceDuration) = *d;
        } else if (x.key == u"target_label" || x.key == u"cause_label") {
            const auto v = labelName(x);
            check(v.has_value());
            if (v)
                (x.key == u"target_label" ? a.targetLabel : a.causeLabel) = *v;
        } else if (x.key == u"default_cause") {
            const auto c = causeClass(x);
            check(c.has_value());
            if (c)
                a.defaultCause = *c;
        } else if (x.key == u"causes") {
            if (x.value.IsNull())
                continue;
            if (!x.value.IsMap()) {
                error(pos(x),
                    QStringLiteral("'causes' must be a mapping of alertname to cause class (e.g. { HighLatency: "
                                   "latency }), got %1")
                        .arg(describe(x.value)));
                ok = false;
                continue;
            }
            for (auto it = x.value.begin(); it != x.value.end(); ++it) {
                const Entry c { it->first.IsScalar() ? fromStd(it->first.Scalar()) : QString(), it->first, it->second };
                if (c.key.isEmpty()) {
                    error(pos(c.keyNode), QStringLiteral("alert names in 'causes' must be plain words"));
                    ok = false;
                    continue;
                }
                if (a.causes.contains(c.key)) {
                    error(pos(c.keyNode), QStringLiteral("duplicate alert name '%1' in 'causes'").arg(c.key));
                    ok = false;
                    continue;
                }
                const auto cause = causeClass(c);
                check(cause.has_value());
                if (cause)
                    a.causes.insert(c.key, *cause);
            }
        }
    }
    checkOneToken(*f, QStringLiteral("alertmanager"), ok);
    checkTokenTransport(*f, a.url, a.token.has_value(), QStringLiteral("alertmanager '%1'").arg(a.name), ok);
    if (const Entry* e = f->get(u"insecure_token_over_http"))
        a.insecureTokenOverHttp = boolean(*e).value_or(false);
    if (!f->get(u"name")) {
        missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("name"));
        ok = false;
    }
    if (!f->get(u"url")) {
        missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    m_alertmanagerNamePositions.append(f->get(u"name") ? pos(*f->get(u"name")) : f->position);
    return a;
}

std::optional<SecretRef> Validator::readSecret(const Entry& e)
{
    if (e.value.IsScalar()) {
        error(pos(e),
            QStringLiteral("inline secret '%1': secrets are never written in the configuration; reference it with "
                           "'%1: { env: VARIABLE }' or '%1: { file: /path/to/file }'")
                .arg(e.key));
        return std::nullopt;
    }
    const auto f = mapping(
        e.value, pos(e), QStringLiteral("'%1'").arg(e.key), { QStringLiteral("env"), QStringLiteral("file") });
    if (!f)
        return std::nullopt;
    const Entry* env = f->get(u"env");
    const Entry* file = f->get(u"file");
    if (env && file) {
        error(pos(file->keyNode), QStringLiteral("'%1' has both 'env' and 'file'; give one").arg(e.key));
        return std::nullopt;
    }
    if (env) {
        static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        const auto v = string(*env);
        if (!v)
            return std::nullopt;
        if (!envName.match(*v).hasMatch()) {
            error(pos(*env), QStringLiteral("'env' must name an environment variable, got %1").arg(quoted(*v)));
            return std::nullopt;
        }
        return SecretRef::env(*v);
    }
    if (file) {
        if (const auto p = path(*file))
            return SecretRef::file(*p);
        return std::nullopt;
    }
    error(f->position, QStringLiteral("'%1' needs 'env: VARIABLE' or 'file: /path/to/file'").arg(e.key));
    return std::nullopt;
}

std::optional<PrometheusDiscoveryConfig> Validator::readDiscovery(const Entry& e)
{
    const auto f = mapping(e.value, pos(e), QStringLiteral("discover"),
        { QStringLiteral("job"), QStringLiteral("name_label"), QStringLiteral("group_label"),
            QStringLiteral("refresh") });
    if (!f)
        return std::nullopt;
    PrometheusDiscoveryConfig d;
    d.position = f->position;
    bool ok = true;
    for (const Entry& x : f->entries) {
        if (x.key == u"job") {
            if (const auto v = string(x))
                d.job = *v;
            else
                ok = false;
        } else if (x.key == u"name_label" || x.key == u"group_label") {
            if (const auto v = labelName(x))
                (x.key == u"name_label" ? d.nameLabel : d.groupLabel) = *v;
            else
                ok = false;
        } else if (x.key == u"refresh") {
            if (const auto v = duration(x))
                d.refresh = *v;
            else
                ok = false;
        }
    }
    if (!f->get(u"job")) {
        missing(*f, QStringLiteral("discover"), QStringLiteral("job"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return d;
}

void Validator::readPrometheusSignals(const Entry& e, PrometheusSourceConfig& source)
{
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        error(pos(e),
            QStringLiteral("'signals' of a Prometheus source must be a mapping of signal name to PromQL query, got %1")
                .arg(describe(e.value)));
        return;
    }
    if (!spend(qint64(e.value.size()) + 1))
        return;
    QHash<QString, int> lines;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode keyNode = it->first;
        const YNode value = it->second;
        const auto signalName = name(keyNode, QStringLiteral("signal name"));
        if (!signalName)
            continue;
        PrometheusSignalConfig s;
        s.name = *signalName;
        s.position = pos(keyNode);
        s.cause = CauseClasses::defaultForSignal(s.name);
        if (const auto l = lines.constFind(s.name); l != lines.constEnd()) {
            error(s.position,
                QStringLiteral("duplicate signal name '%1' (first defined at line %2)").arg(s.name).arg(*l));
            continue;
        }
        lines.insert(s.name, s.position.line);
        const Entry entry { s.name, keyNode, value };
        bool ok = true;
        if (value.IsScalar()) {
            if (const auto q = string(entry))
                s.query = q->trimmed();
            else
                ok = false;
        } else {
            const auto f = mapping(value, s.position, QStringLiteral("signal '%1'").arg(s.name),
                { QStringLiteral("query"), QStringLiteral("threshold"), QStringLiteral("cause") });
            if (!f)
                continue;
            for (const Entry& x : f->entries) {
                if (x.key == u"query") {
                    if (const auto q = string(x))
                        s.query = q->trimmed();
                    else
                        ok = false;
                } else if (x.key == u"threshold") {
                    s.threshold = readThreshold(x);
                    ok = ok && s.threshold;
                } else if (x.key == u"cause") {
                    const auto c = causeClass(x);
                    s.cause = c.value_or(s.cause);
                    ok = ok && c;
                }
            }
            if (!f->get(u"query")) {
                missing(*f, QStringLiteral("signal '%1'").arg(s.name), QStringLiteral("query"));
                ok = false;
            }
        }
        if (ok && s.query.isEmpty()) {
            error(s.position, QStringLiteral("signal '%1': the query is empty").arg(s.name));
            ok = false;
        }
        if (ok)
            source.signalConfigs.append(s);
    }
}

std::optional<PrometheusSourceConfig> Validator::readPrometheusSource(const YNode& n)
{
    const auto f = mapping(n, {}, QStringLiteral("a prometheus source"),
        { QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("token"), QStringLiteral("tls_ca_file"),
            QStringLiteral("query_timeout"), QStringLiteral("interval"), QStringLiteral("discover"),
            QStringLiteral("signals"), QStringLiteral("insecure_token_over_http") });
    if (!f)
        return std::nullopt;
    PrometheusSourceConfig p;
    p.position = f->position;
    for (const Entry& x : f->entries) {
        if (stopped())
            return std::nullopt;
        if (x.key == u"name") {
            p.name = name(x, QStringLiteral("prometheus source name")).value_or(QString());
            p.position = pos(x);
        } else if (x.key == u"url") {
            p.url = url(x).value_or(QUrl());
        } else if (x.key == u"token") {
            p.token = readSecret(x);
        } else if (x.key == u"tls_ca_file") {
            p.tlsCaFile = path(x).value_or(QString());
        } else if (x.key == u"query_timeout") {
            p.queryTimeout = duration(x).value_or(p.queryTimeout);
        } else if (x.key == u"interval") {
            p.interval = duration(x).value_or(p.interval);
        } else if (x.key == u"discover") {
            p.discover = readDiscovery(x);
        } else if (x.key == u"signals") {
            readPrometheusSignals(x, p);
        }
    }
    if (!f->get(u"name"))
        missing(*f, QStringLiteral("prometheus source"), QStringLiteral("name"));
    if (!f->get(u"url"))
        missing(*f, QStringLiteral("prometheus source"), QStringLiteral("url"));
    bool transportOk = true;
    checkTokenTransport(
        *f, p.url, p.token.has_value(), QStringLiteral("prometheus source '%1'").arg(p.name), transportOk);
    if (const Entry* e = f->get(u"insecure_token_over_http"))
        p.insecureTokenOverHttp = boolean(*e).value_or(false);
    return p;
}

void Validator::readPrometheusSources(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    QHash<QString, int> lines;
    for (const YNode& n : *items) {
        if (stopped())
            return;
        const auto p = readPrometheusSource(n);
        if (!p)
            continue;
        if (!p->name.isEmpty()) {
            if (const auto it = lines.constFind(p->name); it != lines.constEnd())
                error(p->position,
                    QStringLiteral("duplicate prometheus source name '%1' (first defined at line %2)")
                        .arg(p->name)
                        .arg(*it));
            else
                lines.insert(p->name, p->position.line);
        }
        m_config.prometheus.append(*p);
    }
}

std::optional<ProbeConfig> Validator::readProbe(const YNode& n)
{
    const auto f = mapping(n, {}, QStringLiteral("a probe"),
        { QStringLiteral("kind"), QStringLiteral("url"), QStringLiteral("address"), QStringLiteral("expect_status"),
            QStringLiteral("body_match"), QStringLiteral("timeout") });
    if (!f)
        return std::nullopt;
    ProbeConfig p;
    p.position = f->position;
    const Entry* kind = f->get(u"kind");
    if (!kind) {
        missing(*f, QStringLiteral("probe"), QStringLiteral("kind"));
        return std::nullopt;
    }
    const QString k = kind->value.IsScalar() ? fromStd(kind->value.Scalar()) : QString();
    const QStringList kinds { QStringLiteral("http"), QStringLiteral("metrics"), QStringLiteral("tcp") };
    if (!kinds.contains(k)) {
        error(pos(*kind),
            QStringLiteral("probe kind must be http, metrics or tcp, got %1%2")
                .arg(describe(kind->value), didYouMean(k, kinds)));
        return std::nullopt;
    }
    p.kind = k == u"http" ? ProbeConfig::Kind::Http
        : k == u"metrics" ? ProbeConfig::Kind::Metrics
                          : ProbeConfig::Kind::Tcp;
    const bool tcp = p.kind == ProbeConfig::Kind::Tcp;
    for (const Entry& x : f->entries) {
        if (x.key == u"url") {
            if (tcp)
                error(pos(x.keyNode), QStringLiteral("'url' does not apply to tcp probes (use 'address: host:port')"));
            else if (const auto u = url(x))
                p.url = *u;
        } else if (x.key == u"address") {
            if (!tcp)
                error(pos(x.keyNode), QStringLiteral("'address' applies to tcp probes only (use 'url' for %1)").arg(k));
            else
                p.address = hostPort(x).value_or(QString());
        } else if (x.key == u"expect_status" || x.key == u"body_match") {
            if (p.kind != ProbeConfig::Kind::Http) {
                error(pos(x.keyNode), QStringLiteral("'%1' applies to http probes only").arg(x.key));
            } else if (x.key == u"expect_status") {
                p.expectStatus = int(integer(x, 100, 599).value_or(p.expectStatus));
            } else {
                p.bodyMatch = string(x).value_or(QString());
            }
        } else if (x.key == u"timeout") {
            p.timeout = duration(x);
        }
    }
    if (tcp && !f->get(u"address"))
        missing(*f, QStringLiteral("tcp probe"), QStringLiteral("address"));
    if (!tcp && !f->get(u"url"))
        missing(*f, QStringLiteral("%1 probe").arg(k), QStringLiteral("url"));
    return p;
}

std::optional<SignalThreshold> Validator::readThreshold(const Entry& e)
{
    const auto f = mapping(e.value, pos(e), QStringLiteral("threshold"),
        { QStringLiteral("above"), QStringLiteral("below"), QStringLiteral("clear"), QStringLiteral("adaptive") });
    if (!f)
        return std::nullopt;
    SignalThreshold t;
    const Entry* above = f->get(u"above");
    const Entry* below = f->get(u"below");
    if (above && below) {
        error(pos(below->keyNode), QStringLiteral("threshold has both 'above' and 'below'; give one"));
        return std::nullopt;
    }
    if (!above && !below) {
        error(f->position, QStringLiteral("threshold needs 'above: LEVEL' or 'below: LEVEL'"));
        return std::nullopt;
    }
    t.direction = above ? SignalThreshold::Direction::Above : SignalThreshold::Direction::Below;
    const auto enter = number(above ? *above : *below);
    std::optional<double> clear;
    if (const Entry* c = f->get(u"clear"))
        clear = number(*c);
    if (const Entry* a = f->get(u"adaptive"))
        t.adaptive = boolean(*a).value_or(false);
    if (!enter || (f->get(u"clear") && !clear))
        return std::nullopt;
    t.enter = *enter;
    t.clear = clear.value_or(*enter);
    if (t.direction == SignalThreshold::Direction::Above && t.clear > t.enter) {
        error(pos(*f->get(u"clear")),
            QStringLiteral("threshold: clear (%1) must not be above the 'above' level (%2): the breach would end "
                           "before it starts")
                .arg(t.clear)
                .arg(t.enter));
        return std::nullopt;
    }
    if (t.direction == SignalThreshold::Direction::Below && t.clear < t.enter) {
        error(pos(*f->get(u"clear")),
            QStringLiteral("threshold: clear (%1) must not be below the 'below' level (%2): the breach would end "
                           "before it starts")
                .arg(t.clear)
                .arg(t.enter));
        return std::nullopt;
    }
    return t;
}

std::optional<SignalConfig> Validator::readSignal(const YNode& n)
{
    const QStringList kinds { QStringLiteral("gauge"), QStringLiteral("rate"), QStringLiteral("ratio"),
        QStringLiteral("quantile") };
    const auto f = mapping(n, {}, QStringLiteral("a signal"),
        kinds
            + QStringList { QStringLiteral("name"), QStringLiteral("by"), QStringLiteral("threshold"),
                QStringLiteral("cause"), QStringLiteral("link") });
    if (!f)
        return std::nullopt;
    SignalConfig s;
    s.position = f->position;
    bool ok = true;
    if (const Entry* nm = f->get(u"name")) {
        if (const auto v = name(*nm, QStringLiteral("signal name")))
            s.name = *v;
        else
            ok = false;
    } else {
        missing(*f, QStringLiteral("signal"), QStringLiteral("name"));
        ok = false;
    }
    const Entry* kindEntry = nullptr;
    for (const Entry& x : f->entries) {
        if (!kinds.contains(x.key))
            continue;
        if (kindEntry) {
            error(pos(x.keyNode),
                QStringLiteral("signal has both '%1' and '%2'; give one of gauge, rate, ratio, quantile")
                    .arg(kindEntry->key, x.key));
            ok = false;
            continue;
        }
        kindEntry = &x;
    }
    if (!kindEntry) {
        error(f->position, QStringLiteral("signal needs one of gauge, rate, ratio, quantile"));
        return std::nullopt;
    }
    const QString& kind = kindEntry->key;
    if (kind == u"gauge" || kind == u"rate") {
        s.kind = kind == u"gauge" ? SignalConfig::Kind::Gauge : SignalConfig::Kind::Rate;
        if (const auto sel = selector(*kindEntry, &s.selectorText))
            s.selector = *sel;
        else
            ok = false;
    } else if (kind == u"ratio") {
        s.kind = SignalConfig::Kind::Ratio;
        const auto r = mapping(kindEntry->value, pos(*kindEntry), QStringLiteral("ratio"),
            { QStringLiteral("num"), QStringLiteral("den") });
        if (!r)
            return std::nullopt;
        for (const Entry& x : r->entries) {
            const auto sel = selector(x, x.key == u"num" ? &s.selectorText : &s.denominatorText);
            if (!sel)
                ok = false;
            else if (x.key == u"num")
                s.selector = *sel;
            else
                s.denominator = *sel;
        }
        for (const auto key : { u"num", u"den" }) {
            if (!r->get(key)) {
                missing(*r, QStringLiteral("ratio"), QString::fromUtf16(key));
                ok = false;
            }
        }
    } else {
        s.kind = SignalConfig::Kind::Quantile;
        const auto r = mapping(kindEntry->value, pos(*kindEntry), QStringLiteral("quantile"),
            { QStringLiteral("histogram"), QStringLiteral("q") });
        if (!r)
            return std::nullopt;
        for (const Entry& x : r->entries) {
            if (x.key == u"histogram") {
                if (const auto sel = selector(x, &s.selectorText))
                    s.selector = *sel;
                else
                    ok = false;
            } else if (const auto q = number(x)) {
                if (*q <= 0 || *q >= 1) {
                    error(pos(x), QStringLiteral("'q' must be between 0 and 1 (exclusive), got %1").arg(*q));
                    ok = false;
                }
                s.q = *q;
            } else {
                ok = false;
            }
        }
        for (const auto key : { u"histogram", u"q" }) {
            if (!r->get(key)) {
                missing(*r, QStringLiteral("quantile"), QString::fromUtf16(key));
                ok = false;
            }
        }
    }
    if (const Entry* by = f->get(u"by")) {
        if (s.kind != SignalConfig::Kind::Gauge && s.kind != SignalConfig::Kind::Rate) {
            error(pos(by->keyNode),
                QStringLiteral("'by' (a per-label breakdown) applies to gauge and rate signals only"));
            ok = false;
        } else if (const auto label = string(*by); label && labelNamePattern().match(*label).hasMatch()) {
            s.by = *label;
        } else {
            if (label)
                error(pos(*by), QStringLiteral("'by' must be a label name, got %1").arg(quoted(*label)));
            ok = false;
        }
    }
    if (const Entry* t = f->get(u"threshold")) {
        s.threshold = readThreshold(*t);
        ok = ok && s.threshold;
    }
    if (const Entry* c = f->get(u"cause")) {
        const QString text = c->value.IsScalar() ? fromStd(c->value.Scalar()) : QString();
        if (const auto cause = CauseClasses::fromString(text)) {
            s.cause = *cause;
        } else {
            error(pos(*c),
                QStringLiteral("unknown cause class %1 (one of: %2)%3")
                    .arg(describe(c->value), CauseClasses::names().join(QStringLiteral(", ")),
                        didYouMean(text, CauseClasses::names())));
            ok = false;
        }
    } else {
        s.cause = CauseClasses::defaultForSignal(s.name);
    }
    if (const Entry* l = f->get(u"link")) {
        if (const auto v = name(*l, QStringLiteral("link target"))) {
            s.link = *v;
            s.linkPosition = pos(*l);
            if (!f->get(u"cause"))
                s.cause = CauseClass::Network;
        } else {
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    return s;
}

void Validator::readDependsOn(const Entry& e, TargetConfig& target, int index)
{
    const auto items = sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        DependencyConfig d;
        d.position = pos(n);
        if (n.IsMap()) {
            const auto f = mapping(n, pos(e), QStringLiteral("a depends_on entry"), { QStringLiteral("any_of") });
            if (!f)
                continue;
            const Entry* anyOf = f->get(u"any_of");
            if (!anyOf) {
                missing(*f, QStringLiteral("depends_on entry"), QStringLiteral("any_of"));
                continue;
            }
            const auto names = sequence(*anyOf);
            if (!names)
                continue;
            if (names->isEmpty()) {
                error(pos(*anyOf), QStringLiteral("'any_of' needs at least one target name"));
                continue;
            }
            d.anyOf = true;
            for (const YNode& m : *names) {
                if (const auto nm = name(m, QStringLiteral("target name"))) {
                    d.targets << *nm;
                    m_dependencyRefs.append({ index, *nm, pos(m) });
                }
            }
        } else if (const auto nm = name(n, QStringLiteral("depends_on entry"))) {
            d.targets << *nm;
            m_dependencyRefs.append({ index, *nm, pos(n) });
        }
        if (!d.targets.isEmpty())
            target.dependsOn.append(d);
    }
}

std::optional<HaproxyMembership> Validator::readMembership(const Entry& e, const QString& targetName)
{
    const auto f = mapping(e.value, pos(e), QStringLiteral("haproxy membership"),
        { QStringLiteral("instance"), QStringLiteral("backend"), QStringLiteral("server") });
    if (!f)
        return std::nullopt;
    HaproxyMembership m;
    m.position = f->position;
    m.server = targetName;
    for (const Entry& x : f->entries) {
        const auto v = name(x, QStringLiteral("haproxy %1").arg(x.key));
        if (!v)
            return std::nullopt;
        if (x.key == u"instance") {
            m.instance = *v;
            m_instanceRefs.append({ int(m_config.targets.size()), *v, pos(x) });
        } else if (x.key == u"backend") {
            m.backend = *v;
        } else {
            m.server = *v;
        }
    }
    for (const auto key : { u"instance", u"backend" }) {
        if (!f->get(key)) {
            missing(*f, QStringLiteral("haproxy membership"), QString::fromUtf16(key));
            return std::nullopt;
        }
    }
    return m;
}

void Validator::checkTokenTransport(const Fields& f, const QUrl& url, bool hasToken, const QString& what, bool& ok)
{
    bool insecure = false;
    if (const Entry* e = f.get(u"insecure_token_over_http")) {
        const auto b = boolean(*e);
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
    error(u ? pos(*u) : f.position,
        QStringLiteral("%1 sends its bearer token over plain http to %2, readable by anyone on the path; use https, "
                       "or set insecure_token_over_http: true if that network is trusted")
            .arg(what, url.host()));
    ok = false;
}

void Validator::checkOneToken(const Fields& f, const QString& what, bool& ok)
{
    if (f.get(u"token_env") && f.get(u"token_file")) {
        error(pos(f.get(u"token_file")->keyNode),
            QStringLiteral("%1 has both 'token_env' and 'token_file'; give one").arg(what));
        ok = false;
    }
}

bool Validator::tokenKey(const Entry& x, const QStringList& inlineSecrets, std::optional<SecretRef>& token, bool& ok)
{
    if (inlineSecrets.contains(x.key)) {
        error(pos(x.keyNode),
            QStringLiteral("inline secret '%1': secrets are never written in the configuration; reference it with "
                           "'token_env: VARIABLE' or 'token_file: /path/to/file'")
                .arg(x.key));
        ok = false;
        return true;
    }
    if (x.key == u"token_env") {
        static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        const auto v = string(x);
        if (v && envName.match(*v).hasMatch()) {
            token = SecretRef(SecretRef::Kind::Env, *v);
        } else {
            if (v)
                error(pos(x), QStringLiteral("'token_env' must name an environment variable, got %1").arg(quoted(*v)));
            ok = false;
        }
        return true;
    }
    if (x.key == u"token_file") {
        if (const auto p = path(x))
            token = SecretRef(SecretRef::Kind::File, *p);
        else
            ok = false;
        return true;
    }
    return false;
}

std::optional<AdminConfig> Validator::readAdmin(const Entry& e)
{
    const QStringList inlineSecrets { QStringLiteral("token"), QStringLiteral("password"), QStringLiteral("secret") };
    const auto f = mapping(e.value, pos(e), QStringLiteral("admin"),
        QStringList { QStringLiteral("url"), QStringLiteral("status"), QStringLiteral("token_env"),
            QStringLiteral("token_file"), QStringLiteral("insecure_token_over_http") }
            + inlineSecrets);
    if (!f)
        return std::nullopt;
    AdminConfig a;
    a.position = f->position;
    bool ok = true;
    for (const Entry& x : f->entries) {
        if (x.key == u"url") {
            if (const auto u = url(x))
                a.url = *u;
            else
                ok = false;
        } else if (x.key == u"insecure_token_over_http") {
            a.insecureTokenOverHttp = boolean(x).value_or(false);
        } else if (x.key == u"status") {
            if (const auto u = url(x))
                a.statusUrl = *u;
            else
                ok = false;
        } else {
            tokenKey(x, inlineSecrets, a.token, ok);
        }
    }
    checkOneToken(*f, QStringLiteral("admin"), ok);
    checkTokenTransport(*f, a.url, a.token.has_value(), QStringLiteral("admin API"), ok);
    if (!f->get(u"url")) {
        missing(*f, QStringLiteral("admin"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return a;
}

void Validator::readCommands(const Entry& e, TargetConfig& target)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        error(pos(e),
            QStringLiteral("'commands' must be a mapping of name → [program, arg, …], got %1").arg(describe(e.value)));
        return;
    }
    if (!spend(qint64(e.value.size())))
        return;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode k = it->first;
        const YNode v = it->second;
        const auto commandName = name(k, QStringLiteral("command name"));
        if (!commandName)
            continue;
        if (target.commands.contains(*commandName)) {
            error(pos(k), QStringLiteral("duplicate command '%1'").arg(*commandName));
            continue;
        }
        if (!v.IsSequence()) {
            error(pos(v).isValid() ? pos(v) : pos(k),
                QStringLiteral("command '%1' must be an argument vector [program, arg, …], not %2 (commands never "
                               "go through a shell)")
                    .arg(*commandName, v.IsScalar() ? QStringLiteral("a shell string") : describe(v)));
            continue;
        }
        if (v.size() == 0 || !spend(qint64(v.size()))) {
            error(pos(v).isValid() ? pos(v) : pos(k), QStringLiteral("command '%1' is empty").arg(*commandName));
            continue;
        }
        QStringList argv;
        bool ok = true;
        for (const YNode& a : v) {
            if (!a.IsScalar()) {
                error(pos(a),
                    QStringLiteral("arguments of command '%1' must be strings, got %2").arg(*commandName, describe(a)));
                ok = false;
                continue;
            }
            const QString arg = fromStd(a.Scalar());
            auto matches = placeholder.globalMatch(arg);
            while (matches.hasNext()) {
                const QRegularExpressionMatch m = matches.next();
                if (m.capturedView(1) != u"target" && m.capturedView(1) != u"address") {
                    error(positionInScalar(a, arg, int(m.capturedStart())),
                        QStringLiteral("unknown placeholder '%1' in command '%2' (use {target} or {address})")
                            .arg(m.captured(0), *commandName));
                    ok = false;
                }
            }
            argv << arg;
        }
        if (ok && argv.constFirst().isEmpty()) {
            error(pos(v), QStringLiteral("command '%1' has an empty program name").arg(*commandName));
            ok = false;
        }
        if (ok)
            target.commands.insert(*commandName, argv);
    }
}

void Validator::readLabels(const Entry& e, TargetConfig& target)
{
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        error(pos(e), QStringLiteral("'labels' must be a mapping, got %1").arg(describe(e.value)));
        return;
    }
    if (!spend(qint64(e.value.size())))
        return;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode k = it->first;
        const YNode v = it->second;
        const QString key = k.IsScalar() ? fromStd(k.Scalar()) : QString();
        if (!labelNamePattern().match(key).hasMatch()) {
            error(pos(k), QStringLiteral("invalid label name %1 (use letters, digits and '_')").arg(describe(k)));
            continue;
        }
        if (target.labels.contains(key)) {
            error(pos(k), QStringLiteral("duplicate label '%1'").arg(key));
            continue;
        }
        if (!v.IsNull() && !v.IsScalar()) {
            error(pos(v), QStringLiteral("label '%1' must be a string, got %2").arg(key, describe(v)));
            continue;
        }
        target.labels.insert(key, v.IsScalar() ? fromStd(v.Scalar()) : QString());
    }
}

std::optional<TargetConfig> Validator::readTarget(const YNode& n, int index)
{
    const auto f = mapping(n, {}, QStringLiteral("a target"),
        { QStringLiteral("name"), QStringLiteral("group"), QStringLiteral("address"), QStringLiteral("priority"),
            QStringLiteral("labels"), QStringLiteral("tls_ca_file"), QStringLiteral("probes"),
            QStringLiteral("signals"), QStringLiteral("depends_on"), QStringLiteral("haproxy"), QStringLiteral("admin"),
            QStringLiteral("commands"), QStringLiteral("source"), QStringLiteral("instance"), QStringLiteral("env") });
    if (!f)
        return std::nullopt;
    TargetConfig t;
    t.position = f->position;
    SourcePosition namePos = f->position;
    if (const Entry* nm = f->get(u"name")) {
        t.name = name(*nm, QStringLiteral("target name")).value_or(QString());
        namePos = pos(*nm);
    } else {
        missing(*f, QStringLiteral("target"), QStringLiteral("name"));
    }
    for (const Entry& x : f->entries) {
        if (stopped())
            return std::nullopt;
        if (x.key == u"group") {
            t.group = name(x, QStringLiteral("group name")).value_or(QString());
        } else if (x.key == u"address") {
            t.address = host(x).value_or(QString());
        } else if (x.key == u"priority") {
            t.priority = int(integer(x, 1, 10).value_or(t.priority));
        } else if (x.key == u"labels") {
            readLabels(x, t);
        } else if (x.key == u"tls_ca_file") {
            t.tlsCaFile = path(x).value_or(QString());
        } else if (x.key == u"probes") {
            const auto items = sequence(x);
            if (items && items->isEmpty())
                error(pos(x), QStringLiteral("'probes' needs at least one probe"));
            for (const YNode& p : items.value_or(QList<YNode>())) {
                if (const auto probe = readProbe(p))
                    t.probes.append(*probe);
            }
        } else if (x.key == u"signals") {
            QHash<QString, int> lines;
            for (const YNode& s : sequence(x).value_or(QList<YNode>())) {
                const auto signal = readSignal(s);
                if (!signal)
                    continue;
                if (const auto it = lines.constFind(signal->name); it != lines.constEnd())
                    error(signal->position,
                        QStringLiteral("duplicate signal name '%1' (first defined at line %2)")
                            .arg(signal->name)
                            .arg(*it));
                else
                    lines.insert(signal->name, signal->position.line);
                t.signalConfigs.append(*signal);
            }
            const bool scraped = std::any_of(t.probes.cbegin(), t.probes.cend(),
                [](const ProbeConfig& p) { return p.kind == ProbeConfig::Kind::Metrics; });
            const Entry* probes = f->get(u"probes");
            const bool metricsProbeLater = probes && probes->value.IsSequence()
                && std::any_of(probes->value.begin(), probes->value.end(), [](const YNode& p) {
                       return p.IsMap() && p["kind"].IsScalar() && p["kind"].Scalar() == "metrics";
                   });
            if (f->get(u"source"))
                error(pos(x.keyNode),
                    QStringLiteral("a target reported by a Prometheus source takes its signals from the source's "
                                   "'signals' (PromQL); remove them here"));
            else if (!t.signalConfigs.isEmpty() && !scraped && !metricsProbeLater)
                error(pos(x.keyNode), QStringLiteral("signals need a metrics probe on the target (kind: metrics)"));
        } else if (x.key == u"depends_on") {
            readDependsOn(x, t, index);
        } else if (x.key == u"haproxy") {
            t.haproxy = readMembership(x, t.name);
        } else if (x.key == u"admin") {
            t.admin = readAdmin(x);
        } else if (x.key == u"commands") {
            readCommands(x, t);
        } else if (x.key == u"env") {
            t.env = readEnv(x).value_or(QMap<QString, QString>());
        } else if (x.key == u"source") {
            if (const auto v = name(x, QStringLiteral("prometheus source name"))) {
                t.source = *v;
                m_sourceRefs.append({ index, *v, pos(x) });
            }
        } else if (x.key == u"instance") {
            t.instance = hostPort(x).value_or(QString());
        }
    }
    const Entry* source = f->get(u"source");
    if (source) {
        if (const Entry* p = f->get(u"probes"))
            error(pos(p->keyNode),
                QStringLiteral("target has both 'probes' and 'source': a Prometheus source reports it, FaultDesk does "
                               "not probe it too; give one"));
        if (!f->get(u"instance"))
            missing(*f, QStringLiteral("target with a Prometheus 'source'"), QStringLiteral("instance"));
    } else if (const Entry* i = f->get(u"instance")) {
        error(pos(i->keyNode),
            QStringLiteral("'instance' names the target in a Prometheus source; add 'source: NAME' or remove it"));
    }
    if (!f->get(u"probes") && !source)
        missing(*f, QStringLiteral("target"), QStringLiteral("probes"));
    if (!t.name.isEmpty()) {
        if (const auto it = m_targetIndex.constFind(t.name); it != m_targetIndex.constEnd()) {
            error(namePos,
                QStringLiteral("duplicate target name '%1' (first defined at line %2)")
                    .arg(t.name)
                    .arg(m_targetNamePositions.at(*it).line));
        } else {
            m_targetIndex.insert(t.name, index);
        }
    }
    return t;
}

void Validator::readTargets(const Entry& e, bool mayBeEmpty)
{
    const auto items = sequence(e);
    if (!items)
        return;
    if (items->isEmpty() && !mayBeEmpty) {
        error(pos(e), QStringLiteral("'targets' needs at least one target"));
        return;
    }
    for (const YNode& n : *items) {
        if (stopped())
            return;
        const int index = int(m_config.targets.size());
        auto t = readTarget(n, index);
        // Keep indices aligned with the references recorded while reading, even for broken targets.
        m_config.targets.append(t.value_or(TargetConfig()));
        m_targetNamePositions.append(t ? t->position : pos(n));
    }
}

void Validator::checkReferences()
{
    QStringList targetNames;
    for (const TargetConfig& t : std::as_const(m_config.targets))
        targetNames << t.name;
    for (const Reference& r : std::as_const(m_dependencyRefs)) {
        if (stopped())
            return;
        if (!m_targetIndex.contains(r.name))
            error(r.position,
                QStringLiteral("depends_on: unknown target '%1'%2").arg(r.name, didYouMean(r.name, targetNames)));
    }
    QStringList instances;
    for (const HaproxyInstance& h : std::as_const(m_config.haproxy))
        instances << h.name;
    const QSet<QString> instanceSet(instances.cbegin(), instances.cend());
    for (const Reference& r : std::as_const(m_instanceRefs)) {
        if (stopped())
            return;
        if (!instanceSet.contains(r.name))
            error(r.position,
                QStringLiteral(
                    "haproxy: unknown instance '%1'%2; instances are defined in the top-level 'haproxy' list")
                    .arg(r.name, didYouMean(r.name, instances)));
    }
    QStringList sources;
    for (const PrometheusSourceConfig& p : std::as_const(m_config.prometheus))
        sources << p.name;
    QHash<QString, QString> sourceInstances;
    for (const Reference& r : std::as_const(m_sourceRefs)) {
        if (stopped())
            return;
        if (!sources.contains(r.name)) {
            error(r.position,
                QStringLiteral("source: unknown Prometheus source '%1'%2; sources are defined in the top-level "
                               "'prometheus' list")
                    .arg(r.name, didYouMean(r.name, sources)));
            continue;
        }
        const TargetConfig& t = m_config.targets.at(r.from);
        if (t.instance.isEmpty())
            continue;
        const QString key = r.name + u'/' + t.instance;
        if (const auto it = sourceInstances.constFind(key); it != sourceInstances.constEnd())
            error(r.position,
                QStringLiteral("instance '%1' of source '%2' is already target '%3'").arg(t.instance, r.name, *it));
        else
            sourceInstances.insert(key, t.name);
    }
    QHash<QString, QString> servers;
    for (const TargetConfig& t : std::as_const(m_config.targets)) {
        if (!t.haproxy)
            continue;
        const QString key = t.haproxy->instance + u'/' + t.haproxy->backend + u'/' + t.haproxy->server;
        if (const auto it = servers.constFind(key); it != servers.constEnd())
            error(t.haproxy->position,
                QStringLiteral("haproxy server %1 is already the membership of target '%2'").arg(quoted(key), *it));
        else
            servers.insert(key, t.name);
    }
}

void Validator::checkCycles()
{
    const qsizetype n = m_config.targets.size();
    struct Edge
    {
        int to;
        SourcePosition position;
    };
    QList<QList<Edge>> edges(n);
    for (const Reference& r : std::as_const(m_dependencyRefs)) {
        const auto to = m_targetIndex.constFind(r.name);
        // A duplicate target name maps references to the first one; the duplicate is reported already.
        if (to == m_targetIndex.constEnd() || m_targetIndex.value(m_config.targets.at(r.from).name, -1) != r.from)
            continue;
        QList<Edge>& out = edges[r.from];
        if (std::none_of(out.cbegin(), out.cend(), [&](const Edge& e) { return e.to == *to; }))
            out.append({ *to, r.position });
    }
    enum Color : char {
        White,
        Grey,
        Black
    };
    std::vector<Color> color(size_t(n), White);
    QSet<QList<int>> reported;
    struct Frame
    {
        int node;
        qsizetype next;
    };
    std::vector<Frame> stack;
    for (int root = 0; root < n; ++root) {
        if (color[size_t(root)] != White)
            continue;
        color[size_t(root)] = Grey;
        stack.push_back({ root, 0 });
        while (!stack.empty()) {
            const int v = stack.back().node;
            const qsizetype k = stack.back().next;
            if (k >= edges[v].size()) {
                color[size_t(v)] = Black;
                stack.pop_back();
                continue;
            }
            ++stack.back().next;
            const int w = edges[v][k].to;
            if (color[size_t(w)] == White) {
                color[size_t(w)] = Grey;
                stack.push_back({ w, 0 });
                continue;
            }
            if (color[size_t(w)] != Grey)
                continue;
            QList<int> cycle;
            auto it = stack.end();
            do {
                --it;
                cycle.prepend(it->node);
            } while (it->node != w);
            // Rotate so the cycle starts at its first-declared target: the same cycle found twice reads the same.
            const auto first = std::min_element(cycle.begin(), cycle.end());
            std::rotate(cycle.begin(), first, cycle.end());
            if (reported.contains(cycle))
                continue;
            reported.insert(cycle);
            QStringList names;
            for (int i : std::as_const(cycle))
                names << m_config.targets.at(i).name;
            names << names.constFirst();
            const int from = cycle.constFirst();
            const int to = cycle.size() > 1 ? cycle.at(1) : from;
            SourcePosition at;
            for (const Edge& e : std::as_const(edges[from])) {
                if (e.to == to)
                    at = e.position;
            }
            error(at, QStringLiteral("dependency cycle: %1").arg(names.join(QStringLiteral(" → "))));
        }
    }
}

// ---- runbooks --------------------------------------------------------------------------------------------------

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

bool Validator::checkTemplate(const YNode& n, const QString& text, const QString& what, bool allowAdmin)
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
            error(positionInScalar(n, text, int(m.capturedStart())),
                QStringLiteral("%1: {admin} (the target's admin URL) may only start an http step's url").arg(what));
            ok = false;
        } else if (!runbookFields().contains(field)) {
            error(positionInScalar(n, text, int(m.capturedStart())),
                QStringLiteral("%1: unknown template field {%2} (known: %3)%4")
                    .arg(what, field, runbookFields().join(QStringLiteral(", ")), didYouMean(field, runbookFields())));
            ok = false;
        }
    }
    return ok;
}

std::optional<RunbookCondition> Validator::readRunbookCondition(const Entry& e, bool precondition, RunbookNeeds& needs)
{
    QStringList keys { QStringLiteral("healthy_for"), QStringLiteral("load_below"), QStringLiteral("load_above"),
        QStringLiteral("signal") };
    if (precondition)
        keys << QStringLiteral("otherwise");
    const QString what = precondition ? QStringLiteral("a precondition") : QStringLiteral("'%1'").arg(e.key);
    const auto f = mapping(e.value, pos(e), what, keys);
    if (!f)
        return std::nullopt;
    RunbookCondition c;
    c.position = f->position;
    const Entry* kind = nullptr;
    bool ok = true;
    for (const Entry& x : f->entries) {
        if (x.key == u"signal") {
            if (const auto v = name(x, QStringLiteral("signal name")))
                c.signal = *v;
            else
                ok = false;
            continue;
        }
        if (x.key == u"otherwise") {
            const auto v = string(x);
            if (v == u"skip" || v == u"fail") {
                c.skipWhenUnmet = *v == u"skip";
            } else {
                if (v)
                    error(pos(x), QStringLiteral("'otherwise' must be skip or fail, got %1").arg(quoted(*v)));
                ok = false;
            }
            continue;
        }
        if (kind) {
            error(pos(x.keyNode),
                QStringLiteral("%1 has both '%2' and '%3'; give one of healthy_for, load_below, load_above")
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
                error(pos(x),
                    QStringLiteral("'healthy_for' must be a number of checks 1–100 (e.g. 3 or '3 checks'), got %1")
                        .arg(describe(x.value)));
                ok = false;
            }
            c.checks = k;
        } else {
            c.kind = x.key == u"load_below" ? RunbookCondition::Kind::Below : RunbookCondition::Kind::Above;
            if (const auto v = number(x))
                c.level = *v;
            else
                ok = false;
        }
    }
    if (!kind) {
        error(f->position, QStringLiteral("%1 needs one of healthy_for: K, load_below: X or load_above: X").arg(what));
        return std::nullopt;
    }
    if (c.kind != RunbookCondition::Kind::Healthy)
        needs.signalNames.append({ c.signal, f->position });
    else if (f->get(u"signal"))
        error(pos(f->get(u"signal")->keyNode),
            QStringLiteral("'signal' applies to load_below/load_above, not to healthy_for"));
    if (!ok)
        return std::nullopt;
    return c;
}

std::optional<RunbookActionConfig> Validator::readRunbookAction(const Entry& e, RunbookNeeds& needs)
{
    RunbookActionConfig a;
    a.position = pos(e.keyNode);
    if (e.key == u"run") {
        // The bound target's own `commands:` entry, so one runbook serves targets started differently.
        a.kind = RunbookActionConfig::Kind::Command;
        const auto v = name(e, QStringLiteral("command name"));
        if (!v)
            return std::nullopt;
        a.commandName = *v;
        needs.commands.append({ *v, pos(e) });
        return a;
    }
    if (e.key == u"command") {
        a.kind = RunbookActionConfig::Kind::Command;
        if (e.value.IsScalar()) {
            // A single string would need a shell to split it: refused, with the list it should be.
            const QString text = fromStd(e.value.Scalar());
            QStringList words = shellWords(text);
            if (words.size() >= 3 && isShell(words.at(0)) && isShellCommandOption(words.at(1)))
                words = shellWords(words.at(2));
            error(pos(e),
                QStringLiteral("'command' must be an argument vector, not a shell string %1: commands never go "
                               "through a shell; write it as a list, e.g. command: %2")
                    .arg(quoted(text), words.isEmpty() ? QStringLiteral("[program, arg, …]") : flowList(words)));
            return std::nullopt;
        }
        if (!e.value.IsSequence()) {
            error(pos(e),
                QStringLiteral("'command' must be an argument vector [program, arg, …], got %1")
                    .arg(describe(e.value)));
            return std::nullopt;
        }
        if (e.value.size() == 0 || !spend(qint64(e.value.size()))) {
            error(pos(e), QStringLiteral("'command' is empty"));
            return std::nullopt;
        }
        bool ok = true;
        for (const YNode& arg : e.value) {
            if (!arg.IsScalar()) {
                error(pos(arg), QStringLiteral("arguments of 'command' must be strings, got %1").arg(describe(arg)));
                ok = false;
                continue;
            }
            const QString text = fromStd(arg.Scalar());
            ok = checkTemplate(arg, text, QStringLiteral("command")) && ok;
            a.argv << text;
        }
        if (!ok)
            return std::nullopt;
        if (a.argv.constFirst().isEmpty()) {
            error(pos(e), QStringLiteral("'command' has an empty program name"));
            return std::nullopt;
        }
        if (a.argv.size() >= 2 && isShell(a.argv.at(0)) && isShellCommandOption(a.argv.at(1))) {
            const QStringList inner = a.argv.size() >= 3 ? shellWords(a.argv.at(2)) : QStringList();
            error(pos(e),
                QStringLiteral("'command' runs a shell with %1: a shell string in disguise; give the program and its "
                               "arguments directly%2")
                    .arg(quoted(a.argv.at(1)),
                        inner.isEmpty() ? QString() : QStringLiteral(", e.g. command: %1").arg(flowList(inner))));
            return std::nullopt;
        }
        return a;
    }
    if (e.key == u"http") {
        a.kind = RunbookActionConfig::Kind::Http;
        const QStringList inlineSecrets { QStringLiteral("password"), QStringLiteral("secret") };
        const auto f = mapping(e.value, pos(e), QStringLiteral("an http step"),
            QStringList { QStringLiteral("method"), QStringLiteral("url"), QStringLiteral("headers"),
                QStringLiteral("body"), QStringLiteral("token"), QStringLiteral("insecure_token_over_http") }
                + inlineSecrets);
        if (!f)
            return std::nullopt;
        bool ok = true;
        for (const Entry& x : f->entries) {
            if (inlineSecrets.contains(x.key)) {
                error(pos(x.keyNode),
                    QStringLiteral("inline secret '%1': reference it with token: {env: VARIABLE} or token: {file: "
                                   "/path}")
                        .arg(x.key));
                ok = false;
            } else if (x.key == u"method") {
                static const QStringList methods { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                    QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD") };
                const auto m = string(x);
                if (m && methods.contains(m->toUpper())) {
                    a.method = m->toUpper();
                } else {
                    if (m)
                        error(pos(x),
                            QStringLiteral("'method' must be one of %1, got %2")
                                .arg(methods.join(QStringLiteral(", ")), quoted(*m)));
                    ok = false;
                }
            } else if (x.key == u"url") {
                const auto text = string(x);
                if (!text || !checkTemplate(x.value, *text, QStringLiteral("url"), true)) {
                    ok = false;
                    continue;
                }
                a.url = *text;
                if (text->startsWith(QStringLiteral("{admin}"))) {
                    const QString rest = text->mid(7);
                    if (!rest.isEmpty() && !rest.startsWith(u'/')) {
                        error(pos(x), QStringLiteral("'url': after {admin} comes a path such as /restart"));
                        ok = false;
                    }
                    needs.admin.append(pos(x));
                    continue;
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
                if (!why.isEmpty()) {
                    error(pos(x), QStringLiteral("'url': bad URL %1 (%2)").arg(quoted(*text), why));
                    ok = false;
                }
            } else if (x.key == u"headers") {
                if (!x.value.IsMap()) {
                    error(pos(x),
                        QStringLiteral("'headers' must be a mapping of name → value, got %1").arg(describe(x.value)));
                    ok = false;
                    continue;
                }
                static const QRegularExpression headerName(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"));
                for (auto it = x.value.begin(); it != x.value.end(); ++it) {
                    const QString hn = it->first.IsScalar() ? fromStd(it->first.Scalar()) : QString();
                    if (!headerName.match(hn).hasMatch()) {
                        error(pos(it->first), QStringLiteral("bad header name %1").arg(describe(it->first)));
                        ok = false;
                        continue;
                    }
                    if (hn.compare(u"Authorization", Qt::CaseInsensitive) == 0) {
                        error(pos(it->first),
                            QStringLiteral("an Authorization header would put a secret in the configuration; use "
                                           "token: {env: VARIABLE} or token: {file: /path}"));
                        ok = false;
                        continue;
                    }
                    if (!it->second.IsScalar()) {
                        error(pos(it->second),
                            QStringLiteral("header '%1' must be a string, got %2").arg(hn, describe(it->second)));
                        ok = false;
                        continue;
                    }
                    const QString value = fromStd(it->second.Scalar());
                    ok = checkTemplate(it->second, value, QStringLiteral("header %1").arg(hn)) && ok;
                    a.headers.append({ hn, value });
                }
            } else if (x.key == u"body") {
                if (x.value.IsMap() || x.value.IsSequence()) {
                    a.body = QString::fromUtf8(x.value.IsMap()
                            ? QJsonDocument(toJson(x.value).toObject()).toJson(QJsonDocument::Compact)
                            : QJsonDocument(toJson(x.value).toArray()).toJson(QJsonDocument::Compact));
                    ok = checkTemplate(x.value, a.body, QStringLiteral("body")) && ok;
                } else if (const auto text = string(x, true)) {
                    a.body = *text;
                    ok = checkTemplate(x.value, *text, QStringLiteral("body")) && ok;
                } else {
                    ok = false;
                }
            } else if (x.key == u"token") {
                if (x.value.IsScalar()) {
                    error(pos(x),
                        QStringLiteral("inline token: secrets are never written in the configuration; use token: "
                                       "{env: VARIABLE} or token: {file: /path/to/file}"));
                    ok = false;
                    continue;
                }
                const auto t = mapping(
                    x.value, pos(x), QStringLiteral("token"), { QStringLiteral("env"), QStringLiteral("file") });
                if (!t) {
                    ok = false;
                    continue;
                }
                if (t->entries.size() != 1) {
                    error(t->position, QStringLiteral("token needs exactly one of env: VARIABLE or file: /path"));
                    ok = false;
                    continue;
                }
                const Entry& ref = t->entries.constFirst();
                if (ref.key == u"env") {
                    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
                    const auto v = string(ref);
                    if (v && envName.match(*v).hasMatch()) {
                        a.token = SecretRef::env(*v);
                    } else {
                        if (v)
                            error(pos(ref),
                                QStringLiteral("'env' must name an environment variable, got %1").arg(quoted(*v)));
                        ok = false;
                    }
                } else if (const auto p = path(ref)) {
                    a.token = SecretRef::file(*p);
                } else {
                    ok = false;
                }
            }
        }
        if (!f->get(u"url")) {
            missing(*f, QStringLiteral("http step"), QStringLiteral("url"));
            ok = false;
        }
        if (const Entry* i = f->get(u"insecure_token_over_http"))
            a.insecureTokenOverHttp = boolean(*i).value_or(false);
        // A literal host can be judged now; {admin} is judged at the admin section, a templated host at run time.
        if (!a.url.startsWith(QStringLiteral("{admin}")) && !QUrl(a.url).host().contains(u'{'))
            checkTokenTransport(*f, QUrl(a.url), a.token.has_value(), QStringLiteral("http step"), ok);
        if (!ok)
            return std::nullopt;
        return a;
    }
    if (e.key == u"haproxy") {
        a.kind = RunbookActionConfig::Kind::Haproxy;
        const QStringList ops { QStringLiteral("set_state"), QStringLiteral("set_weight"),
            QStringLiteral("block_sources"), QStringLiteral("unblock_sources") };
        const auto f = mapping(e.value, pos(e), QStringLiteral("a haproxy step"),
            ops + QStringList { QStringLiteral("instance"), QStringLiteral("backend"), QStringLiteral("server") });
        if (!f)
            return std::nullopt;
        bool ok = true;
        const Entry* op = nullptr;
        for (const Entry& x : f->entries) {
            if (!ops.contains(x.key))
                continue;
            if (op) {
                error(pos(x.keyNode),
                    QStringLiteral("haproxy step has both '%1' and '%2'; give one of %3")
                        .arg(op->key, x.key, ops.join(QStringLiteral(", "))));
                ok = false;
                continue;
            }
            op = &x;
        }
        if (!op) {
            error(f->position, QStringLiteral("haproxy step needs one of %1").arg(ops.join(QStringLiteral(", "))));
            return std::nullopt;
        }
        if (op->key == u"set_state") {
            a.haproxyOp = RunbookActionConfig::HaproxyOp::SetState;
            const QStringList states { QStringLiteral("ready"), QStringLiteral("drain"), QStringLiteral("maint") };
            const QString v = op->value.IsScalar() ? fromStd(op->value.Scalar()) : QString();
            if (!states.contains(v)) {
                error(pos(*op),
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
                    error(pos(*op),
                        QStringLiteral("'set_weight' must be a weight 0–256, 'model' (the load-balancing model) or "
                                       "'baseline', got %1")
                            .arg(describe(op->value)));
                    ok = false;
                }
            }
        } else {
            a.haproxyOp = op->key == u"block_sources" ? RunbookActionConfig::HaproxyOp::BlockSources
                                                      : RunbookActionConfig::HaproxyOp::UnblockSources;
            const auto v = boolean(*op);
            if (v == false) {
                error(pos(*op), QStringLiteral("'%1: false' does nothing; remove the step").arg(op->key));
                ok = false;
            } else if (!v) {
                ok = false;
            }
        }
        for (const Entry& x : f->entries) {
            if (x.key == u"instance") {
                const auto v = name(x, QStringLiteral("haproxy instance"));
                if (!v) {
                    ok = false;
                } else if (!m_config.haproxyInstance(*v)) {
                    QStringList instances;
                    for (const HaproxyInstance& h : std::as_const(m_config.haproxy))
                        instances << h.name;
                    error(pos(x),
                        QStringLiteral("haproxy: unknown instance '%1'%2; instances are defined in the top-level "
                                       "'haproxy' list")
                            .arg(*v, didYouMean(*v, instances)));
                    ok = false;
                } else {
                    a.instance = *v;
                }
            } else if (x.key == u"backend" || x.key == u"server") {
                const auto v = string(x);
                if (!v || !checkTemplate(x.value, *v, QStringLiteral("haproxy %1").arg(x.key))) {
                    ok = false;
                    continue;
                }
                if (!v->contains(u'{') && !namePattern().match(*v).hasMatch()) {
                    error(pos(x),
                        QStringLiteral("invalid haproxy %1 %2 (use letters, digits, '_', '.' and '-')")
                            .arg(x.key, quoted(*v)));
                    ok = false;
                    continue;
                }
                (x.key == u"backend" ? a.backend : a.server) = *v;
            }
        }
        if (m_config.haproxy.isEmpty()) {
            error(pos(e.keyNode),
                QStringLiteral("haproxy step: no haproxy instance is configured (top-level 'haproxy')"));
            ok = false;
        }
        const bool sources = a.haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
            || a.haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources;
        if (sources) {
            const HaproxyInstance* h = a.instance.isEmpty()
                ? (m_config.haproxy.isEmpty() ? nullptr : &m_config.haproxy.constFirst())
                : m_config.haproxyInstance(a.instance);
            if (h && h->blockAcl.isEmpty()) {
                error(
                    pos(*op), QStringLiteral("'%1' needs a block_acl on haproxy instance '%2'").arg(op->key, h->name));
                ok = false;
            }
            if (f->get(u"backend") || f->get(u"server")) {
                error(pos(*op),
                    QStringLiteral("'%1' acts on the instance's block ACL: backend/server do not apply").arg(op->key));
                ok = false;
            }
        } else if (a.backend.isEmpty()) {
            needs.membership.append(pos(e.keyNode));
        }
        if (!ok)
            return std::nullopt;
        return a;
    }
    // wait
    a.kind = RunbookActionConfig::Kind::Wait;
    const auto c = readRunbookCondition(e, false, needs);
    if (!c)
        return std::nullopt;
    a.wait = *c;
    return a;
}

std::optional<RunbookStepConfig> Validator::readRunbookStep(const YNode& n, RunbookNeeds& needs)
{
    const QStringList actions { QStringLiteral("command"), QStringLiteral("run"), QStringLiteral("http"),
        QStringLiteral("haproxy"), QStringLiteral("wait") };
    const auto f = mapping(n, {}, QStringLiteral("a runbook step"),
        actions
            + QStringList { QStringLiteral("name"), QStringLiteral("precondition"), QStringLiteral("deadline"),
                QStringLiteral("verify"), QStringLiteral("verify_deadline"), QStringLiteral("rollback"),
                QStringLiteral("on_failure"), QStringLiteral("env") });
    if (!f)
        return std::nullopt;
    RunbookStepConfig step;
    step.position = f->position;
    bool ok = true;
    const Entry* action = nullptr;
    for (const Entry& x : f->entries) {
        if (stopped())
            return std::nullopt;
        if (actions.contains(x.key)) {
            if (action) {
                error(pos(x.keyNode),
                    QStringLiteral("step has both '%1' and '%2': one action per step (add another step)")
                        .arg(action->key, x.key));
                ok = false;
                continue;
            }
            action = &x;
            if (const auto a = readRunbookAction(x, needs))
                step.action = *a;
            else
                ok = false;
        } else if (x.key == u"name") {
            const auto v = string(x);
            if (v && !v->contains(u'\n'))
                step.name = *v;
            else
                ok = false;
        } else if (x.key == u"precondition" || x.key == u"verify") {
            const auto c = readRunbookCondition(x, x.key == u"precondition", needs);
            if (!c)
                ok = false;
            else if (x.key == u"precondition")
                step.precondition = *c;
            else
                step.verify = *c;
        } else if (x.key == u"deadline" || x.key == u"verify_deadline") {
            const auto d = duration(x);
            if (!d)
                ok = false;
            else if (x.key == u"deadline")
                step.deadline = *d;
            else
                step.verifyDeadline = *d;
        } else if (x.key == u"rollback") {
            const auto r = mapping(x.value, pos(x), QStringLiteral("a rollback"), actions);
            if (!r) {
                ok = false;
            } else if (r->entries.size() != 1) {
                error(r->position, QStringLiteral("a rollback is one action: command, run, http, haproxy or wait"));
                ok = false;
            } else if (const auto a = readRunbookAction(r->entries.constFirst(), needs)) {
                if (a->kind == RunbookActionConfig::Kind::Haproxy
                    && (a->haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
                        || a->haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources)) {
                    error(r->position,
                        QStringLiteral("block_sources/unblock_sources cannot be a rollback: a block_sources step "
                                       "unblocks its own sources when rolled back"));
                    ok = false;
                } else {
                    step.rollback = *a;
                }
            } else {
                ok = false;
            }
        } else if (x.key == u"on_failure") {
            const QStringList policies { QStringLiteral("rollback"), QStringLiteral("continue"),
                QStringLiteral("escalate") };
            const QString v = x.value.IsScalar() ? fromStd(x.value.Scalar()) : QString();
            if (v == u"rollback")
                step.onFailure = RunbookStepConfig::OnFailure::Rollback;
            else if (v == u"continue")
                step.onFailure = RunbookStepConfig::OnFailure::Continue;
            else if (v == u"escalate")
                step.onFailure = RunbookStepConfig::OnFailure::Escalate;
            else {
                error(pos(x),
                    QStringLiteral("'on_failure' must be rollback, continue or escalate, got %1%2")
                        .arg(describe(x.value), didYouMean(v, policies)));
                ok = false;
            }
        }
    }
    if (!f->get(u"name")) {
        missing(*f, QStringLiteral("runbook step"), QStringLiteral("name"));
        ok = false;
    }
    if (!action) {
        error(f->position, QStringLiteral("step needs one action: command, run, http, haproxy or wait"));
        ok = false;
    }
    if (const Entry* env = f->get(u"env")) {
        if (action && action->key != u"command" && action->key != u"run") {
            error(pos(env->keyNode), QStringLiteral("'env' applies to command and run steps only"));
            ok = false;
        } else if (const auto vars = readEnv(*env)) {
            step.action.env = *vars;
            if (step.rollback && step.rollback->kind == RunbookActionConfig::Kind::Command)
                step.rollback->env = *vars;
        } else {
            ok = false;
        }
    }
    if (action && action->key == u"wait" && f->get(u"verify")) {
        error(pos(f->get(u"verify")->keyNode), QStringLiteral("a wait step is its own verification; drop 'verify'"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return step;
}

QList<RunbookStepConfig> Validator::readRunbookSteps(const Entry& e, RunbookNeeds& needs)
{
    QList<RunbookStepConfig> steps;
    const auto items = sequence(e);
    if (!items)
        return steps;
    if (items->isEmpty())
        error(pos(e), QStringLiteral("'%1' needs at least one step (or leave it out)").arg(e.key));
    QHash<QString, int> names;
    for (const YNode& n : *items) {
        if (stopped())
            break;
        const auto step = readRunbookStep(n, needs);
        if (!step)
            continue;
        if (const auto it = names.constFind(step->name); it != names.constEnd())
            error(step->position,
                QStringLiteral("duplicate step name '%1' in '%2' (first at line %3)").arg(step->name, e.key).arg(*it));
        else
            names.insert(step->name, step->position.line);
        steps.append(*step);
    }
    return steps;
}

std::optional<RunbookConfig> Validator::readRunbook(const YNode& n)
{
    const auto f = mapping(n, {}, QStringLiteral("a runbook"),
        { QStringLiteral("name"), QStringLiteral("on"), QStringLiteral("targets"), QStringLiteral("groups"),
            QStringLiteral("handle"), QStringLiteral("recover") });
    if (!f)
        return std::nullopt;
    RunbookConfig r;
    r.position = f->position;
    RunbookNeeds needs;
    bool ok = true;
    QStringList targetNames;
    QStringList groupNames;
    for (const TargetConfig& t : std::as_const(m_config.targets)) {
        targetNames << t.name;
        if (!t.group.isEmpty() && !groupNames.contains(t.group))
            groupNames << t.group;
    }
    for (const Entry& x : f->entries) {
        if (stopped())
            return std::nullopt;
        if (x.key == u"name") {
            if (const auto v = name(x, QStringLiteral("runbook name")))
                r.name = *v;
            else
                ok = false;
        } else if (x.key == u"on") {
            QList<YNode> causes;
            if (x.value.IsScalar())
                causes << x.value;
            else if (const auto items = sequence(x))
                causes = *items;
            else
                ok = false;
            if (causes.isEmpty() && ok) {
                error(pos(x),
                    QStringLiteral("'on' needs at least one cause class (%1)")
                        .arg(CauseClasses::names().join(QStringLiteral(", "))));
                ok = false;
            }
            for (const YNode& c : std::as_const(causes)) {
                const QString text = c.IsScalar() ? fromStd(c.Scalar()) : QString();
                if (const auto cause = CauseClasses::fromString(text)) {
                    if (r.on.contains(*cause))
                        error(pos(c), QStringLiteral("cause class '%1' is listed twice").arg(text));
                    else
                        r.on << *cause;
                } else {
                    error(pos(c),
                        QStringLiteral("unknown cause class %1 (one of: %2)%3")
                            .arg(describe(c), CauseClasses::names().join(QStringLiteral(", ")),
                                didYouMean(text, CauseClasses::names())));
                    ok = false;
                }
            }
        } else if (x.key == u"targets" || x.key == u"groups") {
            const bool targets = x.key == u"targets";
            const auto items = sequence(x);
            if (!items) {
                ok = false;
                continue;
            }
            if (items->isEmpty()) {
                error(pos(x),
                    QStringLiteral("'%1' is empty: leave it out to bind the runbook to its causes on every "
                                   "target")
                        .arg(x.key));
                ok = false;
            }
            for (const YNode& item : *items) {
                const auto v = name(item, targets ? QStringLiteral("target name") : QStringLiteral("group name"));
                if (!v) {
                    ok = false;
                    continue;
                }
                const QStringList& known = targets ? targetNames : groupNames;
                if (!known.contains(*v)) {
                    error(pos(item),
                        QStringLiteral("unknown %1 '%2'%3")
                            .arg(targets ? u"target" : u"group", *v, didYouMean(*v, known)));
                    ok = false;
                    continue;
                }
                (targets ? r.targets : r.groups) << *v;
            }
        } else if (x.key == u"handle") {
            r.handle = readRunbookSteps(x, needs);
        } else if (x.key == u"recover") {
            r.recover = readRunbookSteps(x, needs);
        }
    }
    if (!f->get(u"name")) {
        missing(*f, QStringLiteral("runbook"), QStringLiteral("name"));
        ok = false;
    }
    if (!f->get(u"on")) {
        error(f->position,
            QStringLiteral("runbook is missing required key 'on' (the cause classes it handles: %1)")
                .arg(CauseClasses::names().join(QStringLiteral(", "))));
        ok = false;
    }
    if (!f->get(u"handle") && !f->get(u"recover")) {
        error(f->position, QStringLiteral("runbook needs 'handle:' or 'recover:' steps (or both)"));
        ok = false;
    }
    if (ok)
        checkRunbookNeeds(r, needs);
    if (!ok)
        return std::nullopt;
    return r;
}

void Validator::checkRunbookNeeds(const RunbookConfig& r, const RunbookNeeds& needs)
{
    // The targets the runbook can act on: those it names, the members of its groups, or (cause-only) all.
    QList<const TargetConfig*> bound;
    for (const TargetConfig& t : std::as_const(m_config.targets))
        if ((r.targets.isEmpty() && r.groups.isEmpty()) || r.targets.contains(t.name) || r.groups.contains(t.group))
            bound << &t;
    const bool causeOnly = r.targets.isEmpty() && r.groups.isEmpty();
    auto report = [&](SourcePosition at, const QString& what, const QStringList& lacking) {
        if (lacking.isEmpty())
            return;
        if (causeOnly && lacking.size() < bound.size())
            return; // a cause-only runbook applies where it can; the preview says where it cannot
        error(at,
            QStringLiteral("%1, which %2 lack%3: %4")
                .arg(what,
                    lacking.size() > 3 ? QStringLiteral("%1 bound targets").arg(lacking.size())
                                       : lacking.join(QStringLiteral(", ")),
                    lacking.size() == 1 ? QStringLiteral("s") : QString(),
                    causeOnly ? QStringLiteral("no target has it") : QStringLiteral("narrow the binding or add it")));
    };
    for (const auto& [signal, at] : needs.signalNames) {
        const QString& wanted = signal; // clang 14 (the fuzz preset) cannot capture a structured binding
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (std::none_of(t->signalConfigs.cbegin(), t->signalConfigs.cend(),
                    [&](const SignalConfig& s) { return s.name == wanted; }))
                lacking << t->name;
        report(at, QStringLiteral("condition reads signal '%1'").arg(signal), lacking);
    }
    for (const SourcePosition& at : needs.admin) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->admin)
                lacking << t->name;
        report(at, QStringLiteral("{admin} needs the target's admin API"), lacking);
    }
    for (const auto& [command, at] : needs.commands) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->commands.contains(command))
                lacking << t->name;
        report(at, QStringLiteral("run: %1 needs the target's command '%1'").arg(command), lacking);
    }
    for (const SourcePosition& at : needs.membership) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->haproxy)
                lacking << t->name;
        report(at, QStringLiteral("haproxy step without 'backend' acts on the target's pool membership"), lacking);
    }
}

void Validator::checkRunbookAmbiguity()
{
    struct Seen
    {
        QString runbook;
        int line;
    };
    QHash<QString, Seen> seen; ///< "level|name|cause" → first runbook
    QHash<QString, int> names;
    for (const RunbookConfig& r : std::as_const(m_config.runbooks)) {
        if (const auto it = names.constFind(r.name); it != names.constEnd())
            error(r.position,
                QStringLiteral("duplicate runbook name '%1' (first defined at line %2)").arg(r.name).arg(*it));
        else
            names.insert(r.name, r.position.line);
        for (const CauseClass c : r.on) {
            QList<QPair<QString, QString>> keys; ///< level, what
            for (const QString& t : r.targets)
                keys.append({ QStringLiteral("target"), t });
            for (const QString& g : r.groups)
                keys.append({ QStringLiteral("group"), g });
            if (r.targets.isEmpty() && r.groups.isEmpty())
                keys.append({ QStringLiteral("cause"), QString() });
            for (const auto& [level, what] : keys) {
                const QString key = level + u'|' + what + u'|' + causeClassName(c);
                if (const auto it = seen.constFind(key); it != seen.constEnd()) {
                    const QString where
                        = what.isEmpty() ? QStringLiteral("every target") : QStringLiteral("%1 %2").arg(level, what);
                    error(r.position,
                        QStringLiteral("ambiguous binding: runbooks '%1' (line %2) and '%3' are both bound to %4 for "
                                       "cause %5; bind one of them more narrowly (targets:/groups:) or merge them")
                            .arg(it->runbook)
                            .arg(it->line)
                            .arg(r.name, where, causeClassName(c)));
                } else {
                    seen.insert(key, { r.name, r.position.line });
                }
            }
        }
    }
}

void Validator::readRunbooks(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        if (stopped())
            return;
        if (auto r = readRunbook(n))
            m_config.runbooks.append(*r);
    }
    checkRunbookAmbiguity();
}

// ---- maintenance windows -------------------------------------------------------------------------------------

void Validator::readMaintenance(const Entry& e)
{
    const auto items = sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        if (stopped())
            return;
        const auto f = mapping(n, pos(e), QStringLiteral("a maintenance window"),
            { QStringLiteral("targets"), QStringLiteral("groups"), QStringLiteral("start"), QStringLiteral("end"),
                QStringLiteral("comment"), QStringLiteral("confirm_long") });
        if (!f)
            continue;
        MaintenanceConfig m;
        m.position = f->position;
        bool ok = true;
        for (const Entry& x : f->entries) {
            if (x.key == u"targets" || x.key == u"groups") {
                const auto names = sequence(x);
                if (!names) {
                    ok = false;
                    continue;
                }
                for (const YNode& item : *names) {
                    const auto nm = name(
                        item, x.key == u"targets" ? QStringLiteral("target name") : QStringLiteral("group name"));
                    if (!nm) {
                        ok = false;
                        continue;
                    }
                    (x.key == u"targets" ? m.targets : m.groups).append(*nm);
                    (x.key == u"targets" ? m_maintenanceTargetRefs : m_maintenanceGroupRefs)
                        .append({ -1, *nm, pos(item) });
                }
            } else if (x.key == u"start" || x.key == u"end") {
                const auto t = utcTime(x);
                if (!t)
                    ok = false;
                else
                    (x.key == u"start" ? m.startUtc : m.endUtc) = *t;
            } else if (x.key == u"comment") {
                m.comment = string(x, true).value_or(QString());
            } else if (x.key == u"confirm_long") {
                m.confirmLong = boolean(x).value_or(false);
            }
        }
        if (m.targets.isEmpty() && m.groups.isEmpty() && ok)
            error(f->position, QStringLiteral("a maintenance window needs 'targets' or 'groups' (or both), not empty"));
        if (!f->get(u"start"))
            missing(*f, QStringLiteral("maintenance window"), QStringLiteral("start"));
        if (!f->get(u"end"))
            missing(*f, QStringLiteral("maintenance window"), QStringLiteral("end"));
        if (m.startUtc.isValid() && m.endUtc.isValid()) {
            const SourcePosition endPos = pos(*f->get(u"end"));
            const qint64 length = m.startUtc.msecsTo(m.endUtc);
            if (length <= 0)
                error(endPos,
                    QStringLiteral("maintenance window ends (%1) before it starts (%2)")
                        .arg(m.endUtc.toString(Qt::ISODate), m.startUtc.toString(Qt::ISODate)));
            else if (length > 7LL * 24 * 3600 * 1000 && !m.confirmLong)
                error(endPos,
                    QStringLiteral("maintenance window lasts %1 days, more than 7; add 'confirm_long: true' if that "
                                   "is intended")
                        .arg(length / 86400000.0, 0, 'f', 1));
        }
        m_config.maintenance.append(m);
    }
}

void Validator::checkMaintenanceReferences()
{
    QStringList targetNames;
    QStringList groupNames;
    for (const TargetConfig& t : std::as_const(m_config.targets)) {
        targetNames << t.name;
        if (!t.group.isEmpty() && !groupNames.contains(t.group))
            groupNames << t.group;
    }
    for (const Reference& r : std::as_const(m_maintenanceTargetRefs))
        if (!m_targetIndex.contains(r.name))
            error(r.position,
                QStringLiteral("maintenance: unknown target '%1'%2").arg(r.name, didYouMean(r.name, targetNames)));
    for (const Reference& r : std::as_const(m_maintenanceGroupRefs))
        if (!groupNames.contains(r.name))
            error(r.position,
                QStringLiteral("maintenance: no target is in group '%1'%2")
                    .arg(r.name, didYouMean(r.name, groupNames)));
}

// ---- correlation ---------------------------------------------------------------------------------------------

void Validator::readCorrelation(const Entry& e)
{
    if (e.value.IsNull())
        return;
    const auto f = mapping(e.value, pos(e), QStringLiteral("correlation"),
        { QStringLiteral("enabled"), QStringLiteral("window"), QStringLiteral("aftershock_grace"),
            QStringLiteral("rules") });
    if (!f)
        return;
    CorrelationConfig& c = m_config.correlation;
    c.position = f->position;
    for (const Entry& x : f->entries) {
        if (x.key == u"enabled") {
            c.enabled = boolean(x).value_or(c.enabled);
        } else if (x.key == u"window") {
            const auto d = duration(x);
            if (d && *d > std::chrono::minutes(10))
                error(pos(x),
                    QStringLiteral("'window' is at most 10m: faults that far apart are not one event, got %1")
                        .arg(describe(x.value)));
            else if (d)
                c.window = *d;
        } else if (x.key == u"aftershock_grace") {
            // "0s" turns aftershocks off; duration() wants a positive value, so zero is read here.
            if (x.value.IsScalar()
                && QStringList { QStringLiteral("0"), QStringLiteral("0s"), QStringLiteral("0ms") }.contains(
                    fromStd(x.value.Scalar()).trimmed())) {
                c.aftershockGrace = milliseconds(0);
                continue;
            }
            const auto d = duration(x);
            if (d && *d > std::chrono::hours(1))
                error(pos(x), QStringLiteral("'aftershock_grace' is at most 1h, got %1").arg(describe(x.value)));
            else if (d)
                c.aftershockGrace = *d;
        } else if (x.key == u"rules") {
            const auto r = mapping(x.value, pos(x), QStringLiteral("correlation rules"),
                { QStringLiteral("depends_on"), QStringLiteral("pool"), QStringLiteral("group"),
                    QStringLiteral("traffic_path") });
            if (!r)
                continue;
            for (const Entry& y : r->entries) {
                const auto on = boolean(y);
                if (!on)
                    continue;
                if (y.key == u"depends_on")
                    c.dependsOn = *on;
                else if (y.key == u"pool")
                    c.pool = *on;
                else if (y.key == u"group")
                    c.group = *on;
                else
                    c.trafficPath = *on;
            }
        }
    }
}

void Validator::checkLinkReferences()
{
    QStringList targetNames;
    for (const TargetConfig& t : std::as_const(m_config.targets))
        targetNames << t.name;
    for (const TargetConfig& t : std::as_const(m_config.targets)) {
        for (const SignalConfig& s : t.signalConfigs) {
            if (s.link.isEmpty())
                continue;
            const SourcePosition at = s.linkPosition.isValid() ? s.linkPosition : s.position;
            if (s.link == t.name)
                error(at,
                    QStringLiteral("link: '%1' is the target itself; a link names one of its dependencies")
                        .arg(s.link));
            else if (!m_targetIndex.contains(s.link))
                error(at, QStringLiteral("link: unknown target '%1'%2").arg(s.link, didYouMean(s.link, targetNames)));
            else if (!t.dependencyNames().contains(s.link))
                error(at,
                    QStringLiteral("link: '%1' is not a dependency of '%2'; add it to depends_on (the link is the "
                                   "path from %2 to it)")
                        .arg(s.link, t.name));
        }
    }
}

ConfigLoadResult Validator::run()
{
    ConfigLoadResult result;
    m_config.sourceFile = m_file;
    try {
        std::vector<YNode> documents;
        const std::string text(source().constData(), size_t(source().size()));
        try {
            std::istringstream stream(text);
            YAML::Parser parser(stream);
            EventBudget budget(4 * qint64(text.size()) + 64);
            while (parser.HandleNextDocument(budget)) { }
            documents = YAML::LoadAll(text);
        } catch (const EventBudget::Exceeded&) {
            error({ 1, 1 },
                QStringLiteral("YAML syntax error: the document does not parse to a finite structure (check the "
                               "brackets and braces of flow collections)"));
            result.errors = errors();
            return result;
        } catch (const YAML::ParserException& e) {
            error({ std::max(e.mark.line, 0) + 1, std::max(e.mark.column, 0) + 1 },
                QStringLiteral("YAML syntax error: ") + fromStd(e.msg));
            result.errors = errors();
            return result;
        }
        if (documents.empty() || documents.front().IsNull()) {
            error({ 1, 1 },
                QStringLiteral("empty fleet description: expected a mapping with 'version: 1' and 'targets'"));
        } else {
            if (documents.size() > 1)
                error(pos(documents.at(1)),
                    QStringLiteral("more than one YAML document ('---'); a fleet description is a single document"));
            if (m_base) {
                // A runbooks-only document: bound against a fleet loaded before.
                const auto root = mapping(documents.front(), { 1, 1 }, QStringLiteral("a runbooks file"),
                    { QStringLiteral("version"), QStringLiteral("runbooks") });
                if (root) {
                    m_config = *m_base;
                    for (int i = 0; i < m_config.targets.size(); ++i)
                        m_targetIndex.insert(m_config.targets.at(i).name, i);
                    if (const Entry* v = root->get(u"version");
                        v && (!v->value.IsScalar() || fromStd(v->value.Scalar()) != u"1"))
                        error(pos(*v),
                            QStringLiteral("unsupported version %1: this FaultDesk reads 'version: 1'")
                                .arg(describe(v->value)));
                    if (const Entry* r = root->get(u"runbooks"))
                        readRunbooks(*r);
                    else
                        missing(*root, QStringLiteral("a runbooks file"), QStringLiteral("runbooks"));
                }
            }
            const auto root = m_base
                ? std::optional<Fields>()
                : mapping(documents.front(), { 1, 1 }, QStringLiteral("the fleet description"),
                    { QStringLiteral("version"), QStringLiteral("defaults"), QStringLiteral("haproxy"),
                        QStringLiteral("targets"), QStringLiteral("runbooks"), QStringLiteral("alertmanager"),
                        QStringLiteral("prometheus"), QStringLiteral("maintenance"), QStringLiteral("correlation"),
                        QStringLiteral("never_block"), QStringLiteral("max_block_sources") });
            if (root) {
                if (const Entry* v = root->get(u"version")) {
                    if (!v->value.IsScalar() || fromStd(v->value.Scalar()) != u"1")
                        error(pos(*v),
                            QStringLiteral("unsupported version %1: this FaultDesk reads 'version: 1'")
                                .arg(describe(v->value)));
                } else {
                    error(root->position, QStringLiteral("missing required key 'version' (add 'version: 1')"));
                }
                if (const Entry* d = root->get(u"defaults"))
                    readDefaults(*d);
                if (const Entry* h = root->get(u"haproxy"))
                    readHaproxyInstances(*h);
                if (const Entry* a = root->get(u"alertmanager"))
                    readAlertmanagers(*a);
                if (const Entry* p = root->get(u"prometheus"))
                    readPrometheusSources(*p);
                const bool discovers = std::any_of(m_config.prometheus.cbegin(), m_config.prometheus.cend(),
                    [](const PrometheusSourceConfig& p) { return p.discover.has_value(); });
                if (const Entry* t = root->get(u"targets"))
                    readTargets(*t, discovers);
                else if (!discovers)
                    missing(*root, QStringLiteral("the fleet description"), QStringLiteral("targets"));
                if (const Entry* m = root->get(u"maintenance"))
                    readMaintenance(*m);
                if (const Entry* c = root->get(u"correlation"))
                    readCorrelation(*c);
                if (const Entry* n = root->get(u"never_block"))
                    readNeverBlock(*n);
                if (const Entry* n = root->get(u"max_block_sources"))
                    m_config.maxBlockSources = int(integer(*n, 1, 10000).value_or(m_config.maxBlockSources));
                if (!stopped()) {
                    checkReferences();
                    checkCycles();
                    checkMaintenanceReferences();
                    checkLinkReferences();
                }
                if (const Entry* r = root->get(u"runbooks"); r && !stopped())
                    readRunbooks(*r);
            }
        }
    } catch (const std::exception& e) {
        // yaml-cpp signals unexpected shapes with exceptions; they end the load, never the program.
        error({}, QStringLiteral("cannot read the document: ") + QString::fromLocal8Bit(e.what()));
    }
    result.errors = sortedErrors();
    if (result.errors.isEmpty()) {
        result.config = std::move(m_config);
        maskConfiguredSecrets(*result.config);
    }
    return result;
}

} // namespace

ConfigLoadResult FleetConfigLoader::loadBytes(
    const QByteArray& yaml, const QString& displayName, const QString& baseDir)
{
    if (yaml.size() > MaxFileBytes) {
        ConfigLoadResult r;
        r.errors.append({ displayName, {},
            QStringLiteral("the file is larger than %1 MiB; is it really a fleet description?")
                .arg(MaxFileBytes / (1024 * 1024)) });
        return r;
    }
    return Validator(displayName, yaml, baseDir).run();
}

ConfigLoadResult FleetConfigLoader::loadFile(const QString& path)
{
    ConfigLoadResult r;
    const QFileInfo info(path);
    QFile file(path);
    if (info.isDir()) {
        r.errors.append({ path, {}, QStringLiteral("cannot read: is a directory") });
        return r;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        r.errors.append({ path, {}, QStringLiteral("cannot read: ") + file.errorString() });
        return r;
    }
    const QByteArray bytes = file.read(MaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        r.errors.append({ path, {}, QStringLiteral("cannot read: ") + file.errorString() });
        return r;
    }
    return loadBytes(bytes, path, info.absolutePath());
}

ConfigLoadResult FleetConfigLoader::loadRunbooks(const QString& path, const FleetConfig& fleet)
{
    ConfigLoadResult r;
    const QFileInfo info(path);
    QFile file(path);
    if (info.isDir() || !file.open(QIODevice::ReadOnly)) {
        r.errors.append({ path, {},
            QStringLiteral("cannot read: ") + (info.isDir() ? QStringLiteral("is a directory") : file.errorString()) });
        return r;
    }
    const QByteArray bytes = file.read(MaxFileBytes + 1);
    if (bytes.size() > MaxFileBytes) {
        r.errors.append({ path, {}, QStringLiteral("the file is too large for a runbooks file") });
        return r;
    }
    // The runbooks are added to the ones the fleet has; the result keeps the fleet's own source file name.
    Validator v(path, bytes, info.absolutePath());
    v.setBase(&fleet);
    return v.run();
}

ConfigLoadResult FleetConfigLoader::reload(const QString& path, const FleetConfig& current)
{
    ConfigLoadResult r = loadFile(path);
    if (!r.errors.isEmpty())
        r.config = current;
    return r;
}

} // namespace FaultDesk
