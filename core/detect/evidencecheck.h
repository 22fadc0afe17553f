#pragma once

#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * Checks that an evidence sentence is literally true of the numbers it quotes: every comparison it states is
 * checked against the value the same sentence gives for it. Understood: "NAME = V (above|below X …)", "V,
 * stayed above|below the clear level C", "A > B" / "A < B" / "A ≥ B" / "A ≤ B", "V req/s, N× its baseline of B
 * req/s" and "×F (B → C …)". Anything else is left alone, so a sentence with nothing checkable has no problems.
 */
class EvidenceCheck
{
public:
    /// What is false in @p sentence, one message each ("load = 0.84 is not above 0.85"); empty when all holds.
    static QStringList problems(const QString& sentence);
};

} // namespace FaultDesk
