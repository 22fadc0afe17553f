// A target's `signals:` (gauge, rate, ratio, quantile) and the threshold both kinds of signal share.

#include "config/configsections.h"

namespace FaultDesk::ConfigSections {

std::optional<SignalThreshold> readThreshold(YamlReader& yaml, const Entry& e)
{
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("threshold"),
        { QStringLiteral("above"), QStringLiteral("below"), QStringLiteral("clear"), QStringLiteral("adaptive") });
    if (!f)
        return std::nullopt;
    SignalThreshold t;
    const Entry* above = f->get(u"above");
    const Entry* below = f->get(u"below");
    if (above && below) {
        yaml.error(yaml.pos(below->keyNode), QStringLiteral("threshold has both 'above' and 'below'; give one"));
        return std::nullopt;
    }
    if (!above && !below) {
        yaml.error(f->position, QStringLiteral("threshold needs 'above: LEVEL' or 'below: LEVEL'"));
        return std::nullopt;
    }
    t.direction = above ? SignalThreshold::Direction::Above : SignalThreshold::Direction::Below;
    const auto enter = yaml.number(above ? *above : *below);
    std::optional<double> clear;
    if (const Entry* c = f->get(u"clear"))
        clear = yaml.number(*c);
    if (const Entry* a = f->get(u"adaptive"))
        t.adaptive = yaml.boolean(*a).value_or(false);
    if (!enter || (f->get(u"clear") && !clear))
        return std::nullopt;
    t.enter = *enter;
    t.clear = clear.value_or(*enter);
    if (t.direction == SignalThreshold::Direction::Above && t.clear > t.enter) {
        yaml.error(yaml.pos(*f->get(u"clear")),
            QStringLiteral("threshold: clear (%1) must not be above the 'above' level (%2): the breach would end "
                           "before it starts")
                .arg(t.clear)
                .arg(t.enter));
        return std::nullopt;
    }
    if (t.direction == SignalThreshold::Direction::Below && t.clear < t.enter) {
        yaml.error(yaml.pos(*f->get(u"clear")),
            QStringLiteral("threshold: clear (%1) must not be below the 'below' level (%2): the breach would end "
                           "before it starts")
                .arg(t.clear)
                .arg(t.enter));
        return std::nullopt;
    }
    return t;
}

