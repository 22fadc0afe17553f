#include "probe/httpresponseparser.h"

#include <QList>

#include <cstring>
#include <limits>

namespace FaultDesk {

namespace {

constexpr qint64 MaxQint64 = std::numeric_limits<qint64>::max();

} // namespace

QString HttpResponseParser::excerpt(const QByteArray& bytes, int max)
{
    QByteArray line = bytes.left(qsizetype(max) * 2);
    const qsizetype nl = line.indexOf('\n');
    if (nl >= 0)
        line.truncate(nl);
    QString text;
    for (char c : std::as_const(line)) {
        const auto u = static_cast<unsigned char>(c);
        text += (u >= 0x20 && u < 0x7f) ? QChar(char16_t(u)) : QChar(u'?');
    }
    text = text.trimmed();
    if (text.size() > max)
        text = text.left(max) + u"…";
    return text;
}

std::optional<qint64> HttpResponseParser::parseDecimal(const QByteArray& digits)
{
    if (digits.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const int d = c - '0';
        if (value > (MaxQint64 - d) / 10)
            return std::nullopt;
        value = value * 10 + d;
    }
    return value;
}

std::optional<qint64> HttpResponseParser::parseHex(const QByteArray& digits)
{
    if (digits.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (char c : digits) {
        int d = 0;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return std::nullopt;
        if (value > (MaxQint64 - d) / 16)
            return std::nullopt;
        value = value * 16 + d;
    }
    return value;
}

void HttpResponseParser::reset(qint64 bodyLimit)
{
    m_limit = bodyLimit < 0 ? 0 : bodyLimit;
    m_state = Status::NeedMore;
    m_error = Error::None;
    m_errorText.clear();
    m_head.clear();
    m_headDone = false;
    m_status = 0;
    m_statusPhrase.clear();
    m_location.clear();
    m_keepAlive = true;
    m_bodyMode = BodyMode::None;
    m_remaining = 0;
    m_chunkState = ChunkState::Size;
    m_line.clear();
    m_body.clear();
}

HttpResponseParser::Status HttpResponseParser::fail(Error error, const QString& text)
{
    m_state = Status::Error;
    m_error = error;
    m_errorText = text;
    m_keepAlive = false;
    return m_state;
}

HttpResponseParser::Status HttpResponseParser::complete(qint64 unconsumed)
{
    if (unconsumed > 0)
        m_keepAlive = false; // bytes past the response: the connection is out of sync
    m_state = Status::Complete;
    return m_state;
}

HttpResponseParser::Status HttpResponseParser::feed(const char* data, qint64 size)
{
    if (m_state != Status::NeedMore || size <= 0)
        return m_state;
    while (!m_headDone) {
        const qint64 before = m_head.size();
        // Never buffer more than the head may hold (plus the four bytes that may end it).
        const qint64 room = MaxHeadBytes + 4 - before;
        const qint64 take = size < room ? size : room;
        m_head.append(data, qsizetype(take));
        if (m_head.size() >= 5 && !m_head.startsWith("HTTP/"))
            return fail(Error::Malformed, QStringLiteral("malformed HTTP response: \"%1\"").arg(excerpt(m_head, 60)));
        const qsizetype end = m_head.indexOf("\r\n\r\n", before > 3 ? before - 3 : 0);
        if (end < 0) {
            if (m_head.size() > MaxHeadBytes)
                return fail(Error::HeadTooLarge, QStringLiteral("HTTP response headers exceed 64 KiB"));
            return m_state;
        }
        const qint64 consumedHere = qint64(end) + 4 - before;
        m_head.truncate(end + 4);
        if (!parseHead())
            return m_state;
        data += consumedHere;
        size -= consumedHere;
        if (m_headDone) {
            if (m_bodyMode == BodyMode::None || (m_bodyMode == BodyMode::Length && m_remaining == 0))
                return complete(size);
            break;
        }
        if (size == 0)
            return m_state; // an informational 1xx response: the real one follows
    }

    while (size > 0) {
        switch (m_bodyMode) {
        case BodyMode::None:
            return complete(size);
        case BodyMode::UntilClose:
            appendBody(data, size);
            return m_state;
        case BodyMode::Length: {
            const qint64 take = size < m_remaining ? size : m_remaining;
            if (!appendBody(data, take))
                return m_state;
            m_remaining -= take;
            if (m_remaining == 0)
                return complete(size - take);
            return m_state;
        }
        case BodyMode::Chunked:
            if (m_chunkState == ChunkState::Data) {
                const qint64 take = size < m_remaining ? size : m_remaining;
                if (!appendBody(data, take))
                    return m_state;
                m_remaining -= take;
                data += take;
                size -= take;
                if (m_remaining == 0)
                    m_chunkState = ChunkState::DataEnd;
                continue;
            }
            // Size, DataEnd and Trailer are line-based.
            const char* nl = static_cast<const char*>(std::memchr(data, '\n', size_t(size)));
            const qint64 take = nl ? (nl - data + 1) : size;
            if (m_line.size() + take > MaxChunkLine)
                return fail(Error::Malformed, QStringLiteral("malformed chunked encoding: line too long"));
            m_line.append(data, qsizetype(take));
            data += take;
            size -= take;
            if (!nl)
                return m_state;
            const QByteArray line = m_line.trimmed();
            m_line.clear();
            if (m_chunkState == ChunkState::DataEnd) {
                if (!line.isEmpty())
                    return fail(
                        Error::Malformed, QStringLiteral("malformed chunked encoding: no CRLF after chunk data"));
                m_chunkState = ChunkState::Size;
            } else if (m_chunkState == ChunkState::Size) {
                const qsizetype semi = line.indexOf(';');
                const auto chunk = parseHex((semi >= 0 ? line.left(semi) : line).trimmed());
                if (!chunk)
                    return fail(Error::Malformed,
                        QStringLiteral("malformed chunked encoding: bad chunk size \"%1\"").arg(excerpt(line, 40)));
                if (*chunk == 0) {
                    m_chunkState = ChunkState::Trailer;
                } else {
                    // Compared against the room left, never added to the body size: a hostile size cannot wrap.
                    if (*chunk > m_limit - m_body.size())
                        return fail(Error::BodyLimit,
                            QStringLiteral("body exceeds the limit of %1 bytes (a chunk of %2 bytes announced)")
                                .arg(m_limit)
                                .arg(*chunk));
                    m_remaining = *chunk;
                    m_chunkState = ChunkState::Data;
                }
            } else if (line.isEmpty()) { // end of trailers
                return complete(size);
            }
            continue;
        }
    }
    return m_state;
}

HttpResponseParser::Status HttpResponseParser::finishOnClose()
{
    if (m_state != Status::NeedMore)
        return m_state;
    if (m_headDone && m_bodyMode == BodyMode::UntilClose) {
        m_keepAlive = false;
        return complete(0);
    }
    return fail(Error::Malformed,
        m_headDone ? QStringLiteral("connection closed before the end of the body")
                   : QStringLiteral("connection closed before the end of the headers"));
}

bool HttpResponseParser::parseHead()
{
    const QList<QByteArray> lines = m_head.split('\n');
    const QByteArray status = lines.value(0).trimmed();
    // "HTTP/1.1 200 OK"
    const QList<QByteArray> parts = status.split(' ');
    const qint64 code = parts.size() >= 2 && parts.at(1).size() == 3 ? parseDecimal(parts.at(1)).value_or(-1) : -1;
    if (!parts.at(0).startsWith("HTTP/1.") || code < 100) {
        fail(Error::Malformed, QStringLiteral("malformed HTTP status line: \"%1\"").arg(excerpt(status, 60)));
        return false;
    }
    m_status = int(code);
    m_statusPhrase = excerpt(status.mid(parts.at(0).size() + parts.at(1).size() + 2), 80);
    m_keepAlive = parts.at(0) == "HTTP/1.1";
    qint64 contentLength = -1;
    bool chunked = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& raw = lines.at(i);
        const qsizetype colon = raw.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = raw.left(colon).trimmed().toLower();
        const QByteArray value = raw.mid(colon + 1).trimmed();
        if (name == "content-length") {
            const auto length = parseDecimal(value);
            if (!length || (contentLength >= 0 && *length != contentLength)) {
                fail(Error::Malformed, QStringLiteral("malformed Content-Length: \"%1\"").arg(excerpt(value, 40)));
                return false;
            }
            contentLength = *length;
        } else if (name == "transfer-encoding") {
            chunked = value.toLower().contains("chunked");
        } else if (name == "connection") {
            const QByteArray v = value.toLower();
            if (v.contains("close"))
                m_keepAlive = false;
            else if (v.contains("keep-alive"))
                m_keepAlive = true;
        } else if (name == "location") {
            m_location = value;
        }
    }

    if (m_status < 200) {
        // Informational responses precede the real one on the same connection.
        m_head.clear();
        m_location.clear();
        m_status = 0;
        m_statusPhrase.clear();
        return true;
    }
    m_headDone = true;
    if (m_status == 204 || m_status == 304) {
        m_bodyMode = BodyMode::None;
    } else if (chunked) {
        m_bodyMode = BodyMode::Chunked;
    } else if (contentLength >= 0) {
        if (contentLength > m_limit) {
            fail(Error::BodyLimit,
                QStringLiteral("body of %1 bytes (Content-Length) exceeds the limit of %2 bytes")
                    .arg(contentLength)
                    .arg(m_limit));
            return false;
        }
        m_bodyMode = BodyMode::Length;
        m_remaining = contentLength;
        m_body.reserve(qsizetype(contentLength));
    } else {
        m_bodyMode = BodyMode::UntilClose;
        m_keepAlive = false;
    }
    m_head.clear();
    m_head.squeeze();
    return true;
}

bool HttpResponseParser::appendBody(const char* data, qint64 size)
{
    if (size > m_limit - m_body.size()) {
        fail(Error::BodyLimit, QStringLiteral("body exceeds the limit of %1 bytes").arg(m_limit));
        return false;
    }
    m_body.append(data, qsizetype(size));
    return true;
}

} // namespace FaultDesk
