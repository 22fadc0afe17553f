#include "metrics/promparser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <emmintrin.h>
#include <limits>

namespace FaultDesk {

namespace {

enum CharClass : std::uint8_t {
    NameStart = 1,
    NameChar = 2,
    LabelStart = 4,
    LabelChar = 8,
    Blank = 16,
    LineEnd = 32,
    ValueStop = 64, ///< ends the fast scan of a label value: '"', '\\', '\n', NUL
};

constexpr std::array<std::uint8_t, 256> makeClasses()
{
    std::array<std::uint8_t, 256> t {};
    for (int c = 0; c < 256; ++c) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        std::uint8_t v = 0;
        if (alpha || c == '_' || c == ':')
            v |= NameStart | NameChar;
        if (digit)
            v |= NameChar | LabelChar;
        if (alpha || c == '_')
            v |= LabelStart | LabelChar;
        if (c == ' ' || c == '\t' || c == '\r')
            v |= Blank;
        if (c == '\n')
            v |= LineEnd | ValueStop;
        if (c == '"' || c == '\\' || c == 0)
            v |= ValueStop;
        t[std::size_t(c)] = v;
    }
    return t;
}

constexpr std::array<std::uint8_t, 256> kClass = makeClasses();

inline std::uint8_t cls(char c)
{
    return kClass[static_cast<unsigned char>(c)];
}

/// First byte in [p, end) that cannot continue a name: [A-Za-z0-9_] plus ':' for metric names. 16 bytes a step.
inline const char* skipNameChars(const char* p, const char* end, bool colon)
{
    const __m128i alphaBias = _mm_set1_epi8(char(128 - 'a'));
    const __m128i alphaLimit = _mm_set1_epi8(char(-128 + 26));
    const __m128i digitBias = _mm_set1_epi8(char(128 - '0'));
    const __m128i digitLimit = _mm_set1_epi8(char(-128 + 10));
    const __m128i caseBit = _mm_set1_epi8(0x20);
    const __m128i underscore = _mm_set1_epi8('_');
    const __m128i colonChar = _mm_set1_epi8(colon ? ':' : '_');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i alpha = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, caseBit), alphaBias), alphaLimit);
        const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, digitBias), digitLimit);
        const __m128i punct = _mm_or_si128(_mm_cmpeq_epi8(v, underscore), _mm_cmpeq_epi8(v, colonChar));
        const unsigned stop = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(alpha, digit), punct))) ^ 0xFFFFu;
        if (stop)
            return p + __builtin_ctz(stop);
        p += 16;
    }
    const std::uint8_t want = colon ? NameChar : LabelChar;
    while (p < end && (cls(*p) & want))
        ++p;
    return p;
}

/// What a HELP text holds, found while looking for the end of its line.
struct TextFlags
{
    bool backslash = false;
    bool nul = false;
    bool high = false;
};

/// The '\n' ending the line that starts at @p p (or @p end), noting backslashes, NULs and non-ASCII bytes.
inline const char* scanLine(const char* p, const char* end, TextFlags& flags)
{
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i zero = _mm_setzero_si128();
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned nl = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, newline)));
        const unsigned mask = nl ? (nl & (0u - nl)) - 1 : 0xFFFFu; // bytes before the newline
        const unsigned bs = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash))) & mask;
        const unsigned nul = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero))) & mask;
        const unsigned high = unsigned(_mm_movemask_epi8(v)) & mask;
        flags.backslash |= bs != 0;
        flags.nul |= nul != 0;
        flags.high |= high != 0;
        if (nl)
            return p + __builtin_ctz(nl);
        p += 16;
    }
    for (; p < end && *p != '\n'; ++p) {
        flags.backslash |= *p == '\\';
        flags.nul |= *p == 0;
        flags.high |= (static_cast<unsigned char>(*p) & 0x80) != 0;
    }
    return p;
}

constexpr double kPow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

std::uint64_t hashName(std::string_view s)
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
    const char* p = s.data();
    std::size_t n = s.size();
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

