#pragma once

#include "incident/storewrite.h"

#include <QFile>
#include <QLockFile>
#include <QString>

#include <deque>
#include <memory>

namespace FaultDesk {

/**
 * The local, append-only journal of writes that wait for a server database (PostgreSQL unreachable, restarting,
 * read-only): one JSON line per write after a header line naming the journal, fdatasync'd before append() returns,
 * so a write counts as recorded only once it would survive a crash of the console. The writer replays the entries in
 * order when the database is back and deletes the file when none is left; each entry has a stable (journal id,
 * sequence) pair, which the database records with the replayed write, so a replay cut short by a crash never applies
 * a write twice.
 *
 * The journal is bounded in bytes: a write that does not fit is refused with a readable error (and so shown to the
 * operator as not recorded), never dropped silently. A lock file keeps a second process off the same journal.
 * Used on the writer thread only.
 */
class StoreJournal
{
public:
    struct Entry
    {
        qint64 seq = 0;
        StoreWrite write;
    };

    StoreJournal(const QString& path, qint64 maxBytes);
    ~StoreJournal();
    StoreJournal(const StoreJournal&) = delete;
    StoreJournal& operator=(const StoreJournal&) = delete;

    /**
     * Takes the journal's lock and loads what an earlier run left behind. A last line cut short by a crash (never
     * acknowledged: the sync had not returned) is cut off. False with @p error when the file is locked by another
     * live process or unreadable.
     */
    bool open(QString* error);
    QString path() const { return m_path; }
    /// The journal's identity in the database's replay records (a fresh one each time the file is created).
    QString id() const { return m_id; }
    qint64 bytes() const { return m_bytes; }
    qint64 maxBytes() const { return m_maxBytes; }
    /// Entries written and not yet replayed.
    int size() const { return int(m_entries.size()); }
    bool isEmpty() const { return m_entries.empty(); }
    /// How many entries open() found from an earlier run.
    int recovered() const { return m_recovered; }
    const std::deque<Entry>& entries() const { return m_entries; }

    /**
     * Appends @p writes in order and syncs once. Returns how many were appended: all of them, or fewer when the
     * journal is full or the disk fails (then @p error says so and nothing of the failed write remains in the file).
     */
    int append(const QList<StoreWrite>& writes, QString* error);
    /// The oldest @p count entries are in the database: forgets them, and deletes the file once none is left.
    void dropReplayed(int count);

private:
    bool create(QString* error);
    bool sync();
    void remove();

    QString m_path;
    qint64 m_maxBytes;
    std::unique_ptr<QLockFile> m_lock;
    QFile m_file;
    QString m_id;
    qint64 m_nextSeq = 1;
    qint64 m_bytes = 0;
    int m_recovered = 0;
    std::deque<Entry> m_entries;
};

} // namespace FaultDesk
