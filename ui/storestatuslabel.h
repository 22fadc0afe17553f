#pragma once

#include "incident/storehealth.h"

#include <QWidget>

class QLabel;

namespace FaultDesk {

class IncidentStore;

/**
 * The status bar's word on the incident store: "Store: PostgreSQL connected", "reconnecting since 14:03:12 · 42
 * writes journaled", a full journal in the critical colour. The text and level come from StoreStatus (core); this
 * widget adds the icon and colour, so colour is never the only signal.
 */
class StoreStatusLabel : public QWidget
{
    Q_OBJECT
public:
    explicit StoreStatusLabel(QWidget* parent = nullptr);
    /// Follows @p store's health from now on (and shows it at once).
    void watch(IncidentStore* store);
    void setHealth(const FaultDesk::StoreHealth& health);
    /// What the label shows, for tests and screen readers.
    QString text() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void refresh();

    StoreHealth m_health;
    QLabel* m_icon = nullptr;
    QLabel* m_text = nullptr;
};

} // namespace FaultDesk