std::optional<SignalConfig> readSignal(YamlReader& yaml, const YNode& n)
{
    const QStringList kinds { QStringLiteral("gauge"), QStringLiteral("rate"), QStringLiteral("ratio"),
        QStringLiteral("quantile") };
    const auto f = yaml.mapping(n, {}, QStringLiteral("a signal"),
        kinds
            + QStringList { QStringLiteral("name"), QStringLiteral("by"), QStringLiteral("threshold"),
                QStringLiteral("cause"), QStringLiteral("link") });
    if (!f)
        return std::nullopt;
    SignalConfig s;
    s.position = f->position;
    bool ok = true;
    if (const Entry* nm = f->get(u"name")) {
        if (const auto v = yaml.name(*nm, QStringLiteral("signal name")))
            s.name = *v;
        else
            ok = false;
    } else {
        yaml.missing(*f, QStringLiteral("signal"), QStringLiteral("name"));
        ok = false;
    }
    const Entry* kindEntry = nullptr;
    for (const Entry& x : f->entries) {
        if (!kinds.contains(x.key))
            continue;
        if (kindEntry) {
            yaml.error(yaml.pos(x.keyNode),
                QStringLiteral("signal has both '%1' and '%2'; give one of gauge, rate, ratio, quantile")
                    .arg(kindEntry->key, x.key));
            ok = false;
            continue;
        }
        kindEntry = &x;
    }
    if (!kindEntry) {
        yaml.error(f->position, QStringLiteral("signal needs one of gauge, rate, ratio, quantile"));
        return std::nullopt;
    }
    const QString& kind = kindEntry->key;
    if (kind == u"gauge" || kind == u"rate") {
        s.kind = kind == u"gauge" ? SignalConfig::Kind::Gauge : SignalConfig::Kind::Rate;
        if (const auto sel = yaml.selector(*kindEntry, &s.selectorText))
            s.selector = *sel;
        else
            ok = false;
    } else if (kind == u"ratio") {
        s.kind = SignalConfig::Kind::Ratio;
        const auto r = yaml.mapping(kindEntry->value, yaml.pos(*kindEntry), QStringLiteral("ratio"),
            { QStringLiteral("num"), QStringLiteral("den") });
        if (!r)
            return std::nullopt;
        for (const Entry& x : r->entries) {
            const auto sel = yaml.selector(x, x.key == u"num" ? &s.selectorText : &s.denominatorText);
            if (!sel)
                ok = false;
            else if (x.key == u"num")
                s.selector = *sel;
            else
                s.denominator = *sel;
        }
        for (const auto key : { u"num", u"den" }) {
            if (!r->get(key)) {
                yaml.missing(*r, QStringLiteral("ratio"), QString::fromUtf16(key));
                ok = false;
            }
        }
    } else {
        s.kind = SignalConfig::Kind::Quantile;
        const auto r = yaml.mapping(kindEntry->value, yaml.pos(*kindEntry), QStringLiteral("quantile"),
            { QStringLiteral("histogram"), QStringLiteral("q") });
        if (!r)
            return std::nullopt;
        for (const Entry& x : r->entries) {
            if (x.key == u"histogram") {
                if (const auto sel = yaml.selector(x, &s.selectorText))
                    s.selector = *sel;
                else
                    ok = false;
            } else if (const auto q = yaml.number(x)) {
                if (*q <= 0 || *q >= 1) {
                    yaml.error(yaml.pos(x), QStringLiteral("'q' must be between 0 and 1 (exclusive), got %1").arg(*q));
                    ok = false;
                }
                s.q = *q;
            } else {
                ok = false;
            }
        }
        for (const auto key : { u"histogram", u"q" }) {
            if (!r->get(key)) {
                yaml.missing(*r, QStringLiteral("quantile"), QString::fromUtf16(key));
                ok = false;
            }
        }
    }
    if (const Entry* by = f->get(u"by")) {
        if (s.kind != SignalConfig::Kind::Gauge && s.kind != SignalConfig::Kind::Rate) {
            yaml.error(yaml.pos(by->keyNode),
                QStringLiteral("'by' (a per-label breakdown) applies to gauge and rate signals only"));
            ok = false;
        } else if (const auto label = yaml.string(*by); label && labelNamePattern().match(*label).hasMatch()) {
            s.by = *label;
        } else {
            if (label)
                yaml.error(yaml.pos(*by), QStringLiteral("'by' must be a label name, got %1").arg(quoted(*label)));
            ok = false;
        }
    }
    if (const Entry* t = f->get(u"threshold")) {
        s.threshold = readThreshold(yaml, *t);
        ok = ok && s.threshold;
    }
    if (const Entry* c = f->get(u"cause")) {
        const QString text = c->value.IsScalar() ? fromStd(c->value.Scalar()) : QString();
        if (const auto cause = CauseClasses::fromString(text)) {
            s.cause = *cause;
        } else {
            yaml.error(yaml.pos(*c),
                QStringLiteral("unknown cause class %1 (one of: %2)%3")
                    .arg(describe(c->value), CauseClasses::names().join(QStringLiteral(", ")),
                        didYouMean(text, CauseClasses::names())));
            ok = false;
        }
    } else {
        s.cause = CauseClasses::defaultForSignal(s.name);
    }
    if (const Entry* l = f->get(u"link")) {
        if (const auto v = yaml.name(*l, QStringLiteral("link target"))) {
            s.link = *v;
            s.linkPosition = yaml.pos(*l);
            if (!f->get(u"cause"))
                s.cause = CauseClass::Network;
        } else {
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    return s;
}

} // namespace FaultDesk::ConfigSections
