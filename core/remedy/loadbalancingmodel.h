#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// One server of a pool as measured: its request rate and utilisation (or a known capacity).
struct ServerLoadInput
{
    QString name;
    double rate = 0; ///< requests per second it serves now
    double utilisation = 0; ///< busy fraction 0–1 at that rate
    bool up = true; ///< false: down or to be drained; gets no load
    std::optional<double> capacity; ///< requests per second at saturation, when known; overrides the estimate
};

/// The optimiser's answer: per-server loads and HAProxy weights, or why there is none.
struct LoadBalancingPlan
{
    struct Server
    {
        QString name;
        double capacity = 0; ///< c_i used
        bool capacityEstimated = false; ///< from rate/utilisation (true) or given/assumed (false)
        double load = 0; ///< x_i
        double utilisation = 0; ///< x_i / c_i
        double delay = 0; ///< f_i(x_i) = x_i / (c_i − x_i), the mean number of requests in the server
        int weight = 0; ///< HAProxy weight 0–256, proportional to x_i
        QString note; ///< why it gets no load, or how its capacity was obtained
        bool available = false; ///< up and not being drained: the rebalance sets its weight (never below 1)
    };

    bool feasible = false;
    QString message; ///< "ok: …" or "infeasible: load 900 rps exceeds capacity 800 rps; drain not possible"
    double load = 0; ///< L
    double totalCapacity = 0; ///< Σ c_i of the servers that are up
    double lambda = 0; ///< the KKT multiplier: f_i'(x_i) = λ on every server with load
    double objective = 0; ///< Σ f_i(x_i)
    QList<Server> servers;

    /// (server, weight) pairs for HaproxyOperation::setWeights, for the available servers only (a down or draining
    /// server keeps its weight); empty when infeasible.
    QList<QPair<QString, int>> weights() const;
};

/**
 * The load-balancing model: minimise Σ f_i(x_i), f_i(x) = x/(c_i − x) (M/M/1 delay), subject to Σ x_i = L and
 * 0 ≤ x_i < c_i. The KKT condition f_i'(x_i) = c_i/(c_i − x_i)² = λ gives x_i = max(0, c_i − √(c_i/λ)); λ is
 * found by bisection (Σ x_i(λ) is increasing) and the active set then solved exactly, so Σ x_i = L to rounding.
 */
class LoadBalancingModel
{
public:
    struct Options
    {
        int maxWeight = 256; ///< the most loaded server gets this weight
        double minUtilisationForEstimate = 0.05; ///< below this, rate/utilisation is too noisy to estimate c_i
        QString unit = QStringLiteral("rps");
    };

    /// c = rate / utilisation; std::nullopt (with @p why) when it cannot be estimated.
    static std::optional<double> estimateCapacity(
        double rate, double utilisation, const Options& options, QString* why = nullptr);

    /// Solves for total load @p load over @p servers; servers named in @p drain get no load (a drain preview).
    static LoadBalancingPlan solve(
        const QList<ServerLoadInput>& servers, double load, const Options& options, const QStringList& drain = {});
    static LoadBalancingPlan solve(const QList<ServerLoadInput>& servers, double load)
    {
        return solve(servers, load, Options {});
    }

    /// The optimum loads for capacities @p c and load @p load (precondition: 0 ≤ L < Σ c, c_i ≥ 0); λ via @p lambda.
    static QList<double> waterFill(const QList<double>& c, double load, double* lambda = nullptr);
};

} // namespace FaultDesk
