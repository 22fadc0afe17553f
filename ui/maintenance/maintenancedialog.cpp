#include "ui/maintenance/maintenancedialog.h"

#include "ui/maintenance/maintenancewindowdialog.h"

#include "maintenance/maintenancecontroller.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace FaultDesk {

namespace {
enum Column {
    ScopeColumn,
    StateColumn,
    StartColumn,
    EndColumn,
    CommentColumn,
    ByColumn,
    ColumnCount
};
constexpr int IdRole = Qt::UserRole + 1;
} // namespace

MaintenanceDialog::MaintenanceDialog(
    MaintenanceController* controller, QString operatorName, std::function<QStringList()> selection, QWidget* parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_operator(std::move(operatorName))
    , m_selection(std::move(selection))
{
    setObjectName(QStringLiteral("maintenanceDialog"));
    setWindowTitle(tr("Maintenance"));
    resize(820, 360);
    auto* layout = new QVBoxLayout(this);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("maintenanceList"));
    m_list->setAccessibleName(tr("Maintenance windows"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({ tr("Targets"), tr("State"), tr("Start"), tr("End"), tr("Comment"), tr("By") });
    m_list->header()->resizeSection(ScopeColumn, 200);
    layout->addWidget(m_list, 1);

    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText); // errors quote replies from the network
    m_status->setObjectName(QStringLiteral("maintenanceStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* row = new QHBoxLayout;
    m_new = new QPushButton(tr("&New…"), this);
    m_new->setObjectName(QStringLiteral("maintenanceNew"));
    m_new->setToolTip(tr("Start a maintenance window for the targets selected in the fleet view"));
    m_end = new QPushButton(tr("&End now"), this);
    m_end->setObjectName(QStringLiteral("maintenanceEndNow"));
    auto* close = new QPushButton(tr("&Close"), this);
    row->addWidget(m_new);
    row->addWidget(m_end);
    row->addStretch();
    row->addWidget(close);
    layout->addLayout(row);

    connect(m_new, &QPushButton::clicked, this, [this] { openNew(m_selection ? m_selection() : QStringList()); });
    connect(m_end, &QPushButton::clicked, this, [this] {
        QString error;
        if (!endSelected(&error))
            m_status->setText(error);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &MaintenanceDialog::updateButtons);
    if (m_controller) {
        connect(m_controller, &MaintenanceController::windowsChanged, this, &MaintenanceDialog::reload);
        connect(m_controller, &MaintenanceController::activeChanged, this, &MaintenanceDialog::reload);
    }
    reload();
    m_list->setFocus();
}

void MaintenanceDialog::reload()
{
    const QString selected = m_list->currentItem() ? m_list->currentItem()->data(0, IdRole).toString() : QString();
    m_list->clear();
    if (!m_controller)
        return;
    const QDateTime now = m_controller->now();
    int running = 0;
    for (const MaintenanceWindow& w : m_controller->windows()) {
        QString state;
        if (w.activeAt(now)) {
            state = tr("running");
            ++running;
        } else if (w.startUtc > now) {
            state = tr("planned");
        } else {
            state = w.endedBy.isEmpty() ? tr("ended") : tr("ended by %1").arg(w.endedBy);
        }
        if (w.origin == MaintenanceWindow::Origin::Config)
            state += tr(" (configured)");
        auto* item = new QTreeWidgetItem({ w.scope(), state, MaintenanceWindow::localTime(w.startUtc, now),
            MaintenanceWindow::localTime(w.endUtc, now), w.comment, w.createdBy });
        item->setData(0, IdRole, w.id);
        item->setToolTip(StartColumn, w.startUtc.toString(Qt::ISODate));
        item->setToolTip(EndColumn, w.endUtc.toString(Qt::ISODate));
        m_list->addTopLevelItem(item);
        if (w.id == selected)
            m_list->setCurrentItem(item);
    }
    m_status->setText(
        tr("%n window(s) running; %1 target(s) in maintenance.", nullptr, running).arg(m_controller->activeCount()));
    updateButtons();
}

void MaintenanceDialog::selectWindow(const QString& id)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (m_list->topLevelItem(i)->data(0, IdRole).toString() == id)
            m_list->setCurrentItem(m_list->topLevelItem(i));
}

void MaintenanceDialog::updateButtons()
{
    const QTreeWidgetItem* item = m_list->currentItem();
    const auto w
        = item && m_controller ? m_controller->schedule().window(item->data(0, IdRole).toString()) : std::nullopt;
    const bool endable = w && w->origin == MaintenanceWindow::Origin::Runtime && w->endUtc > m_controller->now();
    m_end->setEnabled(endable);
    m_end->setToolTip(!w ? tr("Select a window first")
            : w->origin == MaintenanceWindow::Origin::Config
            ? tr("Configured in the fleet description: change it there")
            : endable ? tr("End %1 now").arg(w->label())
                      : tr("This window is over"));
}

MaintenanceWindowDialog* MaintenanceDialog::openNew(const QStringList& targets)
{
    if (m_newDialog)
        m_newDialog->close();
    m_newDialog = new MaintenanceWindowDialog(m_controller, targets, m_operator, this);
    m_newDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_newDialog, &QDialog::accepted, this, [this, d = m_newDialog] {
        if (d)
            selectWindow(d->createdId());
    });
    m_newDialog->show();
    return m_newDialog;
}

bool MaintenanceDialog::endSelected(QString* error)
{
    const QTreeWidgetItem* item = m_list->currentItem();
    if (!item || !m_controller) {
        if (error)
            *error = tr("Select a window first");
        return false;
    }
    return m_controller->endNow(item->data(0, IdRole).toString(), m_operator, error);
}

} // namespace FaultDesk
