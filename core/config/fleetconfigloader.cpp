#include "config/fleetconfigloader.h"

#include "config/configsections.h"
#include "config/yamlreader.h"

#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

/// One load: the reader, the draft it fills, and the order in which the sections are read and cross-checked.
class Validator : public YamlReader
{
public:
    Validator(const QString& file, const QByteArray& source, const QString& baseDir)
        : YamlReader(file, source, baseDir)
        , m_file(file)
    { }

    /// Reads a runbooks-only document (top-level `runbooks:`) and binds it against @p base.
    void setBase(const FleetConfig* base) { m_draft.base = base; }
    ConfigLoadResult run();

private:
    void readFleet(const YNode& document);
    void readRunbooksFile(const YNode& document);

    QString m_file;
    ConfigDraft m_draft;
};

void Validator::readRunbooksFile(const YNode& document)
{
    const auto root = mapping(document, { 1, 1 }, QStringLiteral("a runbooks file"),
        { QStringLiteral("version"), QStringLiteral("runbooks") });
    if (!root)
        return;
    m_draft.config = *m_draft.base;
    for (int i = 0; i < m_draft.config.targets.size(); ++i)
        m_draft.targetIndex.insert(m_draft.config.targets.at(i).name, i);
    if (const Entry* v = root->get(u"version"); v && (!v->value.IsScalar() || fromStd(v->value.Scalar()) != u"1"))
        error(pos(*v),
            QStringLiteral("unsupported version %1: this FaultDesk reads 'version: 1'").arg(describe(v->value)));
    if (const Entry* r = root->get(u"runbooks"))
        ConfigSections::readRunbooks(*this, m_draft, *r);
    else
        missing(*root, QStringLiteral("a runbooks file"), QStringLiteral("runbooks"));
}

void Validator::readFleet(const YNode& document)
{
    using namespace ConfigSections;
    const auto root = mapping(document, { 1, 1 }, QStringLiteral("the fleet description"),
        { QStringLiteral("version"), QStringLiteral("defaults"), QStringLiteral("haproxy"), QStringLiteral("targets"),
            QStringLiteral("runbooks"), QStringLiteral("alertmanager"), QStringLiteral("prometheus"),
            QStringLiteral("maintenance"), QStringLiteral("correlation"), QStringLiteral("never_block"),
            QStringLiteral("max_block_sources"), QStringLiteral("store") });
    if (!root)
        return;
    FleetConfig& config = m_draft.config;
    if (const Entry* v = root->get(u"version")) {
        if (!v->value.IsScalar() || fromStd(v->value.Scalar()) != u"1")
            error(pos(*v),
                QStringLiteral("unsupported version %1: this FaultDesk reads 'version: 1'").arg(describe(v->value)));
    } else {
        error(root->position, QStringLiteral("missing required key 'version' (add 'version: 1')"));
    }
    // The order matters: targets refer to HAProxy instances and Prometheus sources, runbooks to targets.
    if (const Entry* e = root->get(u"defaults"))
        readDefaults(*this, m_draft, *e);
    if (const Entry* e = root->get(u"haproxy"))
        readHaproxyInstances(*this, m_draft, *e);
    if (const Entry* e = root->get(u"alertmanager"))
        readAlertmanagers(*this, m_draft, *e);
    if (const Entry* e = root->get(u"prometheus"))
        readPrometheusSources(*this, m_draft, *e);
    const bool discovers = std::any_of(config.prometheus.cbegin(), config.prometheus.cend(),
        [](const PrometheusSourceConfig& p) { return p.discover.has_value(); });
    if (const Entry* e = root->get(u"targets"))
        readTargets(*this, m_draft, *e, discovers);
    else if (!discovers)
        missing(*root, QStringLiteral("the fleet description"), QStringLiteral("targets"));
    if (const Entry* e = root->get(u"maintenance"))
        readMaintenance(*this, m_draft, *e);
    if (const Entry* e = root->get(u"correlation"))
        readCorrelation(*this, m_draft, *e);
    if (const Entry* e = root->get(u"never_block"))
        readNeverBlock(*this, m_draft, *e);
    if (const Entry* e = root->get(u"max_block_sources"))
        config.maxBlockSources = int(integer(*e, 1, 10000).value_or(config.maxBlockSources));
    if (const Entry* e = root->get(u"store"))
        readStore(*this, m_draft, *e);
    if (!stopped()) {
        checkReferences(*this, m_draft);
        checkCycles(*this, m_draft);
        checkMaintenanceReferences(*this, m_draft);
        checkLinkReferences(*this, m_draft);
    }
    if (const Entry* e = root->get(u"runbooks"); e && !stopped())
        readRunbooks(*this, m_draft, *e);
}

ConfigLoadResult Validator::run()
{
    ConfigLoadResult result;
    m_draft.config.sourceFile = m_file;
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
            if (m_draft.base)
                readRunbooksFile(documents.front());
            else
                readFleet(documents.front());
        }
    } catch (const std::exception& e) {
        // yaml-cpp signals unexpected shapes with exceptions; they end the load, never the program.
        error({}, QStringLiteral("cannot read the document: ") + QString::fromLocal8Bit(e.what()));
    }
    result.errors = sortedErrors();
    result.warnings = sortedWarnings();
    if (result.errors.isEmpty()) {
        result.config = std::move(m_draft.config);
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
