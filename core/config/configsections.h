#pragma once

#include "config/configdraft.h"
#include "config/yamlreader.h"

#include <QPair>

// The sections of a fleet description, one reader each (in the file named after the section), and the checks across
// them. Private to core/config: FleetConfigLoader runs them in order over one YamlReader and one ConfigDraft.

namespace FaultDesk::ConfigSections {

/// What a runbook's steps need from the targets it is bound to, checked once the binding is known.
struct RunbookNeeds
{
    QList<QPair<QString, SourcePosition>> signalNames; ///< conditions' signals
    QList<SourcePosition> admin; ///< http steps with {admin}
    QList<SourcePosition> membership; ///< haproxy steps without a backend
    QList<QPair<QString, SourcePosition>> commands; ///< `run: NAME` steps: the targets' own commands
    QList<SourcePosition> postgres; ///< sql steps: the targets' postgres probe connection
};

// ---- the sections, in the order the loader reads them (each in the file named after it) ----

void readDefaults(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
/// `haproxy:` — the instances remediation drives (haproxysection.cpp).
void readHaproxyInstances(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readAlertmanagers(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readPrometheusSources(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
/// `targets:`; @p mayBeEmpty when a Prometheus source discovers targets.
void readTargets(YamlReader& yaml, ConfigDraft& draft, const Entry& e, bool mayBeEmpty);
void readMaintenance(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readCorrelation(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
/// `never_block:` — addresses and networks an attack Handle never blocks (haproxysection.cpp).
void readNeverBlock(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
/// `store:` — the incident database: a SQLite path or a PostgreSQL URL with its password by reference.
void readStore(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
/// `runbooks:`, read last (they are bound to targets and groups), then checked for ambiguous bindings.
void readRunbooks(YamlReader& yaml, ConfigDraft& draft, const Entry& e);

// ---- checks across sections, once they are read (crosschecks.cpp) ----

/// depends_on, haproxy instances and Prometheus sources name what exists; one target per pool server and instance.
void checkReferences(YamlReader& yaml, ConfigDraft& draft);
/// No dependency cycle; each cycle reported once, from its first-declared target.
void checkCycles(YamlReader& yaml, ConfigDraft& draft);
/// Maintenance windows name existing targets and groups.
void checkMaintenanceReferences(YamlReader& yaml, ConfigDraft& draft);
/// A signal's `link:` names another target that its own target depends on.
void checkLinkReferences(YamlReader& yaml, ConfigDraft& draft);
/// Unique runbook names; no two runbooks bound to the same target, group or cause at the same level.
void checkRunbookAmbiguity(YamlReader& yaml, ConfigDraft& draft);

// ---- pieces more than one section reads ----

/// `threshold: {above | below, clear, adaptive}` of a target's or a Prometheus source's signal (signalssection.cpp).
std::optional<SignalThreshold> readThreshold(YamlReader& yaml, const Entry& e);
/// One entry of a target's `signals:` (signalssection.cpp).
std::optional<SignalConfig> readSignal(YamlReader& yaml, const YNode& n);
/// `KEY: { env: VARIABLE }` or `KEY: { file: /path }` (secretfields.cpp).
std::optional<SecretRef> readSecret(YamlReader& yaml, const Entry& e);
/// The keys of a section that sends a bearer token: `token`, the deprecated `token_env`/`token_file`,
/// `insecure_token_over_http`, and `password`/`secret` (accepted only to be refused as inline secrets).
const QStringList& tokenKeys();
/**
 * Reads the token keys of @p f: `token: { env | file }`, or the deprecated `token_env`/`token_file` (a warning that
 * names the new spelling), and `insecure_token_over_http`. Refuses inline secrets and two spellings at once; @p what
 * names the section ("admin"). False when any of them was wrong.
 */
bool readToken(
    YamlReader& yaml, const Fields& f, const QString& what, std::optional<SecretRef>& token, bool& insecureOverHttp);
/// Refuses a token sent over plain http to a host that is not loopback, unless `insecure_token_over_http: true`.
bool checkTokenTransport(
    YamlReader& yaml, const Fields& f, const QUrl& url, bool hasToken, bool insecureOverHttp, const QString& what);
/// The keys of the runbook step kinds: command, run, http, haproxy, wait.
const QStringList& stepKindNames();
/// The action @p e of a step or rollback, by the reader of its kind (@p e.key is one of stepKindNames()).
std::optional<RunbookActionConfig> readRunbookAction(
    YamlReader& yaml, const ConfigDraft& draft, const Entry& e, RunbookNeeds& needs);
/// A precondition (`otherwise:` allowed), a verification or a wait: healthy_for, load_below or load_above.
std::optional<RunbookCondition> readRunbookCondition(
    YamlReader& yaml, const Entry& e, bool precondition, RunbookNeeds& needs);

} // namespace FaultDesk::ConfigSections
