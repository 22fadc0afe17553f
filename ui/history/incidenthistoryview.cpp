#include "ui/history/incidenthistoryview.h"

#include "config/causeclass.h"
#include "incident/incidentstore.h"
#include "incident/reportrenderer.h"
#include "ui/history/incidenthistorymodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace FaultDesk {

namespace {
QString when(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) : QString();
}
} // namespace

IncidentHistoryView::IncidentHistoryView(IncidentStore* store, QWidget* parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new IncidentHistoryModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_target(new QLineEdit(this))
    , m_cause(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_useFrom(new QCheckBox(tr("From"), this))
    , m_from(new QDateTimeEdit(this))
    , m_useTo(new QCheckBox(tr("to"), this))
    , m_to(new QDateTimeEdit(this))
    , m_drills(new QCheckBox(tr("Drills"), this))
    , m_table(new QTableView(this))
    , m_timeline(new QTreeWidget(this))
    , m_summary(new QLabel(this))
    , m_status(new QLabel(this))
    , m_export(new QPushButton(tr("Export report…"), this))
    , m_exportRange(new QPushButton(tr("Export period…"), this))
    , m_refreshTimer(new QTimer(this))
{
    m_target->setPlaceholderText(tr("Target"));
    m_target->setClearButtonEnabled(true);
    m_text->setPlaceholderText(tr("Search id, title, notes"));
    m_text->setClearButtonEnabled(true);
    m_cause->addItem(tr("Any cause"), QString());
    for (const QString& c : CauseClasses::names())
        m_cause->addItem(c, c);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (QDateTimeEdit* edit : { m_from, m_to }) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
    }
    m_from->setDateTime(now.addDays(-7));
    m_to->setDateTime(now);
    m_drills->setToolTip(tr("Show incidents raised by drills too"));
    connect(m_useFrom, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_useTo, &QCheckBox::toggled, m_to, &QWidget::setEnabled);

    auto* search = new QHBoxLayout;
    search->addWidget(m_target, 2);
    search->addWidget(m_cause, 1);
    search->addWidget(m_text, 2);
    search->addWidget(m_useFrom);
    search->addWidget(m_from);
    search->addWidget(m_useTo);
    search->addWidget(m_to);
    search->addWidget(m_drills);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(IncidentHistoryModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(IncidentHistoryModel::DetectedColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);

    m_timeline->setColumnCount(4);
    m_timeline->setHeaderLabels({ tr("Time (UTC)"), tr("Event"), tr("Actor"), tr("Note") });
    m_timeline->setRootIsDecorated(false);
    m_timeline->setAlternatingRowColors(true);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_status->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* detail = new QWidget(this);
    auto* detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_summary);
    detailLayout->addWidget(m_timeline, 1);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_exportRange);
    buttons->addWidget(m_export);
    m_export->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(search);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttons);

    // Typing searches after a short pause; the store's commits refresh the same way (bursts coalesce).
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(300);
    connect(m_refreshTimer, &QTimer::timeout, this, &IncidentHistoryView::refresh);
    auto later = [this] { m_refreshTimer->start(); };
    connect(m_target, &QLineEdit::textChanged, this, later);
    connect(m_text, &QLineEdit::textChanged, this, later);
    connect(m_cause, &QComboBox::currentIndexChanged, this, later);
    connect(m_useFrom, &QCheckBox::toggled, this, later);
    connect(m_useTo, &QCheckBox::toggled, this, later);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, later);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, later);
    connect(m_drills, &QCheckBox::toggled, this, later);
    if (m_store)
        connect(m_store, &IncidentStore::recorded, this, later);

    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
            const QString id = current.data(IncidentHistoryModel::IncidentIdRole).toString();
            m_export->setEnabled(!id.isEmpty());
            if (!id.isEmpty() && id != m_shown)
                showTimeline(id);
        });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (const QString id = currentIncidentId(); !id.isEmpty())
            Q_EMIT exportRequested(id);
    });
    connect(m_exportRange, &QPushButton::clicked, this, [this] {
        const IncidentFilter f = filter();
        const QDateTime to = f.toUtc.isValid() ? f.toUtc : QDateTime::currentDateTimeUtc();
        const QDateTime from = f.fromUtc.isValid() ? f.fromUtc : to.addDays(-30);
        Q_EMIT exportRangeRequested(from, to, f.includeDrills);
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        Q_EMIT exportRequested(index.data(IncidentHistoryModel::IncidentIdRole).toString());
    });

    refresh();
}

IncidentHistoryView::~IncidentHistoryView() = default;

IncidentFilter IncidentHistoryView::filter() const
{
    IncidentFilter f;
    f.target = m_target->text().trimmed();
    f.causeClass = m_cause->currentData().toString();
    f.text = m_text->text().trimmed();
    if (m_useFrom->isChecked())
        f.fromUtc = m_from->dateTime().toUTC();
    if (m_useTo->isChecked())
        f.toUtc = m_to->dateTime().toUTC();
    f.includeDrills = m_drills->isChecked();
    f.limit = 5000;
    return f;
}

