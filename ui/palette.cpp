#include "ui/palette.h"

#include <QColor>

namespace FaultDesk {

QPalette Palette::forScheme(Scheme scheme, const QPalette& desktop)
{
    switch (scheme) {
    case Scheme::System:
        return desktop;
    case Scheme::Light: {
        QPalette p;
        p.setColor(QPalette::Window, QColor(0xf5, 0xf6, 0xf7));
        p.setColor(QPalette::WindowText, QColor(0x1d, 0x20, 0x24));
        p.setColor(QPalette::Base, Qt::white);
        p.setColor(QPalette::AlternateBase, QColor(0xee, 0xf0, 0xf2));
        p.setColor(QPalette::Text, QColor(0x1d, 0x20, 0x24));
        p.setColor(QPalette::Button, QColor(0xe9, 0xeb, 0xee));
        p.setColor(QPalette::ButtonText, QColor(0x1d, 0x20, 0x24));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf0));
        p.setColor(QPalette::ToolTipText, QColor(0x1d, 0x20, 0x24));
        p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x86, 0x8c));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0x9f, 0xa5));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9a, 0x9f, 0xa5));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0x9f, 0xa5));
        return p;
    }
    case Scheme::Dark: {
        QPalette p;
        p.setColor(QPalette::Window, QColor(0x23, 0x26, 0x2b));
        p.setColor(QPalette::WindowText, QColor(0xe4, 0xe6, 0xe9));
        p.setColor(QPalette::Base, QColor(0x1a, 0x1c, 0x20));
        p.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2e));
        p.setColor(QPalette::Text, QColor(0xe4, 0xe6, 0xe9));
        p.setColor(QPalette::Button, QColor(0x2d, 0x31, 0x37));
        p.setColor(QPalette::ButtonText, QColor(0xe4, 0xe6, 0xe9));
        p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xe0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0x2d, 0x31, 0x37));
        p.setColor(QPalette::ToolTipText, QColor(0xe4, 0xe6, 0xe9));
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x98));
        p.setColor(QPalette::Link, QColor(0x6c, 0xa6, 0xff));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6b, 0x70, 0x78));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6b, 0x70, 0x78));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6b, 0x70, 0x78));
        return p;
    }
    }
    return desktop;
}

bool Palette::isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString Palette::name(Scheme scheme)
{
    switch (scheme) {
    case Scheme::Light:
        return QStringLiteral("light");
    case Scheme::Dark:
        return QStringLiteral("dark");
    case Scheme::System:
        break;
    }
    return QStringLiteral("system");
}

Palette::Scheme Palette::fromName(const QString& name)
{
    if (name == u"light")
        return Scheme::Light;
    if (name == u"dark")
        return Scheme::Dark;
    return Scheme::System;
}

} // namespace FaultDesk
