#pragma once

#include <QPalette>

namespace FaultDesk {

/// The console's light and dark palettes. Qt 6.4 has no colour-scheme hint, so "System" starts from the desktop
/// palette.
class Palette
{
public:
    enum class Scheme {
        System,
        Light,
        Dark,
    };

    /// The palette to install for @p scheme; @p desktop is the palette the platform gave at start-up.
    static QPalette forScheme(Scheme scheme, const QPalette& desktop);
    /// True when @p palette has a dark window background.
    static bool isDark(const QPalette& palette);
    static QString name(Scheme scheme);
    static Scheme fromName(const QString& name);
};

} // namespace FaultDesk