bool equalsNoCase(const char* s, const char* e, std::string_view lower)
{
    if (std::size_t(e - s) != lower.size())
        return false;
    for (std::size_t i = 0; i < lower.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

enum class FloatResult {
    Ok,
    Invalid,
    OutOfRange,
};

/// Go's strconv.ParseFloat syntax as Prometheus accepts it: decimal with optional exponent, Inf/Infinity/NaN in
/// any case, a leading sign; no hex floats, no underscores.
FloatResult parseFloatSlow(const char* s, const char* e, double& out)
{
    const char* q = s;
    bool neg = false;
    if (q < e && (*q == '+' || *q == '-')) {
        neg = *q == '-';
        ++q;
    }
    if (q == e)
        return FloatResult::Invalid;
    if (equalsNoCase(q, e, "inf") || equalsNoCase(q, e, "infinity")) {
        out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        return FloatResult::Ok;
    }
    if (q == s && equalsNoCase(q, e, "nan")) {
        out = std::numeric_limits<double>::quiet_NaN();
        return FloatResult::Ok;
    }
    if (!((*q >= '0' && *q <= '9') || *q == '.'))
        return FloatResult::Invalid;
    double v = 0;
    const auto r = std::from_chars(q, e, v, std::chars_format::general);
    if (r.ptr != e)
        return FloatResult::Invalid;
    if (r.ec == std::errc::result_out_of_range) {
        // Underflow reads as zero (as Go does); overflow is an error. Decide by the decimal magnitude.
        long magnitude = 0;
        const char* d = q;
        while (d < e && (*d == '0'))
            ++d;
        const char* intEnd = d;
        while (intEnd < e && *intEnd >= '0' && *intEnd <= '9')
            ++intEnd;
        if (intEnd > d) {
            magnitude = long(intEnd - d);
        } else if (intEnd < e && *intEnd == '.') {
            const char* f = intEnd + 1;
            while (f < e && *f == '0')
                ++f;
            magnitude = -long(f - intEnd - 1);
        }
        const char* ex = intEnd;
        while (ex < e && *ex != 'e' && *ex != 'E')
            ++ex;
        if (ex < e) {
            long expo = 0;
            std::from_chars(ex + 1 + (ex[1] == '+' ? 1 : 0), e, expo);
            magnitude += expo;
        }
        if (magnitude > 0)
            return FloatResult::OutOfRange;
        v = 0;
    } else if (r.ec != std::errc()) {
        return FloatResult::Invalid;
    }
    out = neg ? -v : v;
    return FloatResult::Ok;
}

/// Exact fast path (Clinger) for a plain decimal at @p p: up to 19 digits with a mantissa ≤ 2^53 and a power of
/// ten ≤ 22 convert with one exact multiplication or division. Returns where the number stopped with its value in
/// @p out, or nullptr when the digits need the full conversion; the caller decides whether what follows ends it.
/// Forced inline: GCC keeps it out of line for two callers, and that call costs the parser 2-5 % of its throughput.
[[gnu::always_inline]] inline const char* parseDecimalFast(const char* p, const char* end, double& out)
{
    const char* q = p;
    bool neg = false;
    if (q < end && (*q == '-' || *q == '+')) {
        neg = *q == '-';
        ++q;
    }
    std::uint64_t m = 0;
    int digits = 0;
    int frac = 0;
    while (q < end && unsigned(*q - '0') < 10) {
        m = m * 10 + unsigned(*q - '0');
        ++digits;
        ++q;
    }
    if (q < end && *q == '.') {
        ++q;
        while (q < end && unsigned(*q - '0') < 10) {
            m = m * 10 + unsigned(*q - '0');
            ++digits;
            ++frac;
            ++q;
        }
    }
    if (digits == 0 || digits > 19 || m > (std::uint64_t(1) << 53))
        return nullptr;
    int exp = 0;
    if (q < end && (*q == 'e' || *q == 'E')) {
        ++q;
        bool eneg = false;
        if (q < end && (*q == '-' || *q == '+')) {
            eneg = *q == '-';
            ++q;
        }
        // Four exponent digits at most: a fifth stops the number here, and the caller's end check refuses it.
        int edigits = 0;
        while (q < end && unsigned(*q - '0') < 10 && edigits < 4) {
            exp = exp * 10 + (*q - '0');
            ++edigits;
            ++q;
        }
        if (edigits == 0)
            return nullptr;
        if (eneg)
            exp = -exp;
    }
    const int e10 = exp - frac;
    double v = double(m);
    if (e10 > 0 && e10 <= 22)
        v *= kPow10[e10];
    else if (e10 < 0 && e10 >= -22)
        v /= kPow10[-e10];
    else if (e10 != 0)
        return nullptr;
    out = neg ? -v : v;
    return q;
}

/// parseFloatSlow's syntax, through the fast path when the whole token is a plain decimal.
inline FloatResult parseFloat(const char* s, const char* e, double& out)
{
    if (parseDecimalFast(s, e, out) == e)
        return FloatResult::Ok;
    return parseFloatSlow(s, e, out);
}

/// The fast path run straight on the line: returns the end of the number when it is a plain decimal that ends at
/// a blank or the end of the line, nullptr when the full tokenizer must decide.
inline const char* parseNumberInPlace(const char* p, const char* end, double& out)
{
    const char* q = parseDecimalFast(p, end, out);
    if (!q || (q < end && !(cls(*q) & (Blank | LineEnd))))
        return nullptr;
    return q;
}

bool parseInt64(const char* s, const char* e, std::int64_t& out)
{
    const char* q = s;
    bool neg = false;
    if (q < e && (*q == '-' || *q == '+')) {
        neg = *q == '-';
        ++q;
    }
    if (q == e)
        return false;
    std::uint64_t v = 0;
    const std::uint64_t limit = neg ? std::uint64_t(std::numeric_limits<std::int64_t>::max()) + 1
                                    : std::uint64_t(std::numeric_limits<std::int64_t>::max());
    for (; q < e; ++q) {
        const unsigned d = unsigned(*q - '0');
        if (d >= 10)
            return false;
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    out = neg ? std::int64_t(0 - v) : std::int64_t(v);
    return true;
}

bool validUtf8(const unsigned char* s, const unsigned char* e)
{
    while (s < e) {
        const unsigned char c = *s;
        if (c < 0x80) {
            ++s;
            continue;
        }
        int n;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (e - s <= n)
            return false;
        for (int i = 1; i <= n; ++i) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        s += n + 1;
    }
    return true;
}

std::string describe(const char* p, const char* end)
{
    if (p >= end)
        return "end of input";
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '\n')
        return "end of line";
    if (c >= 0x20 && c < 0x7F)
        return std::string("'") + char(c) + "'";
    static const char hex[] = "0123456789abcdef";
    return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

std::string quoted(std::string_view s)
{
    constexpr std::size_t maxShown = 64;
    std::string r = "'";
    r.append(s.substr(0, maxShown));
    if (s.size() > maxShown)
        r += "...";
    r += "'";
    return r;
}

} // namespace

std::uint64_t hashBytes(std::string_view bytes)
{
    return hashName(bytes);
}

std::string_view metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    case MetricType::Summary:
        return "summary";
    case MetricType::Untyped:
        break;
    }
    return "untyped";
}

