#pragma once

#include <QStringList>

namespace FaultDesk::Commands {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitBadInput = 2;

/// `faultdesk monitor FLEET.yaml [--json] [--duration S] [--db FILE|URL]`: headless monitoring, one line per event;
/// with --db the incidents are recorded in that database too.
int monitor(const QStringList& arguments);
/// `faultdesk demo --headless [--json] [--duration S]`: the demo fleet monitored on the terminal.
int demoHeadless(const QStringList& arguments);
/// `faultdesk report [--db FILE|URL] (--incident ID | --last | --since T) --format md|html|pdf|json -o OUT`.
/// Needs a QApplication (charts); main() forces the offscreen platform when there is no display.
int report(const QStringList& arguments);

/// `faultdesk demo [--fill-screen] [--drill KIND[:TARGET]]` with a display: the demo fleet plus the console
/// watching it; the fleet stops when the window closes. Needs a QApplication.
int demoGui(const QStringList& arguments);
/// `faultdesk [FLEET.yaml] [--fill-screen]`: the console, monitoring FLEET.yaml when given. Needs a QApplication.
int console(const QStringList& arguments);

/// `faultdesk drill overload|crash|corruption|attack [--auto] [--json] [--db FILE|URL]`: a remediation fire drill on
/// the demo fleet; exit 0 only when the right root cause was located and the fleet recovered to its baseline.
int drill(const QStringList& arguments);

/// `faultdesk db migrate --db FILE|URL` and `faultdesk db copy --from FILE|URL --to FILE|URL`: create or upgrade an
/// incident database, and move a history into another (a single operator's file into the team's PostgreSQL).
int db(const QStringList& arguments);

} // namespace FaultDesk::Commands
