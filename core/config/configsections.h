#pragma once

#include "configdraft.h"
#include "yamlreader.h"

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
};

void readDefaults(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readNeverBlock(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readHaproxyInstances(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readAlertmanagers(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readPrometheusSources(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readTargets(YamlReader& yaml, ConfigDraft& draft, const Entry& e, bool mayBeEmpty);
void readMaintenance(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readCorrelation(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void readRunbooks(YamlReader& yaml, ConfigDraft& draft, const Entry& e);
void checkReferences(YamlReader& yaml, ConfigDraft& draft);
void checkCycles(YamlReader& yaml, ConfigDraft& draft);
void checkMaintenanceReferences(YamlReader& yaml, ConfigDraft& draft);
void checkLinkReferences(YamlReader& yaml, ConfigDraft& draft);
void checkRunbookAmbiguity(YamlReader& yaml, ConfigDraft& draft);
std::optional<SignalThreshold> readThreshold(YamlReader& yaml, const Entry& e);
std::optional<SignalConfig> readSignal(YamlReader& yaml, const YNode& n);
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