void IncidentHistoryView::setFilter(const IncidentFilter& f)
{
    const QSignalBlocker b1(m_target), b2(m_text), b3(m_cause), b4(m_useFrom), b5(m_useTo), b6(m_from), b7(m_to),
        b8(m_drills);
    m_target->setText(f.target);
    m_text->setText(f.text);
    m_cause->setCurrentIndex(std::max(0, m_cause->findData(f.causeClass)));
    m_useFrom->setChecked(f.fromUtc.isValid());
    m_from->setEnabled(f.fromUtc.isValid());
    if (f.fromUtc.isValid())
        m_from->setDateTime(f.fromUtc);
    m_useTo->setChecked(f.toUtc.isValid());
    m_to->setEnabled(f.toUtc.isValid());
    if (f.toUtc.isValid())
        m_to->setDateTime(f.toUtc);
    m_drills->setChecked(f.includeDrills);
    refresh();
}

void IncidentHistoryView::refresh()
{
    m_refreshTimer->stop();
    if (!m_store)
        return;
    const QString keep = currentIncidentId();
    QString error;
    const IncidentFilter f = filter();
    const QList<Incident> list = m_store->incidents(f, &error);
    if (!error.isEmpty()) {
        // The store is away (a server restarting, a disk failing): say so, and keep what was read before rather
        // than show an empty history that looks like "no incidents".
        m_status->setText(m_model->rowCount() > 0 ? tr("Incident history unavailable (%1); the list below is from %2")
                                                        .arg(error, m_readAt.toString(QStringLiteral("HH:mm:ss")))
                                                  : tr("Incident history unavailable: %1").arg(error));
        return;
    }
    m_model->setIncidents(list);
    m_readAt = QTime::currentTime();
    m_status->setText(list.size() >= f.limit ? tr("Newest %n incident(s) shown", nullptr, int(list.size()))
                                             : tr("%n incident(s)", nullptr, int(list.size())));
    m_table->resizeColumnsToContents();
    if (!keep.isEmpty()) {
        m_shown.clear(); // its timeline may have grown: show it afresh
        openIncident(keep);
    } else
        m_export->setEnabled(false);
}

QString IncidentHistoryView::currentIncidentId() const
{
    return m_table->currentIndex().data(IncidentHistoryModel::IncidentIdRole).toString();
}

bool IncidentHistoryView::openIncident(const QString& id)
{
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(IncidentHistoryModel::IncidentIdRole).toString() == id) {
            m_table->setCurrentIndex(index);
            m_table->scrollTo(index);
            if (m_shown != id) // selecting it may have shown it already
                showTimeline(id);
            return true;
        }
    }
    if (m_store && m_store->incident(id, false)) {
        showTimeline(id); // not in the current search, but it exists: show it anyway
        return true;
    }
    return false;
}

void IncidentHistoryView::showTimeline(const QString& id)
{
    m_timeline->clear();
    m_shown = id;
    QString error;
    const auto inc = m_store ? m_store->incident(id, false, &error) : std::nullopt;
    if (!inc) {
        m_summary->setText(error.isEmpty() ? tr("Incident %1 is not in the database.").arg(id) : error);
        return;
    }
    const PhaseTimes p = inc->phases();
    m_summary->setText(tr("%1 — %2\nRoot cause %3 (%4), affected: %5. State %6%7. Detect %8, recover %9.")
                           .arg(inc->id, inc->title, inc->rootTarget, inc->causeClass,
                               inc->affectedTargets().join(QStringLiteral(", ")), IncidentLifecycle::name(inc->state),
                               inc->drill ? tr(", drill") : QString(), ReportRenderer::duration(p.detectMs),
                               ReportRenderer::duration(p.recoverMs)));
    struct Row
    {
        QDateTime time;
        QStringList cells;
    };
    QList<Row> rows;
    for (const IncidentEvent& e : inc->events)
        rows << Row { e.timeUtc, { when(e.timeUtc), IncidentLifecycle::name(e.state), e.actor, e.note } };
    for (const Symptom& s : inc->symptoms)
        rows << Row { s.timeUtc, { when(s.timeUtc), tr("symptom"), QString(), s.target + u": " + s.detail } };
    for (const AuditRecord& a : inc->actions) {
        const bool intent = a.phase == AuditRecord::Phase::Intent;
        const QString what = a.runbook.isEmpty() ? a.actionKind : a.runbook;
        rows << Row { a.timeUtc,
            { when(a.timeUtc), intent ? tr("action started") : tr("action result"), a.operatorName,
                what + u" on " + a.target + u": " + (intent ? a.description : a.status) } };
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.time < b.time; });
    for (const Row& r : rows)
        new QTreeWidgetItem(m_timeline, r.cells);
    for (int c = 0; c < 3; ++c)
        m_timeline->resizeColumnToContents(c);
    Q_EMIT incidentOpened(id);
}

} // namespace FaultDesk
