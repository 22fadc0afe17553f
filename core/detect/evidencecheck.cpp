#include "detect/evidencecheck.h"

#include <QRegularExpression>

#include <cmath>
#include <optional>

namespace FaultDesk {

namespace {

#define NUM(name) "(?<" name ">-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"

bool near(double a, double b, double relative)
{
    return std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b)) + 1e-9;
}

} // namespace

QStringList EvidenceCheck::problems(const QString& sentence)
{
    QStringList out;
    // One pass over the sentence in order: a quoted value is what the comparisons after it talk about.
    static const QRegularExpression token(QStringLiteral("(?<assign>[A-Za-z_][\\w.\\-]* = " NUM(
        "v") ")"
             "|(?<cmp>\\b(?<word>above|below|over|under|more than|less than)\\s+(?:the clear level\\s+)?" NUM(
                 "lvl") ")"
                        "|(?<sym>" NUM("a") "\\s*(?<op>>=|<=|≥|≤|>|<)\\s*" NUM(
                            "b") ")"
                                 "|(?<base>" NUM("total") " req/s, " NUM("fac") "× its baseline of " NUM(
                                     "bl") ")"
                                           "|(?<factor>×" NUM("f") "[^(;]*\\(" NUM("from") " → " NUM("to") ")"));
    std::optional<double> value;
    QString valueText;
    for (auto it = token.globalMatch(sentence); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (m.hasCaptured(u"assign")) {
            value = m.captured(u"v").toDouble();
            valueText = m.captured(u"assign");
        } else if (m.hasCaptured(u"cmp")) {
            if (!value)
                continue;
            const QString word = m.captured(u"word");
            const double level = m.captured(u"lvl").toDouble();
            const bool up = word == u"above" || word == u"over" || word == u"more than";
            const bool holds = up ? *value > level : *value < level;
            if (!holds)
                out.append(QStringLiteral("%1 is not %2 %3").arg(valueText, word, m.captured(u"lvl")));
        } else if (m.hasCaptured(u"sym")) {
            const double a = m.captured(u"a").toDouble();
            const double b = m.captured(u"b").toDouble();
            const QString op = m.captured(u"op");
            const bool holds = op == u">" ? a > b : op == u"<" ? a < b : (op == u">=" || op == u"≥") ? a >= b : a <= b;
            if (!holds)
                out.append(QStringLiteral("%1 is false").arg(m.captured(u"sym")));
        } else if (m.hasCaptured(u"base")) {
            const double total = m.captured(u"total").toDouble();
            const double factor = m.captured(u"fac").toDouble();
            const double baseline = m.captured(u"bl").toDouble();
            if (!near(total, factor * baseline, 0.02))
                out.append(QStringLiteral("%1: %2 × %3 is not %4")
                               .arg(m.captured(u"base"), m.captured(u"fac"), m.captured(u"bl"), m.captured(u"total")));
        } else if (m.hasCaptured(u"factor")) {
            const double factor = m.captured(u"f").toDouble();
            const double from = m.captured(u"from").toDouble();
            const double to = m.captured(u"to").toDouble();
            if (from <= 0 || !near(to / from, factor, 0.05))
                out.append(QStringLiteral("%1: %2 → %3 is not ×%4")
                               .arg(m.captured(u"factor"), m.captured(u"from"), m.captured(u"to"), m.captured(u"f")));
        }
    }
    // An attack: the named sources' rates cannot add up to more than the busiest sources' share of the total
    // ("12 req/s …; the 3 busiest sources sent 30% of its requests; flooding sources: a (3.6 req/s), …").
    static const QRegularExpression attack(
        QStringLiteral(NUM("total") " req/s, .*?the (?:(?<n>[0-9]+) busiest sources|busiest source) sent " NUM(
            "p") "% of its requests"
                 "; flooding sources: (?<named>.*)$"));
    if (const QRegularExpressionMatch m = attack.match(sentence); m.hasMatch()) {
        static const QRegularExpression rate(QStringLiteral("\\(" NUM("r") " req/s\\)"));
        const double total = m.captured(u"total").toDouble();
        const double share = m.captured(u"p").toDouble();
        const int busiest = m.hasCaptured(u"n") ? m.captured(u"n").toInt() : 1;
        double named = 0;
        int count = 0;
        for (auto it = rate.globalMatch(m.captured(u"named")); it.hasNext(); ++count) {
            const double r = it.next().captured(u"r").toDouble();
            named += count < busiest ? r : 0;
            if (r > total * 1.001 + 0.001)
                out.append(QStringLiteral("a source's %1 req/s is more than the total %2 req/s")
                               .arg(r)
                               .arg(m.captured(u"total")));
        }
        // The share is rounded to a percent, the rates to a few digits.
        if (named > (share + 0.5) / 100.0 * total * 1.01 + 0.01)
            out.append(QStringLiteral("the named sources' %1 req/s are more than %2% of %3 req/s")
                           .arg(named)
                           .arg(m.captured(u"p"), m.captured(u"total")));
    }
    return out;
}

} // namespace FaultDesk
