#include "detect/effectivethreshold.h"

namespace FaultDesk {

QString EffectiveThreshold::sourceName(Source source)
{
    switch (source) {
    case Source::Pinned:
        return QStringLiteral("pinned");
    case Source::Learning:
        return QStringLiteral("learning");
    case Source::Adaptive:
        return QStringLiteral("adaptive");
    }
    return QStringLiteral("pinned");
}

QJsonObject EffectiveThreshold::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("signal"), signal);
    o.insert(QStringLiteral("direction"),
        direction == ThresholdRule::Direction::Above ? QStringLiteral("above") : QStringLiteral("below"));
    o.insert(QStringLiteral("enter"), enter);
    o.insert(QStringLiteral("clear"), clear);
    o.insert(QStringLiteral("source"), sourceName(source));
    o.insert(QStringLiteral("breached"), breached);
    if (source == Source::Adaptive) {
        o.insert(QStringLiteral("baseline_mean"), baselineMean);
        o.insert(QStringLiteral("baseline_sd"), baselineSd);
    }
    o.insert(QStringLiteral("baseline_samples"), baselineSamples);
    return o;
}

} // namespace FaultDesk
