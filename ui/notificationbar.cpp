#include "ui/notificationbar.h"

#include "ui/palette.h"
#include "ui/stateappearance.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace FaultDesk {

namespace {

constexpr qint64 FreshMs = 5000; ///< a post within this time of the last one joins it
constexpr int MaxLines = 3;

} // namespace

NotificationBar::NotificationBar(QWidget* parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("notificationBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAccessibleName(tr("Notification"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    m_icon = new QLabel(this);
    m_icon->setObjectName(QStringLiteral("notificationIcon"));
    m_label = new QLabel(this);
    m_label->setObjectName(QStringLiteral("notificationText"));
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText); // evidence quotes the network: never rich text
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton(this);
    dismiss->setText(tr("Dismiss"));
    dismiss->setAccessibleName(tr("Dismiss notification"));
    dismiss->setAutoRaise(true);
    connect(dismiss, &QToolButton::clicked, this, [this] {
        m_lines.clear();
        hide();
    });
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_label, 1);
    layout->addWidget(dismiss, 0, Qt::AlignTop);
    hide();
}

void NotificationBar::post(const QString& text, Severity severity)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString line
        = QDateTime::fromMSecsSinceEpoch(now).toLocalTime().toString(QStringLiteral("HH:mm:ss")) + u' ' + text;
    if (isVisible() && now - m_lastPostMs < FreshMs && !m_lines.isEmpty()) {
        m_lines.prepend(line);
        m_lines = m_lines.mid(0, MaxLines);
        // Good news (a drill passed, a fault recovered) resolves what came before it: the bar takes its colour.
        m_severity = severity == Severity::Ok ? severity : std::max(m_severity, severity);
    } else {
        m_lines = { line };
        m_severity = severity;
    }
    m_lastPostMs = now;

    const bool dark = Palette::isDark(palette());
    const QColor edge = StateAppearance::colour(m_severity, dark);
    QColor background = edge;
    background.setAlpha(dark ? 90 : 45);
    setStyleSheet(QStringLiteral("QFrame#notificationBar { background: rgba(%1,%2,%3,%4); "
                                 "border: 1px solid %5; border-radius: 3px; }")
                      .arg(background.red())
                      .arg(background.green())
                      .arg(background.blue())
                      .arg(background.alpha())
                      .arg(edge.name()));
    m_icon->setPixmap(StateAppearance::icon(m_severity, dark).pixmap(16, 16));
    m_label->setText(m_lines.join(u'\n'));
    show();
}

QString NotificationBar::text() const
{
    return m_label->text();
}

} // namespace FaultDesk
