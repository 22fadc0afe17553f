#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/// A table of a report section in plain text (each format escapes and lays it out): a caption, a header, rows.
struct ReportTable
{
    QString caption; ///< "HAProxy servers"; may be empty
    QStringList header;
    QList<QStringList> rows;
};

} // namespace FaultDesk
