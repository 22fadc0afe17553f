#include "metrics/scrapelimits.h"

#include <QLocale>

namespace FaultDesk {

namespace {

QString grouped(std::uint64_t n)
{
    return QLocale(QLocale::English).toString(qulonglong(n));
}

} // namespace

PromParseLimits ScrapeLimits::parseLimits()
{
    PromParseLimits limits;
    limits.maxSamples = SamplesPerScrape;
    limits.maxLabelsPerSample = LabelsPerSample;
    limits.maxLabelValueBytes = LabelValueBytes;
    return limits;
}

QString ScrapeLimits::describe(const PromParseError& error)
{
    const QString numbers = grouped(error.actual) + QStringLiteral(" > ") + grouped(error.allowed);
    const QString where = QStringLiteral(" (line %1)").arg(error.line);
    switch (error.limit) {
    case PromParseError::Limit::Samples:
        return QStringLiteral("scrape over its sample limit: ") + numbers;
    case PromParseError::Limit::LabelsPerSample:
        return QStringLiteral("scrape over its label limit: a sample with ") + numbers + QStringLiteral(" labels")
            + where;
    case PromParseError::Limit::LabelValueBytes:
        return QStringLiteral("scrape over its label value length limit: ") + numbers + QStringLiteral(" bytes")
            + where;
    case PromParseError::Limit::None:
        break;
    }
    return QStringLiteral("invalid payload (%1)").arg(QString::fromStdString(error.toString()));
}

} // namespace FaultDesk
