#pragma once

namespace FaultDesk {

/// Where a configuration node starts in its file, 1-based; line 0 means "unknown" (e.g. the whole file).
struct SourcePosition
{
    int line = 0;
    int column = 0;

    bool isValid() const { return line > 0; }
    friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
    friend bool operator<(const SourcePosition& a, const SourcePosition& b)
    {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    }
};

} // namespace FaultDesk
