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
std::optional<SecretRef> readSecret(YamlReader& yaml, const Entry& e);
bool tokenKey(
    YamlReader& yaml, const Entry& x, const QStringList& inlineSecrets, std::optional<SecretRef>& token, bool& ok);
void checkOneToken(YamlReader& yaml, const Fields& f, const QString& what, bool& ok);
void checkTokenTransport(
    YamlReader& yaml, const Fields& f, const QUrl& url, bool hasToken, const QString& what, bool& ok);
std::optional<RunbookActionConfig> readRunbookAction(
    YamlReader& yaml, ConfigDraft& draft, const Entry& e, RunbookNeeds& needs);
std::optional<RunbookCondition> readRunbookCondition(
    YamlReader& yaml, const Entry& e, bool precondition, RunbookNeeds& needs);

} // namespace FaultDesk::ConfigSections
