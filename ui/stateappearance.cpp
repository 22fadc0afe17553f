#include "ui/stateappearance.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace FaultDesk {

QColor StateAppearance::colour(Severity severity, bool dark)
{
    switch (severity) {
    case Severity::Ok:
        return dark ? QColor(0x5c, 0xc8, 0x7a) : QColor(0x1e, 0x8e, 0x3e);
    case Severity::Unknown:
        return dark ? QColor(0x9a, 0xa0, 0xa6) : QColor(0x6b, 0x72, 0x78);
    case Severity::Symptom:
        return dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x3b, 0x6e, 0xc4);
    case Severity::Warning:
        return dark ? QColor(0xfd, 0xc0, 0x3c) : QColor(0xb0, 0x6d, 0x00);
    case Severity::Critical:
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc5, 0x22, 0x1f);
    }
    return {};
}

QIcon StateAppearance::icon(Severity severity, bool dark)
{
    static QHash<int, QIcon> cache;
    const int key = int(severity) * 2 + (dark ? 1 : 0);
    if (const auto it = cache.constFind(key); it != cache.cend())
        return *it;

    QIcon icon;
    for (const int size : { 16, 32 }) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 16.0, size / 16.0);
        const QColor fill = colour(severity, dark);
        p.setPen(Qt::NoPen);
        p.setBrush(fill);
        QPen mark(Qt::white, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
        switch (severity) {
        case Severity::Ok:
            p.drawEllipse(QRectF(1, 1, 14, 14));
            p.setPen(mark);
            p.drawPolyline(QPolygonF({ QPointF(4.5, 8.5), QPointF(7, 11), QPointF(11.5, 5.5) }));
            break;
        case Severity::Unknown:
            p.drawEllipse(QRectF(1, 1, 14, 14));
            p.setPen(mark);
            p.drawArc(QRectF(5.5, 3.5, 5, 5), 180 * 16, -270 * 16);
            p.drawPoint(QPointF(8, 12));
            break;
        case Severity::Symptom: {
            p.drawPolygon(QPolygonF({ QPointF(8, 0.5), QPointF(15.5, 8), QPointF(8, 15.5), QPointF(0.5, 8) }));
            p.setPen(mark);
            p.drawLine(QPointF(8, 4.5), QPointF(8, 11));
            p.drawPolyline(QPolygonF({ QPointF(5.5, 8.5), QPointF(8, 11), QPointF(10.5, 8.5) }));
            break;
        }
        case Severity::Warning:
            p.drawPolygon(QPolygonF({ QPointF(8, 0.5), QPointF(15.5, 15), QPointF(0.5, 15) }));
            p.setPen(QPen(dark ? Qt::black : Qt::white, 2.0, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(QPointF(8, 5.5), QPointF(8, 9.5));
            p.drawPoint(QPointF(8, 12.5));
            break;
        case Severity::Critical:
            p.drawRoundedRect(QRectF(1, 1, 14, 14), 2.5, 2.5);
            p.setPen(mark);
            p.drawLine(QPointF(5, 5), QPointF(11, 11));
            p.drawLine(QPointF(11, 5), QPointF(5, 11));
            break;
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    cache.insert(key, icon);
    return icon;
}

QString StateAppearance::text(Severity severity)
{
    switch (severity) {
    case Severity::Ok:
        return QStringLiteral("OK");
    case Severity::Unknown:
        return QStringLiteral("UNKNOWN");
    case Severity::Symptom:
        return QStringLiteral("SYMPTOM");
    case Severity::Warning:
        return QStringLiteral("WARNING");
    case Severity::Critical:
        return QStringLiteral("CRITICAL");
    }
    return {};
}

void StateAppearance::emitLooksChanged(QAbstractItemModel* model)
{
    emitLooksChanged(model, QModelIndex());
}

void StateAppearance::emitLooksChanged(QAbstractItemModel* model, const QModelIndex& parent)
{
    const int rows = model->rowCount(parent);
    if (rows == 0)
        return;
    Q_EMIT model->dataChanged(model->index(0, 0, parent),
        model->index(rows - 1, model->columnCount(parent) - 1, parent),
        { Qt::DecorationRole, Qt::ForegroundRole, Qt::BackgroundRole, Qt::FontRole });
    for (int row = 0; row < rows; ++row) {
        const QModelIndex child = model->index(row, 0, parent);
        if (model->hasChildren(child))
            emitLooksChanged(model, child);
    }
}

} // namespace FaultDesk
