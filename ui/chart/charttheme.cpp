#include "ui/chart/charttheme.h"

#include "ui/palette.h"

#include <array>

namespace FaultDesk {

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
        float(a.blueF() * (1 - t) + b.blueF() * t));
}

// Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
// Dark backgrounds get lighter variants of the same hues so every line keeps its contrast.
constexpr std::array<QRgb, 6> LightSeries = { 0x0072b2, 0x009e73, 0xcc79a7, 0x5d5d5d, 0x8c6bb1, 0x56b4e9 };
constexpr std::array<QRgb, 6> DarkSeries = { 0x56b4e9, 0x2ec4a0, 0xe39ac4, 0xc8c8c8, 0xb9a2e0, 0x9ecae9 };

} // namespace

ChartTheme::ChartTheme(const QPalette& palette)
    : m_palette(palette)
    , m_dark(Palette::isDark(palette))
{ }

QColor ChartTheme::seriesColor(int index) const
{
    const auto& colours = m_dark ? DarkSeries : LightSeries;
    return QColor(colours[std::size_t(index < 0 ? 0 : index) % colours.size()]);
}

int ChartTheme::seriesColorCount()
{
    return int(LightSeries.size());
}

QColor ChartTheme::threshold() const
{
    return m_dark ? QColor(0xff, 0xb0, 0x20) : QColor(0xc7, 0x7c, 0x00);
}

QColor ChartTheme::faultFill() const
{
    return m_dark ? QColor(0xe0, 0x60, 0x58, 60) : QColor(0xc8, 0x3c, 0x32, 36);
}

QColor ChartTheme::faultHatch() const
{
    return m_dark ? QColor(0xe0, 0x60, 0x58, 70) : QColor(0xc8, 0x3c, 0x32, 60);
}

QColor ChartTheme::faultText() const
{
    return m_dark ? QColor(0xf0, 0x8a, 0x80) : QColor(0xa8, 0x2a, 0x22);
}

QColor ChartTheme::marker() const
{
    return mix(text(), background(), 0.25);
}

QColor ChartTheme::background() const
{
    return m_palette.color(QPalette::Base);
}

QColor ChartTheme::text() const
{
    return m_palette.color(QPalette::Text);
}

QColor ChartTheme::mutedText() const
{
    return mix(text(), background(), 0.35);
}

QColor ChartTheme::grid() const
{
    return mix(text(), background(), m_dark ? 0.82 : 0.88);
}

QColor ChartTheme::axisLine() const
{
    return mix(text(), background(), 0.6);
}

} // namespace FaultDesk
