#pragma once

#include <QColor>
#include <QList>
#include <QPalette>

namespace FaultDesk {

/// The colours of the load charts, derived from the window palette (light or dark). Series colours come from a
/// fixed colour-blind-safe set (Okabe–Ito, without the orange and vermillion that the threshold and fault bands
/// use); the threshold is amber and dashed, fault bands a muted, hatched red, so neither depends on colour alone.
class ChartTheme
{
public:
    explicit ChartTheme(const QPalette& palette);

    bool isDark() const { return m_dark; }
    /// The colour of the @p index-th series; cycles after the fixed set.
    QColor seriesColor(int index) const;
    static int seriesColorCount();
    QColor threshold() const;
    QColor faultFill() const;
    QColor faultHatch() const;
    QColor faultText() const;
    QColor marker() const;
    QColor background() const;
    QColor text() const;
    QColor mutedText() const;
    QColor grid() const;
    QColor axisLine() const;

private:
    QPalette m_palette;
    bool m_dark = false;
};

} // namespace FaultDesk
