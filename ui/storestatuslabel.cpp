#include "ui/storestatuslabel.h"

#include "incident/incidentstore.h"
#include "incident/storestatus.h"
#include "ui/palette.h"
#include "ui/stateappearance.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>

namespace FaultDesk {

StoreStatusLabel::StoreStatusLabel(QWidget* parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_icon);
    layout->addWidget(m_text);
    // Store names and errors come from the configuration and the server: plain text, never markup.
    m_text->setTextFormat(Qt::PlainText);
    refresh();
}

void StoreStatusLabel::watch(IncidentStore* store)
{
    connect(store, &IncidentStore::healthChanged, this, &StoreStatusLabel::setHealth);
    setHealth(store->health());
}

void StoreStatusLabel::setHealth(const StoreHealth& health)
{
    m_health = health;
    refresh();
}

QString StoreStatusLabel::text() const
{
    return m_text->text();
}

void StoreStatusLabel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        refresh();
    QWidget::changeEvent(event);
}

void StoreStatusLabel::refresh()
{
    const StoreStatus::Level level = StoreStatus::level(m_health);
    const Severity severity = level == StoreStatus::Level::Error ? Severity::Critical
        : level == StoreStatus::Level::Warning                   ? Severity::Warning
                                                                 : Severity::Ok;
    const bool dark = Palette::isDark(palette());
    m_icon->setPixmap(StateAppearance::icon(severity, dark).pixmap(14, 14));
    m_text->setText(StoreStatus::text(m_health));
    QPalette p = m_text->palette();
    if (level == StoreStatus::Level::Ok)
        p.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
    else
        p.setColor(QPalette::WindowText, StateAppearance::colour(severity, dark));
    m_text->setPalette(p);
    setToolTip(StoreStatus::detail(m_health));
    setAccessibleName(m_text->text());
}

} // namespace FaultDesk
