#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <utility>

namespace FaultDesk {

/**
 * An HTTP/1.1 response parser with no socket: bytes go in as they arrive, one response comes out. Handles
 * informational 1xx responses before the real one, Content-Length, chunked (extensions and trailers) and
 * close-delimited bodies, keep-alive. Everything it keeps is bounded (head 64 KiB, chunk-size lines 1 KiB, the
 * body by a limit checked before any byte is stored), and every size from the wire is parsed digit by digit and
 * compared without arithmetic that could overflow, so a hostile `Content-Length` or chunk size is a clean error.
 */
class HttpResponseParser
{
public:
    enum class Status {
        NeedMore, ///< the response is not complete yet
        Complete, ///< a whole response was parsed
        Error, ///< the bytes are not a valid response, or exceed a limit (see error())
    };
    enum class Error {
        None,
        Malformed, ///< not HTTP/1.x, a bad status line, Content-Length or chunk
        HeadTooLarge, ///< the headers exceed MaxHeadBytes
        BodyLimit, ///< the body (announced or received) exceeds the limit
    };
    enum class BodyMode {
        None,
        Length,
        Chunked,
        UntilClose,
    };

    static constexpr qint64 MaxHeadBytes = 64 * 1024;
    static constexpr qint64 MaxChunkLine = 1024;

    explicit HttpResponseParser(qint64 bodyLimit = 1024 * 1024) { reset(bodyLimit); }

    /// Forgets everything, for the next response (on the same connection or another); @p bodyLimit in bytes.
    void reset(qint64 bodyLimit);

    /**
     * Feeds @p size bytes. Returns Complete once the response is whole (bytes after it are not consumed: they
     * make keepAlive() false, as the connection is out of sync), Error when it cannot be; after either, feed()
     * does nothing until reset().
     */
    Status feed(const char* data, qint64 size);
    /// The peer closed the connection: completes a close-delimited body, anything else unfinished is an error.
    Status finishOnClose();

    Status state() const { return m_state; }
    Error error() const { return m_error; }
    /// Why the response was rejected, as plain printable text.
    const QString& errorText() const { return m_errorText; }
    /// True once the final (non-1xx) head was parsed.
    bool headDone() const { return m_headDone; }
    int status() const { return m_status; }
    /// The reason phrase, printable ASCII only.
    const QString& statusPhrase() const { return m_statusPhrase; }
    const QByteArray& location() const { return m_location; }
    /// Whether the connection may carry another request after this response.
    bool keepAlive() const { return m_keepAlive; }
    BodyMode bodyMode() const { return m_bodyMode; }
    const QByteArray& body() const { return m_body; }
    QByteArray takeBody() { return std::exchange(m_body, {}); }

    /// A short printable excerpt of bytes received from a server, safe for logs and the UI.
    static QString excerpt(const QByteArray& bytes, int max = 160);
    /// Parses a non-negative decimal (digits only, as Content-Length); std::nullopt on anything else or overflow.
    static std::optional<qint64> parseDecimal(const QByteArray& digits);
    /// Parses a chunk size (hex digits only); std::nullopt on anything else or when it exceeds qint64.
    static std::optional<qint64> parseHex(const QByteArray& digits);

private:
    Status fail(Error error, const QString& text);
    Status complete(qint64 unconsumed);
    bool parseHead();
    bool appendBody(const char* data, qint64 size);

    enum class ChunkState {
        Size,
        Data,
        DataEnd,
        Trailer,
    };

    qint64 m_limit = 0;
    Status m_state = Status::NeedMore;
    Error m_error = Error::None;
    QString m_errorText;
    QByteArray m_head;
    bool m_headDone = false;
    int m_status = 0;
    QString m_statusPhrase;
    QByteArray m_location;
    bool m_keepAlive = true;
    BodyMode m_bodyMode = BodyMode::None;
    qint64 m_remaining = 0;
    ChunkState m_chunkState = ChunkState::Size;
    QByteArray m_line;
    QByteArray m_body;
};

} // namespace FaultDesk
