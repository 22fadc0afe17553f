#include "remedy/loadbalancingmodel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace FaultDesk {

QList<QPair<QString, int>> LoadBalancingPlan::weights() const
{
    QList<QPair<QString, int>> out;
    if (!feasible)
        return out;
    // A server the model had as down or draining keeps the weight it has: HAProxy's own health check and the drain
    // step decide about it, not a rebalance.
    for (const Server& s : servers)
        if (s.available)
            out.append({ s.name, s.weight });
    return out;
}

std::optional<double> LoadBalancingModel::estimateCapacity(
    double rate, double utilisation, const Options& options, QString* why)
{
    auto fail = [why](const QString& text) -> std::optional<double> {
        if (why)
            *why = text;
        return std::nullopt;
    };
    if (!std::isfinite(rate) || !std::isfinite(utilisation))
        return fail(QStringLiteral("rate or utilisation is not a number"));
    if (rate <= 0)
        return fail(QStringLiteral("no measured rate"));
    if (utilisation < options.minUtilisationForEstimate)
        return fail(QStringLiteral("utilisation %1 too low to estimate capacity").arg(utilisation, 0, 'f', 3));
    // A saturated server serves at its capacity; utilisation above 1 is a measurement artefact.
    return rate / std::min(utilisation, 1.0);
}

static double sumLoads(const QList<double>& c, double lambda)
{
    double s = 0;
    for (double ci : c)
        if (ci > 0 && lambda * ci > 1)
            s += ci - std::sqrt(ci / lambda);
    return s;
}

QList<double> LoadBalancingModel::waterFill(const QList<double>& c, double load, double* lambdaOut)
{
    QList<double> x(c.size(), 0.0);
    const double cmax = c.isEmpty() ? 0 : *std::max_element(c.cbegin(), c.cend());
    if (load <= 0 || cmax <= 0) {
        if (lambdaOut)
            *lambdaOut = cmax > 0 ? 1 / cmax : 0;
        return x;
    }
    // Σ x_i(λ) is 0 at λ = 1/c_max and tends to Σ c_i > L: bracket, then bisect in log space.
    double lo = 1 / cmax;
    double hi = 2 / cmax;
    while (sumLoads(c, hi) < load && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 200 && hi / lo > 1 + 1e-15; ++i) {
        const double mid = std::sqrt(lo * hi);
        if (sumLoads(c, mid) < load)
            lo = mid;
        else
            hi = mid;
    }
    // Exact on the active set: Σ_active (c_i − √c_i·t) = L with t = 1/√λ.
    double sc = 0, ssq = 0;
    for (double ci : c)
        if (ci > 0 && hi * ci > 1) {
            sc += ci;
            ssq += std::sqrt(ci);
        }
    const double t = ssq > 0 ? (sc - load) / ssq : 0;
    const double lambda = t > 0 ? 1 / (t * t) : hi;
    for (qsizetype i = 0; i < c.size(); ++i)
        if (c[i] > 0 && hi * c[i] > 1)
            x[i] = std::max(0.0, c[i] - std::sqrt(c[i]) * t);
    if (lambdaOut)
        *lambdaOut = lambda;
    return x;
}

static QString number(double v)
{
    return QString::number(v, 'f', v >= 100 ? 0 : 1);
}