std::string PromParseError::toString() const
{
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

ParsedScrape::ParsedScrape() = default;
ParsedScrape::~ParsedScrape() = default;
ParsedScrape::ParsedScrape(ParsedScrape&&) noexcept = default;
ParsedScrape& ParsedScrape::operator=(ParsedScrape&&) noexcept = default;

int ParsedScrape::findFamily(std::string_view name) const
{
    if (m_familyIndex.empty())
        return -1;
    const std::size_t mask = m_familyIndex.size() - 1;
    for (std::size_t i = hashName(name) & mask;; i = (i + 1) & mask) {
        const std::uint32_t slot = m_familyIndex[i];
        if (slot == 0)
            return -1;
        if (m_families[slot - 1].name == name)
            return int(slot - 1);
    }
}

void ParsedScrape::clear()
{
    m_samples.clear();
    m_families.clear();
    m_labels.clear();
    std::fill(m_familyIndex.begin(), m_familyIndex.end(), 0u);
    m_textUsed = 0;
}

class PromParser::Impl
{
    static constexpr std::size_t kLinearDuplicateCheck = 64;

public:
    Impl(std::string_view payload, ParsedScrape& out, const PromParseLimits& limits, PromParseError* error)
        : m_p(payload.data())
        , m_end(payload.data() + payload.size())
        , m_size(payload.size())
        , m_out(out)
        , m_limits(limits)
        , m_error(error)
    { }

    bool run()
    {
        m_out.clear();
        if (m_out.m_familyIndex.empty())
            m_out.m_familyIndex.assign(512, 0u);
        while (m_p < m_end) {
            m_lineStart = m_p;
            skipBlanks();
            if (m_p == m_end)
                break;
            if (*m_p == '#') {
                if (!comment())
                    return false;
            } else if (*m_p != '\n') {
                if (!sample())
                    return false;
            }
            if (m_p < m_end) {
                ++m_p; // the '\n' every handler stops at
                ++m_line;
            }
        }
        return true;
    }

private:
    bool failLimit(
        const char* at, std::string message, PromParseError::Limit limit, std::uint64_t actual, std::uint64_t allowed)
    {
        if (m_error) {
            m_error->limit = limit;
            m_error->actual = actual;
            m_error->allowed = allowed;
        }
        return fail(at, std::move(message));
    }

    // Sample lines from @p from to the end (blank and '#' lines are not samples): how many a payload over its
    // sample limit holds, counted without parsing or storing them.
    std::uint64_t sampleLinesFrom(const char* from) const
    {
        std::uint64_t n = 0;
        const char* p = from;
        while (p < m_end) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(m_end - p)));
            const char* lineEnd = nl ? nl : m_end;
            const char* q = p;
            while (q < lineEnd && (*q == ' ' || *q == '\t'))
                ++q;
            if (q < lineEnd && *q != '#')
                ++n;
            p = lineEnd + 1;
        }
        return n;
    }

    // The labels of the sample being read: those stored, the one just read and the rest of its label set,
    // counted by '=' outside quotes (for the message only; the payload is rejected either way).
    std::uint64_t labelCountFrom(std::size_t stored) const
    {
        std::uint64_t n = stored + 1;
        bool quoted = false;
        for (const char* p = m_p; p < m_end && *p != '\n'; ++p) {
            if (*p == '\\' && quoted) {
                ++p;
                continue;
            }
            if (*p == '"')
                quoted = !quoted;
            else if (!quoted && *p == '}')
                break;
            else if (!quoted && *p == '=')
                ++n;
        }
        return n;
    }

    bool fail(const char* at, std::string message)
    {
        if (m_error) {
            m_error->line = m_line;
            m_error->column = std::uint32_t(at - m_lineStart) + 1;
            m_error->message = std::move(message);
        }
        return false;
    }

    void skipBlanks()
    {
        while (m_p < m_end && (cls(*m_p) & Blank))
            ++m_p;
    }

    bool atLineEnd() const { return m_p == m_end || *m_p == '\n'; }

    /// Scratch space for unescaped text, allocated only when a payload has escapes.
    char* textSpace(std::size_t n)
    {
        if (m_out.m_textCapacity < m_size) {
            // Only ever grows before the first unescaped view of this parse exists (m_textUsed == 0).
            m_out.m_text = std::make_unique<char[]>(m_size);
            m_out.m_textCapacity = m_size;
        }
        char* r = m_out.m_text.get() + m_out.m_textUsed;
        m_out.m_textUsed += n;
        return r;
    }

    bool belongs(const PromFamily& f, std::string_view name) const
    {
        if (name.size() == f.name.size())
            return std::memcmp(name.data(), f.name.data(), name.size()) == 0;
        if ((f.type != MetricType::Histogram && f.type != MetricType::Summary) || name.size() < f.name.size()
            || std::memcmp(name.data(), f.name.data(), f.name.size()) != 0)
            return false;
        const std::string_view suffix = name.substr(f.name.size());
        return suffix == "_sum" || suffix == "_count" || (f.type == MetricType::Histogram && suffix == "_bucket");
    }

    /// The family a sample called @p name belongs to, opening an untyped one when none fits.
    std::uint32_t familyOfSample(std::string_view name)
    {
        if (m_current >= 0 && belongs(m_out.m_families[std::size_t(m_current)], name))
            return std::uint32_t(m_current);
        int f = m_out.findFamily(name);
        if (f >= 0)
            return std::uint32_t(f);
        for (std::string_view suffix :
            { std::string_view("_bucket"), std::string_view("_sum"), std::string_view("_count") }) {
            if (name.size() > suffix.size() && name.ends_with(suffix)) {
                f = m_out.findFamily(name.substr(0, name.size() - suffix.size()));
                if (f >= 0 && belongs(m_out.m_families[std::size_t(f)], name))
                    return std::uint32_t(f);
            }
        }
        return addFamily(name, m_line);
    }

    /// How many bytes at m_p are the current family's name (already validated): most lines continue the family
    /// just declared, so a memcmp replaces the character checks. 1 when they are not (the first character was
    /// checked by the caller).
    std::size_t knownPrefix() const
    {
        if (m_current >= 0) {
            const std::string_view current = m_out.m_families[std::size_t(m_current)].name;
            if (std::size_t(m_end - m_p) >= current.size() && std::memcmp(m_p, current.data(), current.size()) == 0)
                return current.size();
        }
        return 1;
    }

    /// Reads a metric name at m_p (HELP/TYPE lines).
    bool metricName(std::string_view& name, const char* what, bool& isCurrent)
    {
        if (atLineEnd())
            return fail(m_p, std::string(what) + " line without a metric name");
        const char* start = m_p;
        if (!(cls(*m_p) & NameStart))
            return fail(
                m_p, std::string("invalid metric name in ") + what + " line: unexpected " + describe(m_p, m_end));
        const std::size_t known = knownPrefix();
        m_p = skipNameChars(m_p + known, m_end, true);
        isCurrent = known > 1 && std::size_t(m_p - start) == known;
        if (!atLineEnd() && !(cls(*m_p) & Blank))
            return fail(
                m_p, std::string("invalid metric name in ") + what + " line: unexpected " + describe(m_p, m_end));
        name = std::string_view(start, std::size_t(m_p - start));
        return true;
    }

    /// The family called @p name, added when there is none: one hash probe for both.
    std::uint32_t findOrAddFamily(std::string_view name, std::uint32_t line, bool& added)
    {
        auto& families = m_out.m_families;
        auto& index = m_out.m_familyIndex;
        const std::uint64_t h = hashName(name);
        std::size_t mask = index.size() - 1;
        std::size_t i = h & mask;
        for (; index[i]; i = (i + 1) & mask) {
            if (families[index[i] - 1].name == name) {
                added = false;
                return index[i] - 1;
            }
        }
        added = true;
        if ((families.size() + 1) * 2 > index.size()) {
            index.assign(index.size() * 2, 0u);
            mask = index.size() - 1;
            for (std::uint32_t f = 0; f < families.size(); ++f) {
                std::size_t j = hashName(families[f].name) & mask;
                while (index[j])
                    j = (j + 1) & mask;
                index[j] = f + 1;
            }
            for (i = h & mask; index[i]; i = (i + 1) & mask) { }
        }
        PromFamily f;
        f.name = name;
        f.line = line;
        families.push_back(f);
        index[i] = std::uint32_t(families.size());
        return std::uint32_t(families.size() - 1);
    }

    std::uint32_t addFamily(std::string_view name, std::uint32_t line)
    {
        bool added = false;
        return findOrAddFamily(name, line, added);
    }

    /// The family a HELP/TYPE line for @p name describes; such lines must precede the family's samples.
    bool declaredFamily(std::string_view name, bool isCurrent, const char* what, const char* at, std::uint32_t& family)
    {
        if (isCurrent) {
            family = std::uint32_t(m_current);
        } else {
            bool added = false;
            family = findOrAddFamily(name, m_line, added);
        }
        if (m_out.m_families[family].sampleCount > 0)
            return fail(at, std::string(what) + " line for " + quoted(name) + " after its samples");
        m_current = family;
        return true;
    }

    bool comment()
    {
        ++m_p; // '#'
        skipBlanks();
        bool help = false;
        bool isType = false;
        if (m_end - m_p >= 4) {
            std::uint32_t word;
            std::memcpy(&word, m_p, 4);
            std::uint32_t helpWord, typeWord;
            std::memcpy(&helpWord, "HELP", 4);
            std::memcpy(&typeWord, "TYPE", 4);
            const bool ends = m_end - m_p == 4 || (cls(m_p[4]) & (Blank | LineEnd));
            help = ends && word == helpWord;
            isType = ends && word == typeWord;
        }
        if (!help && !isType) {
            m_p = static_cast<const char*>(std::memchr(m_p, '\n', std::size_t(m_end - m_p)));
            if (!m_p)
                m_p = m_end;
            return true;
        }
        m_p += 4;
        const char* what = help ? "HELP" : "TYPE";
        skipBlanks();
        const char* nameAt = m_p;
        std::string_view name;
        bool isCurrent = false;
        if (!metricName(name, what, isCurrent))
            return false;
        if (m_p < m_end && *m_p != '\n')
            ++m_p; // exactly one blank separates the name from the text
        const char* textStart = m_p;
        TextFlags flags;
        const char* lineEnd = scanLine(m_p, m_end, flags);
        const char* textEnd = lineEnd;
        if (textEnd > textStart && textEnd[-1] == '\r')
            --textEnd;
        std::uint32_t family = 0;
        if (help) {
            if (flags.nul) {
                const char* z = static_cast<const char*>(std::memchr(textStart, 0, std::size_t(textEnd - textStart)));
                return fail(z, "NUL byte in HELP text");
            }
            if (flags.high
                && !validUtf8(
                    reinterpret_cast<const unsigned char*>(textStart), reinterpret_cast<const unsigned char*>(textEnd)))
                return fail(textStart, "invalid UTF-8 in HELP text of " + quoted(name));
            std::string_view text(textStart, std::size_t(textEnd - textStart));
            if (flags.backslash)
                text = unescapeHelp(text);
            if (!declaredFamily(name, isCurrent, what, nameAt, family))
                return false;
            PromFamily& f = m_out.m_families[family];
            if (f.hasHelp)
                return fail(nameAt, "second HELP line for " + quoted(name));
            f.hasHelp = true;
            f.help = text;
        } else {
            // TYPE: exactly one known type word, nothing after it but blanks.
            m_p = textStart;
            skipBlanks();
            const char* typeAt = m_p;
            while (m_p < textEnd && !(cls(*m_p) & Blank))
                ++m_p;
            const std::string_view typeWord(typeAt, std::size_t(m_p - typeAt));
            MetricType type;
            if (typeWord == "counter")
                type = MetricType::Counter;
            else if (typeWord == "gauge")
                type = MetricType::Gauge;
            else if (typeWord == "histogram")
                type = MetricType::Histogram;
            else if (typeWord == "summary")
                type = MetricType::Summary;
            else if (typeWord == "untyped")
                type = MetricType::Untyped;
            else if (typeWord.empty())
                return fail(typeAt, "TYPE line for " + quoted(name) + " without a type");
            else
                return fail(typeAt,
                    "unknown metric type " + quoted(typeWord)
                        + " (expected counter, gauge, histogram, summary or untyped)");
            skipBlanks();
            if (m_p < textEnd)
                return fail(m_p, "unexpected text after the type in TYPE line for " + quoted(name));
            if (!declaredFamily(name, isCurrent, what, nameAt, family))
                return false;
            PromFamily& f = m_out.m_families[family];
            if (f.hasType)
                return fail(nameAt, "second TYPE line for " + quoted(name));
            f.hasType = true;
            f.type = type;
        }
        m_p = lineEnd;
        return true;
    }

    std::string_view unescapeHelp(std::string_view text)
    {
        char* dst = textSpace(text.size());
        char* d = dst;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
                *d++ = text[i + 1] == 'n' ? '\n' : '\\';
                ++i;
            } else {
                *d++ = c;
            }
        }
        m_out.m_textUsed -= text.size() - std::size_t(d - dst);
        return std::string_view(dst, std::size_t(d - dst));
    }

    /// Reads a quoted label value; m_p is just past the opening quote and ends just past the closing one.
    bool labelValue(std::string_view labelName, std::string_view& value)
    {
        const char* start = m_p;
        unsigned char high = 0;
        {
            const __m128i quote = _mm_set1_epi8('"');
            const __m128i backslash = _mm_set1_epi8('\\');
            const __m128i newline = _mm_set1_epi8('\n');
            const __m128i zero = _mm_setzero_si128();
            for (;;) {
                if (m_end - m_p < 16) {
                    while (m_p < m_end && !(cls(*m_p) & ValueStop)) {
                        high |= static_cast<unsigned char>(*m_p);
                        ++m_p;
                    }
                    break;
                }
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_p));
                const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, newline), _mm_cmpeq_epi8(v, zero)));
                const unsigned stopMask = unsigned(_mm_movemask_epi8(stop));
                const unsigned before = stopMask ? (stopMask & (0u - stopMask)) - 1 : 0xFFFFu;
                if (unsigned(_mm_movemask_epi8(v)) & before)
                    high = 0x80;
                if (stopMask) {
                    m_p += __builtin_ctz(stopMask);
                    break;
                }
                m_p += 16;
            }
        }
        if (m_p < m_end && *m_p == '"') {
            value = std::string_view(start, std::size_t(m_p - start));
            ++m_p;
        } else if (m_p < m_end && *m_p == '\\') {
            // Escapes: unescape into the scrape's text buffer (room for the rest of the payload at most).
            char* dst = textSpace(0);
            char* d = dst;
            std::memcpy(d, start, std::size_t(m_p - start));
            d += m_p - start;
            for (;;) {
                if (m_p == m_end || *m_p == '\n')
                    return fail(m_p, "unterminated value of label " + quoted(labelName) + " (missing '\"')");
                const char c = *m_p;
                if (c == '"')
                    break;
                if (c == 0)
                    return fail(m_p, "NUL byte in the value of label " + quoted(labelName));
                if (c == '\\') {
                    if (m_p + 1 == m_end || m_p[1] == '\n')
                        return fail(m_p, "unterminated escape in the value of label " + quoted(labelName));
                    const char n = m_p[1];
                    if (n == 'n')
                        *d++ = '\n';
                    else if (n == '\\' || n == '"')
                        *d++ = n;
                    else
                        return fail(m_p,
                            "invalid escape sequence '\\" + std::string(1, n) + "' in the value of label "
                                + quoted(labelName) + " (only \\\\, \\\" and \\n are allowed)");
                    high |= static_cast<unsigned char>(n);
                    m_p += 2;
                    continue;
                }
                high |= static_cast<unsigned char>(c);
                *d++ = c;
                ++m_p;
            }
            ++m_p;
            m_out.m_textUsed += std::size_t(d - dst);
            value = std::string_view(dst, std::size_t(d - dst));
        } else if (m_p < m_end && *m_p == 0) {
            return fail(m_p, "NUL byte in the value of label " + quoted(labelName));
        } else {
            return fail(m_p, "unterminated value of label " + quoted(labelName) + " (missing '\"')");
        }
        if ((high & 0x80)
            && !validUtf8(reinterpret_cast<const unsigned char*>(value.data()),
                reinterpret_cast<const unsigned char*>(value.data() + value.size())))
            return fail(start, "invalid UTF-8 in the value of label " + quoted(labelName));
        return true;
    }

    bool labelSet(std::string_view metric, std::uint32_t labelBegin)
    {
        if (!labelSetBody(metric, labelBegin))
            return false;
        const auto& labels = m_out.m_labels;
        if (labels.size() - labelBegin <= kLinearDuplicateCheck)
            return true;
        std::vector<std::string_view> names;
        names.reserve(labels.size() - labelBegin);
        for (std::size_t i = labelBegin; i < labels.size(); ++i)
            names.push_back(labels[i].name);
        std::sort(names.begin(), names.end());
        const auto dup = std::adjacent_find(names.begin(), names.end());
        if (dup != names.end())
            return fail(dup->data(), "duplicate label " + quoted(*dup) + " in " + quoted(metric));
        return true;
    }

    bool labelSetBody(std::string_view metric, std::uint32_t labelBegin)
    {
        ++m_p; // '{'
        auto& labels = m_out.m_labels;
        for (;;) {
            skipBlanks();
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                return true;
            }
            if (atLineEnd())
                return fail(m_p, "unterminated label set of " + quoted(metric) + " (missing '}')");
            const char* nameAt = m_p;
            if (!(cls(*m_p) & LabelStart))
                return fail(m_p, "expected a label name in " + quoted(metric) + ", found " + describe(m_p, m_end));
            m_p = skipNameChars(m_p + 1, m_end, false);
            const std::string_view name(nameAt, std::size_t(m_p - nameAt));
            skipBlanks();
            if (m_p == m_end || *m_p != '=')
                return fail(m_p, "expected '=' after label name " + quoted(name) + ", found " + describe(m_p, m_end));
            ++m_p;
            skipBlanks();
            if (m_p == m_end || *m_p != '"')
                return fail(m_p,
                    "expected '\"' to open the value of label " + quoted(name) + ", found " + describe(m_p, m_end));
            ++m_p;
            std::string_view value;
            if (!labelValue(name, value))
                return false;
            // Quadratic only for ordinary label sets; a hostile sample with thousands of labels is checked by
            // sorting once the set is complete.
            if (labels.size() - labelBegin < kLinearDuplicateCheck) {
                for (std::size_t i = labelBegin; i < labels.size(); ++i) {
                    if (labels[i].name == name)
                        return fail(nameAt, "duplicate label " + quoted(name) + " in " + quoted(metric));
                }
            }
            if (m_limits.maxLabelValueBytes && value.size() > m_limits.maxLabelValueBytes)
                return failLimit(nameAt,
                    "label " + quoted(name) + " on " + quoted(metric) + " has a value of "
                        + std::to_string(value.size()) + " bytes, over the limit of "
                        + std::to_string(m_limits.maxLabelValueBytes),
                    PromParseError::Limit::LabelValueBytes, value.size(), m_limits.maxLabelValueBytes);
            if (m_limits.maxLabelsPerSample && labels.size() - labelBegin >= m_limits.maxLabelsPerSample)
                return failLimit(nameAt,
                    "more than " + std::to_string(m_limits.maxLabelsPerSample) + " labels on " + quoted(metric),
                    PromParseError::Limit::LabelsPerSample, labelCountFrom(labels.size() - labelBegin),
                    m_limits.maxLabelsPerSample);
            labels.push_back(PromLabel { name, value });
            skipBlanks();
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                continue;
            }
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                return true;
            }
            return fail(m_p,
                "expected ',' or '}' after the value of label " + quoted(name) + ", found " + describe(m_p, m_end));
        }
    }

    bool parseValueToken(const char* valueAt, std::string_view series, double& value)
    {
        switch (parseFloat(valueAt, m_p, value)) {
        case FloatResult::Ok:
            break;
        case FloatResult::Invalid:
            return fail(valueAt,
                "invalid value " + quoted(std::string_view(valueAt, std::size_t(m_p - valueAt))) + " for "
                    + quoted(series));
        case FloatResult::OutOfRange:
            return fail(valueAt,
                "value " + quoted(std::string_view(valueAt, std::size_t(m_p - valueAt))) + " out of range for "
                    + quoted(series));
        }
        return true;
    }

    bool sample()
    {
        const char* nameAt = m_p;
        if (!(cls(*m_p) & NameStart))
            return fail(m_p, "expected a metric name, found " + describe(m_p, m_end));
        const std::size_t known = knownPrefix();
        m_p = skipNameChars(m_p + known, m_end, true);
        const std::string_view name(nameAt, std::size_t(m_p - nameAt));
        const bool isCurrent = known > 1 && name.size() == known;
        auto& labels = m_out.m_labels;
        const std::uint32_t labelBegin = std::uint32_t(labels.size());
        if (m_p < m_end && *m_p == '{') {
            if (!labelSet(name, labelBegin))
                return false;
        } else if (!atLineEnd() && !(cls(*m_p) & Blank)) {
            return fail(m_p, "unexpected " + describe(m_p, m_end) + " after metric name " + quoted(name));
        }
        const std::string_view series(nameAt, std::size_t(m_p - nameAt));
        skipBlanks();
        if (atLineEnd())
            return fail(m_p, "missing value for " + quoted(series));
        const char* valueAt = m_p;
        PromSample s;
        if (const char* numberEnd = parseNumberInPlace(m_p, m_end, s.value)) {
            m_p = numberEnd;
        } else {
            while (m_p < m_end && !(cls(*m_p) & (Blank | LineEnd)))
                ++m_p;
            if (!parseValueToken(valueAt, series, s.value))
                return false;
        }
        skipBlanks();
        if (!atLineEnd()) {
            const char* tsAt = m_p;
            while (m_p < m_end && !(cls(*m_p) & (Blank | LineEnd)))
                ++m_p;
            if (!parseInt64(tsAt, m_p, s.timestampMs))
                return fail(tsAt,
                    "invalid timestamp " + quoted(std::string_view(tsAt, std::size_t(m_p - tsAt)))
                        + " (expected integer milliseconds)");
            s.hasTimestamp = true;
            skipBlanks();
            if (!atLineEnd())
                return fail(m_p, "unexpected text after the timestamp of " + quoted(series));
        }

        const std::uint32_t family = isCurrent ? std::uint32_t(m_current) : familyOfSample(name);
        PromFamily& f = m_out.m_families[family];
        s.bound = std::numeric_limits<double>::quiet_NaN();
        if (f.type == MetricType::Histogram || f.type == MetricType::Summary) {
            const bool histogram = f.type == MetricType::Histogram;
            const std::string_view suffix = name.substr(f.name.size());
            const char* boundLabel = nullptr;
            if (histogram && suffix == "_bucket")
                boundLabel = "le";
            else if (!histogram && suffix.empty())
                boundLabel = "quantile";
            else if (histogram && suffix.empty())
                return fail(nameAt,
                    "sample " + quoted(name) + " of histogram " + quoted(f.name)
                        + " must be one of _bucket, _sum or _count");
            if (boundLabel) {
                const PromLabel* bound = nullptr;
                for (std::size_t i = labelBegin; i < labels.size(); ++i) {
                    if (labels[i].name == boundLabel)
                        bound = &labels[i];
                }
                if (!bound)
                    return fail(nameAt,
                        std::string(histogram ? "histogram bucket " : "summary quantile ") + quoted(series)
                            + " without a '" + boundLabel + "' label");
                const std::string_view v = bound->value;
                if (v.empty() || parseFloat(v.data(), v.data() + v.size(), s.bound) != FloatResult::Ok
                    || std::isnan(s.bound))
                    return fail(nameAt,
                        std::string("invalid '") + boundLabel + "' value " + quoted(v) + " in " + quoted(series));
            }
        }

        auto& samples = m_out.m_samples;
        if (m_limits.maxSamples && samples.size() >= m_limits.maxSamples)
            return failLimit(nameAt, "more than " + std::to_string(m_limits.maxSamples) + " samples (sample limit)",
                PromParseError::Limit::Samples, samples.size() + sampleLinesFrom(m_lineStart), m_limits.maxSamples);
        const std::uint32_t index = std::uint32_t(samples.size());
        if (f.sampleCount == 0)
            f.firstSample = index;
        else if (m_lastSampleFamily != std::int64_t(family))
            f.contiguous = false;
        ++f.sampleCount;
        m_lastSampleFamily = family;
        m_current = family;

        s.series = series;
        s.nameLength = std::uint32_t(name.size());
        s.labelBegin = labelBegin;
        s.labelCount = std::uint32_t(labels.size() - labelBegin);
        s.family = family;
        s.line = m_line;
        samples.push_back(s);
        return true;
    }

    const char* m_p;
    const char* m_end;
    std::size_t m_size;
    const char* m_lineStart = nullptr;
    std::uint32_t m_line = 1;
    std::int64_t m_current = -1; ///< family of the last HELP/TYPE/sample line
    std::int64_t m_lastSampleFamily = -1;
    ParsedScrape& m_out;
    const PromParseLimits& m_limits;
    PromParseError* m_error;
};

bool PromParser::parse(
    std::string_view payload, ParsedScrape& out, PromParseError* error, const PromParseLimits& limits)
{
    if (payload.size() >= std::numeric_limits<std::uint32_t>::max()) {
        out.clear();
        if (error)
            *error = PromParseError { 0, 0, "payload larger than 4 GiB" };
        return false;
    }
    Impl impl(payload, out, limits, error);
    if (impl.run())
        return true;
    out.clear();
    return false;
}

} // namespace FaultDesk
