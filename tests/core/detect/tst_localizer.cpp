#include "detect/localizer.h"

#include <QTest>

using namespace FaultDesk;

using Health = Localizer::Health;
using Role = Localizer::Role;

namespace {

// The demo-like graph: web → api (any of two) → db-primary; app → any of [db-primary, db-replica].
QList<Localizer::Node> graph()
{
    return {
        { QStringLiteral("db-primary"), {}, {} },
        { QStringLiteral("db-replica"), {}, {} },
        { QStringLiteral("api-1"), { QStringLiteral("db-primary") }, {} },
        { QStringLiteral("api-2"), { QStringLiteral("db-primary") }, {} },
        { QStringLiteral("web-1"), {}, { { QStringLiteral("api-1"), QStringLiteral("api-2") } } },
        { QStringLiteral("app"), {}, { { QStringLiteral("db-primary"), QStringLiteral("db-replica") } } },
    };
}

// "name=H" confirmed, "name=S" suspect, "name=?" unknown; a trailing '!' means no answer (down).
QHash<QString, Localizer::Input> parse(const QString& spec)
{
    QHash<QString, Localizer::Input> out;
    for (const QString& item : spec.split(u' ', Qt::SkipEmptyParts)) {
        const auto parts = item.split(u'=');
        Localizer::Input in;
        const QString s = parts.value(1);
        in.health = s.startsWith(u'H') ? Health::Confirmed
            : s.startsWith(u'S')       ? Health::Suspect
            : s.startsWith(u'?')       ? Health::Unknown
                                       : Health::Ok;
        in.noAnswer = s.endsWith(u'!');
        out.insert(parts.value(0), in);
    }
    return out;
}

} // namespace

class TestLocalizer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void localize_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("role");
        QTest::addColumn<QString>("root");
        QTest::addColumn<bool>("unreachable");
        QTest::addRow("lone failure is a root") << QStringLiteral("db-primary=H!") << QStringLiteral("db-primary")
                                                << int(Role::Root) << QStringLiteral("db-primary") << false;
        QTest::addRow("database down: api unreachable")
            << QStringLiteral("db-primary=H! api-1=H!") << QStringLiteral("api-1") << int(Role::Symptom)
            << QStringLiteral("db-primary") << true;
        QTest::addRow("database corrupt: api errors are a symptom, not unreachable")
            << QStringLiteral("db-primary=H api-1=H") << QStringLiteral("api-1") << int(Role::Symptom)
            << QStringLiteral("db-primary") << false;
        QTest::addRow("dependency up: api is the root")
            << QStringLiteral("db-primary=O api-1=H!") << QStringLiteral("api-1") << int(Role::Root)
            << QStringLiteral("api-1") << false;
        QTest::addRow("dependency unknown: api is the root")
            << QStringLiteral("db-primary=? api-1=H!") << QStringLiteral("api-1") << int(Role::Root)
            << QStringLiteral("api-1") << false;
        QTest::addRow("dependency only suspect: pending")
            << QStringLiteral("db-primary=S! api-1=H!") << QStringLiteral("api-1") << int(Role::Pending)
            << QStringLiteral("api-1") << false;
        QTest::addRow("any-of: one member down, child is a root")
            << QStringLiteral("db-primary=H! app=H!") << QStringLiteral("app") << int(Role::Root)
            << QStringLiteral("app") << false;
        QTest::addRow("any-of: both members down, child is a symptom")
            << QStringLiteral("db-primary=H! db-replica=H! app=H!") << QStringLiteral("app") << int(Role::Symptom)
            << QStringLiteral("db-primary") << true;
        QTest::addRow("any-of: one confirmed one suspect, blame the confirmed")
            << QStringLiteral("db-primary=S! db-replica=H! app=H!") << QStringLiteral("app") << int(Role::Symptom)
            << QStringLiteral("db-replica") << true;
        QTest::addRow("chain: web through both apis to the database")
            << QStringLiteral("db-primary=H! api-1=H! api-2=H! web-1=H") << QStringLiteral("web-1")
            << int(Role::Symptom) << QStringLiteral("db-primary") << false;
        QTest::addRow("chain: one api up, web is a root")
            << QStringLiteral("db-primary=O api-1=H! api-2=O web-1=H!") << QStringLiteral("web-1") << int(Role::Root)
            << QStringLiteral("web-1") << false;
    }
    void localize()
    {
        QFETCH(QString, status);
        QFETCH(QString, target);
        QFETCH(int, role);
        QFETCH(QString, root);
        QFETCH(bool, unreachable);
        Localizer l;
        l.setGraph(graph());
        const auto verdicts = l.localize(parse(status));
        QVERIFY(verdicts.contains(target));
        const Localizer::Verdict v = verdicts[target];
        QCOMPARE(int(v.role), role);
        if (v.role != Role::Pending)
            QCOMPARE(v.root, root);
        QCOMPARE(v.unreachable, unreachable);
        QVERIFY(!v.explanation.isEmpty());
    }

    // Only confirmed failures get a verdict.
    void onlyConfirmed()
    {
        Localizer l;
        l.setGraph(graph());
        const auto verdicts = l.localize(parse(QStringLiteral("db-primary=S api-1=O api-2=H")));
        QCOMPARE(verdicts.keys(), QList<QString> { QStringLiteral("api-2") });
    }

    void explanations()
    {
        Localizer l;
        l.setGraph(graph());
        auto v = l.localize(parse(QStringLiteral("db-primary=H! db-replica=H! app=H!")));
        QCOMPARE(v[QStringLiteral("app")].explanation,
            QStringLiteral("app depends on any of db-primary, db-replica, and all of them are failing"));
        QCOMPARE(v[QStringLiteral("db-primary")].explanation, QStringLiteral("db-primary has no dependencies"));
        v = l.localize(parse(QStringLiteral("db-primary=H! api-1=H! api-2=H! web-1=H")));
        QCOMPARE(v[QStringLiteral("web-1")].explanation,
            QStringLiteral(
                "web-1 depends on any of api-1, api-2, and all of them are failing (root cause: db-primary)"));
    }

    void validate()
    {
        Localizer l;
        QList<Localizer::Node> g = graph();
        g.append({ QStringLiteral("a"), { QStringLiteral("b") }, {} });
        g.append({ QStringLiteral("b"), {}, { { QStringLiteral("a"), QStringLiteral("nowhere") } } });
        l.setGraph(g);
        const QStringList problems = l.validate();
        QVERIFY2(
            problems.contains(QStringLiteral("b depends on unknown target nowhere")), qPrintable(problems.join(u'\n')));
        QVERIFY2(problems.contains(QStringLiteral("dependency cycle: a -> b -> a")), qPrintable(problems.join(u'\n')));
        QCOMPARE(problems.size(), 2);
        // A failing cycle does not hang and still yields verdicts.
        const auto v = l.localize(parse(QStringLiteral("a=H b=H")));
        QCOMPARE(v.size(), 2);
    }

    void dependents()
    {
        Localizer l;
        l.setGraph(graph());
        QCOMPARE(l.dependents(QStringLiteral("db-primary")),
            (QStringList { QStringLiteral("api-1"), QStringLiteral("api-2"), QStringLiteral("app") }));
        l.removeNode(QStringLiteral("api-2"));
        QCOMPARE(l.dependents(QStringLiteral("db-primary")),
            (QStringList { QStringLiteral("api-1"), QStringLiteral("app") }));
    }
};

QTEST_GUILESS_MAIN(TestLocalizer)
#include "tst_localizer.moc"