LoadBalancingPlan LoadBalancingModel::solve(
    const QList<ServerLoadInput>& servers, double load, const Options& options, const QStringList& drain)
{
    LoadBalancingPlan plan;
    plan.load = load;
    const QString drainNote = drain.isEmpty() ? QString() : QStringLiteral("; drain not possible");
    if (!std::isfinite(load) || load < 0) {
        plan.message = QStringLiteral("invalid: total load %1 is not a non-negative number").arg(load);
        return plan;
    }
    // Capacities: given, estimated, or (for an up server whose utilisation is too low to tell) the pool mean.
    QList<double> known;
    for (const ServerLoadInput& s : servers) {
        LoadBalancingPlan::Server out;
        out.name = s.name;
        out.available = s.up && !drain.contains(s.name);
        if (!out.available) {
            out.note = drain.contains(s.name) ? QStringLiteral("drained") : QStringLiteral("down");
        } else if (s.capacity) {
            out.capacity = std::isfinite(*s.capacity) ? std::max(0.0, *s.capacity) : 0;
            out.note = QStringLiteral("capacity given");
        } else {
            QString why;
            if (const auto c = estimateCapacity(s.rate, s.utilisation, options, &why)) {
                out.capacity = *c;
                out.capacityEstimated = true;
                out.note = QStringLiteral("capacity %1 %2 = %3 %2 / utilisation %4")
                               .arg(number(*c), options.unit, number(s.rate))
                               .arg(s.utilisation, 0, 'f', 2);
            } else {
                out.capacity = -1; // resolved below
                out.note = why;
            }
        }
        if (out.capacity > 0)
            known.append(out.capacity);
        plan.servers.append(out);
    }
    const double mean = known.isEmpty() ? 0 : std::accumulate(known.cbegin(), known.cend(), 0.0) / double(known.size());
    for (auto& s : plan.servers) {
        if (s.capacity < 0) {
            s.capacity = mean;
            s.note += mean > 0
                ? QStringLiteral("; capacity assumed equal to the pool mean %1 %2").arg(number(mean), options.unit)
                : QStringLiteral("; capacity unknown");
        }
    }
    QList<double> c;
    for (const auto& s : std::as_const(plan.servers))
        c.append(s.capacity);
    plan.totalCapacity = std::accumulate(c.cbegin(), c.cend(), 0.0);

    if (plan.totalCapacity <= 0) {
        const bool anyUp = std::any_of(servers.cbegin(), servers.cend(),
            [&](const ServerLoadInput& s) { return s.up && !drain.contains(s.name); });
        plan.message = anyUp
            ? QStringLiteral("infeasible: no server has capacity left (capacities are zero or unknown)%1")
                  .arg(drainNote)
            : QStringLiteral("infeasible: no server is up%1").arg(drainNote);
        if (servers.isEmpty())
            plan.message = QStringLiteral("infeasible: the pool has no servers");
        return plan;
    }
    if (load >= plan.totalCapacity) {
        plan.message = QStringLiteral("infeasible: load %1 %3 exceeds capacity %2 %3%4")
                           .arg(number(load), number(plan.totalCapacity), options.unit, drainNote);
        return plan;
    }

    const QList<double> x = waterFill(c, load, &plan.lambda);
    double xmax = 0;
    for (double v : x)
        xmax = std::max(xmax, v);
    for (qsizetype i = 0; i < plan.servers.size(); ++i) {
        auto& s = plan.servers[i];
        s.load = x[i];
        if (s.capacity > 0) {
            s.utilisation = x[i] / s.capacity;
            s.delay = x[i] / (s.capacity - x[i]);
        }
        plan.objective += s.delay;
        if (xmax > 0 && x[i] > 0)
            s.weight = std::clamp(int(std::lround(options.maxWeight * x[i] / xmax)), 1, options.maxWeight);
        else if (load == 0 && s.capacity > 0)
            s.weight = std::max(
                1, int(std::lround(options.maxWeight * s.capacity / *std::max_element(c.cbegin(), c.cend()))));
        if (s.capacity > 0 && x[i] == 0 && load > 0)
            s.note += QStringLiteral("; too slow to be worth any load at %1 %2").arg(number(load), options.unit);
        // The optimum may give an available server nothing, but weight 0 would take a server that answers out of
        // rotation: that is a drain, which only the gated drain step may do. It keeps the smallest weight.
        if (s.available && s.weight < 1) {
            s.weight = 1;
            s.note += QStringLiteral("; kept in rotation at weight 1");
        }
    }
    plan.feasible = true;
    double maxUtil = 0;
    for (const auto& s : std::as_const(plan.servers))
        maxUtil = std::max(maxUtil, s.utilisation);
    plan.message = QStringLiteral("ok: %1 %3 over capacity %2 %3, highest utilisation %4%")
                       .arg(number(load), number(plan.totalCapacity), options.unit)
                       .arg(std::lround(maxUtil * 100));
    return plan;
}

} // namespace FaultDesk
