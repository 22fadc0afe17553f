#pragma once

#include <QStringList>

namespace FaultDesk::Commands {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitBadInput = 2;

/// `faultdesk monitor FLEET.yaml [--json] [--duration S]`: headless monitoring, one line per event.
int monitor(const QStringList& arguments);
/// `faultdesk demo --headless [--json] [--duration S]`: the demo fleet monitored on the terminal.
int demoHeadless(const QStringList& arguments);
/// `faultdesk report [--db FILE] (--incident ID | --last | --since T) --format md|html|pdf|json -o OUT`.
/// Needs a QApplication (charts); main() forces the offscreen platform when there is no display.
int report(const QStringList& arguments);

/// `faultdesk demo [--fill-screen] [--drill KIND[:TARGET]]` with a display: the demo fleet plus the console
/// watching it; the fleet stops when the window closes. Needs a QApplication.
int demoGui(const QStringList& arguments);
/// `faultdesk [FLEET.yaml] [--fill-screen]`: the console, monitoring FLEET.yaml when given. Needs a QApplication.
int console(const QStringList& arguments);

/// `faultdesk drill overload|crash|corruption|attack [--auto] [--json] [--db FILE]`: a remediation fire drill on
/// the demo fleet; exit 0 only when the right root cause was located and the fleet recovered to its baseline.
int drill(const QStringList& arguments);

} // namespace FaultDesk::Commands
